"""Municipal business calendar and due dates: examples and properties (pure Python)."""
from __future__ import annotations

import time as _time
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from catalog.calendar import (
    UNITS, BusinessCalendar, SlaUnit, compute_due_at, mexican_statutory_holidays, parse_unit,
)

MX = ZoneInfo("America/Mexico_City")
UTC = timezone.utc
CAL = BusinessCalendar()


def mx(y, m, d, hh=0, mm=0, ss=0) -> datetime:
    return datetime(y, m, d, hh, mm, ss, tzinfo=MX)


# ============================================================================ holidays

HOLIDAYS = {
    2024: {date(2024, 1, 1), date(2024, 2, 5), date(2024, 3, 18), date(2024, 5, 1),
           date(2024, 9, 16), date(2024, 10, 1), date(2024, 11, 18), date(2024, 12, 25)},
    2025: {date(2025, 1, 1), date(2025, 2, 3), date(2025, 3, 17), date(2025, 5, 1),
           date(2025, 9, 16), date(2025, 11, 17), date(2025, 12, 25)},
    2026: {date(2026, 1, 1), date(2026, 2, 2), date(2026, 3, 16), date(2026, 5, 1),
           date(2026, 9, 16), date(2026, 11, 16), date(2026, 12, 25)},
    2027: {date(2027, 1, 1), date(2027, 2, 1), date(2027, 3, 15), date(2027, 5, 1),
           date(2027, 9, 16), date(2027, 11, 15), date(2027, 12, 25)},
}


@pytest.mark.parametrize("year", sorted(HOLIDAYS))
def test_statutory_holidays_exact(year):
    assert mexican_statutory_holidays(year) == HOLIDAYS[year]


def test_transmission_of_federal_executive_every_six_years():
    for year in (2024, 2030, 2036):
        assert date(year, 10, 1) in mexican_statutory_holidays(year)
    for year in range(2025, 2030):
        assert date(year, 10, 1) not in mexican_statutory_holidays(year)
    assert date(2018, 12, 1) in mexican_statutory_holidays(2018)  # before the 2024 change
    assert date(2024, 12, 1) not in mexican_statutory_holidays(2024)


def test_holidays_returns_a_fresh_set():
    s = mexican_statutory_holidays(2025)
    s.add(date(2025, 7, 7))
    assert date(2025, 7, 7) not in mexican_statutory_holidays(2025)


def test_is_business_day():
    assert CAL.is_business_day(date(2025, 6, 6))          # Friday
    assert not CAL.is_business_day(date(2025, 6, 7))      # Saturday
    assert not CAL.is_business_day(date(2025, 6, 8))      # Sunday
    assert not CAL.is_business_day(date(2025, 3, 17))     # third Monday of March
    assert not CAL.is_business_day(date(2024, 10, 1))     # transmission of the executive
    assert CAL.is_business_day(date(2025, 10, 1))
    leon = BusinessCalendar(extra_days_off=frozenset({date(2026, 1, 20)}))
    assert not leon.is_business_day(date(2026, 1, 20))
    assert CAL.is_business_day(date(2026, 1, 20))
    six_days = BusinessCalendar(weekend_days=frozenset({6}))
    assert six_days.is_business_day(date(2025, 6, 7))


# ============================================================================ calendar object

def test_calendar_roundtrip_and_defaults():
    cal = BusinessCalendar(extra_days_off=frozenset({date(2025, 12, 12), date(2025, 4, 18)}),
                           workday_start=time(9, 0), workday_end=time(15, 30), tz="America/Tijuana")
    d = cal.to_dict()
    assert d == {"weekend_days": [5, 6], "extra_days_off": ["2025-04-18", "2025-12-12"],
                 "workday_start": "09:00", "workday_end": "15:30", "tz": "America/Tijuana"}
    assert BusinessCalendar.from_dict(d) == cal
    assert BusinessCalendar.from_dict({}) == BusinessCalendar()
    assert BusinessCalendar.from_dict(None) == BusinessCalendar()
    assert CAL.weekend_days == frozenset({5, 6})
    assert (CAL.workday_start, CAL.workday_end, CAL.tz) == (time(8), time(16), "America/Mexico_City")


