"""Spam scores from 0 (surely a real report) to 1 (surely spam), with the reasons behind them.

Local and offline by default: a honeypot field, how fast the form came back, links and keywords,
and a text classifier (scikit-learn) that learns from moderators' approvals and spam decisions.
When UNSEEN_AKISMET_KEY is set, Akismet's comment-check is asked as well (only the text is sent:
never an address or a user agent). The score only orders and filters the queue: moderators decide.
"""

import logging
import pickle
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings

logger = logging.getLogger(__name__)

MIN_SECONDS = 4  # a person does not read and fill the form faster than this
LINK = re.compile(r"https?://|www\.|\[url=|<a\s", re.IGNORECASE)
KEYWORDS = (
    "viagra",
    "cialis",
    "casino",
    "poker",
    "betting",
    "bitcoin",
    "crypto",
    "forex",
    "loan",
    "payday",
    "seo ",
    "backlink",
    "porn",
    "xxx",
    "escort",
    "replica",
    "buy now",
    "click here",
    "cheap ",
    "discount",
    "free money",
    "weight loss",
    "make money",
    "work from home",
    "카지노",
    "대출",
    "바카라",
    "토토",
    "성인",
    "도박",
)
MIN_EXAMPLES_PER_CLASS = 5
TRAINING_LIMIT = 5000


@dataclass
class Score:
    value: float
    reasons: list[str] = field(default_factory=list)


def heuristic(text: str, *, honeypot: str = "", seconds: float | None = None) -> Score:
    """Honeypot, timing, links and keywords; `seconds` is None when timing is unknown (the API)."""
    reasons: list[str] = []
    if honeypot.strip():
        return Score(1.0, ["honeypot"])
    value = 0.0
    if seconds is not None and seconds < MIN_SECONDS:
        value += 0.4
        reasons.append("too_fast")
    links = len(LINK.findall(text))
    if links:
        value += min(0.5, 0.2 * links)
        reasons.append(f"links:{links}")
    lowered = text.lower()
    hits = sorted({word.strip() for word in KEYWORDS if word in lowered})
    if hits:
        value += min(0.6, 0.25 * len(hits))
        reasons.append("keywords:" + ",".join(hits[:5]))
    letters = [ch for ch in text if ch.isalpha() and ch.isascii()]
    if len(letters) >= 20 and sum(ch.isupper() for ch in letters) / len(letters) > 0.7:
        value += 0.15
        reasons.append("shouting")
    if re.search(r"(.)\1{9,}", text):
        value += 0.15
        reasons.append("repeats")
    return Score(min(1.0, round(value, 3)), reasons)


# --- the classifier ---------------------------------------------------------------------------

_lock = threading.Lock()
_loaded: dict[str, Any] = {"mtime": None, "model": None}


def model_path() -> Path:
    return Path(settings.VAR_DIR) / "intake" / "spam-model.pickle"


def train(examples: list[tuple[str, bool]]) -> bool:
    """Fit the classifier on (text, is_spam) examples; False when there are too few of either."""
    spam = sum(1 for _text, is_spam in examples if is_spam)
    if spam < MIN_EXAMPLES_PER_CLASS or len(examples) - spam < MIN_EXAMPLES_PER_CLASS:
        return False
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    model = make_pipeline(
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), min_df=1, sublinear_tf=True),
        LogisticRegression(max_iter=1000, class_weight="balanced"),
    )
    model.fit([text for text, _ in examples], [int(is_spam) for _, is_spam in examples])
    path = model_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_bytes(pickle.dumps(model))
    temporary.replace(path)
    return True


def _model() -> Any:
    path = model_path()
    try:
        mtime = path.stat().st_mtime
    except FileNotFoundError:
        return None
    with _lock:
        if _loaded["mtime"] != mtime:
            _loaded["model"] = pickle.loads(path.read_bytes())  # noqa: S301 - our own file
            _loaded["mtime"] = mtime
        return _loaded["model"]


def classify(text: str) -> float | None:
    """The classifier's spam probability, or None before it has learnt anything."""
    model = _model()
    if model is None:
        return None
    return float(model.predict_proba([text])[0][1])


# --- Akismet ----------------------------------------------------------------------------------


def akismet(text: str, *, kind: str, language: str = "") -> bool | None:
    """Akismet's verdict (True: spam), or None when it is not configured or does not answer."""
    key = settings.UNSEEN_AKISMET_KEY
    if not key:
        return None
    body = urllib.parse.urlencode(
        {
            "api_key": key,
            "blog": settings.UNSEEN_AKISMET_SITE,
            # Akismet asks for an address; reporters' addresses are never sent to anyone.
            "user_ip": "127.0.0.1",
            "comment_type": "comment" if kind == "comment" else "contact-form",
            "comment_content": text,
            "blog_lang": language,
            "blog_charset": "UTF-8",
        }
    ).encode()
    request = urllib.request.Request(  # noqa: S310 - the URL comes from settings, http(s) only
        settings.UNSEEN_AKISMET_URL,
        data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded", "User-Agent": "Unseen/0.1"},
    )
    try:
        with urllib.request.urlopen(request, timeout=3) as response:  # noqa: S310
            answer = response.read(64).decode("ascii", "replace").strip()
    except (urllib.error.URLError, TimeoutError, OSError):
        logger.warning("akismet did not answer; scored locally")
        return None
    if answer == "true":
        return True
    if answer == "false":
        return False
    logger.warning("akismet answered neither true nor false; scored locally")
    return None


def score(
    text: str,
    *,
    honeypot: str = "",
    seconds: float | None = None,
    kind: str = "sighting",
    language: str = "",
) -> Score:
    """The combined score: the highest of the heuristics, the classifier and Akismet."""
    result = heuristic(text, honeypot=honeypot, seconds=seconds)
    if result.value >= 1.0:
        return result
    learnt = classify(text)
    if learnt is not None:
        if learnt >= 0.5:
            result.reasons.append(f"classifier:{learnt:.2f}")
        result.value = max(result.value, round(learnt, 3))
    verdict = akismet(text, kind=kind, language=language)
    if verdict is True:
        result.value = max(result.value, 0.95)
        result.reasons.append("akismet")
    return Score(min(1.0, result.value), result.reasons)
