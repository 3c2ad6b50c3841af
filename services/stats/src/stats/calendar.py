"""Business hours between two instants on the municipal calendar (pure; no I/O).

The calendar is what catalog answers to ``get_calendar`` (weekend days, the
municipality's own days off, working hours, time zone); the federal statutory holidays
(Ley Federal del Trabajo, art. 74) are always days off. Stats keeps its own arithmetic:
it never imports another service's code."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo


def _nth_monday(year: int, month: int, n: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(-first.weekday()) % 7 + 7 * (n - 1))


@lru_cache(maxsize=64)
def federal_holidays(year: int) -> frozenset[date]:
    """LFT art. 74: 1 Jan, 1st Monday of Feb, 3rd Monday of Mar, 1 May, 16 Sep, 3rd Monday
    of Nov, 25 Dec, and the transmission of the federal executive (1 Oct every six years
    from 2024; 1 Dec before, in 2006, 2012, 2018)."""
    days = {date(year, 1, 1), _nth_monday(year, 2, 1), _nth_monday(year, 3, 3), date(year, 5, 1),
            date(year, 9, 16), _nth_monday(year, 11, 3), date(year, 12, 25)}
    if year >= 2024 and (year - 2024) % 6 == 0:
        days.add(date(year, 10, 1))
    elif year < 2024 and (2018 - year) % 6 == 0:
        days.add(date(year, 12, 1))
    return frozenset(days)


@dataclass(frozen=True)
class Calendar:
    weekend_days: frozenset = frozenset({5, 6})
    days_off: frozenset = frozenset()
    start: time = time(8, 0)
    end: time = time(16, 0)
    tz: str = "America/Mexico_City"

    @classmethod
    def from_catalog(cls, data: dict | None) -> "Calendar":
        data = data or {}
        return cls(weekend_days=frozenset(int(d) for d in data.get("weekend_days", (5, 6))),
                   days_off=frozenset(date.fromisoformat(d) for d in data.get("extra_days_off", ())),
                   start=time.fromisoformat(data.get("workday_start", "08:00")),
                   end=time.fromisoformat(data.get("workday_end", "16:00")),
                   tz=data.get("tz", "America/Mexico_City"))

    def is_business_day(self, d: date) -> bool:
        return d.weekday() not in self.weekend_days and d not in self.days_off and d not in federal_holidays(d.year)

    def business_hours(self, a: datetime, b: datetime) -> float:
        """Working hours in ``[a, b)`` (0 when ``b <= a``); one step per calendar day."""
        if b <= a:
            return 0.0
        zone = ZoneInfo(self.tz)
        la, lb = a.astimezone(zone).replace(tzinfo=None), b.astimezone(zone).replace(tzinfo=None)
        total = timedelta()
        d = la.date()
        while d <= lb.date():
            if self.is_business_day(d):
                lo = max(la, datetime.combine(d, self.start))
                hi = min(lb, datetime.combine(d, self.end))
                if hi > lo:
                    total += hi - lo
            d += timedelta(days=1)
        return total.total_seconds() / 3600


def hours_between(a: datetime, b: datetime) -> float:
    return max((b - a).total_seconds(), 0.0) / 3600


def bucket(hours: float) -> int:
    """Histogram bucket (its lower bound in hours) of a time to close: 1 h wide under 12 h,
    2 h under 24 h, 6 h under 72 h, 24 h under 720 h, a week beyond (store.BUCKET_SQL is the
    same rule in SQL); medians read from the histogram are exact to the bucket's width."""
    h = max(hours, 0.0)
    for lower, width in BUCKETS:
        if h >= lower:
            return int(lower + (h - lower) // width * width)
    return 0


#: (lower bound, width) of the bucket ranges, highest first
BUCKETS = ((720, 168), (72, 24), (24, 6), (12, 2), (0, 1))


def bucket_width(lower: int) -> int:
    return next(width for start, width in BUCKETS if lower >= start)
