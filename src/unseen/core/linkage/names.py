"""Korean-aware name keys: one spelling for the many ways a Korean name is romanised.

Placeholder implementation (lower-cased letters only); the folding rules replace it.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class PersonNameKeys:
    """Folded keys for one person's name; None where the input has nothing to fold."""

    family: str | None  # folded family name: Lee/Ri/Yi/Rhee/이/리 all give one key
    given: str | None  # folded given name, syllables joined: Chul-soo/Chol Su/철수 give one key
    full: str | None  # family + " " + given (or the folded full name when parts are unknown)
    tokens_sorted: str | None  # folded tokens in sorted order, for family/given swaps


def fold_token(token: str) -> str:
    return "".join(ch for ch in token.lower() if ch.isalpha())


def person_name_keys(
    full_name: str | None = None,
    given_name: str | None = None,
    family_name: str | None = None,
    name_hangul: str | None = None,
) -> PersonNameKeys:
    family = fold_token(family_name) if family_name else None
    given = fold_token(given_name) if given_name else None
    if family is None and given is None and full_name:
        parts = full_name.split()
        family, given = fold_token(parts[0]), fold_token("".join(parts[1:])) or None
    full = " ".join(p for p in (family, given) if p) or None
    tokens = sorted(p for p in (family, given) if p)
    return PersonNameKeys(family or None, given or None, full, " ".join(tokens) or None)
