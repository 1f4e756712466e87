"""SYNTHETIC worker records for testing linkage: invented people, with the truth known.

Nothing here describes a real person. The names are drawn from realistic distributions (family
names by their census share, given-name syllables common in the North), so different people often
share a name — Kim Chol Su is many people — which is what makes linkage hard. Sites and companies
are invented too (real city names, made-up workplaces).

Each person is a North Korean worker sent abroad (mostly men born 1970–2000, in Russia, China, the
Gulf, Mongolia or Poland). Each source lists a random subset of the people, each at most once, and
writes them its own way:

- "interviews": South Korean interviewers, Western passport habits (Lee Chul-soo), some given-first;
- "roster": a leaked roster, the North's spelling (RI Chol Su) in separate columns, some in Hangul;
- "press": McCune–Reischauer with diacritics (Yi Ch'ŏl-su), often "Ch'ŏl-su Yi", birth year only;
- "registry": Hangul only (리철수), full birth dates;
- "sightings": strict Revised Romanisation without hyphens (I Cheolsu), few other fields.

More sources cycle through these styles. Names get typos at `typo_rate`, birth dates go missing or
keep only the year, a few dates have day and month swapped, people move between sites, and each
source calls a site and a company by one of their several names (English, Russian, Chinese, Korean).
"""

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from unseen.core.linkage.names import FAMILY_NAMES, NORTH_FAMILY_NAMES, romanise_hangul

COLUMNS = [
    "record_id", "source", "full_name", "given_name", "family_name", "name_hangul", "sex",
    "birth_date", "birth_year", "birth_place", "address", "identifier", "nationality", "country",
    "site", "employer", "first_seen", "last_seen", "truth",
]  # fmt: skip

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


_F, _M = np.array("F", dtype=object), np.array("M", dtype=object)


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


@dataclass(frozen=True)
class SourceProfile:
    """How one source writes its records (shares are of that source's records)."""

    name: str
    style: str  # western, north, mr, hangul, rr
    fields: str  # full (full_name), parts (family_name + given_name), hangul (name_hangul only)
    coverage: float  # chance that a person appears in this source
    given_first: float = 0.0  # full names written given name first
    hangul_too: float = 0.0  # records that also carry the name in Hangul
    hangul_only: float = 0.0  # records with the name in Hangul only
    full_date: float = 0.0  # records with the full birth date
    year_only: float = 0.0  # records with the birth year only (the rest: no birth date)
    identifier: float = 0.0
    birth_place: float = 0.0
    nationality: str | None = None
    site_names: tuple[float, float, float] = (1 / 3, 1 / 3, 1 / 3)  # formal, short, local names


PROFILES = (
    SourceProfile("interviews", "western", "full", 0.6, given_first=0.15, hangul_too=0.2,
                  full_date=0.55, year_only=0.3, identifier=0.05, birth_place=0.4,
                  nationality="North Korean", site_names=(0.2, 0.7, 0.1)),
    SourceProfile("roster", "north", "parts", 0.7, hangul_too=0.3, hangul_only=0.2,
                  full_date=0.9, year_only=0.05, identifier=0.85, birth_place=0.6,
                  nationality="KP", site_names=(0.6, 0.0, 0.4)),
    SourceProfile("press", "mr", "full", 0.45, given_first=0.3, full_date=0.1, year_only=0.5,
                  nationality="DPRK", site_names=(0.5, 0.3, 0.2)),
    SourceProfile("registry", "hangul", "hangul", 0.5, full_date=0.85, year_only=0.1,
                  identifier=0.5, birth_place=0.7, nationality="조선", site_names=(0.3, 0.0, 0.7)),
    SourceProfile("sightings", "rr", "full", 0.35, full_date=0.0, year_only=0.4,
                  site_names=(0.1, 0.8, 0.1)),
)  # fmt: skip

