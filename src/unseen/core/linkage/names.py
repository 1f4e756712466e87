"""Korean-aware name keys: one spelling for the many ways a Korean name is romanised.

The same worker is "Lee Chul-soo" in a South Korean interview, "Ri Chol Su" on a roster from the
North, "Yi Ch'ŏl-su" in McCune–Reischauer and 리철수 or 이철수 in Hangul. Each token is split into
syllables (by its hyphens and spaces, or by a small syllable grammar when written as one word) and
each syllable is folded to a key that forgets what the systems disagree on:

- initial consonants: k/g/kk/kh, t/d/tt/th, p/b/pp/ph, ch/j/tch/jj, s/ss/sh each become one;
- the North keeps an initial r or n that the South drops before i and y (Ri/I, Ryu/Yu, Rim/Im,
  Nyo/Yo) and writes n for it elsewhere (Ro/No): r and n before i/y are dropped, r becomes n;
- vowels: the North writes ŏ as o and ŭ as u, the South's Western habit writes ŏ as u (Chul,
  Sung, Hyun), so in a closed syllable eo/o/u/eu are one class; in an open one eo/o stay apart from
  u/eu so that 조 Jo and 주 Ju remain different family names; ae/e/ai are one, oe/we/wae/oi one,
  yeo/yo/you (and yu when closed: Kyung, Youn) one, ui/ee/i one (희 Hui/Hee);
- apostrophes (MR aspirates), diacritics, case and an h that only lengthens a vowel (Oh, Ahn,
  Sohn) are ignored.

Keys join syllable keys with "-", so they survive being folded again and do not depend on how the
letters were grouped: Chul-soo, Chol Su, CHEOLSU and 철수 all give "jol-su". Hangul is romanised
one syllable at a time with `korean_romanizer` (no sound changes across syllables: 신라 stays
sin+ra), then folded like any romanised syllable.
"""

import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

import numpy as np
import pandas as pd
from korean_romanizer.romanizer import Romanizer


@dataclass(frozen=True)
class PersonNameKeys:
    """Folded keys for one person's name; None where the input has nothing to fold."""

    family: str | None  # folded family name: Lee/Ri/Yi/Rhee/이/리 all give one key
    given: str | None  # folded given name, syllables joined: Chul-soo/Chol Su/철수 give one key
    full: str | None  # family + " " + given (or the folded full name when parts are unknown)
    tokens_sorted: str | None  # folded tokens in sorted order, for family/given swaps


