"""Spam scores from 0 (surely a real report) to 1 (surely spam), with the reasons behind them.

Local and offline by default: a honeypot field, how fast the form came back, links and keywords,
and a text classifier (scikit-learn) that learns from moderators' approvals and spam decisions.
The classifier is stored as numbers only (#15): JSON of hashed character n-gram indices with their
weights, written 0600, never a pickle, so whoever can write var/ cannot make a process that holds
the master key run code, and no fragment of a reporter's text is kept. It is retrained after every
purge, so it keeps no trace of purged reports either.
When UNSEEN_AKISMET_KEY is set, Akismet's comment-check is asked as well (only the text is sent:
never an address or a user agent). The score only orders and filters the queue: moderators decide.
"""

import contextlib
import json
import logging
import math
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext, ngettext

from unseen import private_files

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


def reason_label(code: str) -> str:
    """A reason as moderators read it, in their language; the code stays in the data.

    Codes are "honeypot", "too_fast", "links:N", "keywords:a,b", "shouting", "repeats",
    "classifier:0.87" and "akismet"; an unknown code (from a later version) is shown as it is.
    """
    name, _colon, detail = code.partition(":")
    if name == "links" and detail.isdigit():
        count = int(detail)
        return ngettext("%(count)d link", "%(count)d links", count) % {"count": count}
    if name == "keywords" and detail:
        return gettext("spam words: %(words)s") % {"words": ", ".join(detail.split(","))}
    if name == "classifier" and detail:
        return gettext("looks like earlier spam (%(score)s)") % {"score": detail}
    fixed = {
        "honeypot": gettext("filled in the hidden field robots fill"),
        "too_fast": gettext("sent too fast for a person to have typed it"),
        "shouting": gettext("mostly capital letters"),
        "repeats": gettext("one character repeated many times"),
        "akismet": gettext("Akismet says spam"),
    }
    return fixed.get(code, code)


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

MODEL_FORMAT = 1
# Character n-grams are hashed into this many columns: the stored model names columns, not text.
N_FEATURES = 1 << 18
NGRAMS = (2, 4)


@dataclass(frozen=True)
class Model:
    """A logistic regression over tf-idf weights of hashed n-grams, as plain numbers."""

    idf: dict[int, float]  # columns seen in training
    idf_unseen: float  # the idf of every other column
    coef: dict[int, float]
    intercept: float

    def probability(self, text: str) -> float:
        counts = _hasher().transform([text])
        weights = {
            int(column): (1 + math.log(count)) * self.idf.get(int(column), self.idf_unseen)
            for column, count in zip(counts.indices, counts.data, strict=True)
        }
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        z = self.intercept + sum(w / norm * self.coef.get(c, 0.0) for c, w in weights.items())
        return 1 / (1 + math.exp(-z))


def _hasher() -> Any:
    from sklearn.feature_extraction.text import HashingVectorizer

    return HashingVectorizer(
        analyzer="char_wb",
        ngram_range=NGRAMS,
        n_features=N_FEATURES,
        alternate_sign=False,
        norm=None,
    )


def model_path() -> Path:
    return Path(settings.VAR_DIR) / "intake" / "spam-model.json"


def _legacy_path() -> Path:
    # Before #15 the model was a pickle here: it is never loaded, and removed at the next training.
    return Path(settings.VAR_DIR) / "intake" / "spam-model.pickle"


def train(examples: list[tuple[str, bool]]) -> bool:
    """Fit the classifier on (text, is_spam) examples; False when there are too few of either.

    With too few, the stored model is removed too: it was fitted on reports no longer held.
    """
    spam = sum(1 for _text, is_spam in examples if is_spam)
    if spam < MIN_EXAMPLES_PER_CLASS or len(examples) - spam < MIN_EXAMPLES_PER_CLASS:
        forget()
        return False
    import numpy as np
    from sklearn.feature_extraction.text import TfidfTransformer
    from sklearn.linear_model import LogisticRegression

    counts = _hasher().transform([text for text, _ in examples])
    tfidf = TfidfTransformer(sublinear_tf=True)
    features = tfidf.fit_transform(counts)
    classifier = LogisticRegression(max_iter=1000, class_weight="balanced")
    classifier.fit(features, [int(is_spam) for _, is_spam in examples])
    seen = np.unique(counts.indices)
    coef = classifier.coef_[0]
    document = {
        "format": MODEL_FORMAT,
        "features": {"analyzer": "char_wb", "ngrams": list(NGRAMS), "columns": N_FEATURES},
        "columns": [int(c) for c in seen],
        "idf": [float(tfidf.idf_[c]) for c in seen],
        # smooth_idf: ln((1 + n) / (1 + df)) + 1, with df = 0 for a column never seen
        "idf_unseen": math.log(1 + len(examples)) + 1,
        "coef": [float(coef[c]) for c in seen],
        "intercept": float(classifier.intercept_[0]),
    }
    private_files.replace(model_path(), json.dumps(document).encode())
    _legacy_path().unlink(missing_ok=True)
    return True


def forget() -> None:
    """Remove the stored model (and a pre-#15 pickle)."""
    model_path().unlink(missing_ok=True)
    _legacy_path().unlink(missing_ok=True)


def _parse(raw: bytes) -> Model:
    document = json.loads(raw)
    if document.get("format") != MODEL_FORMAT:
        raise ValueError("unknown spam model format")
    if document["features"] != {
        "analyzer": "char_wb",
        "ngrams": list(NGRAMS),
        "columns": N_FEATURES,
    }:
        raise ValueError("the spam model was fitted on other features")
    columns = [int(c) for c in document["columns"]]
    idf = [float(v) for v in document["idf"]]
    coef = [float(v) for v in document["coef"]]
    if not len(columns) == len(idf) == len(coef):
        raise ValueError("the spam model's columns do not match its weights")
    return Model(
        idf=dict(zip(columns, idf, strict=True)),
        idf_unseen=float(document["idf_unseen"]),
        coef={c: w for c, w in zip(columns, coef, strict=True) if w},
        intercept=float(document["intercept"]),
    )


def _model() -> Model | None:
    path = model_path()
    try:
        mtime = path.stat().st_mtime
    except FileNotFoundError:
        return None
    with _lock:
        if _loaded["mtime"] != mtime:
            model = None
            with contextlib.suppress(OSError):
                try:
                    model = _parse(path.read_bytes())
                except (ValueError, KeyError, TypeError, AttributeError):
                    logger.warning("the stored spam model is unreadable; scored without it")
            _loaded["model"], _loaded["mtime"] = model, mtime
        return _loaded["model"]


def classify(text: str) -> float | None:
    """The classifier's spam probability, or None before it has learnt anything."""
    model = _model()
    if model is None:
        return None
    return float(model.probability(text))


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
