import json

import pytest

from unseen.core.ftm_reading import MAX_ERRORS, FtmErrors, FtmLineError, read_entities

# Every name and number here is made up for the test: no real person or company.
COMPANY = {
    "id": "test-co-1",
    "schema": "Company",
    "caption": "Fictional Example Trading Co",
    "properties": {
        "name": ["Fictional Example Trading Co"],
        "alias": ["가상예시무역회사", "Fictional Example Trading Co"],
        "weakAlias": ["FETC"],
        "previousName": ["Old Fictional Co"],
        "country": ["KP", "ru"],
        "registrationNumber": ["TEST-0001"],
        "innCode": ["0000000000"],
        "address": ["1 Nowhere Street, Testville"],
        "addressEntity": ["test-addr-1"],
        "incorporationDate": ["2016-03"],
    },
    "datasets": ["test_list"],
    "first_seen": "2020-01-01T00:00:00",
    "last_seen": "2024-05-01T00:00:00",
    "last_change": "2023-02-01T00:00:00",
}
ADDRESS = {
    "id": "test-addr-1",
    "schema": "Address",
    "properties": {"full": ["2 Imaginary Road, Testville"], "country": ["kp"]},
}


def lines(*entities: object) -> list[str]:
    return [e if isinstance(e, str) else json.dumps(e, ensure_ascii=False) for e in entities]


def test_it_reads_an_entity_with_its_names_countries_addresses_and_identifiers():
    company, address = read_entities(lines(COMPANY, "", ADDRESS))
    assert (company.id, company.schema, company.caption) == (
        "test-co-1",
        "Company",
        "Fictional Example Trading Co",
    )
    assert company.names() == (
        "Fictional Example Trading Co",
        "가상예시무역회사",
        "FETC",
        "Old Fictional Co",
    )
    assert company.countries() == ("kp", "ru")  # cleaned as FtM cleans them
    assert company.identifiers() == (
        ("registrationNumber", "TEST-0001"),
        ("innCode", "0000000000"),
    )
    assert company.addresses() == ("1 Nowhere Street, Testville",)
    assert company.addresses({address.id: address}) == (
        "1 Nowhere Street, Testville",
        "2 Imaginary Road, Testville",
    )
    assert company.address_entities() == ("test-addr-1",)
    assert company.datasets == ("test_list",)
    assert (company.first_seen, company.last_seen, company.last_change) == (
        "2020-01-01T00:00:00",
        "2024-05-01T00:00:00",
        "2023-02-01T00:00:00",
    )
    assert (company.line, address.line) == (1, 3)
    assert address.caption == "2 Imaginary Road, Testville"  # FtM's caption when none is given


def test_it_reads_bytes_and_skips_a_byte_order_mark_and_blank_lines():
    raw = [("\ufeff" + json.dumps(ADDRESS) + "\n").encode(), b"\n", b"   \n"]
    (address,) = read_entities(raw)
    assert address.id == "test-addr-1"


def test_it_reports_every_bad_line_by_its_number_and_returns_nothing():
    bad_date = {**COMPANY, "id": "test-co-2", "properties": {"incorporationDate": ["2016-13-45"]}}
    with pytest.raises(FtmErrors) as raised:
        read_entities(
            lines(
                COMPANY,
                '{"id": "x", "schema": "Company", "properties": {',  # malformed JSON
                {"id": "test-3", "schema": "Spaceship", "properties": {}},  # unknown schema
                {"id": "test-4", "schema": "Company", "properties": {"wingspan": ["3"]}},
                bad_date,
                ADDRESS,
            )
        )
    errors = raised.value.errors
    assert [error.line_number for error in errors] == [2, 3, 4, 5]
    assert all(isinstance(error, FtmLineError) for error in errors)
    assert "not JSON" in errors[0].reason
    assert "unknown schema 'Spaceship'" in errors[1].reason
    assert "Company has no property 'wingspan'" in errors[2].reason
    assert "'2016-13-45' is not a valid date" in errors[3].reason
    assert str(raised.value).startswith("line 2: not JSON")


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("[1, 2]", "not a JSON object"),
        ('{"schema": "Company"}', "no id"),
        ('{"id": "a"}', "no schema"),
        ('{"id": "a", "schema": "Thing"}', "abstract"),
        ('{"id": "a", "schema": "Company", "properties": []}', "properties must be"),
        ('{"id": "a", "schema": "Company", "properties": {"name": [1]}}', "list of text"),
        ('{"id": "a", "schema": "Company", "properties": {"country": ["xx"]}}', "valid country"),
        ('{"id": "a", "schema": "Ownership", "properties": {"owner": ["a b"]}}', "valid entity"),
        ('{"id": "a", "schema": "Company", "datasets": "x"}', "datasets"),
    ],
)
def test_it_refuses_what_is_not_an_ftm_entity(line, reason):
    with pytest.raises(FtmErrors) as raised:
        read_entities([line])
    assert reason in raised.value.errors[0].reason


def test_it_stops_at_a_cap_of_errors():
    with pytest.raises(FtmErrors) as raised:
        read_entities(["not json"] * (MAX_ERRORS + 50))
    assert len(raised.value.errors) == MAX_ERRORS
    assert raised.value.truncated


def test_it_merges_fragments_of_one_entity_and_refuses_incompatible_ones():
    first = {"id": "frag", "schema": "LegalEntity", "properties": {"name": ["Fictional One"]}}
    second = {"id": "frag", "schema": "Company", "properties": {"alias": ["Fictional Uno"]}}
    (merged,) = read_entities(lines(first, second))
    assert merged.schema == "Company"
    assert merged.names() == ("Fictional One", "Fictional Uno")
    assert merged.line == 1
    clash = {"id": "frag", "schema": "Address", "properties": {"full": ["Nowhere"]}}
    with pytest.raises(FtmErrors) as raised:
        read_entities(lines(first, clash))
    assert raised.value.errors[0].line_number == 2


def test_it_reads_with_another_model():
    from unseen.publishing.exports.ftm import load_model

    site = {"id": "site-1", "schema": "UnseenWorkSite", "properties": {"name": ["A site"]}}
    with pytest.raises(FtmErrors):
        read_entities(lines(site))
    assert read_entities(lines(site), model=load_model())[0].schema == "UnseenWorkSite"