# Invented workplaces in real places: (country, share of workers, cities as
# (English, local spelling), kinds of site as (English, short, local)).
_COUNTRIES = (
    ("RU", 0.35, (("Vladivostok", "Владивосток"), ("Khabarovsk", "Хабаровск"),
                  ("Tynda", "Тында"), ("Amursk", "Амурск"), ("Moscow", "Москва"),
                  ("Nakhodka", "Находка"), ("Yuzhno-Sakhalinsk", "Южно-Сахалинск")),
     (("logging camp", "camp", "лесозаготовительный участок"),
      ("construction site", "site", "строительный объект"),
      ("workers' dormitory", "dormitory", "общежитие"))),
    ("CN", 0.40, (("Dandong", "丹东"), ("Hunchun", "珲春"), ("Shenyang", "沈阳"),
                  ("Yanji", "延吉"), ("Donggang", "东港")),
     (("seafood processing plant", "fish plant", "水产品加工厂"),
      ("garment factory", "garment factory", "服装厂"),
      ("restaurant", "restaurant", "餐馆"), ("electronics factory", "factory", "电子厂"))),
    ("AE", 0.07, (("Dubai", "Dubai"), ("Sharjah", "Sharjah"), ("Abu Dhabi", "Abu Dhabi")),
     (("construction site", "site", "construction project"), ("labour camp", "camp", "camp"))),
    ("KW", 0.05, (("Kuwait City", "Kuwait City"), ("Al Ahmadi", "Ahmadi"), ("Jahra", "Al Jahra")),
     (("construction site", "site", "construction project"),)),
    ("QA", 0.05, (("Doha", "Doha"), ("Lusail", "Lusail"), ("Al Wakrah", "Wakra")),
     (("construction site", "site", "construction project"), ("labour camp", "camp", "camp"))),
    ("MN", 0.05, (("Ulaanbaatar", "Улаанбаатар"), ("Darkhan", "Дархан")),
     (("construction site", "site", "барилгын талбай"),)),
    ("PL", 0.03, (("Gdańsk", "Gdańsk"), ("Szczecin", "Szczecin")),
     (("shipyard", "yard", "stocznia"), ("farm", "farm", "gospodarstwo"))),
)  # fmt: skip

# Invented companies: (English, short, Korean) names; Western legal forms vary by source.
_COMPANIES = (
    ("Korea Namsan General Construction Co.", "Namsan Construction", "조선남산종합건설회사"),
    ("Korea Taedong Overseas Labour Corporation", "Taedong Labour", "조선대동해외로동회사"),
    ("Korea Ryongbong Trading Co., Ltd", "Ryongbong Trading", "조선룡봉무역회사"),
    ("Korea Chonsu Forestry General Company", "Chonsu Forestry", "조선천수림업총회사"),
    ("Korea Haebit Marine Products Co.", "Haebit Marine", "조선해빛수산회사"),
    ("Korea Kumsong Textile Export Corporation", "Kumsong Textile", "조선금성방직수출회사"),
    ("Korea Songbong Building Company", "Songbong Building", "조선송봉건설회사"),
    ("Korea Mirae Catering Co.", "Mirae Catering", "조선미래급양회사"),
)
_BIRTH_PLACES = ("평양", "함흥", "청진", "신의주", "원산", "남포", "개성", "혜산", "사리원", "강계",
                 "해주", "평성", "순천", "김책")  # fmt: skip
_BIRTH_PLACE_WEIGHTS = (30, 10, 10, 7, 7, 6, 4, 4, 4, 4, 4, 4, 3, 3)
# Confusable vowels for Hangul typos: ㅓ/ㅕ, ㅗ/ㅛ, ㅐ/ㅔ, ㅜ/ㅠ, ㅡ/ㅜ, ㅣ/ㅢ.
_HANGUL_VOWEL_SWAPS = {4: 6, 6: 4, 8: 12, 12: 8, 1: 5, 5: 1, 13: 17, 17: 13, 18: 13, 20: 19, 19: 20}
_KEYBOARD_NEIGHBOURS = {
    "a": "sq", "b": "vn", "c": "xv", "d": "sf", "e": "wr", "f": "dg", "g": "fh", "h": "gj",
    "i": "uo", "j": "hk", "k": "jl", "l": "k", "m": "n", "n": "bm", "o": "ip", "p": "o",
    "q": "w", "r": "et", "s": "ad", "t": "ry", "u": "yi", "v": "cb", "w": "qe", "x": "zc",
    "y": "tu", "z": "x",
}  # fmt: skip


