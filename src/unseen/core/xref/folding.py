"""Organisation names folded to comparable tokens, whatever the script or romanisation.

A designated company reaches us as "Korea Rungrado General Trading Corporation" on a US list,
조선릉라도무역총회사 in a Korean document, "Rŭngrado" in McCune–Reischauer, "Neungrado" as the
South writes it, and "Rungrado Trading" in a report. Folding turns each into a tuple of tokens in
which those spellings agree:

- Words that say what kind of organisation it is (무역 trading, 건설 construction, 총회사 general
  corporation, bank, LLC, ООО, sp. z o.o. ...) become one English concept token each, whether
  written in English, in Hangul or romanised from Korean (Muyok, Konsol, Chonghoesa). A Hangul
  name is cut into glossary words and the syllables left over, which are the name proper.
- The name proper (Rungrado, 릉라도, Rŭngrado) is folded syllable by syllable exactly as person
  names are (`unseen.core.linkage.names.fold_token`): initial r/n, MR/RR vowels, aspirates and
  diacritics forgotten. Hangul tokens also carry the keys of their spellings in each romanisation
  style, because a romanised word can be cut into syllables in more than one way (Chayon is read
  che+on, not cha+yon): a romanised token matches a Hangul one if it folds like any of them.
- Each token has a class (name proper, sector, generic, place, legal form) that sets how much it
  may weigh; `scoring` weighs tokens by class and by how rare they are in the list.
"""

import itertools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import cache, lru_cache

from rapidfuzz import process
from rapidfuzz.distance import OSA

from unseen.core.linkage.names import fold_token
from unseen.core.linkage.synthetic.romanisation import STYLES, romanise_name, south_form

__all__ = [
    "ENGLISH_GLOSSARY",
    "HANGUL_GLOSSARY",
    "HANGUL_SUFFIXES",
    "FoldedName",
    "Token",
    "TokenClass",
    "fold_many",
    "fold_name",
    "fold_organisation_name",
    "fold_token",
    "words_for_initials",
]


class TokenClass(StrEnum):
    """What a token says about an organisation; `scoring.CLASS_WEIGHT` weighs each."""

    NAME = "name"  # the name proper: Rungrado, Namgang, Silverstar, 39
    SECTOR = "sector"  # what it does: trading, construction, bank, mining
    GENERIC = "generic"  # says little: general, group, associated, national, international
    PLACE = "place"  # a country or city in the name: Korea, China, Beijing
    LEGAL = "legal"  # a legal form: company, corporation, LLC, ООО, sp. z o.o.


# eq=False: a token is equal only to itself, so hashing one (caches of comparisons) is cheap;
# the same name folds to the same tokens, as `fold_name` is cached.
@dataclass(frozen=True, slots=True, eq=False)
class Token:
    """One folded token.

    `key` is what it is written as in the folded tuple; `keys` every key it matches (a Hangul
    name proper carries the fold of each romanisation style's spelling).
    """

    key: str
    cls: TokenClass
    keys: frozenset[str]
    clean: bool  # a name proper that reads as whole Korean syllables (no stray letters)
    initial: str  # the word as written (lower case, plain letters); "" for Hangul
    acronym: bool = False  # written in capitals (KPA, HK): compared exactly, never as a typo


@dataclass(frozen=True, slots=True)
class FoldedName:
    """A name as written and its tokens."""

    text: str
    tokens: tuple[Token, ...]
    acronym: str | None  # the name is one word in capitals (KOMID, KGCEC): it may be initials

    @property
    def keys(self) -> tuple[str, ...]:
        """The tokens' keys, in order."""
        return tuple(t.key for t in self.tokens)