def test_calendar_normalises_iterables_and_is_hashable():
    cal = BusinessCalendar(weekend_days=[6, 5], extra_days_off=["2025-12-12"],
                           workday_start="08:00", workday_end="16:00")
    assert cal == BusinessCalendar(extra_days_off=frozenset({date(2025, 12, 12)}))
    assert hash(cal) == hash(BusinessCalendar(extra_days_off=frozenset({date(2025, 12, 12)})))


@pytest.mark.parametrize("kwargs", [
    {"workday_start": time(16), "workday_end": time(8)},
    {"workday_start": time(8), "workday_end": time(8)},
    {"weekend_days": frozenset(range(7))},
    {"weekend_days": frozenset({7})},
    {"tz": "America/Nowhere"},
    {"extra_days_off": frozenset({"no es fecha"})},
])
def test_calendar_rejects_invalid(kwargs):
    with pytest.raises(ValueError):
        BusinessCalendar(**kwargs)


# ============================================================================ units and validation

def test_units():
    assert UNITS == ("calendar_days", "business_days", "business_hours")
    assert parse_unit("business_hours") is SlaUnit.BUSINESS_HOURS
    assert parse_unit(SlaUnit.CALENDAR_DAYS) is SlaUnit.CALENDAR_DAYS
    with pytest.raises(ValueError, match="Unidad de SLA desconocida"):
        parse_unit("weeks")


def test_invalid_inputs_raise_value_error():
    with pytest.raises(ValueError, match="zona horaria"):
        compute_due_at(datetime(2025, 6, 6, 10), 1, "business_days", CAL)
    with pytest.raises(ValueError, match="negativa"):
        compute_due_at(mx(2025, 6, 6, 10), -1, "business_days", CAL)
    with pytest.raises(ValueError, match="Unidad de SLA desconocida"):
        compute_due_at(mx(2025, 6, 6, 10), 1, "semanas", CAL)
    with pytest.raises(ValueError):
        compute_due_at(mx(2025, 6, 6, 10), 1.5, "business_days", CAL)


def test_enum_units_accepted():
    assert compute_due_at(mx(2025, 6, 6, 10), 2, SlaUnit.BUSINESS_DAYS, CAL) == \
        compute_due_at(mx(2025, 6, 6, 10), 2, "business_days", CAL)


# ============================================================================ examples

def test_metepec_48_business_hours_from_friday_afternoon():
    # Friday 2025-06-06 15:00: 1 h that day, 40 h Mon 9 – Fri 13 June, 7 h on Mon 16.
    due = compute_due_at(mx(2025, 6, 6, 15), 48, "business_hours", CAL)
    assert due == mx(2025, 6, 16, 15)
    assert due.tzinfo is MX and due.isoformat() == "2025-06-16T15:00:00-06:00"


def test_metepec_48_business_hours_skipping_the_march_holiday():
    # Friday 2025-03-07 15:00: 1 h + 40 h (10–14 March) ; Monday 17 March is a holiday.
    assert compute_due_at(mx(2025, 3, 7, 15), 48, "business_hours", CAL) == mx(2025, 3, 18, 15)


def test_created_at_in_utc_is_converted_to_the_calendar_zone():
    created = datetime(2025, 6, 6, 21, 0, tzinfo=UTC)  # 15:00 in Mexico City (UTC-6)
    due = compute_due_at(created, 48, "business_hours", CAL)
    assert due == mx(2025, 6, 16, 15) and due.tzinfo is MX


def test_business_hours_ending_exactly_at_closing_time():
    assert compute_due_at(mx(2025, 6, 9, 8), 8, "business_hours", CAL) == mx(2025, 6, 9, 16)
    assert compute_due_at(mx(2025, 6, 9, 12), 4, "business_hours", CAL) == mx(2025, 6, 9, 16)
    assert compute_due_at(mx(2025, 6, 9, 12), 5, "business_hours", CAL) == mx(2025, 6, 10, 9)


def test_business_hours_created_outside_working_hours():
    assert compute_due_at(mx(2025, 6, 9, 6, 30), 1, "business_hours", CAL) == mx(2025, 6, 9, 9)
    assert compute_due_at(mx(2025, 6, 9, 16), 1, "business_hours", CAL) == mx(2025, 6, 10, 9)
    assert compute_due_at(mx(2025, 6, 9, 22), 1, "business_hours", CAL) == mx(2025, 6, 10, 9)


