"""The SYNTHETIC sources: whom each lists, which fields it fills, and how it writes a name."""

from dataclasses import dataclass

import numpy as np

from unseen.core.linkage.synthetic.corruption import _with_typos
from unseen.core.linkage.synthetic.romanisation import _NameTables


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


def _profiles(sources: int) -> list[SourceProfile]:
    chosen = []
    for index in range(sources):
        base = PROFILES[index % len(PROFILES)]
        name = base.name if index < len(PROFILES) else f"{base.name}-{index // len(PROFILES) + 1}"
        chosen.append(SourceProfile(**{**base.__dict__, "name": name}))
    return chosen


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
