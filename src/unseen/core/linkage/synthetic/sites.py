"""SYNTHETIC sites and organisations: invented workplaces in real places, invented companies.

Each site has three names (formal, short, local) and an employer with three names (English,
short with a legal form, Korean); birth places are real cities, spelt in each source's style.
"""

import numpy as np

from unseen.core.linkage.synthetic.romanisation import _NameTables

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


def _sites(rng: np.random.Generator, count: int) -> dict[str, np.ndarray]:
    shares = np.array([c[1] for c in _COUNTRIES])
    country = rng.choice(len(_COUNTRIES), size=count, p=shares / shares.sum())
    names = np.empty((count, 3), dtype=object)
    employer = np.empty((count, 3), dtype=object)
    company = rng.integers(len(_COMPANIES), size=count)
    legal = ("LLC", "Ltd", "Co., Ltd.", "")
    # Distinct sites have distinct names: a number already taken in the same city by the same
    # kind of site moves up by 39 until it is free (the draws, and so the seed's other
    # columns, stay as they were; numbers above 39 appear only when there are many sites).
    taken: set[tuple[int, int, int, int]] = set()
    for i in range(count):
        code, _, cities, kinds = _COUNTRIES[country[i]]
        which_city = int(rng.integers(len(cities)))
        city, local_city = cities[which_city]
        which_kind = int(rng.integers(len(kinds)))
        kind, short, local_kind = kinds[which_kind]
        number = int(rng.integers(1, 40))
        while (country[i], which_city, which_kind, number) in taken:
            number += 39
        taken.add((country[i], which_city, which_kind, number))
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


_PLACE_CACHE: dict[str, np.ndarray] = {}


def _birth_places(style: str) -> np.ndarray:
    if style not in _PLACE_CACHE:
        if style == "hangul":
            names = list(_BIRTH_PLACES)
        else:
            names = ["".join(_NameTables._render(style, p)).capitalize() for p in _BIRTH_PLACES]
        _PLACE_CACHE[style] = np.array(names, dtype=object)
    return _PLACE_CACHE[style]
