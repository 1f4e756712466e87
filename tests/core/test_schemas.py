from pathlib import Path

from unseen.core import schemas
from unseen.core.tables import CellError, read_table, validate

VOCABULARY = schemas.Vocabulary(
    access_levels=("public", "internal", "confidential"),
    source_kinds=("document",),
    reliabilities=tuple("ABCDEF"),
    site_kinds=("logging_camp",),
    organisation_kinds=("broker",),
    coordinate_precisions=("city",),
    sexes=("f", "m", "x", "unknown"),
)


def check(tmp_path: Path, kind: str, text: str) -> list[CellError]:
    path = tmp_path / "t.csv"
    path.write_text(text, encoding="utf-8")
    return validate(read_table(path), schemas.SCHEMAS[kind](VOCABULARY))[1]


def test_it_compares_partial_dates_by_what_they_may_mean(tmp_path):
    assert (
        check(tmp_path, "sightings", "description,observed_from,observed_to\ncrew,2019-05,2019\n")
        == []
    )
    assert check(
        tmp_path, "sightings", "description,observed_from,observed_to\ncrew,2020,2019-05\n"
    ) == [CellError(2, "observed_from", "2020 is after observed_to (2019-05)")]


def test_it_needs_the_country_of_a_site(tmp_path):
    assert check(tmp_path, "sites", "name,kind\nCamp,logging_camp\n") == [
        CellError(1, "country", "required column is missing")
    ]
    assert check(tmp_path, "persons", "record_id,site\nr1,Camp 2\n") == [
        CellError(2, "country", "a site needs its country")
    ]


def test_it_knows_proxy_sectors():
    assert schemas.is_proxy_sector("entries: study purpose (proxy)")
    assert schemas.is_proxy_sector("Planned dispatch")
    assert not schemas.is_proxy_sector("construction")
