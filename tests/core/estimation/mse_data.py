"""The oracle tables of docs/facts/mse-oracles.md (copied into data/, see data/README.md)."""

from functools import cache
from pathlib import Path

from unseen.core.estimation.histories import CaptureHistories
from unseen.core.estimation.loglinear import Data
from unseen.core.estimation.reading import read_histories

DATA = Path(__file__).resolve().parent / "data"


@cache
def histories(name: str) -> CaptureHistories:
    return read_histories(DATA / f"{name}.csv")


def table(name: str) -> Data:
    h = histories(name)
    return Data.of(h.t, h.counts)


def close(value: float, expected: float, relative: float) -> bool:
    return abs(value - expected) <= relative * abs(expected)
