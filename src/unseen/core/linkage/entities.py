"""What each entity is, without the libraries that link it.

Its columns, the columns that can tell records apart, its default threshold, and how records are
keyed.

Apart from `records` and `clustering` (which re-export these names) so that a command's options,
a form and the URL conf can use them without loading pandas or Splink, which take seconds (#16).
"""

__all__ = ["COLUMNS", "DEFAULT_THRESHOLDS", "ENTITIES", "EVIDENCE", "record_key"]

ENTITIES = ("person", "site", "organisation")
COLUMNS: dict[str, tuple[str, ...]] = {
    "person": (
        "record_id", "source", "full_name", "given_name", "family_name", "name_hangul", "sex",
        "birth_date", "birth_year", "birth_place", "address", "identifier", "nationality",
        "country", "site", "employer", "first_seen", "last_seen",
    ),
    "site": (
        "record_id", "source", "name", "kind", "address", "city", "country", "latitude",
        "longitude",
    ),
    "organisation": (
        "record_id", "source", "name", "aliases", "kind", "country", "identifier", "address",
    ),
}  # fmt: skip
# Columns that can tell two records apart: a file needs at least one of them.
EVIDENCE: dict[str, tuple[str, ...]] = {
    entity: tuple(c for c in columns if c not in {"record_id", "source", "nationality", "kind"})
    for entity, columns in COLUMNS.items()
}

# Chosen from measured precision/recall curves (docs/methods/linkage.md): Splink's probabilities
# are under-confident where fields are missing, so true pairs often score well below 0.9.
DEFAULT_THRESHOLDS = {"person": 0.3, "site": 0.5, "organisation": 0.5}


def record_key(frame_index: int, record_id: str) -> str:
    """The key of a record in a linkage run: record ids need only be unique within a frame."""
    return f"{frame_index}:{record_id}"