def _profiles(sources: int) -> list[SourceProfile]:
    chosen = []
    for index in range(sources):
        base = PROFILES[index % len(PROFILES)]
        name = base.name if index < len(PROFILES) else f"{base.name}-{index // len(PROFILES) + 1}"
        chosen.append(SourceProfile(**{**base.__dict__, "name": name}))
    return chosen


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


def _sites(rng: np.random.Generator, count: int) -> dict[str, np.ndarray]:
    shares = np.array([c[1] for c in _COUNTRIES])
    country = rng.choice(len(_COUNTRIES), size=count, p=shares / shares.sum())
    names = np.empty((count, 3), dtype=object)
    employer = np.empty((count, 3), dtype=object)
    company = rng.integers(len(_COMPANIES), size=count)
    legal = ("LLC", "Ltd", "Co., Ltd.", "")
    for i in range(count):
        code, _, cities, kinds = _COUNTRIES[country[i]]
        city, local_city = cities[rng.integers(len(cities))]
        kind, short, local_kind = kinds[rng.integers(len(kinds))]
        number = int(rng.integers(1, 40))
        names[i, 0] = f"{city} {kind} No. {number}".title().replace("'S", "'s")
        names[i, 1] = f"{short} {number}, {city}"
        if code in ("CN",):
            names[i, 2] = f"{local_city}{local_kind}{number}号"
        elif code in ("RU", "MN"):
            names[i, 2] = f"{local_kind.capitalize()} №{number}, {local_city}"
        else:
            names[i, 2] = f"{local_kind.capitalize()} {number} {local_city}"
        english, short_company, korean = _COMPANIES[company[i]]
        employer[i] = (
            english,
            f"{short_company} {legal[rng.integers(len(legal))]}".strip(),
            korean,
        )
    return {"country": country, "names": names, "employer": employer}


def _typo(text: str, rng: np.random.Generator) -> str:
    if not text:
        return text
    if any("가" <= ch <= "힣" for ch in text):
        positions = [i for i, ch in enumerate(text) if "가" <= ch <= "힣"]
        i = positions[int(rng.integers(len(positions)))]
        initial, medial, final = _jamo(text[i])
        if medial in _HANGUL_VOWEL_SWAPS:
            swapped = _compose(initial, _HANGUL_VOWEL_SWAPS[medial], final)
        else:
            swapped = _compose(initial, medial, 0 if final else 4)  # drop or add a final ㄴ
        return text[:i] + swapped + text[i + 1 :]
    letters = [i for i, ch in enumerate(text) if ch.isalpha()]
    if not letters:
        return text
    i = letters[int(rng.integers(len(letters)))]
    ch = text[i]
    kind = int(rng.integers(4))
    if kind == 0:  # a neighbouring key
        near = _KEYBOARD_NEIGHBOURS.get(ch.lower(), "e")
        new = near[int(rng.integers(len(near)))]
        return text[:i] + (new.upper() if ch.isupper() else new) + text[i + 1 :]
    if kind == 1 and len(letters) > 2:  # a letter dropped
        return text[:i] + text[i + 1 :]
    if kind == 2:  # a letter doubled
        return text[: i + 1] + ch.lower() + text[i + 1 :]
    if i + 1 < len(text) and text[i + 1].isalpha():  # two letters swapped
        return text[:i] + text[i + 1] + ch + text[i + 2 :]
    return text[:i] + ch + ch.lower() + text[i + 1 :]