def test_christmas_and_new_year_boundary():
    created = mx(2024, 12, 24, 10)  # Tuesday; 25 Dec and 1 Jan are holidays
    # business days: 26, 27, 30, 31 Dec, (1 Jan), 2 Jan
    assert compute_due_at(created, 5, "business_days", CAL) == mx(2025, 1, 2, 16)
    # business hours: 6 h on the 24th, 8 h on the 26th, 2 h on the 27th
    assert compute_due_at(created, 16, "business_hours", CAL) == mx(2024, 12, 27, 10)
    # 38 h: 6 + 8 (26) + 8 (27) + 8 (30) + 8 (31) = 38 → closing of 31 Dec
    assert compute_due_at(created, 38, "business_hours", CAL) == mx(2024, 12, 31, 16)
    assert compute_due_at(created, 39, "business_hours", CAL) == mx(2025, 1, 2, 9)
    # calendar days cross the year
    assert compute_due_at(created, 10, "calendar_days", CAL) == mx(2025, 1, 3, 23, 59, 59)


def test_report_filed_on_a_saturday():
    created = mx(2025, 6, 7, 11)  # Saturday
    assert compute_due_at(created, 3, "business_days", CAL) == mx(2025, 6, 11, 16)
    assert compute_due_at(created, 1, "business_days", CAL) == mx(2025, 6, 9, 16)
    assert compute_due_at(created, 0, "business_days", CAL) == mx(2025, 6, 9, 16)
    assert compute_due_at(created, 48, "business_hours", CAL) == mx(2025, 6, 16, 16)
    assert compute_due_at(created, 0, "business_hours", CAL) == created
    assert compute_due_at(created, 5, "calendar_days", CAL) == mx(2025, 6, 12, 23, 59, 59)


def test_leon_seed_calendar_days():
    # seed 000: reports of 26/09/2023 due 29 Sep (3 days) and 1 Oct (5 days, a Sunday)
    created = mx(2023, 9, 26, 12)
    assert compute_due_at(created, 3, "calendar_days", CAL).date() == date(2023, 9, 29)
    assert compute_due_at(created, 5, "calendar_days", CAL).date() == date(2023, 10, 1)
    assert compute_due_at(created, 10, "calendar_days", CAL).date() == date(2023, 10, 6)


def test_amount_zero():
    weekday = mx(2025, 6, 9, 10, 15)
    assert compute_due_at(weekday, 0, "calendar_days", CAL) == mx(2025, 6, 9, 23, 59, 59)
    assert compute_due_at(weekday, 0, "business_days", CAL) == mx(2025, 6, 9, 16)
    assert compute_due_at(weekday, 0, "business_hours", CAL) == weekday
    # after closing on a business day: next business day's closing, never before creation
    assert compute_due_at(mx(2025, 6, 13, 17), 0, "business_days", CAL) == mx(2025, 6, 16, 16)
    last_second = datetime(2025, 6, 9, 23, 59, 59, 500000, tzinfo=MX)
    assert compute_due_at(last_second, 0, "calendar_days", CAL) == last_second


def test_business_days_count_from_the_day_after_creation():
    assert compute_due_at(mx(2025, 6, 9, 7), 1, "business_days", CAL) == mx(2025, 6, 10, 16)
    assert compute_due_at(mx(2025, 6, 13, 10), 1, "business_days", CAL) == mx(2025, 6, 16, 16)
    assert compute_due_at(mx(2025, 6, 13, 10), 5, "business_days", CAL) == mx(2025, 6, 20, 16)


def test_municipal_days_off_are_skipped():
    leon = BusinessCalendar(extra_days_off=frozenset({date(2025, 4, 17), date(2025, 4, 18)}))
    created = mx(2025, 4, 16, 15)  # Wednesday before Jueves/Viernes Santo
    assert compute_due_at(created, 1, "business_days", leon) == mx(2025, 4, 21, 16)
    assert compute_due_at(created, 2, "business_hours", leon) == mx(2025, 4, 21, 9)
    assert compute_due_at(created, 1, "business_days", CAL) == mx(2025, 4, 17, 16)