# Korean words of company and government names → English concept tokens. Their romanised
# spellings (Muyok, Chonghoesa, Yonhap, Unhaeng...) are derived from this table below.
# 개발 (development) and 사업 (project) are one concept: the same 개발 is "Project" in Mansudae
# Overseas Project Group and "Development" in Korea Mining Development Trading Corporation.
HANGUL_GLOSSARY: dict[str, tuple[str, ...]] = {
    "조선": ("korea",), "총회사": ("general", "company"), "회사": ("company",),
    "공사": ("company",), "주식회사": ("jsc",), "유한회사": ("limited",), "그룹": ("group",),
    "무역": ("trading",), "상사": ("trading", "company"), "건설": ("construction",),
    "건재": ("construction",), "해외": ("overseas",), "대외": ("external",),
    "개발": ("project",), "사업": ("project",), "합영": ("jointventure",),
    "합작": ("jointventure",), "기술": ("technology",), "네트워크": ("network",),
    "연합": ("associated",), "련합": ("associated",), "협회": ("associated",),
    "총국": ("general", "bureau"), "지도국": ("guidance", "bureau"), "호실": ("bureau",),
    "봉사": ("service",), "식당": ("restaurant",), "료리": ("restaurant",),
    "수산": ("fisheries",), "어업": ("fisheries",), "림업": ("forestry",),
    "임업": ("forestry",), "광업": ("mining",), "광산": ("mining",), "은행": ("bank",),
    "상업": ("commercial",), "신용": ("credit",), "보험": ("insurance",), "민족": ("national",),
    "국가": ("national",), "국제": ("international",), "기계": ("machinery",),
    "공업": ("industry",), "군수": ("munitions",), "해운": ("shipping",), "원양": ("ocean",),
    "관리": ("management",), "수출입": ("trading",), "수출": ("trading",),
    "수입": ("trading",), "과학원": ("academy", "science"), "과학": ("science",),
    "자연": ("natural",), "원자력": ("atomic", "energy"), "정찰": ("reconnaissance",),
    "우주": ("space",), "공간": ("space",), "위원회": ("committee",), "항공": ("airline",),
    "창작사": ("art", "studio"), "전자": ("electronics",), "협조": ("cooperation",),
    "협력": ("cooperation",), "기업소": ("enterprise",), "련합기업소": ("enterprise",),
    "연구소": ("institute",), "연구원": ("institute",), "대학": ("university",),
    "투자": ("investment",), "운수": ("transport",), "철도": ("railway",),
    "로동": ("labour",), "노동": ("labour",), "인력": ("labour",), "피복": ("garment",),
    "봉제": ("garment",), "의류": ("garment",), "목재": ("timber",), "농업": ("agriculture",),
    "호텔": ("hotel",), "려관": ("hotel",), "여관": ("hotel",), "북경": ("beijing",),
    "평양": ("pyongyang",), "중국": ("china",), "로씨야": ("russia",), "러시아": ("russia",),
    "조직": ("organisation",), "지도": ("guidance",),
}  # fmt: skip
# One-syllable words end a name (군수공업부, 정찰총국): elsewhere they are as likely to be a
# syllable of the name proper, so they are read only at the end of a run of Hangul.
HANGUL_SUFFIXES: dict[str, tuple[str, ...]] = {"부": ("department",), "국": ("bureau",),
                                               "실": ("bureau",)}  # fmt: skip

