import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from unseen.core.privacy import generalise as gen


def test_it_generalises_dates_to_the_month_or_the_year_known():
    assert gen.month(dt.date(2014, 3, 17)) == "2014-03"
    assert gen.month(dt.date(2014, 1, 1), "year") == "2014"
    assert gen.month(None) == ""


def test_it_bands_birth_years_and_groups_provinces_into_regions():
    assert gen.year_band(1984) == "1980-1989"
    assert gen.year_band(1984, 20) == "1980-1999"
    assert gen.year_band(None) == ""
    assert gen.region_of("North Hamgyong") == "North-east"
    assert gen.region_of("Atlantis") == "*"
    assert gen.region_of("") == ""


def test_it_writes_periods_in_whole_years():
    assert gen.period(dt.date(2010, 1, 1), dt.date(2014, 6, 1)) == "2010-2014"
    assert gen.period(dt.date(2010, 1, 1), None) == "2010"
    assert gen.period_decade("2013-2016") == "2010s"


@given(
    st.floats(
        min_value=-gen.MAX_LATITUDE, max_value=gen.MAX_LATITUDE, exclude_min=True, exclude_max=True
    ),
    st.floats(min_value=-180, max_value=179.999),
)
def test_it_snaps_every_point_to_a_cell_at_least_10_km_across(latitude, longitude):
    snapped = gen.snap(latitude, longitude)
    assert snapped is not None
    lat, lon = snapped
    assert gen.on_grid(lat, lon)
    assert abs(lat - latitude) <= gen.GRID_DEGREES / 2 + 1e-9
    north_south, east_west = gen.cell_size_km(latitude)
    assert north_south >= gen.MIN_CELL_KM and east_west >= gen.MIN_CELL_KM


def test_it_withholds_points_near_the_poles_and_unknown_points():
    assert gen.snap(89.0, 10.0) is None
    assert gen.snap(None, None) is None


@pytest.mark.parametrize("point", [(43.12, 131.89), (55.15, 124.72), (-33.9, 18.4)])
def test_it_moves_known_sites_to_the_cell_centre(point):
    lat, lon = gen.snap(*point)
    assert (lat, lon) != point and gen.on_grid(lat, lon)


def test_it_bands_numbers_so_that_no_released_range_is_the_value_itself():
    assert (gen.band_low("137.50", "100"), gen.band_high("137.50", "100")) == ("100", "200")
    assert (gen.band_low("200", "100"), gen.band_high("200", "100")) == ("200", "300")
    assert gen.band_high("0.95", "0.1", cap="1") == "1"
    assert gen.band("13.5", "2") == "12-14"
    assert gen.band_low("", "100") == gen.band("", "2") == ""


def test_it_keeps_only_provinces_the_vocabulary_knows():
    assert gen.province("north hamgyong ") == "North Hamgyong"
    assert gen.province("near the mine at Musan") == gen.ANY
    assert gen.province("") == ""


def test_it_names_the_precision_of_the_value_released():
    assert [gen.precision_of(v) for v in ("2011", "2010-2014", "2011-05", "2010s", "*", "")] == [
        "year",
        "year",
        "month",
        "",
        "",
        "",
    ]
