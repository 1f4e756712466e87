"""SYNTHETIC names: invented given-name syllables, and how each style spells a Hangul name.

Family names come by their census share (`unseen.core.linkage.names`), given names from
syllables common in the North. `_NameTables` spells every family name and given-name
syllable in every source's style once: Western passport habits, the North's official
spelling, McCune–Reischauer, Revised Romanisation, and Hangul as the North or the South
writes it.
"""

import re

import numpy as np

from unseen.core.linkage.names import FAMILY_NAMES, NORTH_FAMILY_NAMES, romanise_hangul

# Given-name syllables (the North's Hangul) and rough relative frequencies.
MALE_SYLLABLES = (
    ("철", 8), ("성", 8), ("일", 7), ("영", 7), ("명", 6), ("수", 6), ("혁", 5), ("광", 5),
    ("룡", 5), ("남", 4), ("호", 4), ("진", 4), ("국", 4), ("학", 3), ("준", 3), ("현", 3),
    ("석", 3), ("길", 3), ("민", 3), ("정", 4), ("용", 3), ("근", 2), ("춘", 2), ("만", 2),
    ("복", 2), ("동", 2), ("원", 2), ("훈", 2), ("창", 2), ("경", 2), ("환", 2), ("봉", 2),
    ("식", 2), ("익", 1), ("기", 2), ("송", 1), ("대", 2), ("무", 1), ("세", 1), ("삼", 1),
    ("덕", 2), ("평", 1), ("태", 2), ("운", 2), ("은", 1), ("건", 1), ("범", 1), ("욱", 1),
    ("충", 1), ("림", 1), ("력", 1),
)  # fmt: skip
FEMALE_SYLLABLES = (
    ("순", 7), ("옥", 7), ("희", 6), ("영", 6), ("숙", 5), ("미", 4), ("향", 4), ("련", 4),
    ("금", 5), ("실", 3), ("화", 4), ("정", 4), ("은", 4), ("경", 4), ("혜", 3), ("애", 4),
    ("선", 4), ("월", 2), ("란", 3), ("주", 2), ("설", 2), ("심", 2), ("예", 2), ("명", 3),
    ("춘", 2), ("복", 2), ("녀", 2), ("유", 1), ("진", 3), ("송", 2), ("림", 1),
)  # fmt: skip

# How South Koreans usually spell family names in passports; several where usage varies.
WESTERN_FAMILY = {
    "김": ("Kim",), "이": ("Lee", "Lee", "Lee", "Yi", "Rhee"), "박": ("Park", "Park", "Pak"),
    "최": ("Choi", "Choi", "Choe"), "정": ("Jung", "Jeong", "Chung"), "강": ("Kang",),
    "조": ("Cho", "Jo"), "윤": ("Yoon", "Yun"), "장": ("Jang", "Chang"), "임": ("Lim", "Im"),
    "한": ("Han",), "오": ("Oh",), "서": ("Seo", "Suh"), "신": ("Shin",), "권": ("Kwon",),
    "황": ("Hwang",), "안": ("Ahn",), "송": ("Song",), "유": ("Yoo", "Yu", "Ryu"),
    "전": ("Jeon", "Chun", "Jun"), "홍": ("Hong",), "고": ("Ko", "Koh"), "문": ("Moon",),
    "양": ("Yang",), "손": ("Son", "Sohn"), "배": ("Bae",), "백": ("Baek", "Paik"),
    "허": ("Heo", "Huh"), "남": ("Nam",), "심": ("Shim",), "노": ("Noh", "Roh"), "하": ("Ha",),
    "곽": ("Kwak",), "성": ("Sung",), "차": ("Cha",), "주": ("Joo", "Ju"), "우": ("Woo",),
    "구": ("Koo", "Ku"), "민": ("Min",), "진": ("Jin",), "지": ("Ji",), "엄": ("Um", "Eom"),
    "채": ("Chae",), "원": ("Won",), "천": ("Cheon", "Chun"), "방": ("Bang",), "공": ("Kong",),
    "현": ("Hyun",), "함": ("Ham",), "변": ("Byun",), "염": ("Yeom",), "여": ("Yeo",),
    "추": ("Choo",), "도": ("Do",), "소": ("So",), "석": ("Seok",), "선": ("Sun",),
    "설": ("Seol",), "마": ("Ma",), "길": ("Gil", "Kil"), "연": ("Yeon",), "위": ("Wi",),
    "표": ("Pyo",), "명": ("Myung",), "기": ("Ki",), "반": ("Ban",), "왕": ("Wang",),
    "금": ("Keum",), "옥": ("Ok",), "육": ("Yook",), "인": ("In",), "맹": ("Maeng",),
    "제": ("Je",), "모": ("Mo",), "탁": ("Tak",), "국": ("Kook",), "나": ("Na",),
    "남궁": ("Namgoong",), "황보": ("Hwangbo",), "제갈": ("Jegal",), "선우": ("Sunwoo",),
    "독고": ("Dokgo",), "사공": ("Sagong",),
}  # fmt: skip