# English (and other Latin-script) words → concept tokens. Company/corporation/co/corp are one
# concept: DPRK entities' English names translate 회사 as either.
ENGLISH_GLOSSARY: dict[str, str] = {
    "company": "company", "companies": "company", "co": "company", "corporation": "company",
    "corp": "company", "corporations": "company", "cos": "company",
    "ltd": "limited", "limited": "limited", "pty": "limited", "proprietary": "limited",
    "inc": "inc", "incorporated": "inc",
    "llc": "llc", "ooo": "llc", "tov": "llc", "gmbh": "llc", "sro": "llc", "spzoo": "llc",
    "fze": "llc", "fzco": "llc", "fzllc": "llc", "wll": "llc", "llp": "llc",
    "jsc": "jsc", "ao": "jsc", "oao": "jsc", "zao": "jsc", "pao": "jsc", "ojsc": "jsc",
    "cjsc": "jsc", "pjsc": "jsc", "ag": "jsc", "plc": "jsc", "nv": "jsc", "bv": "jsc", "kft": "jsc",
    "trading": "trading", "trade": "trading", "traders": "trading", "commerce": "trading",
    "construction": "construction", "constructions": "construction", "building": "construction",
    "builders": "construction", "development": "project", "developments": "project",
    "project": "project", "projects": "project", "group": "group", "groups": "group",
    "holding": "group", "holdings": "group",
    "overseas": "overseas", "oversea": "overseas", "external": "external", "foreign": "external",
    "international": "international", "intl": "international", "int": "international",
    "technology": "technology", "technologies": "technology", "tech": "technology",
    "technical": "technology", "network": "network", "networks": "network",
    "associated": "associated", "association": "associated", "associates": "associated",
    "union": "associated", "federation": "associated", "general": "general",
    "bureau": "bureau", "office": "bureau", "division": "bureau", "room": "bureau",
    "department": "department", "dept": "department", "guidance": "guidance",
    "service": "service", "services": "service", "restaurant": "restaurant",
    "restaurants": "restaurant", "fisheries": "fisheries", "fishery": "fisheries",
    "fishing": "fisheries", "seafood": "fisheries", "forestry": "forestry", "logging": "forestry",
    "mining": "mining", "mine": "mining", "mines": "mining", "bank": "bank", "banking": "bank",
    "banks": "bank", "commercial": "commercial", "credit": "credit", "insurance": "insurance",
    "national": "national", "machinery": "machinery", "machine": "machinery",
    "industry": "industry", "industrial": "industry", "industries": "industry",
    "munitions": "munitions", "shipping": "shipping", "maritime": "shipping",
    "ocean": "ocean", "management": "management", "export": "trading", "exports": "trading",
    "import": "trading", "imports": "trading", "academy": "academy", "science": "science",
    "sciences": "science", "natural": "natural", "atomic": "atomic", "energy": "energy",
    "reconnaissance": "reconnaissance", "committee": "committee", "space": "space",
    "airline": "airline", "airlines": "airline", "air": "airline", "airways": "airline",
    "art": "art", "arts": "art", "studio": "studio", "studios": "studio",
    "electronics": "electronics", "electronic": "electronics", "cooperation": "cooperation",
    "enterprise": "enterprise", "enterprises": "enterprise", "institute": "institute",
    "university": "university", "investment": "investment", "investments": "investment",
    "transport": "transport", "transportation": "transport", "logistics": "transport",
    "railway": "railway", "railways": "railway", "labour": "labour", "labor": "labour",
    "manpower": "labour", "garment": "garment", "garments": "garment", "clothing": "garment",
    "textile": "garment", "textiles": "garment", "timber": "timber", "agriculture": "agriculture",
    "agricultural": "agriculture", "hotel": "hotel", "hotels": "hotel",
    "korea": "korea", "korean": "korea", "dprk": "korea", "kp": "korea",
    "china": "china", "chinese": "china", "prc": "china", "russia": "russia", "russian": "russia",
    "beijing": "beijing", "peking": "beijing", "pyongyang": "pyongyang",
    # Cities that name companies of the trade (nk-facts §1–4): a place, not a name proper.
    "dandong": "dandong", "shenyang": "shenyang", "yanbian": "yanbian", "yanji": "yanji",
    "hunchun": "hunchun", "dalian": "dalian", "shanghai": "shanghai", "vladivostok": "vladivostok",
    "khabarovsk": "khabarovsk", "moscow": "moscow", "nakhodka": "nakhodka", "dubai": "dubai",
    "sharjah": "sharjah", "doha": "doha", "kuwait": "kuwait", "ulaanbaatar": "ulaanbaatar",
    "gdansk": "gdansk", "szczecin": "szczecin", "nampo": "nampo", "sinuiju": "sinuiju",
    "first": "1", "second": "2", "third": "3", "jointventure": "jointventure", "sa": "jsc",
    "organisation": "organisation", "organization": "organisation", "central": "central",
    "electric": "power", "electrical": "power", "power": "power",
}  # fmt: skip
_STOP_WORDS = frozenset({"of", "the", "and", "for", "in", "a", "an", "de", "la", "du", "z", "i"})

