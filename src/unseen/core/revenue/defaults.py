"""The ranges that fill a blank wage, share or months, each with its source (never a headcount)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from unseen.core.revenue.inputs import Range, RevenueError


@dataclass(frozen=True)
class Default:
    """A range used where the sources are silent, with where it comes from."""

    range: Range
    source: str


GULF = ("KW", "QA", "AE", "OM", "BH", "SA")
_WAGE_GLOBAL = Default(
    Range(300, 1000),
    "US State Department via AFP/Taipei Times 2017-12-04: $300–1,000/month (nk-facts §3.1)",
)
_SHARE_GLOBAL = Default(
    Range(0.5, 0.9),
    "0.5–0.9 in most sources; State Dept 0.7–0.9, host officials ~0.5 (nk-facts §7)",
)
_MONTHS_YEAR = Default(Range(12, 12), "12 paid months for construction and factories (nk-facts §7)")
_MONTHS_LOGGING = Default(
    Range(6, 12),
    "logging has an official off-season of about six months (Daily NK, nk-facts §7)",
)


@dataclass(frozen=True)
class DefaultTable:
    """Default ranges for blank wages, shares and months, by country where the sources allow."""

    wage: Mapping[str, Default]
    share: Mapping[str, Default]
    wage_global: Default = _WAGE_GLOBAL
    share_global: Default = _SHARE_GLOBAL

    def lookup(self, family: str, country: str, sector: str) -> Default:
        """The default range for a blank input of `family` (wage, share, months) in a cell."""
        if family == "wage":
            return self.wage.get(country, self.wage_global)
        if family == "share":
            return self.share.get(country, self.share_global)
        if family == "months":
            return _MONTHS_LOGGING if sector.strip().lower().startswith("logging") else _MONTHS_YEAR
        raise RevenueError(f"no default for {family}: a headcount is never invented")


_GULF_WAGE = Default(
    Range(300, 1000),
    "Gulf: $300–500 (UAE, Chosun Ilbo 2009) to ~$1,000 (AP 2017-07-28) (nk-facts §3.1)",
)
_GULF_SHARE = Default(
    Range(0.5, 0.8),
    "Gulf: ~0.5 to the state proper, 0.8 in all deductions (AP 2017-07-28, nk-facts §3.1)",
)
DEFAULTS = DefaultTable(
    wage={
        "RU": Default(
            Range(500, 1000),
            "Russia: ~$500 (Amb. Matsegora 2018, an interested party) to $800–1,000 "
            "(Daily NK ~2015, construction; NIS 2024 ~$800) (nk-facts §3.1)",
        ),
        "CN": Default(
            Range(126, 300),
            "China: ~$126 contracted in seafood (RFA 2015) to $300 in garment "
            "(Washington Post 2016) (nk-facts §3.1)",
        ),
        "MN": Default(Range(600, 700), "Mongolia: $600–700 (Yonhap 2013-07-02, nk-facts §3.1)"),
        **dict.fromkeys(GULF, _GULF_WAGE),
    },
    share={
        "CN": Default(
            Range(0.625, 0.7),
            "China: ≥62.5% (RFA 2015 seafood), two-thirds (Washington Post 2016), "
            "'as much as 70%' (AP 2017) (nk-facts §3.1)",
        ),
        **dict.fromkeys(GULF, _GULF_SHARE),
    },
)