def test_other_time_zone_and_working_hours():
    tij = ZoneInfo("America/Tijuana")
    cal = BusinessCalendar(workday_start=time(9), workday_end=time(15), tz="America/Tijuana")
    created = datetime(2025, 6, 6, 20, 0, tzinfo=UTC)  # 13:00 PDT, Friday
    due = compute_due_at(created, 8, "business_hours", cal)  # 2 h Fri + 6 h Mon
    assert due == datetime(2025, 6, 9, 15, 0, tzinfo=tij) and due.tzinfo is tij
    # across the DST change (Sunday 9 March 2025): wall-clock working hours
    assert compute_due_at(datetime(2025, 3, 7, 14, tzinfo=tij), 2, "business_hours", cal) == \
        datetime(2025, 3, 10, 10, tzinfo=tij)


def test_large_amounts_are_fast():
    start = _time.perf_counter()
    for i in range(50):
        created = mx(2025, 1, 1) + timedelta(days=7 * i, hours=i)
        compute_due_at(created, 2000, "business_hours", CAL)
        compute_due_at(created, 365, "business_days", CAL)
        compute_due_at(created, 365, "calendar_days", CAL)
    assert _time.perf_counter() - start < 2.0
    due = compute_due_at(mx(2025, 1, 2, 8), 2000, "business_hours", CAL)
    assert due.time() == time(16) and CAL.is_business_day(due.date())  # 2000 = 250 × 8


# ============================================================================ properties

ZONES = [ZoneInfo("UTC"), MX, ZoneInfo("America/Tijuana"), ZoneInfo("America/Cancun")]
BUSINESS_UNITS = ("business_days", "business_hours")

# dates around which the calendar is most interesting: year ends, holidays, Holy Week
_INTERESTING = sorted({d for y in range(2023, 2029) for d in mexican_statutory_holidays(y)}
                      | {date(y, 12, 31) for y in range(2023, 2029)})

_plain_datetimes = st.datetimes(min_value=datetime(2023, 1, 1), max_value=datetime(2028, 6, 30),
                                timezones=st.sampled_from(ZONES), allow_imaginary=False)
_near_interesting = st.builds(
    lambda d, minutes, tz: (datetime.combine(d, time(0)) + timedelta(minutes=minutes))
    .replace(tzinfo=MX).astimezone(tz),
    st.sampled_from(_INTERESTING), st.integers(-4 * 24 * 60, 4 * 24 * 60), st.sampled_from(ZONES))
created_ats = st.one_of(_plain_datetimes, _near_interesting)


@st.composite
def calendars(draw):
    (start, end) = draw(st.sampled_from([(time(8), time(16)), (time(9), time(15)),
                                         (time(7, 30), time(15, 30)), (time(9), time(14))]))
    weekend = draw(st.sampled_from([frozenset({5, 6}), frozenset({6}), frozenset({4, 5, 6})]))
    off = draw(st.frozensets(st.sampled_from(_INTERESTING).map(lambda d: d + timedelta(days=1)), max_size=6)
               | st.frozensets(st.dates(date(2023, 1, 1), date(2028, 12, 31)), max_size=10))
    tz = draw(st.sampled_from(["America/Mexico_City", "America/Tijuana", "America/Cancun"]))
    return BusinessCalendar(weekend_days=weekend, extra_days_off=off, workday_start=start,
                            workday_end=end, tz=tz)


calendars_st = st.one_of(st.just(CAL), calendars())
units = st.sampled_from(UNITS)


def amounts(unit, min_value=0):
    return st.integers(min_value, 2000 if unit == "business_hours" else 365)


PROPS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPS
@given(created=created_ats, cal=calendars_st, data=st.data(), unit=units)
def test_prop_due_not_before_creation_and_in_calendar_zone(created, cal, data, unit):
    amount = data.draw(amounts(unit))
    due = compute_due_at(created, amount, unit, cal)
    assert due >= created
    assert due.tzinfo is not None and str(due.tzinfo) == cal.tz


@PROPS
@given(created=created_ats, cal=calendars_st, data=st.data(), unit=st.sampled_from(BUSINESS_UNITS))
def test_prop_business_units_fall_on_business_days(created, cal, data, unit):
    amount = data.draw(amounts(unit, min_value=1 if unit == "business_hours" else 0))
    due = compute_due_at(created, amount, unit, cal)
    assert cal.is_business_day(due.date())


