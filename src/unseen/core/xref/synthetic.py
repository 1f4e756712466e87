"""SYNTHETIC organisations for timing and checking cross-referencing: invented names, truth known.

Nothing here is a real organisation. A list of entities is made of invented Korean company
names (a name proper of two or three syllables common in names, a trade, a form: 조선금성무역회사,
"Korea Kumsong Trading Corporation"), with aliases in Hangul or shortened, a country and a list
id. Records are the platform's side: some of them are list entities written another way (another
romanisation, Hangul, without "Korea", another legal form, a typo — the linkage generator's
typos), often with a country and sometimes the same registration number; the rest are other
invented organisations. Romanisations come from the linkage generator's tables
(`unseen.core.linkage.synthetic`).
"""

from dataclasses import dataclass

import numpy as np

from unseen.core.linkage.names import GIVEN_NAME_SYLLABLES
from unseen.core.linkage.synthetic.corruption import _typo
from unseen.core.linkage.synthetic.romanisation import romanise_name, south_form
from unseen.core.xref.scoring import Party

# Trades: (Hangul, English as lists write it).
_TRADES = (
    ("무역", "Trading"), ("건설", "Construction"), ("수산", "Fisheries"), ("림업", "Forestry"),
    ("광업", "Mining"), ("기계", "Machinery"), ("봉사", "Service"), ("식당", "Restaurant"),
    ("운수", "Transport"), ("피복", "Garment"), ("기술", "Technology"), ("해운", "Shipping"),
)  # fmt: skip
# Forms: (Hangul, English).
_FORMS = (("회사", "Corporation"), ("총회사", "General Corporation"), ("회사", "Company"),
          ("그룹", "Group"))  # fmt: skip
_LEGAL = ("", "", "Co., Ltd.", "LLC", "Ltd", "Corp.")
_COUNTRIES = ("KP", "KP", "KP", "KP", "CN", "RU", "AE")
_STYLES = ("north", "north", "mr", "rr", "western")


@dataclass(frozen=True)
class SyntheticOrganisations:
    """A SYNTHETIC list, our SYNTHETIC records, and which records are which entities."""

    entities: list[Party]
    records: list[Party]
    truth: set[tuple[str, str]]  # (record id, entity id) of the records that are list entities


def _proper(rng: np.random.Generator, syllables: list[str], weights: np.ndarray) -> str:
    count = 2 if rng.random() < 0.4 else 3
    return "".join(syllables[i] for i in rng.choice(len(syllables), size=count, p=weights))


def _romanised(hangul: str, style: str, rng: np.random.Generator) -> str:
    if style in ("rr", "western"):
        hangul = south_form(hangul[0]) + hangul[1:]
    parts = romanise_name(hangul, style)
    joiner = " " if rng.random() < 0.1 else ("-" if rng.random() < 0.1 else "")
    return joiner.join(parts).capitalize() if joiner != " " else " ".join(
        p.capitalize() for p in parts)  # fmt: skip


def _names(
    proper: str, trade: int, form: int, rng: np.random.Generator, style: str
) -> tuple[str, str, str]:
    """(English, Hangul, short English) names of one organisation."""
    trade_h, trade_e = _TRADES[trade]
    form_h, form_e = _FORMS[form]
    roman = _romanised(proper, style, rng)
    english = f"Korea {roman} {trade_e} {form_e}"
    return english, f"조선{proper}{trade_h}{form_h}", f"{roman} {trade_e}"


def generate_organisations(
    entities: int = 5000, records: int = 10000, matching: int = 1000, seed: int = 20261201
) -> SyntheticOrganisations:
    """A list of `entities` and `records` of ours, `matching` of which are list entities."""
    rng = np.random.default_rng(seed)
    syllables = [s for s, _ in GIVEN_NAME_SYLLABLES]
    weights = np.array([w for _, w in GIVEN_NAME_SYLLABLES], dtype=float)
    weights /= weights.sum()
    seen: set[str] = set()

    def fresh() -> tuple[str, int, int]:
        while True:
            proper = _proper(rng, syllables, weights)
            trade, form = int(rng.integers(len(_TRADES))), int(rng.integers(len(_FORMS)))
            if proper not in seen:
                seen.add(proper)
                return proper, trade, form

    listed: list[Party] = []
    plan: list[tuple[str, int, int]] = []
    for n in range(entities):
        proper, trade, form = fresh()
        plan.append((proper, trade, form))
        english, hangul, short = _names(proper, trade, form, rng, "north")
        aliases = [english.upper()]
        if rng.random() < 0.5:
            aliases.append(hangul)
        if rng.random() < 0.3:
            aliases.append(short)
        ids = [("list", f"SYN-E{n:05d}")]
        if rng.random() < 0.3:
            ids.append(("registration", f"{rng.integers(10**9, 10**10)}"))
        country = _COUNTRIES[int(rng.integers(len(_COUNTRIES)))]
        listed.append(Party(tuple(aliases), (country,), (), tuple(ids), "Company", f"E{n:05d}"))

    ours: list[Party] = []
    truth: set[tuple[str, str]] = set()
    chosen = rng.choice(entities, size=min(matching, entities), replace=False)
    for n in range(records):
        record_id = f"R{n:05d}"
        countries: tuple[str, ...] = ()
        identifiers: tuple[tuple[str, str], ...] = ()
        if n < len(chosen):
            target = listed[int(chosen[n])]
            proper, trade, form = plan[int(chosen[n])]
            truth.add((record_id, target.id))
            if rng.random() < 0.7:
                countries = target.countries
            shared = tuple(i for i in target.identifiers if i[0] == "registration")
            if shared and rng.random() < 0.5:
                identifiers = shared
        else:
            proper, trade, form = fresh()
            if rng.random() < 0.7:
                countries = (_COUNTRIES[int(rng.integers(len(_COUNTRIES)))],)
        style = _STYLES[int(rng.integers(len(_STYLES)))]
        english, hangul, short = _names(proper, trade, form, rng, style)
        roll = rng.random()
        if roll < 0.2:
            name = hangul
        elif roll < 0.35:
            name = short
        elif roll < 0.5:
            name = english.removeprefix("Korea ")
        else:
            name = english
        legal = _LEGAL[int(rng.integers(len(_LEGAL)))]
        if legal and not name.startswith("조선"):
            name = f"{name} {legal}"
        if rng.random() < 0.15:
            name = _typo(name, rng)
        ours.append(Party((name,), countries, (), identifiers, "organisation", record_id))
    order = rng.permutation(len(ours))
    return SyntheticOrganisations(listed, [ours[i] for i in order], truth)