_LEGAL = frozenset({"company", "limited", "inc", "llc", "jsc"})
_GENERIC = frozenset({
    "general", "group", "associated", "international", "national", "overseas", "external",
    "bureau", "department", "guidance", "service", "enterprise", "management", "committee",
    "cooperation", "institute", "project", "organisation", "central",
})  # fmt: skip
_PLACES = frozenset({
    "korea", "china", "russia", "beijing", "pyongyang", "dandong", "shenyang", "yanbian", "yanji",
    "hunchun", "dalian", "shanghai", "vladivostok", "khabarovsk", "moscow", "nakhodka", "dubai",
    "sharjah", "doha", "kuwait", "ulaanbaatar", "gdansk", "szczecin", "nampo", "sinuiju",
})  # fmt: skip
_NUMBERS = frozenset({"1", "2", "3"})


def _concept_class(concept: str) -> TokenClass:
    if concept in _LEGAL:
        return TokenClass.LEGAL
    if concept in _GENERIC:
        return TokenClass.GENERIC
    if concept in _PLACES:
        return TokenClass.PLACE
    if concept in _NUMBERS:
        return TokenClass.NAME
    return TokenClass.SECTOR


# Phrases read before the text is cut into words (on NFKC, case-folded text).
_PHRASES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"democratic\s+people'?s\s+republic\s+of\s+korea"), " korea "),
    (re.compile(r"\bnorth\s+korea(n)?\b"), " korea "),
    (re.compile(r"\bgroup\s+of\s+companies\b"), " group "),
    (re.compile(r"\blimited\s+liability\s+(company|partnership)\b"), " llc "),
    (re.compile(r"\bjoint[\s-]+(venture|operation|stock)\b"), " jointventure "),
    (re.compile(r"\bj\s*/\s*v\b"), " jointventure "),
    (re.compile(r"\bsp(ó|o)łka\s+z\s+ograniczon(ą|a)\s+odpowiedzialno(ś|s)ci(ą|a)\b"), " spzoo "),
    (re.compile(r"\bsp\.?\s*z\.?\s*o\.?\s*o\b\.?"), " spzoo "),
    (re.compile(r"\bs\.\s*a\.(?=\s|$)"), " sa "),
    (re.compile(r"\bw\.?\s*l\.?\s*l\b\.?"), " wll "),
    (re.compile(r"\bfz[\s-]*llc\b"), " fzllc "),
    (re.compile(r"\bco\.?\s*,?\s*ltd\b\.?"), " co ltd "),
    (re.compile(r"№"), " no "),
    (re.compile(r"\b(\d+)(st|nd|rd|th)\b"), r" \1 "),  # 2nd Academy, 1st of May
)
# Words and runs: Hangul syllables, digits, and letters of other scripts.
_RUNS = re.compile(
    r"[\uac00-\ud7a3]+|\d+|[^\W\d_\uac00-\ud7a3]+(?:['’ʼ`‘ʻ´\-‐‑][^\W\d_\uac00-\ud7a3]+)*"
)
_HYPHENS = re.compile(r"[\-‐‑]")
_HANGUL_RUN = re.compile(r"[\uac00-\ud7a3]+")
_ACRONYM = re.compile(r"[A-Z]{2,6}")
_ACRONYM_WORD = re.compile(r"\b[A-Z]{2,6}\b")
# An ordinal prefix before a number: 제2, Che 2.
_ORDINAL_PREFIX = frozenset({"제", "je", "che"})
# How many words a romanised glossary word may have been split into (Kwahak-Won, Chong Hoesa).
_MAX_JOIN = 3


def _plain(word: str) -> str:
    """Lower case, Cyrillic transliterated, diacritics and apostrophes gone (as for persons)."""
    decomposed = unicodedata.normalize("NFD", word.translate(_CYRILLIC_TABLE))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch) and ch not in "'’ʼ`‘ʻ´")


_CYRILLIC_TABLE = str.maketrans({
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z",
    "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya", "і": "i", "ї": "yi",
    "є": "ye", "ґ": "g", "ў": "u",
})  # fmt: skip


def _compact(key: str) -> str:
    return key.replace("-", "")


@cache
def _valid_syllable_keys() -> frozenset[str]:
    """The fold of every Hangul syllable: a romanised word made only of these reads as Korean."""
    return frozenset(fold_token(chr(code)) for code in range(0xAC00, 0xD7A4))