@PROPS
@given(created=created_ats, cal=calendars_st, n=st.integers(1, 400))
def test_prop_business_hours_within_working_hours(created, cal, n):
    due = compute_due_at(created, n, "business_hours", cal)
    assert cal.is_business_day(due.date())
    assert cal.workday_start < due.timetz().replace(tzinfo=None) <= cal.workday_end


@PROPS
@given(created=created_ats, cal=calendars_st, unit=units, a=st.integers(0, 300), b=st.integers(0, 300))
def test_prop_monotonic_in_amount(created, cal, unit, a, b):
    lo, hi = sorted((a, b))
    assert compute_due_at(created, lo, unit, cal) <= compute_due_at(created, hi, unit, cal)


@PROPS
@given(c1=created_ats, c2=created_ats, cal=calendars_st, unit=units, n=st.integers(0, 300))
def test_prop_monotonic_in_created_at(c1, c2, cal, unit, n):
    early, late = sorted((c1, c2))
    assert compute_due_at(early, n, unit, cal) <= compute_due_at(late, n, unit, cal)


@PROPS
@given(created=created_ats, cal=calendars_st, n=st.integers(0, 500), m=st.integers(0, 500))
def test_prop_business_hours_chain(created, cal, n, m):
    once = compute_due_at(created, n + m, "business_hours", cal)
    chained = compute_due_at(compute_due_at(created, n, "business_hours", cal), m, "business_hours", cal)
    assert once == chained


@PROPS
@given(day=st.dates(date(2023, 1, 1), date(2028, 6, 30)), cal=calendars_st, k=st.integers(1, 60))
def test_prop_whole_days_of_hours_end_at_kth_closing(day, cal, k):
    assume(cal.is_business_day(day))
    hours_per_day = cal.workday_length / timedelta(hours=1)
    assume(hours_per_day == int(hours_per_day))
    tz = ZoneInfo(cal.tz)
    opening = datetime.combine(day, cal.workday_start, tzinfo=tz)
    # the k-th business day, counting the creation day as the first
    d, seen = day, 1
    while seen < k:
        d += timedelta(days=1)
        seen += cal.is_business_day(d)
    due = compute_due_at(opening, int(hours_per_day) * k, "business_hours", cal)
    assert due == datetime.combine(d, cal.workday_end, tzinfo=tz)


@PROPS
@given(created=created_ats, cal=calendars_st, k=st.integers(1, 60))
def test_prop_business_days_is_kth_business_day_after_creation(created, cal, k):
    local = created.astimezone(ZoneInfo(cal.tz))
    d, seen = local.date(), 0
    while seen < k:
        d += timedelta(days=1)
        seen += cal.is_business_day(d)
    due = compute_due_at(created, k, "business_days", cal)
    assert due == datetime.combine(d, cal.workday_end, tzinfo=ZoneInfo(cal.tz))


def _reference_business_hours(created: datetime, hours: int, cal: BusinessCalendar) -> datetime:
    """Minute-by-minute oracle (slow; small amounts only)."""
    tz = ZoneInfo(cal.tz)
    cur = created.astimezone(tz).replace(tzinfo=None)
    # move to the next whole minute boundary as seen by the working-time counter
    left = hours * 60
    if left == 0:
        return created.astimezone(tz)

    def working(t: datetime) -> bool:
        return (cal.is_business_day(t.date())
                and cal.workday_start <= t.time() and t.time() < cal.workday_end)

    # first instant at which counting starts
    while not working(cur):
        nxt = (cur.replace(second=0, microsecond=0) + timedelta(minutes=1))
        cur = nxt
    while True:
        step_end = cur.replace(second=0, microsecond=0) + timedelta(minutes=1)
        # partial first minute when created mid-minute
        span = (step_end - cur) / timedelta(minutes=1)
        if span >= left:
            return (cur + timedelta(minutes=left)).replace(tzinfo=tz)
        left -= span
        cur = step_end
        while not working(cur):
            cur += timedelta(minutes=1)


@settings(max_examples=60, deadline=None)
@given(created=st.datetimes(min_value=datetime(2024, 12, 20), max_value=datetime(2025, 1, 10),
                            timezones=st.just(MX)).map(lambda d: d.replace(second=0, microsecond=0)),
       n=st.integers(0, 12))
def test_prop_business_hours_matches_minute_by_minute_reference(created, n):
    assert compute_due_at(created, n, "business_hours", CAL) == _reference_business_hours(created, n, CAL)
