import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from unseen.core.dates import PartialDate, Precision, parse_partial_date, parse_year


@pytest.mark.parametrize(
    ("text", "value", "precision"),
    [
        ("2017", dt.date(2017, 1, 1), Precision.YEAR),
        ("2017-03", dt.date(2017, 3, 1), Precision.MONTH),
        ("2017-03-09", dt.date(2017, 3, 9), Precision.DAY),
        (" 2017-3 ", dt.date(2017, 3, 1), Precision.MONTH),
    ],
)
def test_it_keeps_the_precision_of_partial_dates(text, value, precision):
    assert parse_partial_date(text) == PartialDate(value, precision)


@pytest.mark.parametrize(
    "text", ["17", "2017/03", "March 2017", "2017-13", "2017-02-30", "1850", "3017"]
)
def test_it_rejects_what_is_not_a_date(text):
    with pytest.raises(ValueError):
        parse_partial_date(text)


def test_it_rejects_years_that_are_not_four_digits():
    with pytest.raises(ValueError, match="not a year"):
        parse_year("twenty")
    with pytest.raises(ValueError, match="outside"):
        parse_year("1066")


@given(
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2026, 12, 31)),
    st.sampled_from(list(Precision)),
)
def test_it_round_trips_through_text_and_covers_its_last_day(day, precision):
    text = {
        Precision.YEAR: f"{day.year}",
        Precision.MONTH: f"{day.year}-{day.month:02d}",
        Precision.DAY: day.isoformat(),
    }[precision]
    parsed = parse_partial_date(text, latest_year=2026)
    assert str(parsed) == text
    assert parsed.value <= day <= parsed.last_day
