"""The Splink model of persons: blocking rules, comparisons, and the rules that train it.

It compares the columns `records.prepare` derives. Names are compared level by level, from the
most to the least telling: the same Hangul, the same spelling, the same folded name (in
either order, from the Latin or the Hangul name), folded names that are similar (Jaro–Winkler,
either order), one part the same. Birth dates count a typo or a swapped day and month as
nearly the same, and fall back to the year where only a year is known. The model is trained
without labels: u from random pairs, m by expectation maximisation on blocked pairs.
"""

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Any

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import SettingsCreator, block_on
from splink.blocking_rule_library import CustomRule

__all__ = [
    "JARO_WINKLER",
    "PARTS",
    "PERSON",
    "Block",
    "Model",
    "address",
    "comparisons",
    "numbered_place",
    "similar_text",
]

# Splink's string functions are named differently on each backend.
JARO_WINKLER = {"duckdb": "jaro_winkler_similarity", "spark": "jaro_winkler"}
LEVENSHTEIN = {"duckdb": "levenshtein", "spark": "levenshtein"}


def similar_text(
    name: str, description: str, dialect: str, similar: float = 0.9, *, by_frequency: bool = False
) -> Any:
    """Null, exact, Jaro–Winkler ≥ `similar`, else: for keys such as sorted words.

    `by_frequency` weighs the same value by how common it is (Splink's term frequencies).
    """
    jw = JARO_WINKLER[dialect]
    return cl.CustomComparison(
        output_column_name=name,
        comparison_description=description,
        comparison_levels=[
            cll.NullLevel(name),
            cll.ExactMatchLevel(name, term_frequency_adjustments=by_frequency),
            cll.CustomLevel(f"{jw}({name}_l, {name}_r) >= {similar}", f"{name} similar"),
            cll.ElseLevel(),
        ],
    )


def numbered_place(
    name: str,
    description: str,
    dialect: str,
    similar: float = 0.9,
    *,
    across_scripts: bool = True,
) -> Any:
    """`similar_text`, with sites told apart and brought together by their number.

    The key is sorted words, so a site's number comes first: "5 dandong factory garment no"
    and "44 dandong factory garment no" are Jaro–Winkler-similar but two sites, while the
    same site in two sources' words ("… garment no" and "5 dandong factory garment") keeps
    its number, as it does in another script ("5 dandun fabrika no shveynaya", "5 丹东服装厂
    号"), where the words are not alike at all. Levels: null, exact, similar with the same
    number, the same number and another word in common (a city, "no"), the same number only,
    similar, else. The `{name}_words` column holds the key's words; without `across_scripts`,
    the two levels of the number alone are left out (as before ADR 0047).
    """
    jw = JARO_WINKLER[dialect]
    number = "regexp_extract({0}, '^[0-9]+', 0)"
    left, right = number.format(f"{name}_l"), number.format(f"{name}_r")
    same_number = f"{left} <> '' and {left} = {right}"
    return cl.CustomComparison(
        output_column_name=name,
        comparison_description=description,
        comparison_levels=[
            cll.NullLevel(name),
            cll.ExactMatchLevel(name),
            cll.CustomLevel(
                f"{jw}({name}_l, {name}_r) >= {similar} and {left} = {right}",
                f"{name} similar, the same number",
            ),
            *(
                [
                    cll.And(
                        cll.CustomLevel(same_number), cll.ArrayIntersectLevel(f"{name}_words", 2)
                    ).configure(label_for_charts=f"{name}: the same number and another word"),
                    cll.CustomLevel(same_number, f"{name}: the same number only"),
                ]
                if across_scripts
                else []
            ),
            cll.CustomLevel(f"{jw}({name}_l, {name}_r) >= {similar}", f"{name} similar"),
            cll.ElseLevel(),
        ],
    )


def address(dialect: str) -> Any:
    """Addresses as sets of folded words: typos and word order cost one or two words."""
    jw = JARO_WINKLER[dialect]
    return cl.CustomComparison(
        output_column_name="address",
        comparison_description="Address, words folded and sorted",
        comparison_levels=[
            cll.NullLevel("address"),
            cll.ExactMatchLevel("address"),
            cll.CustomLevel(f"{jw}(address_l, address_r) >= 0.95", "addresses nearly the same"),
            cll.ArrayIntersectLevel("address_words", 4).configure(
                label_for_charts="four words in common"
            ),
            cll.ArrayIntersectLevel("address_words", 2).configure(
                label_for_charts="two words in common"
            ),
            cll.ElseLevel(),
        ],
    )


# Sharing a rare name says more than sharing "Kim Yong" (2,433 records of a million): each
# level of the same name is weighed by how often the folded name occurs (Splink's term
# frequencies), against that level's own u.
_BY_FREQUENCY: dict[str, Any] = {
    "tf_adjustment_column": "name_sorted",
    "tf_adjustment_weight": 1.0,
    "disable_tf_exact_match_detection": True,
}


