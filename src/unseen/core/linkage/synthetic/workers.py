"""SYNTHETIC worker records from several sources, with the truth column: `generate_workers`."""

import numpy as np
import pandas as pd

from unseen.core.linkage.synthetic.corruption import _swap_day_month
from unseen.core.linkage.synthetic.romanisation import _tables
from unseen.core.linkage.synthetic.sites import (
    _BIRTH_PLACE_WEIGHTS,
    _BIRTH_PLACES,
    _COUNTRIES,
    _birth_places,
    _sites,
)
from unseen.core.linkage.synthetic.sources import _names, _profiles

COLUMNS = [
    "record_id", "source", "full_name", "given_name", "family_name", "name_hangul", "sex",
    "birth_date", "birth_year", "birth_place", "address", "identifier", "nationality", "country",
    "site", "employer", "first_seen", "last_seen", "truth",
]  # fmt: skip

_F, _M = np.array("F", dtype=object), np.array("M", dtype=object)


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


def split_by_source(frame: pd.DataFrame) -> list[pd.DataFrame]:
    """One frame per source (for link mode), in the generator's order of sources."""
    present = set(frame["source"].dropna())
    order = [p.name for p in _profiles(len(present)) if p.name in present]
    order += sorted(present - set(order))
    return [frame[frame["source"] == name].reset_index(drop=True) for name in order]
