import csv
from pathlib import Path

import pytest

from unseen.core.places import (
    WORLD,
    Host,
    country_choices,
    country_code,
    country_name,
    parse_host,
)

SHIPPED = Path(__file__).resolve().parents[2] / "src/unseen/demo/data/nk-deployments.csv"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("RU", "RU"),
        ("ru", "RU"),
        ("Russia", "RU"),
        ("Russian Federation", "RU"),
        ("China", "CN"),
        ("Mongolia", "MN"),
        ("UAE", "AE"),
        ("United Arab Emirates", "AE"),
        ("Czech Republic", "CZ"),
        ("Poland", "PL"),
        ("KWT", "KW"),
        ("Iran", "IR"),
    ],
)
def test_it_reads_codes_and_english_names(text, code):
    assert country_code(text) == code


def test_it_names_unknown_countries_in_its_error():
    with pytest.raises(ValueError, match="unknown country 'Narnia'"):
        country_code("Narnia")


def test_it_reads_regions_and_country_lists_as_regions():
    assert parse_host("ALL") == Host(region=WORLD)
    assert parse_host("Southeast Asia") == Host(region="Southeast Asia")
    assert parse_host("Qatar/UAE") == Host(region="QA/AE")
    assert parse_host("Russia") == Host(country="RU")


def test_it_rejects_a_country_list_with_an_unknown_member():
    with pytest.raises(ValueError, match="Atlantis"):
        parse_host("Qatar/Atlantis")


def test_it_reads_every_host_in_the_shipped_deployments():
    with SHIPPED.open(encoding="utf-8") as handle:
        hosts = {row["host_country"] for row in csv.DictReader(handle)}
    parsed = {host: parse_host(host) for host in hosts}
    assert all(h.country or h.region for h in parsed.values())
    assert parsed["Russia"].country == "RU"


def test_it_uses_everyday_short_names():
    assert country_name("RU") == "Russia"
    assert country_name("MN") == "Mongolia"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("중국", "CN"),
        ("China", "CN"),
        ("CN", "CN"),
        ("러시아", "RU"),
        ("러시아 연방", "RU"),
        ("북한", "KP"),
        ("조선민주주의인민공화국", "KP"),
        ("아랍 에미리트", "AE"),
        ("아랍에미리트", "AE"),
        ("몽골", "MN"),
        ("쿠웨이트", "KW"),
        ("라오스", "LA"),
        ("대만", "TW"),
    ],
)
def test_it_reads_korean_names(text, code):
    assert country_code(text) == code


def test_it_names_countries_in_korean_and_lists_them_in_korean_order():
    assert country_name("CN", "ko") == "중국"
    assert country_name("RU", "ko") == "러시아"
    assert country_name("RU", "en") == "Russia"
    korean = country_choices("ko")
    assert ("CN", "중국") in korean and len(korean) == len(country_choices("en")) > 240
    names = [name for _code, name in korean]
    assert names.index("가나") < names.index("몽골") < names.index("중국")
    # Every Korean name shown reads back to its own code.
    assert all(country_code(name) == code for code, name in korean)