# Korean family names (South Korean 2015 census shares, in per cent; the North's spelling where it
# differs is listed separately with the same share, as the two are one name). Used to tell the
# family name in a full name, and by the synthetic generator.
FAMILY_NAMES: tuple[tuple[str, float], ...] = (
    ("김", 21.5), ("이", 14.7), ("박", 8.4), ("최", 4.7), ("정", 4.3), ("강", 2.4), ("조", 2.1),
    ("윤", 2.1), ("장", 2.0), ("임", 1.7), ("한", 1.5), ("오", 1.5), ("서", 1.5), ("신", 1.5),
    ("권", 1.4), ("황", 1.4), ("안", 1.3), ("송", 1.3), ("유", 1.2), ("전", 1.1), ("홍", 1.1),
    ("고", 0.9), ("문", 0.9), ("양", 0.9), ("손", 0.9), ("배", 0.8), ("백", 0.8), ("허", 0.7),
    ("남", 0.6), ("심", 0.5), ("노", 0.4), ("하", 0.5), ("곽", 0.4), ("성", 0.4), ("차", 0.4),
    ("주", 0.4), ("우", 0.4), ("구", 0.4), ("민", 0.3), ("진", 0.4), ("지", 0.3), ("엄", 0.3),
    ("채", 0.3), ("원", 0.3), ("천", 0.2), ("방", 0.3), ("공", 0.2), ("현", 0.2), ("함", 0.2),
    ("변", 0.3), ("염", 0.1), ("여", 0.1), ("추", 0.1), ("도", 0.1), ("소", 0.1), ("석", 0.1),
    ("선", 0.1), ("설", 0.1), ("마", 0.1), ("길", 0.1), ("연", 0.1), ("위", 0.1), ("표", 0.1),
    ("명", 0.1), ("기", 0.1), ("반", 0.1), ("왕", 0.1), ("금", 0.1), ("옥", 0.1), ("육", 0.1),
    ("인", 0.1), ("맹", 0.1), ("제", 0.1), ("모", 0.1), ("탁", 0.1), ("국", 0.1), ("나", 0.1),
    ("남궁", 0.05), ("황보", 0.03), ("제갈", 0.02), ("선우", 0.02), ("독고", 0.01), ("사공", 0.01),
)  # fmt: skip
# The North's spellings with initial r (and n before i/y), one name each with the South's.
NORTH_FAMILY_NAMES = {"이": "리", "임": "림", "유": "류", "양": "량", "노": "로", "나": "라"}
COMPOUND_FAMILY_NAMES = frozenset(h for h, _ in FAMILY_NAMES if len(h) == 2)
# Syllables common in Korean given names, North and South, with rough relative frequencies: they
# help read a one-word romanised name (Sunok is 순옥) and tell a given name from a family name.
GIVEN_NAME_SYLLABLES: tuple[tuple[str, float], ...] = (
    ("철", 8), ("성", 8), ("일", 7), ("영", 8), ("명", 6), ("수", 6), ("혁", 5), ("광", 5),
    ("룡", 4), ("남", 4), ("호", 5), ("진", 5), ("국", 4), ("학", 3), ("준", 5), ("현", 5),
    ("석", 4), ("길", 3), ("민", 5), ("정", 6), ("용", 4), ("근", 2), ("춘", 2), ("만", 2),
    ("복", 2), ("동", 4), ("원", 3), ("훈", 3), ("창", 2), ("경", 4), ("환", 3), ("봉", 2),
    ("식", 3), ("익", 1), ("기", 3), ("송", 1), ("대", 3), ("무", 1), ("세", 2), ("삼", 1),
    ("덕", 2), ("평", 1), ("태", 3), ("운", 3), ("은", 4), ("건", 2), ("범", 2), ("욱", 2),
    ("충", 1), ("력", 1), ("상", 4), ("재", 4), ("우", 3), ("형", 2), ("규", 2), ("선", 4),
    ("희", 5), ("숙", 4), ("순", 4), ("옥", 4), ("미", 4), ("향", 3), ("련", 2), ("금", 3),
    ("실", 2), ("화", 3), ("혜", 3), ("애", 3), ("월", 1), ("란", 2), ("주", 3), ("설", 1),
    ("심", 1), ("예", 2), ("녀", 1), ("유", 2), ("지", 4), ("연", 3), ("아", 2), ("종", 2),
    ("필", 1), ("섭", 1), ("택", 1), ("엽", 1), ("윤", 3), ("하", 2), ("서", 2), ("빈", 1),
    ("찬", 1), ("열", 1), ("병", 2), ("승", 3), ("인", 3), ("의", 1), ("림", 1), ("혁", 1),
    ("두", 1), ("천", 1), ("남", 1), ("옥", 1), ("송", 1), ("웅", 1), ("청", 1), ("진", 1),
)  # fmt: skip

# Western spellings the syllable grammar cannot read (an r or h that only marks a vowel, or a
# spelling that looks like another syllable): each maps to its Hangul.
_IRREGULAR_SPELLINGS = {
    "park": "박", "bark": "박", "parck": "박",
    "suh": "서", "sur": "서", "seoh": "서",
    "huh": "허", "hur": "허", "heu": "허",
    "joe": "조", "whang": "황", "key": "기", "rhie": "이", "yie": "이", "lih": "이",
    "kwack": "곽", "kuk": "국", "kook": "국", "gook": "국",
}  # fmt: skip

_HANGUL_FIRST, _HANGUL_LAST = 0xAC00, 0xD7A3
_HANGUL_SYLLABLE = re.compile("[\uac00-\ud7a3]")
_APOSTROPHES = "'’ʼ`‘ʻ´"
_NO_APOSTROPHES = str.maketrans("", "", _APOSTROPHES)
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―_.,/·・]+")
_LATIN_RUN = re.compile(r"[a-z]+")