# Jamo tables (initial, medial, final index order of Unicode Hangul syllables).
_INITIALS = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
_NORTH_ONSETS = ("k", "kk", "n", "t", "tt", "r", "m", "p", "pp", "s", "ss", "", "j", "jj", "ch",
                 "kh", "th", "ph", "h")  # fmt: skip
_MR_ONSETS = ("k", "kk", "n", "t", "tt", "r", "m", "p", "pp", "s", "ss", "", "ch", "tch", "ch'",
              "k'", "t'", "p'", "h")  # fmt: skip
_NORTH_VOWELS = ("a", "ae", "ya", "yae", "o", "e", "yo", "ye", "o", "wa", "wae", "oe", "yo", "u",
                 "wo", "we", "wi", "yu", "u", "ui", "i")  # fmt: skip
_MR_VOWELS = ("a", "ae", "ya", "yae", "ŏ", "e", "yŏ", "ye", "o", "wa", "wae", "oe", "yo", "u",
              "wŏ", "we", "wi", "yu", "ŭ", "ŭi", "i")  # fmt: skip
_FINALS = ("", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "p", "l", "l", "p", "l", "m", "p",
           "p", "t", "t", "ng", "t", "t", "k", "t", "p", "t")  # fmt: skip
# Plain stops voiced inside a name; MR's plain ch (the North's j) too, never an aspirate.
_NORTH_VOICED = {"k": "g", "t": "d", "p": "b"}
_MR_VOICED = {"k": "g", "t": "d", "p": "b", "ch": "j"}
_FRONT_VOWELS = {2, 3, 6, 7, 12, 17, 20}  # ㅑ ㅒ ㅕ ㅖ ㅛ ㅠ ㅣ: where the South drops r and n


def _jamo(syllable: str) -> tuple[int, int, int]:
    code = ord(syllable) - 0xAC00
    return code // 588, (code % 588) // 28, code % 28


def _compose(initial: int, medial: int, final: int) -> str:
    return chr(0xAC00 + initial * 588 + medial * 28 + final)


def south_form(syllable: str) -> str:
    """The South's spelling of a word-initial syllable: 리→이, 룡→용, 로→노, 녀→여 (두음법칙)."""
    initial, medial, final = _jamo(syllable)
    if initial == 5:  # ㄹ
        initial = 11 if medial in _FRONT_VOWELS else 2
    elif initial == 2 and medial in _FRONT_VOWELS:  # ㄴ
        initial = 11
    return _compose(initial, medial, final)


def _jamo_romanise(syllables: str, onsets: tuple[str, ...], vowels: tuple[str, ...]) -> list[str]:
    """North or McCune–Reischauer spelling, one syllable each.

    Plain stops are voiced after a voiced sound inside the name, as both systems write them (Ri Yong
    Gil, Sŏng-bo).
    """
    out = []
    previous_final: str | None = None
    for ch in syllables:
        initial, medial, final = _jamo(ch)
        onset = onsets[initial]
        if previous_final is not None and previous_final in ("", "n", "m", "ng", "l"):
            onset = (_MR_VOICED if onsets is _MR_ONSETS else _NORTH_VOICED).get(onset, onset)
        if onset == "s" and vowels is _MR_VOWELS and medial in (16, 20):
            onset = "sh"  # MR writes 시 as shi
        out.append(onset + vowels[medial] + _FINALS[final])
        previous_final = _FINALS[final]
    return out


_RR_SYLLABLE = re.compile(r"^(kk|tt|pp|ss|jj|ch|[gkndtrmbpsjh]?)(.*?)(ng|[ktpnml]?)$")


def _western_syllable(rr: str) -> str:
    """How South Koreans usually write a given-name syllable: 철 Chul, 수 Soo, 영 Young, 희 Hee."""
    match = _RR_SYLLABLE.match(rr)
    assert match is not None  # the pattern accepts every string
    onset, vowel, coda = match.groups()
    if onset == "g":
        onset = "k"
    if onset == "s" and vowel in ("i", "wi"):
        onset = "sh"
    if vowel == "eo" and coda:
        vowel = "u"
    elif vowel == "yeo" and coda and not (onset == "" and coda == "n"):
        vowel = "you" if onset == "" else "yu"
    elif vowel == "u" and (not coda or coda in ("n", "k")):
        vowel = "woo" if onset == "" else "oo"
    elif vowel == "ui":
        vowel = "ee" if onset == "h" else ("eui" if onset == "" else "ui")
    return onset + vowel + coda


