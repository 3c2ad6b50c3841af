"""Pure rules of stats (no I/O): date ranges over pre-aggregated periods, the Wilson
interval, medians from histograms, business hours."""
from datetime import date, datetime, timezone

import pytest

from stats.calendar import Calendar, bucket, bucket_width
from stats.domain import Range, median_from_histogram, wilson


@pytest.mark.parametrize("start, end, spans", [
    (None, None, [("y", None, None)]),
    ("2025-01-01", "2025-12-31", [("y", date(2025, 1, 1), date(2025, 1, 1))]),
    ("2025-03-01", "2025-04-30", [("m", date(2025, 3, 1), date(2025, 4, 1))]),
    ("2024-12-30", "2026-02-03", [("y", date(2025, 1, 1), date(2025, 1, 1)), ("m", date(2026, 1, 1), date(2026, 1, 1)),
                                  ("d", date(2024, 12, 30), date(2024, 12, 31)), ("d", date(2026, 2, 1), date(2026, 2, 3))]),
    ("2026-11-10", "2026-11-12", [("d", date(2026, 11, 10), date(2026, 11, 12))]),
    ("2026-11-10", None, [("y", date(2027, 1, 1), None), ("m", date(2026, 12, 1), date(2026, 12, 1)),
                          ("d", date(2026, 11, 10), date(2026, 11, 30))]),
])
def test_a_range_is_whole_years_whole_months_and_edge_days(start, end, spans):
    assert Range.parse(start, end).spans() == spans


def test_months_only_when_grouping_by_month():
    assert Range.parse("2025-01-01", "2025-02-28").spans(years=False) == [("m", date(2025, 1, 1), date(2025, 2, 1))]


def test_wilson_interval():
    assert wilson(1, 2) == (0.0945, 0.9055)
    assert wilson(0, 0) == (None, None)
    low, high = wilson(96, 120)
    assert low < 0.8 < high and high - low < 0.15


def test_median_from_histogram_interpolates_inside_its_bucket():
    assert median_from_histogram({3: 1, 4: 1}) == 4.0   # two reports, 3.x h and 4.x h
    assert median_from_histogram({}) is None
    assert bucket(5.5) == 5 and bucket(13) == 12 and bucket(29) == 24 and bucket(100) == 96 and bucket(800) == 720
    assert [bucket_width(b) for b in (5, 12, 24, 96, 720)] == [1, 2, 6, 24, 168]


def test_business_hours_skip_weekends_and_holidays():
    cal = Calendar.from_catalog({"weekend_days": [5, 6], "extra_days_off": ["2026-11-18"], "workday_start": "08:00",
                                 "workday_end": "16:00", "tz": "America/Mexico_City"})
    fri = datetime(2026, 11, 13, 21, tzinfo=timezone.utc)   # Friday 15:00 local
    tue = datetime(2026, 11, 17, 16, tzinfo=timezone.utc)   # Tuesday 10:00 local; Monday 16 is a holiday
    assert cal.business_hours(fri, tue) == pytest.approx(3.0)
    thu = datetime(2026, 11, 19, 16, tzinfo=timezone.utc)   # Wednesday 18 is the municipality's day off
    assert cal.business_hours(fri, thu) == pytest.approx(1 + 8 + 2)