# Onset spellings → class; r is resolved against the vowel (dropped before i/y, else n).
_ONSETS = {
    "": "",
    "g": "k", "gg": "k", "k": "k", "kk": "k", "kh": "k",
    "d": "t", "dd": "t", "t": "t", "tt": "t", "th": "t",
    "b": "p", "bb": "p", "p": "p", "pp": "p", "ph": "p",
    "j": "j", "jj": "j", "ch": "j", "tch": "j",
    "s": "s", "ss": "s", "sh": "s",
    "h": "h", "m": "m", "n": "n",
    "r": "r", "l": "r", "rh": "r",
}  # fmt: skip
# Vowel spellings → (key in an open syllable, key in a closed one).
_NUCLEI = {
    "a": ("a", "a"),
    "ae": ("e", "e"), "ai": ("e", "e"), "ay": ("e", "e"), "e": ("e", "e"),
    "ya": ("ya", "ya"),
    "yae": ("ye", "ye"), "ye": ("ye", "ye"),
    "eo": ("o", "o"), "o": ("o", "o"),
    "u": ("u", "o"), "oo": ("u", "o"), "eu": ("u", "o"), "ou": ("u", "o"),
    "woo": ("u", "o"), "wu": ("u", "o"),
    "yeo": ("yo", "yo"), "yo": ("yo", "yo"), "you": ("yo", "yo"),
    "yu": ("yu", "yo"), "yoo": ("yu", "yo"),
    "i": ("i", "i"), "ee": ("i", "i"), "yi": ("i", "i"), "yee": ("i", "i"),
    "ui": ("i", "i"), "eui": ("i", "i"),
    "oe": ("we", "we"), "oi": ("we", "we"), "oy": ("we", "we"), "we": ("we", "we"),
    "wae": ("we", "we"),
    "wi": ("wi", "wi"), "wee": ("wi", "wi"),
    "wa": ("wa", "wa"),
    "wo": ("wo", "wo"), "weo": ("wo", "wo"),
}  # fmt: skip
# g, d, b: McCune–Reischauer voices a final stop before a vowel (학원 Hagwŏn).
_CODAS = {"ng": "ng", "n": "n", "m": "m", "k": "k", "ck": "k", "g": "k", "t": "t", "d": "t",
          "p": "p", "b": "p", "l": "l"}  # fmt: skip
# Doubled codas (Shinn, Ann, Sull) only end a word: inside one they are a coda and an onset.
_FINAL_CODAS = {"nn": "n", "ll": "l", "mm": "m"}
_ONSET_LENGTHS = sorted({len(s) for s in _ONSETS}, reverse=True)
_NUCLEUS_LENGTHS = sorted({len(s) for s in _NUCLEI}, reverse=True)
_CODA_LENGTHS = sorted({len(s) for s in (*_CODAS, *_FINAL_CODAS)}, reverse=True)
# An h after a vowel and before a consonant (or the end) only marks the vowel: Oh, Ahn, Sohn, Hahn.
_SILENT_H = re.compile(r"(?<=[aeiou])h(?=[^aeiouyw]|$)")

_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z",
    "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya", "і": "i", "ї": "yi",
    "є": "ye", "ґ": "g", "ў": "u",
}  # fmt: skip
_CYRILLIC_TABLE = str.maketrans(_CYRILLIC)
# -log(weight) of syllables common in names, filled once the folding below is defined.
_SYLLABLE_SURPRISE: dict[str, float] = {}
_UNKNOWN_SURPRISE = -math.log(0.05)


def _is_hangul_syllable(ch: str) -> bool:
    return _HANGUL_FIRST <= ord(ch) <= _HANGUL_LAST


def romanise_hangul(text: str) -> str:
    """Revised Romanisation of each Hangul syllable on its own (no sound changes between them)."""
    return "".join(_romanise_syllable(ch) if _is_hangul_syllable(ch) else ch for ch in text)


@cache
def _romanise_syllable(syllable: str) -> str:
    return str(Romanizer(syllable).romanize())


def _plain_latin(text: str) -> str:
    """Lower case, Cyrillic transliterated, diacritics and apostrophes gone."""
    if text.isascii():
        return text.lower().translate(_NO_APOSTROPHES)
    text = unicodedata.normalize("NFKC", text).casefold().translate(_CYRILLIC_TABLE)
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(
        ch for ch in decomposed if not unicodedata.combining(ch) and ch not in _APOSTROPHES
    )


def _fold_hangul_syllable(syllable: str) -> str:
    """Key of one Hangul syllable: its romanisation read as exactly one syllable."""
    return _fold_one(_romanise_syllable(syllable))


@cache
def _fold_one(romanised: str) -> str:
    whole = [key for end, key, _ in _syllables_at(romanised, 0) if end == len(romanised)]
    return whole[-1] if whole else "-".join(_fold_syllables(romanised))