class _NameTables:
    """Spellings of every family name and given-name syllable in every style, made once."""

    def __init__(self) -> None:
        self.family_hangul_south = [h for h, _ in FAMILY_NAMES]
        shares = np.array([s for _, s in FAMILY_NAMES], dtype=float)
        self.family_p = shares / shares.sum()
        self.family_hangul_north = [NORTH_FAMILY_NAMES.get(h, h) for h in self.family_hangul_south]
        self.male = [h for h, _ in MALE_SYLLABLES]
        self.female = [h for h, _ in FEMALE_SYLLABLES]
        self.syllables = sorted(set(self.male) | set(self.female))
        index = {s: i for i, s in enumerate(self.syllables)}
        self.male_ids = np.array([index[s] for s in self.male])
        self.female_ids = np.array([index[s] for s in self.female])
        m = np.array([w for _, w in MALE_SYLLABLES], dtype=float)
        f = np.array([w for _, w in FEMALE_SYLLABLES], dtype=float)
        self.male_p, self.female_p = m / m.sum(), f / f.sum()
        # Families: style → object array [family, variant] (variants repeat to fill the width).
        self.family: dict[str, np.ndarray] = {}
        width = max(len(v) for v in WESTERN_FAMILY.values())
        spellings: dict[str, list[tuple[str, ...]]] = {s: [] for s in ("western", "north", "mr")}
        spellings["rr"] = []
        for south, north in zip(self.family_hangul_south, self.family_hangul_north, strict=True):
            spellings["western"].append(WESTERN_FAMILY[south])
            spellings["north"].append(
                ("".join(_jamo_romanise(north, _NORTH_ONSETS, _NORTH_VOWELS)),)
            )
            mr = "".join(_jamo_romanise(south, _MR_ONSETS, _MR_VOWELS))
            spellings["mr"].append(("Yi",) if south == "이" else (mr,))
            spellings["rr"].append((romanise_hangul(south),))
        for style, rows in spellings.items():
            table = np.empty((len(rows), width), dtype=object)
            for i, row in enumerate(rows):
                for j in range(width):
                    table[i, j] = row[j % len(row)].capitalize()
            self.family[style] = table
        # Given names: style → (first syllable [g], second syllable [g1, g2]), lower case; the
        # South drops an initial r/n in the first syllable only.
        n = len(self.syllables)
        self.first: dict[str, np.ndarray] = {}
        self.second: dict[str, np.ndarray] = {}
        for style in ("western", "north", "mr", "rr", "hangul_north", "hangul_south"):
            first = np.empty(n + 1, dtype=object)
            second = np.empty((n + 1, n + 1), dtype=object)
            for a in range(n + 1):
                for b in range(n + 1):
                    pair = [s for s in (self._at(a), self._at(b)) if s]
                    if style not in ("north", "hangul_north") and pair:
                        pair[0] = south_form(pair[0])
                    parts = self._render(style, "".join(pair))
                    if b == n:
                        first[a] = parts[0] if parts else ""
                    second[a, b] = parts[1] if len(parts) > 1 else ""
            self.first[style], self.second[style] = first, second

    def _at(self, i: int) -> str:
        return self.syllables[i] if i < len(self.syllables) else ""

    @staticmethod
    def _render(style: str, hangul: str) -> list[str]:
        if style == "north":
            return _jamo_romanise(hangul, _NORTH_ONSETS, _NORTH_VOWELS)
        if style == "mr":
            return _jamo_romanise(hangul, _MR_ONSETS, _MR_VOWELS)
        if style == "rr":
            return [romanise_hangul(s) for s in hangul]
        if style == "western":
            return [_western_syllable(romanise_hangul(s)) for s in hangul]
        return list(hangul)


STYLES = ("western", "north", "mr", "rr")


def romanise_name(hangul: str, style: str) -> list[str]:
    """Spell each syllable of a Hangul name (given name, or family name) as `style` does.

    western: South Korean passport habits (철수 → Chul, Soo); north: the North's official
    spelling (Chol, Su); mr: McCune–Reischauer with diacritics (Ch'ŏl, su); rr: Revised
    Romanisation. Syllables are spelled as in the middle of a name (voiced where the system
    voices them); the South's dropping of an initial r/n is left to the caller (`south_form`).
    """
    if style not in STYLES:
        raise ValueError(f"romanise_name: unknown style {style!r}")
    return _NameTables._render(style, hangul)


_TABLES: _NameTables | None = None


def _tables() -> _NameTables:
    global _TABLES
    if _TABLES is None:
        _TABLES = _NameTables()
    return _TABLES
