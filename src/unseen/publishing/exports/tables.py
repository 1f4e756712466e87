"""The tables every writer reads, and the interface of a writer.

A writer sees only `Table`s that the disclosure control has already made safe for their level:
it never reads the database, chooses records or pseudonymises, so a new format cannot release
more than the others (the layers contract in pyproject.toml keeps it so).
"""

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar


@dataclass
class Table:
    columns: list[str]
    rows: list[dict[str, Any]]


Progress = Callable[[int], object]


class Writer(ABC):
    """One export format."""

    format: ClassVar[str]
    suffix: ClassVar[str]
    # The tables the files are made from, None for all; progress counts one step per table.
    reads: ClassVar[tuple[str, ...] | None] = None
    # Whether the evidence files are written beside the tables (files.py).
    with_files: ClassVar[bool] = True

    def unavailable(self) -> str:
        """Why this format cannot be written here ("" when it can)."""
        return ""

    @abstractmethod
    def write(
        self, tables: Mapping[str, Table], out: Path, progress: Progress | None = None
    ) -> dict[str, int]:
        """Write the files into `out` (created if need be); rows written, per file."""