@lru_cache(maxsize=2**16)
def _fold_syllables(run: str) -> tuple[str, ...]:
    """Keys of the syllables in one run of lower-case Latin letters (a word, or part of one)."""
    irregular = _IRREGULAR_SPELLINGS.get(run)
    if irregular is not None:
        return tuple(_fold_hangul_syllable(ch) for ch in irregular)
    text = _SILENT_H.sub("", run)
    n = len(text)
    # best[i]: the best reading of text[i:] and its keys. Fewest letters outside any syllable;
    # fewest syllables; the likeliest syllables in names (Sunok is 순옥, not 수녹; Homin 호민);
    # among unknown ones, fewest consonants taken from a following vowel (a syllable more often
    # starts with a consonant than the one before ends in one, ng apart); longest first.
    best: list[tuple[tuple[int, int, float, int, tuple[int, ...]], tuple[str, ...]]] = [
        ((0, 0, 0.0, 0, ()), ())
    ] * (n + 1)
    for i in range(n - 1, -1, -1):
        (junk, count, unlikely, taken, lengths), keys = best[i + 1]
        # One letter outside the grammar; neighbouring such letters merge into one segment.
        if keys and keys[0].startswith("?"):
            score = (junk + 1, count, unlikely, taken, lengths)
            candidate = (score, ("?" + text[i] + keys[0][1:], *keys[1:]))
        else:
            score = (junk + 1, count + 1, unlikely, taken, (-1, *lengths))
            candidate = (score, ("?" + text[i], *keys))
        for end, key, coda in _syllables_at(text, i):
            (r_junk, r_count, r_unlikely, r_taken, r_lengths), r_keys = best[end]
            steals = coda not in ("", "ng") and end < n and text[end] in "aeiouwy"
            score = (
                r_junk,
                r_count + 1,
                round(r_unlikely + _SYLLABLE_SURPRISE.get(key, _UNKNOWN_SURPRISE), 6),
                r_taken + steals,
                (i - end, *r_lengths),
            )
            if score < candidate[0]:
                candidate = (score, (key, *r_keys))
        best[i] = candidate
    return tuple(k[1:] if k.startswith("?") else k for k in best[0][1])


def _syllables_at(text: str, i: int) -> list[tuple[int, str, str]]:
    """Syllables that can start at text[i]: (end, key, coda as spelled), shortest first."""
    found = []
    n = len(text)
    for o_len in _ONSET_LENGTHS:
        onset = _ONSETS.get(text[i : i + o_len]) if i + o_len <= n else None
        if onset is None:
            continue
        j = i + o_len
        for v_len in _NUCLEUS_LENGTHS:
            nucleus = _NUCLEI.get(text[j : j + v_len]) if j + v_len <= n else None
            if nucleus is None:
                continue
            k = j + v_len
            front = nucleus[0][0] in "iy"
            head = "" if onset in ("r", "n") and front else ("n" if onset == "r" else onset)
            found.append((k, head + nucleus[0], ""))
            for c_len in _CODA_LENGTHS:
                if k + c_len > n:
                    continue
                spelled = text[k : k + c_len]
                coda = _CODAS.get(spelled)
                if coda is None and k + c_len == n:
                    coda = _FINAL_CODAS.get(spelled)
                if coda is not None:
                    found.append((k + c_len, head + nucleus[1] + coda, spelled))
    return found


@lru_cache(maxsize=2**18)
def fold_token(token: str) -> str:
    """Key of one name token, syllable keys joined by "-": Chul-soo, CHOL SU, 철수 → "jol-su".

    Hyphens and spaces separate syllables; a word without them is split by the syllable grammar.
    Letters that fit no Korean syllable are kept as they are, so non-Korean names still compare.
    """
    keys: list[str] = []
    for part in _SEPARATORS.split(token):
        if not part:
            continue
        if not _HANGUL_SYLLABLE.search(part):  # most parts: no letter-by-letter scan needed
            keys.extend(_fold_latin(part))
            continue
        latin: list[str] = []
        for ch in part:
            if _is_hangul_syllable(ch):
                if latin:
                    keys.extend(_fold_latin("".join(latin)))
                    latin = []
                keys.append(_fold_hangul_syllable(ch))
            else:
                latin.append(ch)
        if latin:
            keys.extend(_fold_latin("".join(latin)))
    return "-".join(keys)