def _name(dialect: str, by_frequency: bool = True) -> Any:
    weighed = _BY_FREQUENCY if by_frequency else {}
    jw = JARO_WINKLER[dialect]

    def either_order(threshold: float) -> str:
        # Folded keys in both orders, and the spelling as written (for names that are not
        # Korean, which the syllable folding only cuts into pieces).
        return (
            f"greatest({jw}(name_concat_l, name_concat_r), "
            f"{jw}(name_concat_l, name_swapped_r), "
            f"{jw}(name_spelling_l, name_spelling_r)) >= {threshold}"
        )

    return cl.CustomComparison(
        output_column_name="name",
        comparison_description="Korean-aware name: Hangul, spelling, folded syllables, similarity",
        comparison_levels=[
            cll.NullLevel("name_concat"),
            cll.ExactMatchLevel("name_hangul").configure(label_for_charts="same Hangul", **weighed),
            cll.ExactMatchLevel("name_spelling").configure(
                label_for_charts="same spelling", **weighed
            ),
            cll.ArrayIntersectLevel("name_keys", 1).configure(
                label_for_charts="same folded name (either order)", **weighed
            ),
            cll.CustomLevel(either_order(0.92), "folded names similar (≥ 0.92)"),
            cll.CustomLevel(either_order(0.82), "folded names alike (≥ 0.82)"),
            cll.CustomLevel(
                "name_family_l = name_family_r or name_given_l = name_given_r "
                "or name_family_l = name_given_r or name_given_l = name_family_r",
                "one part of the name the same",
            ),
            cll.ElseLevel(),
        ],
    )


def _birth(dialect: str) -> Any:
    lev = LEVENSHTEIN[dialect]
    full = "length(birth_date_l) = 8 and length(birth_date_r) = 8"
    swapped = (
        "substr(birth_date_l, 1, 4) = substr(birth_date_r, 1, 4) and "
        "substr(birth_date_l, 5, 2) = substr(birth_date_r, 7, 2) and "
        "substr(birth_date_l, 7, 2) = substr(birth_date_r, 5, 2)"
    )
    return cl.CustomComparison(
        output_column_name="birth",
        comparison_description="Birth date, or the year where only the year is known",
        comparison_levels=[
            cll.NullLevel("birth_year"),
            cll.CustomLevel(f"{full} and birth_date_l = birth_date_r", "same birth date"),
            cll.CustomLevel(
                f"{full} and ({lev}(birth_date_l, birth_date_r) <= 1 or ({swapped}))",
                "birth date one digit off, or day and month swapped",
            ),
            cll.ExactMatchLevel("birth_year").configure(label_for_charts="same birth year"),
            cll.AbsoluteDifferenceLevel("birth_year", 1).configure(
                label_for_charts="birth years one apart"
            ),
            cll.ElseLevel(),
        ],
    )


def _seen() -> Any:
    # Months between two periods in which sources saw the person (0 where they overlap); the
    # same SQL on both backends.
    gap = "greatest(seen_from_l, seen_from_r) - least(seen_to_l, seen_to_r)"
    return cl.CustomComparison(
        output_column_name="seen",
        comparison_description="When the sources saw the person: periods overlapping or apart",
        comparison_levels=[
            cll.NullLevel("seen_from"),
            cll.CustomLevel(f"{gap} <= 0", "seen in overlapping periods"),
            cll.CustomLevel(f"{gap} <= 12", "seen within a year of each other"),
            cll.CustomLevel(f"{gap} <= 36", "seen within three years of each other"),
            cll.ElseLevel(),
        ],
    )


# What ADR 0047 added, each of which `comparisons(without=…)` can leave out to measure it
# (`benchmarks/ablate_link_model.py`).
PARTS = ("name-frequency", "place-frequency", "seen", "site-number")


def comparisons(dialect: str, *, without: Collection[str] = ()) -> list[tuple[str, Any]]:
    """The person comparisons: (the column a comparison needs, the comparison)."""
    unknown = set(without) - set(PARTS)
    if unknown:
        raise ValueError(f"unknown parts {sorted(unknown)}; choose from {', '.join(PARTS)}")
    places = "place-frequency" not in without
    found = [
        ("name_concat", _name(dialect, by_frequency="name-frequency" not in without)),
        ("birth_year", _birth(dialect)),
        ("sex", cl.ExactMatch("sex")),
        (
            "birth_place",
            similar_text("birth_place", "Birth place, folded", dialect, by_frequency=places),
        ),
        (
            "site",
            numbered_place(
                "site",
                "Work site, words folded and sorted",
                dialect,
                across_scripts="site-number" not in without,
            ),
        ),
        ("employer", similar_text("employer", "Employer without its legal form", dialect)),
        ("identifier", cl.ExactMatch("identifier")),
        ("country", cl.ExactMatch("country").configure(term_frequency_adjustments=places)),
        ("address", address(dialect)),
    ]
    if "seen" not in without:
        found.append(("seen_from", _seen()))
    return found


