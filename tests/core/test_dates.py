import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from unseen.core.dates import (
    DateRefused,
    PartialDate,
    Precision,
    parse_day,
    parse_partial_date,
    parse_year,
)


@pytest.mark.parametrize(
    ("text", "value", "precision"),
    [
        ("2017", dt.date(2017, 1, 1), Precision.YEAR),
        ("2017-03", dt.date(2017, 3, 1), Precision.MONTH),
        ("2017-03-09", dt.date(2017, 3, 9), Precision.DAY),
        (" 2017-3 ", dt.date(2017, 3, 1), Precision.MONTH),
        ("2017/03", dt.date(2017, 3, 1), Precision.MONTH),
        ("2017/03/09", dt.date(2017, 3, 9), Precision.DAY),
        ("2017. 3. 9.", dt.date(2017, 3, 9), Precision.DAY),
        ("2017년", dt.date(2017, 1, 1), Precision.YEAR),
        ("2017년 3월", dt.date(2017, 3, 1), Precision.MONTH),
        ("2017년 3월 9일", dt.date(2017, 3, 9), Precision.DAY),
        ("March 2017", dt.date(2017, 3, 1), Precision.MONTH),
        ("9 March 2017", dt.date(2017, 3, 9), Precision.DAY),
        ("March 9, 2017", dt.date(2017, 3, 9), Precision.DAY),
        ("9 Sept. 2017", dt.date(2017, 9, 9), Precision.DAY),
    ],
)
def test_it_keeps_the_precision_of_partial_dates(text, value, precision):
    assert parse_partial_date(text) == PartialDate(value, precision)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("17", "shape"),
        ("Smarch 2017", "shape"),
        ("2017-13", "not_real"),
        ("2017-02-30", "not_real"),
        ("2017/03-09", "shape"),
        ("1850", "too_early"),
        ("3017", "too_late"),
    ],
)
def test_it_rejects_what_is_not_a_date(text, reason):
    with pytest.raises(DateRefused) as refused:
        parse_partial_date(text)
    assert refused.value.reason == reason


@pytest.mark.parametrize(
    "text", ["05/06/2024", "5/6/2024", "25/06/2024", "06-25-2024", "05.06.2024", "05/06/24"]
)
def test_it_refuses_day_and_month_as_numbers_before_the_year_and_never_guesses(text):
    # 05/06/2024 is 5 June in Seoul and 6 May in New York; 25/06 is refused too, so a habit
    # is not accepted one day and refused the next.
    with pytest.raises(DateRefused) as refused:
        parse_partial_date(text)
    assert refused.value.reason == "ambiguous"
    assert "YYYY-MM-DD" in str(refused.value)


def test_a_day_must_be_a_whole_date():
    assert parse_day("2024년 6월 5일") == dt.date(2024, 6, 5)
    with pytest.raises(DateRefused) as refused:
        parse_day("2024-06")
    assert refused.value.reason == "not_a_day"


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