def fold_name(text: str) -> str:
    """Key of a whole name, syllable keys joined by "-" whatever their grouping into words.

    Jong Song Hwa, Chong Song-hwa, Jeong Seong-hwa and 정성화 all give "jong-song-hwa".
    Case, width and punctuation are forgotten first; a word with a digit in it is no name's
    syllables (the folding would drop the digits) and stays as it is.
    """
    normalised = re.sub(r"[\W_]+", " ", unicodedata.normalize("NFKC", text).casefold())
    words = normalised.split()
    folded = (word if any(ch.isdigit() for ch in word) else fold_token(word) for word in words)
    return "-".join(key for key in folded if key)


def _fold_latin(text: str) -> list[str]:
    plain = _plain_latin(text)
    keys: list[str] = []
    # Letters of other scripts (Chinese, Greek...) pass through as their own segments.
    position = 0
    for match in _LATIN_RUN.finditer(plain):
        other = "".join(ch for ch in plain[position : match.start()] if ch.isalpha())
        if other:
            keys.append(other)
        keys.extend(_fold_syllables(match.group()))
        position = match.end()
    other = "".join(ch for ch in plain[position:] if ch.isalpha())
    if other:
        keys.append(other)
    return keys


def _family_weights() -> dict[str, float]:
    weights: dict[str, float] = {}
    for hangul, share in FAMILY_NAMES:
        key = fold_token(hangul)
        weights[key] = weights.get(key, 0.0) + share
    return weights


_FAMILY_WEIGHTS = _family_weights()
_GIVEN_WEIGHTS: dict[str, float] = {}
for _hangul, _weight in GIVEN_NAME_SYLLABLES:
    _key = _fold_hangul_syllable(_hangul)
    _GIVEN_WEIGHTS[_key] = _GIVEN_WEIGHTS.get(_key, 0.0) + _weight
_FAMILY_SYLLABLES = {_fold_hangul_syllable(ch) for h, _ in FAMILY_NAMES for ch in h}
for _key in _FAMILY_SYLLABLES | set(_GIVEN_WEIGHTS):
    _weight = _GIVEN_WEIGHTS.get(_key, 0.0) + (0.3 if _key in _FAMILY_SYLLABLES else 0.0) + 0.05
    _SYLLABLE_SURPRISE[_key] = -math.log(_weight)
# Nothing read a romanised word before the table was full, but make sure no stale reading stays.
_fold_syllables.cache_clear()
fold_token.cache_clear()


def given_name_weight(token: str) -> float:
    """How plausible `token` is as (part of) a given name.

    A name syllable's weight, 1 for words of several syllables, a small floor for anything else.
    """
    keys = fold_token(token).split("-")
    if len(keys) > 1:
        return 1.0
    return _GIVEN_WEIGHTS.get(keys[0], 0.0) + 0.05


def family_name_share(token: str) -> float:
    """Share (per cent) of Koreans whose family name folds like `token`; 0 if none does."""
    return _FAMILY_WEIGHTS.get(fold_token(token), 0.0)


def _present(value: object) -> str | None:
    # pandas hands missing values over as NaN (a float) or pd.NA.
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return None


def _split_hangul(text: str) -> tuple[str | None, str | None]:
    words = text.split()
    if len(words) > 1:
        return _split_words(words)
    syllables = "".join(ch for ch in text if _is_hangul_syllable(ch))
    if not syllables:
        return _split_words(words) if words else (None, None)
    if len(syllables) == 1:
        return syllables, None
    cut = 2 if len(syllables) >= 3 and syllables[:2] in COMPOUND_FAMILY_NAMES else 1
    return syllables[:cut], syllables[cut:]


def _split_full(text: str) -> tuple[str | None, str | None]:
    if "," in text:
        family, _, given = text.partition(",")
        return _present(family), _present(given)
    words = text.split()
    if len(words) == 1 and any(_is_hangul_syllable(ch) for ch in words[0]):
        return _split_hangul(words[0])
    return _split_words(words)


@lru_cache(maxsize=2**16)
def _word_evidence(word: str) -> tuple[float, float, bool]:
    """(share as a family name, weight as a given name, written in capitals) of one word.

    A hyphenated word is a given name (Chul-soo), never a family name.
    """
    share = 0.0 if "-" in word else family_name_share(word)
    capitals = word.isupper() and len(word) > 1 and word.isalpha()
    return share, given_name_weight(word), capitals


