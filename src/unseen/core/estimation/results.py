"""What every estimation method returns, and its JSON shape (DESIGN.md §5, `unseen mse --json`)."""

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Interval:
    kind: str  # "wald", "profile", "bca", "credible"
    level: float
    low: float
    high: float

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "level": self.level, "low": self.low, "high": self.high}


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
        return {
            "method": self.method,
            "model": self.model,
            "estimate": self.estimate,
            "ci": self.interval.to_json() if self.interval else None,
            "aic": self.aic,
            "bic": self.bic,
            "warnings": list(self.warnings),
        }
