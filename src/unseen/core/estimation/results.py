"""What every estimation method returns, and its JSON shape (docs/design.md §5, `mse --json`)."""

import math
from dataclasses import dataclass, field
from typing import Any


def finite_or_none(value: float | None) -> float | None:
    """JSON has no ∞ or NaN: an unbounded limit or estimate is written as null."""
    if value is None or not math.isfinite(value):
        return None
    return value


@dataclass(frozen=True)
class Interval:
    """An interval around an estimate: its kind, its level and its ends (inf where unbounded)."""

    kind: str  # "wald", "profile", "bca", "credible"
    level: float
    low: float
    high: float

    def to_json(self) -> dict[str, Any]:
        """The interval as JSON, non-finite ends as null."""
        return {
            "kind": self.kind,
            "level": self.level,
            "low": finite_or_none(self.low),
            "high": finite_or_none(self.high),
        }


@dataclass(frozen=True)
class Estimate:
    """One method's answer: the population size N̂ (observed included) and how sure it is."""

    method: str
    model: str  # e.g. "[LA:NG, NG:GP]"; "" where a method has no log-linear model
    estimate: float
    observed: int
    interval: Interval | None = None
    aic: float | None = None
    bic: float | None = None
    warnings: tuple[str, ...] = ()
    details: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The estimate as JSON, non-finite numbers as null."""
        return {
            "method": self.method,
            "model": self.model,
            "estimate": finite_or_none(self.estimate),
            "ci": self.interval.to_json() if self.interval else None,
            "aic": finite_or_none(self.aic),
            "bic": finite_or_none(self.bic),
            "warnings": list(self.warnings),
        }