def generate_workers(
    persons: int,
    *,
    seed: int,
    sources: int = 3,
    typo_rate: float = 0.05,
    move_rate: float = 0.1,
    date_error_rate: float = 0.03,
) -> pd.DataFrame:
    """SYNTHETIC records of `persons` invented workers in `sources` sources, with a `truth` column.

    Columns: COLUMNS (docs/design.md §5 person columns plus truth, the person's number).
    Deterministic
    for a seed. `typo_rate` is the chance that a record's name gets one typo (a wrong, missing,
    doubled or swapped letter; a confused vowel in Hangul); `move_rate` the chance that a source
    saw the person at another site in the same country; `date_error_rate` the chance that a full
    birth date has day and month swapped (or, where that is no date, the year off by one).
    """
    if persons < 0 or sources < 1:
        raise ValueError("generate_workers: persons must be >= 0 and sources >= 1")
    rng = np.random.default_rng(seed)
    # Typos draw from their own stream, so the rate changes the typos and nothing else.
    typo_rng = np.random.default_rng((seed, 1))
    tables = _tables()
    profiles = _profiles(sources)
    n_syllables = len(tables.syllables)

    # People.
    female = rng.random(persons) < 0.15
    family = rng.choice(len(tables.family_p), size=persons, p=tables.family_p)
    g1 = np.where(
        female,
        tables.female_ids[rng.choice(len(tables.female_ids), size=persons, p=tables.female_p)],
        tables.male_ids[rng.choice(len(tables.male_ids), size=persons, p=tables.male_p)],
    )
    g2 = np.where(
        female,
        tables.female_ids[rng.choice(len(tables.female_ids), size=persons, p=tables.female_p)],
        tables.male_ids[rng.choice(len(tables.male_ids), size=persons, p=tables.male_p)],
    )
    g2 = np.where((g2 == g1) | (rng.random(persons) < 0.08), n_syllables, g2)  # one-syllable
    # Born 1970–2000, most in the 1980s.
    birth_year = np.clip(np.round(rng.triangular(1970, 1986, 2001, size=persons)), 1970, 2000)
    birth = (birth_year.astype(int) - 1970).astype("datetime64[Y]").astype("datetime64[D]")
    birth = birth + rng.integers(0, 365, size=persons).astype("timedelta64[D]")
    birth_place = rng.choice(
        len(_BIRTH_PLACES),
        size=persons,
        p=np.array(_BIRTH_PLACE_WEIGHTS) / sum(_BIRTH_PLACE_WEIGHTS),
    )
    site_table = _sites(rng, max(20, persons // 40))
    n_sites = len(site_table["country"])
    site = rng.integers(n_sites, size=persons)
    start = np.datetime64("2012-01-01") + rng.integers(0, 11 * 365, size=persons).astype(
        "timedelta64[D]"
    )
    stay = rng.integers(180, 5 * 365, size=persons)
    passport = rng.integers(100_000_000, 1_000_000_000, size=persons)

    # Who appears where: each source lists a person at most once, everyone somewhere.
    coverage = np.array([p.coverage for p in profiles])
    seen = rng.random((persons, len(profiles))) < coverage
    nowhere = ~seen.any(axis=1)
    seen[np.flatnonzero(nowhere), rng.integers(len(profiles), size=int(nowhere.sum()))] = True
    person, source = np.nonzero(seen)
    order = rng.permutation(len(person))
    person, source = person[order], source[order]
    n = len(person)

    columns: dict[str, np.ndarray] = {c: np.full(n, None, dtype=object) for c in COLUMNS}
    birth_years = np.zeros(n, dtype=np.int64)
    birth_year_known = np.zeros(n, dtype=bool)
    columns["source"] = np.array([p.name for p in profiles], dtype=object)[source]
    columns["truth"] = person
    sites_by_country = [np.flatnonzero(site_table["country"] == c) for c in range(len(_COUNTRIES))]

    for s, profile in enumerate(profiles):
        rows = np.flatnonzero(source == s)
        if len(rows) == 0:
            continue
        who = person[rows]
        _names(columns, rows, who, profile, tables, (rng, typo_rng), family, g1, g2, typo_rate)
        m = len(rows)
        # Birth dates: full, year only or none; some full dates with day and month swapped.
        kind = rng.random(m)
        full = kind < profile.full_date
        year_only = (kind >= profile.full_date) & (kind < profile.full_date + profile.year_only)
        dates = birth[who]
        wrong = full & (rng.random(m) < date_error_rate)
        if wrong.any():
            dates = dates.copy()
            dates[wrong] = _swap_day_month(dates[wrong])
        text = np.datetime_as_string(dates, unit="D").astype(object)
        columns["birth_date"][rows[full]] = text[full]
        years = dates.astype("datetime64[Y]").astype(int) + 1970
        birth_years[rows] = years
        birth_year_known[rows] = full | year_only
        columns["sex"][rows] = np.where(female[who], _F, _M)
        columns["sex"][rows[rng.random(m) < 0.1]] = None
        # Sites: some people moved to another site in the same country; names vary by source.
        at = site[who].copy()
        moved = rng.random(m) < move_rate
        for country, options in enumerate(sites_by_country):
            here = np.flatnonzero(moved & (site_table["country"][at] == country))
            if len(here) and len(options):
                at[here] = options[rng.integers(len(options), size=len(here))]
        which = rng.choice(3, size=m, p=np.array(profile.site_names) / sum(profile.site_names))
        columns["site"][rows] = site_table["names"][at, which]
        columns["employer"][rows] = site_table["employer"][at, rng.integers(3, size=m)]
        columns["employer"][rows[rng.random(m) < 0.3]] = None
        columns["country"][rows] = np.array([c[0] for c in _COUNTRIES], dtype=object)[
            site_table["country"][at]
        ]
        # Seen within the person's stay abroad.
        begin = rng.integers(0, np.maximum(stay[who] // 2, 1))
        end = begin + rng.integers(0, np.maximum(stay[who] - begin, 1))
        seen_dates = rng.random(m) < 0.8
        first = np.datetime_as_string(start[who] + begin.astype("timedelta64[D]"), unit="D")
        last = np.datetime_as_string(start[who] + end.astype("timedelta64[D]"), unit="D")
        columns["first_seen"][rows[seen_dates]] = first[seen_dates].astype(object)
        columns["last_seen"][rows[seen_dates]] = last[seen_dates].astype(object)
        has_id = rng.random(m) < profile.identifier
        ids = passport[who].astype(str).astype(object)
        columns["identifier"][rows[has_id]] = ids[has_id]
        places = _birth_places(profile.style)
        has_place = rng.random(m) < profile.birth_place
        columns["birth_place"][rows[has_place]] = places[birth_place[who][has_place]]
        if profile.nationality is not None:
            columns["nationality"][rows] = profile.nationality
        if profile.name == "roster":
            dorm = rng.random(m) < 0.3
            columns["address"][rows[dorm]] = np.array(
                [f"Dormitory {d}, {site_table['names'][a, 1].split(', ')[-1]}" for d, a in
                 zip(rng.integers(1, 9, size=int(dorm.sum())), at[dorm], strict=True)],
                dtype=object,
            )  # fmt: skip

    for s, profile in enumerate(profiles):
        rows = np.flatnonzero(source == s)
        columns["record_id"][rows] = [f"{profile.name}-{k:07d}" for k in range(1, len(rows) + 1)]
    columns["birth_year"] = pd.arrays.IntegerArray(birth_years, ~birth_year_known)
    frame = pd.DataFrame(columns, columns=COLUMNS)
    frame["truth"] = frame["truth"].astype(np.int64)
    return frame


def _swap_day_month(dates: np.ndarray) -> np.ndarray:
    months = dates.astype("datetime64[M]")
    day = (dates - months).astype(int) + 1
    month = months.astype(int) % 12 + 1
    year = dates.astype("datetime64[Y]").astype(int) + 1970
    out = dates.copy()
    for i in range(len(dates)):
        if day[i] <= 12 and day[i] != month[i]:
            out[i] = np.datetime64(f"{year[i]:04d}-{day[i]:02d}-{month[i]:02d}")
        else:
            out[i] = np.datetime64(f"{year[i] - 1:04d}-{month[i]:02d}-01") + (day[i] - 1)
    return out


_PLACE_CACHE: dict[str, np.ndarray] = {}


def _birth_places(style: str) -> np.ndarray:
    if style not in _PLACE_CACHE:
        if style == "hangul":
            names = list(_BIRTH_PLACES)
        else:
            names = ["".join(_NameTables._render(style, p)).capitalize() for p in _BIRTH_PLACES]
        _PLACE_CACHE[style] = np.array(names, dtype=object)
    return _PLACE_CACHE[style]


def _names(
    columns: dict[str, np.ndarray],
    rows: np.ndarray,
    who: np.ndarray,
    profile: SourceProfile,
    tables: _NameTables,
    rngs: tuple[np.random.Generator, np.random.Generator],
    family: np.ndarray,
    g1: np.ndarray,
    g2: np.ndarray,
    typo_rate: float,
) -> None:
    rng, typo_rng = rngs
    m = len(rows)
    f, a, b = family[who], g1[who], g2[who]
    south = profile.style in ("western", "mr", "rr")  # the North's own sources keep 리, 림, 류
    hangul_family = np.array(
        tables.family_hangul_south if south else tables.family_hangul_north, dtype=object
    )[f]
    hangul_style = "hangul_south" if profile.style in ("western", "mr", "rr") else "hangul_north"
    hangul = hangul_family + tables.first[hangul_style][a] + tables.second[hangul_style][a, b]
    if profile.fields == "hangul":
        spaced = rng.random(m) < 0.1  # 리 철수
        hangul = np.where(
            spaced,
            hangul_family + " " + tables.first[hangul_style][a] + tables.second[hangul_style][a, b],
            hangul,
        )
        columns["name_hangul"][rows] = _with_typos(hangul, typo_rng, typo_rate)
        return
    style = profile.style
    family_name = tables.family[style][f, rng.integers(tables.family[style].shape[1], size=m)]
    first = np.array([s.capitalize() for s in tables.first[style]], dtype=object)[a]
    second = tables.second[style][a, b]
    has_second = second != ""
    if style == "north":
        given = np.where(has_second, first + " " + _capitalised(second), first)
        family_name = np.where(rng.random(m) < 0.3, _upper(family_name), family_name)
    elif style == "western":
        kind = rng.random(m)
        separator = np.where(kind < 0.7, "-", np.where(kind < 0.85, "", " "))
        later = np.where(separator == " ", _capitalised(second), second)
        given = np.where(has_second, first + separator + later, first)
    elif style == "mr":
        given = np.where(has_second, first + "-" + second, first)
    else:  # rr: mostly one word
        separator = np.where(rng.random(m) < 0.6, "", "-")
        given = np.where(has_second, first + separator + second, first)
    hangul_only = rng.random(m) < profile.hangul_only
    hangul_too = ~hangul_only & (rng.random(m) < profile.hangul_too)
    if profile.fields == "parts":
        family_name = _with_typos(family_name, typo_rng, typo_rate / 2)
        given = _with_typos(given, typo_rng, typo_rate / 2)
        columns["family_name"][rows[~hangul_only]] = family_name[~hangul_only]
        columns["given_name"][rows[~hangul_only]] = given[~hangul_only]
    else:
        given_first = rng.random(m) < profile.given_first
        full = np.where(given_first, given + " " + family_name, family_name + " " + given)
        full = _with_typos(full, typo_rng, typo_rate)
        columns["full_name"][rows[~hangul_only]] = full[~hangul_only]
    with_hangul = hangul_only | hangul_too
    columns["name_hangul"][rows[with_hangul]] = _with_typos(
        hangul[with_hangul], typo_rng, typo_rate / 2
    )


def _capitalised(values: np.ndarray) -> np.ndarray:
    return np.array([v.capitalize() for v in values], dtype=object)


def _upper(values: np.ndarray) -> np.ndarray:
    return np.array([v.upper() for v in values], dtype=object)


def _with_typos(values: np.ndarray, rng: np.random.Generator, rate: float) -> np.ndarray:
    hit = np.flatnonzero(rng.random(len(values)) < rate)
    if len(hit) == 0:
        return values
    values = values.copy()
    for i in hit:
        values[i] = _typo(values[i], rng)
    return values


def split_by_source(frame: pd.DataFrame) -> list[pd.DataFrame]:
    """One frame per source (for link mode), in the generator's order of sources."""
    present = set(frame["source"].dropna())
    order = [p.name for p in _profiles(len(present)) if p.name in present]
    order += sorted(present - set(order))
    return [frame[frame["source"] == name].reset_index(drop=True) for name in order]