@dataclass(frozen=True)
class Block:
    """A blocking rule: pairs agreeing on all `columns` are scored.

    Where the rule alone would score more than `planning.PAIRS_PER_RECORD` pairs per record (a
    common name in a million records), it is tightened by the `tighter` columns, one more at a
    time (`tier` 1 adds the first, 2 the first two …) until it fits; a rule that does not fit
    even with all of them is left out. A tightening column must agree **or be unknown on
    either side**: tightening bounds how many pairs share a common value, it must not drop
    every record that lacks the column (a fifth of the records have no birth year, and
    requiring one lost a third of the true pairs of a million records).
    """

    columns: tuple[str, ...]
    tighter: tuple[str, ...] = ()

    @property
    def tiers(self) -> int:
        """How many tighter forms the rule has."""
        return len(self.tighter)

    def sql(self, tier: int = 0) -> str:
        """The rule as Splink's SQL (columns of the left record `l.`, of the right `r.`)."""
        parts = [f'l."{c}" = r."{c}"' for c in self.columns]
        parts += [
            f'(l."{c}" = r."{c}" or l."{c}" is null or r."{c}" is null)'
            for c in self.tighter[:tier]
        ]
        return " and ".join(parts)

    def rule(self, tier: int = 0) -> Any:
        """The Splink blocking rule, tightened by the first `tier` tighter columns."""
        if tier == 0:
            return block_on(*self.columns)
        return CustomRule(self.sql(tier))

    def describe(self, tier: int = 0) -> str:
        """The rule's columns, for people to read ("name_sorted and birth_year (or unknown)")."""
        return " and ".join((*self.columns, *(f"{c} (or unknown)" for c in self.tighter[:tier])))


@dataclass(frozen=True)
class Model:
    """The Splink model of one kind of entity, over the columns `records.prepare` derives."""

    # dialect ("duckdb" or "spark") → (the column a comparison needs, the comparison)
    comparisons: Callable[[str], list[tuple[str, Any]]]
    blocking: tuple[Block, ...]  # which pairs are scored at all
    # EM sessions, each a block (columns) and looser ones to fall back on where it has too few
    # pairs: a session trains every comparison but those of its block's columns.
    training_blocks: tuple[tuple[tuple[str, ...], ...], ...]
    deterministic_rules: tuple[Any, ...]  # almost only true pairs pass: the prior's estimate

    def settings(
        self,
        link_type: str = "dedupe_only",
        *,
        dialect: str = "duckdb",
        present: Collection[str] | None = None,
        blocking: Sequence[Any] | None = None,
    ) -> SettingsCreator:
        """Splink settings; `link_type` is "dedupe_only", "link_only" or "link_and_dedupe".

        Comparisons of columns not in `present` (when given) are left out: a column no record
        fills tells nothing, and EM cannot train it. `blocking` replaces the model's blocking
        rules (as `planning.choose_blocking` tightens them for large data).
        """
        return SettingsCreator(
            link_type=link_type,  # type: ignore[arg-type]
            comparisons=[
                c for column, c in self.comparisons(dialect) if present is None or column in present
            ],
            blocking_rules_to_generate_predictions=list(
                blocking if blocking is not None else [b.rule() for b in self.blocking]
            ),
            retain_matching_columns=True,
            retain_intermediate_calculation_columns=True,
            max_iterations=20,
        )


PERSON = Model(
    comparisons=comparisons,
    # What blocking loses is measured: `linking.blocked_pairs` with `evaluation.blocking_recall`.
    blocking=(
        # In a million records a common name alone makes 94 pairs per record; with the birth year
        # (agreeing, or unknown on a side) 38; with the country too, about 10.
        Block(("name_sorted",), ("birth_year", "country")),
        Block(("name_hangul",), ("birth_year",)),
        Block(("birth_day",), ("sex",)),
        Block(("name_family", "birth_year")),
        Block(("name_given", "birth_year")),
        Block(("name_family", "site")),
        Block(("name_given", "site")),
        Block(("identifier",)),
        Block(("address",), ("name_family",)),
        Block(("name_family", "address_number")),
        Block(("name_given", "address_number")),
    ),
    # Blocks where most pairs are true: in a large population most pairs that merely share a
    # name, or a birthday, are two people, and EM would learn what namesakes have in common.
    training_blocks=(
        # trains all but the name (and, on the tighter blocks, the birth date)
        (("name_sorted",), ("name_sorted", "birth_year"), ("name_sorted", "birth_day")),
        (("birth_day", "site"), ("birth_day",)),  # trains the name
        (("name_sorted", "site"), ("name_sorted",)),  # trains the birth date
    ),
    deterministic_rules=(
        block_on("name_sorted", "birth_year"),
        block_on("name_hangul", "birth_year"),
        block_on("identifier"),
    ),
)
