"""The Splink models of sites and organisations.

Names are compared as folded, sorted words (`names.fold_place_name`: legal forms dropped,
Cyrillic transliterated, Hangul romanised), so "Koryo Restaurant, Dandong", "Dandong Koryo
restaurant" and "Ресторан Корё" come close; organisations are also compared through their
aliases and identifiers, sites through their city and coordinates.
"""

from typing import Any

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import block_on

from unseen.core.linkage.persons import JARO_WINKLER, Block, Model, address

__all__ = ["ORGANISATION", "SITE"]


def _name(dialect: str, *, aliases: bool) -> Any:
    jw = JARO_WINKLER[dialect]
    levels: list[Any] = [cll.NullLevel("name_key"), cll.ExactMatchLevel("name_key")]
    if aliases:
        levels.append(
            cll.ArrayIntersectLevel("name_keys", 1).configure(label_for_charts="a name in common")
        )
    levels += [
        cll.CustomLevel(f"{jw}(name_key_l, name_key_r) >= 0.92", "names similar (≥ 0.92)"),
        cll.ArrayIntersectLevel("name_words", 2).configure(label_for_charts="two words in common"),
        cll.ArrayIntersectLevel("name_words", 1).configure(label_for_charts="a word in common"),
        cll.ElseLevel(),
    ]
    return cl.CustomComparison(
        output_column_name="name",
        comparison_description="Name, words folded and sorted",
        comparison_levels=levels,
    )


def _site(dialect: str) -> list[tuple[str, Any]]:
    return [
        ("name_key", _name(dialect, aliases=False)),
        ("address", address(dialect)),
        ("city", cl.ExactMatch("city")),
        ("country", cl.ExactMatch("country")),
        ("kind", cl.ExactMatch("kind")),
        ("latitude", cl.DistanceInKMAtThresholds("latitude", "longitude", [0.2, 2, 20])),
    ]


def _organisation(dialect: str) -> list[tuple[str, Any]]:
    return [
        ("name_key", _name(dialect, aliases=True)),
        ("identifier", cl.ExactMatch("identifier")),
        ("country", cl.ExactMatch("country")),
        ("kind", cl.ExactMatch("kind")),
        ("address", address(dialect)),
    ]


SITE = Model(
    comparisons=_site,
    blocking=(
        Block(("name_key",)),
        Block(("city", "kind"), ("name_key",)),
        Block(("address",)),
        Block(("grid",)),
    ),
    training_blocks=((("name_key",),), (("city",),)),
    deterministic_rules=(block_on("name_key", "city"),),
)

ORGANISATION = Model(
    comparisons=_organisation,
    blocking=(
        Block(("name_key",)),
        Block(("identifier",)),
        Block(("address",)),
        Block(("name_first", "country")),
    ),
    training_blocks=((("name_key",),), (("country",),)),
    deterministic_rules=(block_on("name_key", "country"), block_on("identifier")),
)