def _split_words(words: Sequence[str]) -> tuple[str | None, str | None]:
    """Which end of a multi-word name is the family name: not by position alone."""
    if len(words) == 1:
        word = words[0]
        return (word, None) if "-" not in word and family_name_share(word) > 0 else (None, None)
    first, last = words[0], words[-1]
    first_share, first_weight, first_capitals = _word_evidence(first)
    last_share, last_weight, last_capitals = _word_evidence(last)
    if first_capitals != last_capitals:
        # A family name in capitals (RI Chol Su, Chol Su RI) is a common convention in rosters.
        family_first = first_capitals
    else:
        # Family first (Kim Il Song) or last (Il Song Kim): compare how likely each end is as a
        # family name and the other end as part of a given name. A tie (neither is a family
        # name) keeps the Korean order, family first.
        family_first = first_share * last_weight >= last_share * first_weight
    if family_first:
        return first, " ".join(words[1:])
    return last, " ".join(words[:-1])


def person_name_keys(
    full_name: str | None = None,
    given_name: str | None = None,
    family_name: str | None = None,
    name_hangul: str | None = None,
) -> PersonNameKeys:
    """Keys for one person: Hangul when given (it is the original), else the parts, else full_name.

    From full_name alone the family name is the end that is a (more common) Korean family name, so
    "Chol Su Ri" and "Ri Chol Su" agree; a comma ("RI, Chol Su") or capitals mark it explicitly.
    """
    return _person_name_keys(
        _present(full_name), _present(given_name), _present(family_name), _present(name_hangul)
    )


def _person_name_keys(
    full_name: str | None, given_name: str | None, family_name: str | None, hangul: str | None
) -> PersonNameKeys:
    if hangul is not None and _HANGUL_SYLLABLE.search(hangul):
        return _keys_from_hangul(hangul)
    if family_name is not None or given_name is not None:
        return _keys_from_parts(family_name, given_name)
    if full_name is not None:
        return _keys_from_full(full_name)
    return _NO_KEYS


@lru_cache(maxsize=2**18)
def _keys_from_hangul(hangul: str) -> PersonNameKeys:
    return _keys_from_parts(*_split_hangul(hangul))


@lru_cache(maxsize=2**18)
def _keys_from_full(full_name: str) -> PersonNameKeys:
    family, given = _split_full(full_name)
    if family is None and given is None:
        return _make_keys(None, None, fold_token(full_name) or None)
    return _keys_from_parts(family, given)


@lru_cache(maxsize=2**18)
def _keys_from_parts(family: str | None, given: str | None) -> PersonNameKeys:
    return _make_keys(fold_token(family) or None if family else None,
                      fold_token(given) or None if given else None, None)  # fmt: skip


def _make_keys(family: str | None, given: str | None, whole: str | None) -> PersonNameKeys:
    full = " ".join(k for k in (family, given) if k) or whole
    syllables = [s for k in (family, given, whole) if k for s in k.split("-")]
    return PersonNameKeys(family, given, full, " ".join(sorted(syllables)) or None)


_NO_KEYS = PersonNameKeys(None, None, None, None)


def person_name_keys_many(
    full_name: Iterable[object] | None = None,
    given_name: Iterable[object] | None = None,
    family_name: Iterable[object] | None = None,
    name_hangul: Iterable[object] | None = None,
) -> pd.DataFrame:
    """Keys for many records at once (columns family, given, full, tokens_sorted), in order.

    The same as person_name_keys row by row, but each distinct name is folded once: names repeat
    a lot (Kim Chol Su), and a million records take seconds, not minutes.
    """
    given_columns = [
        None if c is None else pd.Series(list(c) if not isinstance(c, pd.Series) else c)
        for c in (full_name, given_name, family_name, name_hangul)
    ]
    lengths = {len(c) for c in given_columns if c is not None}
    if len(lengths) > 1:
        raise ValueError("person_name_keys_many: the name columns differ in length")
    size = lengths.pop() if lengths else 0
    codes: list[np.ndarray] = []
    values: list[list[str | None]] = []
    for column in given_columns:
        if column is None:
            codes.append(np.full(size, -1, dtype=np.int64))
            values.append([])
            continue
        code, uniques = pd.factorize(column.astype(object), use_na_sentinel=True)
        cleaned = [_present(u) for u in uniques]
        # Blank strings are missing too: send them to the sentinel.
        blank = np.array([c is None for c in cleaned] + [True], dtype=bool)
        code = np.where(blank[code], -1, code)
        codes.append(code)
        values.append(cleaned)
    full_c, given_c, family_c, hangul_c = codes
    has_hangul = np.array(
        [v is not None and bool(_HANGUL_SYLLABLE.search(v)) for v in values[3]] + [False]
    )
    use_hangul = has_hangul[hangul_c]
    use_parts = ~use_hangul & ((family_c >= 0) | (given_c >= 0))
    use_full = ~use_hangul & ~use_parts & (full_c >= 0)

    out = np.full((size, 4), None, dtype=object)
    rows = np.flatnonzero(use_hangul)
    _fill(out, rows, hangul_c[rows], lambda i: _keys_from_hangul(values[3][i]))
    rows = np.flatnonzero(use_full)
    _fill(out, rows, full_c[rows], lambda i: _keys_from_full(values[0][i]))
    rows = np.flatnonzero(use_parts)
    pair = (family_c[rows] + 1) * (len(values[1]) + 1) + (given_c[rows] + 1)
    width = len(values[1]) + 1

    def from_pair(p: int) -> PersonNameKeys:
        f, g = divmod(int(p), width)
        return _keys_from_parts(values[2][f - 1] if f else None, values[1][g - 1] if g else None)

    _fill(out, rows, pair, from_pair)
    return pd.DataFrame(out, columns=["family", "given", "full", "tokens_sorted"], dtype=object)