def _is_clean(folded: str) -> bool:
    valid = _valid_syllable_keys()
    return all(part in valid for part in folded.split("-"))


# Final consonants (jamo index) by the nasal they become before ㄴ or ㅁ: 압록강 is said 암녹강.
_NASALISED_FINALS = {
    **dict.fromkeys((1, 2, 3, 9, 24), 21),  # k-like → ng
    **dict.fromkeys((7, 19, 20, 22, 23, 25, 27), 4),  # t-like → n
    **dict.fromkeys((17, 18, 26), 16),  # p-like → m
}
_RIEUL, _NIEUN, _MIEUM = 5, 2, 6  # initials
_FINAL_NIEUN, _FINAL_RIEUL = 4, 8


def _as_pronounced(run: str) -> str:
    """The run as said, where spellings that follow the sound (RR, MR) write it.

    ㄹ after a consonant other than ㄴ/ㄹ is ㄴ (압록 → 압녹), a stop before a nasal becomes one
    (→ 암녹), ㄴ and ㄹ meeting are ㄹㄹ (신라 → 실라).
    """
    codes = [ord(ch) - 0xAC00 for ch in run]
    jamo = [[c // 588, (c % 588) // 28, c % 28] for c in codes]
    for left, right in itertools.pairwise(jamo):
        final, initial = left[2], right[0]
        if initial == _RIEUL and final == _FINAL_NIEUN:
            left[2] = _FINAL_RIEUL
        elif initial == _NIEUN and final == _FINAL_RIEUL:
            right[0] = _RIEUL
        elif initial == _RIEUL and final not in (0, _FINAL_RIEUL):
            right[0] = _NIEUN
        if right[0] in (_NIEUN, _MIEUM) and left[2] in _NASALISED_FINALS:
            left[2] = _NASALISED_FINALS[left[2]]
    return "".join(chr(0xAC00 + i * 588 + m * 28 + f) for i, m, f in jamo)


@lru_cache(maxsize=2**16)
def _hangul_keys(run: str) -> frozenset[str]:
    """Compact keys of a Hangul name proper: its fold and each style's, written and said."""
    keys = {_compact(fold_token(run))}
    for form in {run, _as_pronounced(run)}:
        keys.add(_compact(fold_token(form)))
        for style in STYLES:
            spelled = "".join(romanise_name(form, style))
            keys.add(_compact(fold_token(spelled)))
            if style in ("rr", "western"):  # the South drops an initial r/n: 릉라도 Neungrado
                spelled = "".join(romanise_name(south_form(form[0]) + form[1:], style))
                keys.add(_compact(fold_token(spelled)))
    return frozenset(keys)


def _romanised_glossary() -> dict[str, tuple[str, ...]]:
    """Compact keys of the glossary's Korean words as romanised in every style (Muyok, Konsol)."""
    table: dict[str, tuple[str, ...]] = {}
    for hangul, concepts in HANGUL_GLOSSARY.items():
        if len(hangul) < 2:
            continue
        for key in _hangul_keys(hangul):
            # A key shorter than four letters (sa, pu) is too easily a syllable of a name.
            if len(key) >= 4:
                table.setdefault(key, concepts)
    return table


_ROMANISED_GLOSSARY = _romanised_glossary()
_ROMANISED_SUFFIXES = {
    key: concepts for hangul, concepts in HANGUL_SUFFIXES.items() for key in _hangul_keys(hangul)
}


def _concept_token(concept: str, initial: str) -> Token:
    return Token(concept, _concept_class(concept), frozenset((concept,)), True, initial)


_Cut = list[tuple[str, tuple[str, ...] | None]]


def _segment_hangul(run: str) -> list[tuple[str, tuple[str, ...] | None]]:
    """Cut a run of Hangul into glossary words and the name proper left between them.

    The cut leaves the fewest syllables outside the glossary, then has the fewest pieces. A name
    proper of one syllable costs as much as four: names of organisations have two or more, and
    a lone syllable is more likely the start of a name that merely contains a glossary word
    (금수산 is Kumsusan, not 금 + 수산 "fisheries").
    """
    n = len(run)
    # best[i]: ((cost, pieces), cut) for run[i:].
    best: list[tuple[tuple[int, int], _Cut]] = [((0, 0), [])] * (n + 1)
    for i in range(n - 1, -1, -1):
        candidate: tuple[tuple[int, int], _Cut] | None = None
        for j in range(i + 1, n + 1):
            word = run[i:j]
            concepts = HANGUL_GLOSSARY.get(word)
            if concepts is None and j == n and i > 0:
                concepts = HANGUL_SUFFIXES.get(word)
            (r_cost, r_pieces), r_cut = best[j]
            options: list[tuple[tuple[int, int], _Cut]] = []
            if concepts is not None:
                options.append(((r_cost, r_pieces + 1), [(word, concepts), *r_cut]))
            # A name proper run[i:j], followed by a glossary word or the end.
            if j == n or (r_cut and r_cut[0][1] is not None):
                cost = len(word) + (3 if len(word) == 1 else 0)
                options.append(((r_cost + cost, r_pieces + 1), [(word, None), *r_cut]))
            for option in options:
                if candidate is None or option[0] < candidate[0]:
                    candidate = option
        assert candidate is not None  # run[i:] as one name proper is always an option
        best[i] = candidate
    return best[0][1]


def _hangul_tokens(run: str) -> list[Token]:
    tokens: list[Token] = []
    for piece, concepts in _segment_hangul(run):
        if concepts is not None:
            tokens.extend(_concept_token(c, "") for c in concepts)
        else:
            keys = _hangul_keys(piece)
            key = _compact(fold_token(piece))
            tokens.append(Token(key, TokenClass.NAME, keys, True, ""))
    return tokens


# Words a misspelling may be read as: not places, whose names are too near Korean ones (Daedong
# is one letter from Dandong).
_GLOSSARY_WORDS = [
    w
    for w, c in ENGLISH_GLOSSARY.items()
    if len(w) >= 5 and _concept_class(c) is not TokenClass.PLACE
]


@lru_cache(maxsize=2**16)
def _misspelt_glossary_word(word: str) -> str | None:
    """The concept of an English glossary word misspelt by a letter (two in a long word).

    Comercial, Developement, Natinal. Short words are left alone: too many names are one letter
    away from one (Bang, Banks).
    """
    if len(word) < 6:
        return None
    found = process.extractOne(
        word, _GLOSSARY_WORDS, scorer=OSA.distance, score_cutoff=1 if len(word) < 10 else 2
    )
    return ENGLISH_GLOSSARY[found[0]] if found is not None else None


def _latin_tokens(words: list[str], acronyms: frozenset[str]) -> list[Token]:
    """Tokens of consecutive words in Latin (or transliterated) letters.

    `acronyms`: words written in capitals in a name that is not all capitals (KPA Unit 586):
    kept as written, not read as Korean syllables.
    """
    tokens: list[Token] = []
    folded = [fold_token(w) for w in words]
    i = 0
    while i < len(words):
        word = words[i]
        if word in _STOP_WORDS:
            i += 1
            continue
        concept = ENGLISH_GLOSSARY.get(word)
        if concept is not None:
            tokens.append(_concept_token(concept, word))
            i += 1
            continue
        if word in acronyms:
            tokens.append(Token(word, TokenClass.NAME, frozenset((word,)), False, word, True))
            i += 1
            continue
        # A romanised glossary word, perhaps split over words (Kwahak-Won, Chong Hoesa).
        for span in range(min(_MAX_JOIN, len(words) - i), 0, -1):
            joined = "".join(_compact(f) for f in folded[i : i + span])
            concepts = _ROMANISED_GLOSSARY.get(joined)
            if concepts is not None:
                tokens.extend(_concept_token(c, word) for c in concepts)
                i += span
                break
        else:
            corrected = _misspelt_glossary_word(word)
            if corrected is not None:
                tokens.append(_concept_token(corrected, word))
            else:
                key = _compact(folded[i]) or word
                clean = _is_clean(folded[i])
                tokens.append(Token(key, TokenClass.NAME, frozenset((key,)), clean, word))
            i += 1
    # A one-syllable word ending a romanised name (Kunsu Kongop Pu): like 부 ending 군수공업부.
    if len(tokens) > 1 and tokens[-1].cls is TokenClass.NAME:
        concepts = _ROMANISED_SUFFIXES.get(tokens[-1].key)
        if concepts is not None:
            initial = tokens[-1].initial
            tokens[-1:] = [_concept_token(c, initial) for c in concepts]
    return tokens


@lru_cache(maxsize=2**17)
def fold_name(text: str) -> FoldedName:
    """Fold one organisation name into tokens (see the module's docstring)."""
    normal = unicodedata.normalize("NFKC", text)
    stripped = normal.strip()
    acronym = stripped if _ACRONYM.fullmatch(stripped) else None
    if acronym is not None or any(ch.islower() for ch in normal):
        acronyms = frozenset(w.lower() for w in _ACRONYM_WORD.findall(normal))
    else:
        acronyms = frozenset()  # a name all in capitals: its words are words
    lowered = normal.casefold().replace("&", " and ")
    for pattern, replacement in _PHRASES:
        lowered = pattern.sub(replacement, lowered)
    tokens: list[Token] = []
    latin: list[str] = []
    runs = _RUNS.findall(lowered)
    for index, run in enumerate(runs):
        following = runs[index + 1] if index + 1 < len(runs) else ""
        if run in _ORDINAL_PREFIX and following.isdigit():
            continue  # 제2 / Che 2: the number is the name
        if _HANGUL_RUN.fullmatch(run) or run.isdigit():
            if latin:
                tokens.extend(_latin_tokens(latin, acronyms))
                latin = []
            if run.isdigit():
                number = run.lstrip("0") or "0"
                tokens.append(Token(number, TokenClass.NAME, frozenset((number,)), False, run))
            else:
                tokens.extend(_hangul_tokens(run))
            continue
        parts = _HYPHENS.split(run)
        if len(parts) > 1 and not any(
            _plain(p) in ENGLISH_GLOSSARY or _plain(p) in _STOP_WORDS for p in parts
        ):
            # One word written in syllables (Kwahak-Won, Sobaek-su, Tynda-Les); words of the
            # glossary joined by a hyphen (Trade-Investment) stay words.
            latin.append(_plain("".join(parts)))
        else:
            latin.extend(_plain(p) for p in parts)
    if latin:
        tokens.extend(_latin_tokens(latin, acronyms))
    seen: set[str] = set()
    unique = []
    for token in tokens:  # a word said twice (South-South, 우주공간) counts once
        if token.key not in seen:
            seen.add(token.key)
            unique.append(token)
    return FoldedName(text, tuple(unique), acronym)


@lru_cache(maxsize=2**16)
def words_for_initials(text: str) -> tuple[tuple[str, bool], ...]:
    """The Latin words of a name, each with whether an abbreviation of the name must use it.

    A name proper must; a stop word, legal form or common word need not (KGCEC: Korea General
    Corporation [for] External Construction). Read after the phrases above.
    """
    lowered = unicodedata.normalize("NFKC", text).casefold().replace("&", " and ")
    for pattern, replacement in _PHRASES:
        lowered = pattern.sub(replacement, lowered)
    words: list[tuple[str, bool]] = []
    for run in _RUNS.findall(lowered):
        if _HANGUL_RUN.fullmatch(run):
            continue
        word = _plain(run)
        if not word:
            continue
        if word in _STOP_WORDS:
            words.append((word, False))
            continue
        concept = ENGLISH_GLOSSARY.get(word) or _misspelt_glossary_word(word)
        words.append((word, concept is None or _concept_class(concept) is TokenClass.NAME))
    return tuple(words)


def fold_organisation_name(text: str) -> tuple[str, ...]:
    """Folded tokens of an organisation name: the same for its spellings in any script.

    >>> fold_organisation_name("Korea Rŭngrado General Trading Corp.")
    ('korea', 'nongnato', 'general', 'trading', 'company')
    >>> fold_organisation_name("조선릉라도무역총회사")
    ('korea', 'nongnato', 'trading', 'general', 'company')
    """
    return fold_name(text).keys


def fold_many(texts: Iterable[str]) -> list[FoldedName]:
    """Fold many names (each is folded once: `fold_name` is cached)."""
    return [fold_name(t) for t in texts]