def _fill(
    out: np.ndarray, rows: np.ndarray, codes: np.ndarray, keys_of: Callable[[int], PersonNameKeys]
) -> None:
    if len(rows) == 0:
        return
    distinct, inverse = np.unique(codes, return_inverse=True)
    table = np.empty((len(distinct), 4), dtype=object)
    for i, code in enumerate(distinct):
        k = keys_of(int(code))
        table[i] = (k.family, k.given, k.full, k.tokens_sorted)
    out[rows] = table[inverse]


# Legal forms of companies in the languages sources use: not part of what a company is called.
_LEGAL_FORMS = frozenset((
    "llc", "ltd", "limited", "co", "company", "corp", "corporation", "inc", "incorporated", "gmbh",
    "llp", "plc", "sa", "ag", "jsc", "ojsc", "cjsc", "pjsc", "ooo", "oao", "zao", "pao", "ao",
    "tov", "fze", "fzco", "fzllc", "wll", "spzoo", "sro", "kft", "the",
))  # fmt: skip
_LEGAL_PHRASES = (
    re.compile(r"\bsp\.?\s*z\s*o\.?\s*o\b\.?"),
    re.compile(r"\bw\.?\s*l\.?\s*l\b\.?"),
    re.compile(r"\bfz[\s-]*llc\b"),
    re.compile(r"\bs\.\s*a\.(?=\s|$)"),
)
_CHINESE_LEGAL = re.compile(r"(股份有限公司|有限责任公司|有限公司|有限責任公司|集团|集團|公司)")
_KOREAN_LEGAL = re.compile(r"(주식회사|\(주\)|㈜|유한회사)")
_LETTER_DIGIT = re.compile(r"(?<=[^\W\d_])(?=\d)|(?<=\d)(?=[^\W\d_])")
_RUSSIAN_ENDINGS = re.compile(r"(iy|yy|ii|yi|ij|yj)\b")


def fold_place_name(text: str) -> str:
    """Key for the name of a site or company: "ООО «Восток-Строй»" and "Vostok-Stroy LLC" agree.

    Lower case, legal forms (LLC, Co., Ltd, ООО, 有限公司, 주식회사 ...) and punctuation dropped,
    Cyrillic transliterated (Russian adjective endings -iy/-yy/-ii folded), Hangul romanised per
    syllable. Chinese characters are kept as they are: no pinyin package is installed, so a name in
    characters only matches the same characters.
    """
    text = unicodedata.normalize("NFKC", text.replace("№", " no "))
    text = _KOREAN_LEGAL.sub(" ", _CHINESE_LEGAL.sub(" ", text))
    text = _plain_latin(romanise_hangul(text))
    for phrase in _LEGAL_PHRASES:
        text = phrase.sub(" ", text)
    text = "".join(ch if ch.isalnum() else " " for ch in text)
    text = _LETTER_DIGIT.sub(" ", text)  # "No12" and "No 12" are one spelling
    words = [_RUSSIAN_ENDINGS.sub("y", w) for w in text.split() if w not in _LEGAL_FORMS]
    return " ".join(words)
