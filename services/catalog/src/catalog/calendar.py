"""Municipal business calendar and due dates ("fecha límite") of reports.

Pure Python (stdlib + ``zoneinfo``/``tzdata``): no framework imports, so intake, routing
and stats can all share the exact same arithmetic.

A report's due date is its creation instant plus the petition type's SLA, counted in one
of three units (see :func:`compute_due_at` for the exact rules):

* ``calendar_days``  — León: "Días" of the catálogo de peticiones;
* ``business_days``  — días hábiles of the municipality;
* ``business_hours`` — horas hábiles (Metepec *7311: "48 horas hábiles").

Business days are the days that are not a weekend day, not a federal statutory holiday
(Ley Federal del Trabajo, art. 74) and not one of the municipality's own days off.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from enum import Enum
from functools import lru_cache
from typing import Any, Iterable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sacinfra.settings import municipal_tz

__all__ = [
    "SlaUnit", "UNITS", "parse_unit", "mexican_statutory_holidays", "BusinessCalendar",
    "compute_due_at", "END_OF_DAY",
]

#: Time of day at which a ``calendar_days`` SLA expires (local time of the calendar).
END_OF_DAY = time(23, 59, 59)

_ONE_DAY = timedelta(days=1)


class SlaUnit(str, Enum):
    """Unit in which a petition type's SLA (``sla_amount``) is counted."""

    CALENDAR_DAYS = "calendar_days"
    BUSINESS_DAYS = "business_days"
    BUSINESS_HOURS = "business_hours"

    def __str__(self) -> str:  # so f-strings and JSON-ish output show the plain value
        return self.value


#: The accepted values of ``sla_unit``, in the order shown to users.
UNITS: tuple[str, ...] = tuple(u.value for u in SlaUnit)


def parse_unit(unit: str | SlaUnit) -> SlaUnit:
    """Return the :class:`SlaUnit` for ``unit`` or raise ``ValueError`` (Spanish message)."""
    try:
        return SlaUnit(unit)
    except ValueError:
        raise ValueError(
            f"Unidad de SLA desconocida: {unit!r}; las válidas son: {', '.join(UNITS)}."
        ) from None


# --------------------------------------------------------------------------- holidays


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The ``n``-th ``weekday`` (0 = Monday) of ``month``."""
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


@lru_cache(maxsize=256)
def _holidays(year: int) -> frozenset[date]:
    days = {
        date(year, 1, 1),                 # I.   1 de enero
        _nth_weekday(year, 2, 0, 1),      # II.  primer lunes de febrero (5 de febrero)
        _nth_weekday(year, 3, 0, 3),      # III. tercer lunes de marzo (21 de marzo)
        date(year, 5, 1),                 # IV.  1 de mayo
        date(year, 9, 16),                # V.   16 de septiembre
        _nth_weekday(year, 11, 0, 3),     # VI.  tercer lunes de noviembre (20 de noviembre)
        date(year, 12, 25),               # IX.  25 de diciembre
    }
    # VII. transmisión del Poder Ejecutivo Federal: 1 de octubre cada seis años desde
    # 2024 (reforma constitucional de 2014); antes, 1 de diciembre (2006, 2012, 2018).
    if year >= 2024 and (year - 2024) % 6 == 0:
        days.add(date(year, 10, 1))
    elif year < 2024 and (2018 - year) % 6 == 0:
        days.add(date(year, 12, 1))
    return frozenset(days)


def mexican_statutory_holidays(year: int) -> set[date]:
    """Días de descanso obligatorio of the Ley Federal del Trabajo, art. 74, for ``year``.

    1 January; first Monday of February; third Monday of March; 1 May; 16 September;
    third Monday of November; 25 December; and, every six years, the day of the
    transmission of the federal executive: 1 October from 2024 on (2024, 2030, …),
    1 December before (2018, 2012, 2006).  The Monday rules are those in force since
    2006.  Election days (fraction VIII) are not fixed in advance: a municipality adds
    them, like its own days off, to ``BusinessCalendar.extra_days_off``.

    Returns a new ``set`` that the caller may modify.
    """
    return set(_holidays(int(year)))


# --------------------------------------------------------------------------- calendar


def _iso(value: Any, kind: type, error: str):
    """``value`` as a ``kind`` (``time`` or ``date``): one already, or its ISO text;
    otherwise ``ValueError(error)``."""
    if isinstance(value, kind):
        return value
    if isinstance(value, str):
        try:
            return kind.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(error)


def _as_time(value: Any, name: str) -> time:
    return _iso(value, time, f"Hora inválida en «{name}»: {value!r} (se espera HH:MM).")


def _as_date(value: Any) -> date:
    if isinstance(value, datetime):
        raise ValueError(f"Día inhábil inválido: {value!r} (se espera una fecha, no fecha y hora).")
    return _iso(value, date, f"Día inhábil inválido: {value!r} (se espera AAAA-MM-DD).")


@dataclass(frozen=True)
class BusinessCalendar:
    """The municipality's working calendar.

    ``weekend_days`` are ``date.weekday()`` numbers (0 = Monday … 6 = Sunday);
    ``extra_days_off`` the municipality's own non-working days (fiestas locales, Jueves
    y Viernes Santo, elections…), on top of the federal statutory holidays, which are
    always days off; working hours are ``[workday_start, workday_end)`` in ``tz``.

    Iterables and ISO strings are accepted and normalised at construction; invalid
    values raise ``ValueError`` with a Spanish message.
    """

    weekend_days: frozenset[int] = frozenset({5, 6})
    extra_days_off: frozenset[date] = frozenset()
    workday_start: time = time(8, 0)
    workday_end: time = time(16, 0)
    tz: str = field(default_factory=lambda: municipal_tz().key)

    def __post_init__(self) -> None:
        try:
            weekend = frozenset(int(d) for d in self.weekend_days)
        except (TypeError, ValueError):
            raise ValueError(f"Días de fin de semana inválidos: {self.weekend_days!r}.") from None
        if not weekend <= frozenset(range(7)):
            raise ValueError("Los días de fin de semana deben ser números del 0 (lunes) al 6 (domingo).")
        if len(weekend) == 7:
            raise ValueError("El calendario debe tener al menos un día hábil por semana.")
        off = frozenset(_as_date(d) for d in self.extra_days_off)
        start = _as_time(self.workday_start, "workday_start")
        end = _as_time(self.workday_end, "workday_end")
        if start.tzinfo is not None or end.tzinfo is not None:
            raise ValueError("Las horas de la jornada no llevan zona horaria; se usa la del calendario.")
        if not start < end:
            raise ValueError("La jornada debe terminar después de empezar (workday_start < workday_end).")
        try:
            ZoneInfo(self.tz)
        except (ZoneInfoNotFoundError, ValueError, TypeError):
            raise ValueError(f"Zona horaria desconocida: {self.tz!r}.") from None
        object.__setattr__(self, "weekend_days", weekend)
        object.__setattr__(self, "extra_days_off", off)
        object.__setattr__(self, "workday_start", start)
        object.__setattr__(self, "workday_end", end)

    # -- queries

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz)

    @property
    def workday_length(self) -> timedelta:
        """Length of one working day (``workday_end - workday_start``)."""
        return datetime.combine(date.min, self.workday_end) - datetime.combine(date.min, self.workday_start)

    def is_business_day(self, d: date) -> bool:
        """True if ``d`` is neither a weekend day, a federal holiday nor a municipal day off."""
        if isinstance(d, datetime):
            d = d.date()
        return (d.weekday() not in self.weekend_days
                and d not in self.extra_days_off
                and d not in _holidays(d.year))

    def next_business_day(self, d: date, *, include_self: bool = False) -> date:
        """The first business day after ``d`` (or ``d`` itself if ``include_self``)."""
        if not include_self:
            d += _ONE_DAY
        while not self.is_business_day(d):
            d += _ONE_DAY
        return d

    def days_off(self, year: int) -> set[date]:
        """Federal holidays plus the municipality's days off in ``year`` (weekends excluded)."""
        return mexican_statutory_holidays(year) | {d for d in self.extra_days_off if d.year == year}

    # -- JSON storage

    def to_dict(self) -> dict:
        """JSON-serialisable form (the inverse of :meth:`from_dict`)."""
        return {
            "weekend_days": sorted(self.weekend_days),
            "extra_days_off": sorted(d.isoformat() for d in self.extra_days_off),
            "workday_start": _fmt_time(self.workday_start),
            "workday_end": _fmt_time(self.workday_end),
            "tz": self.tz,
        }

    @classmethod
    def from_dict(cls, data: dict | None) -> "BusinessCalendar":
        """Build from :meth:`to_dict` output; missing keys take the defaults."""
        data = data or {}
        defaults = cls()
        return cls(
            weekend_days=frozenset(data.get("weekend_days", defaults.weekend_days)),
            extra_days_off=frozenset(data.get("extra_days_off", ())),
            workday_start=data.get("workday_start", defaults.workday_start),
            workday_end=data.get("workday_end", defaults.workday_end),
            tz=data.get("tz", defaults.tz),
        )

    @classmethod
    def with_days_off(cls, days: Iterable[date | str], **kwargs: Any) -> "BusinessCalendar":
        """Convenience: a calendar with the given municipal days off."""
        return cls(extra_days_off=frozenset(days), **kwargs)


def _fmt_time(t: time) -> str:
    return t.isoformat(timespec="minutes" if t.second == 0 and t.microsecond == 0 else "auto")


# --------------------------------------------------------------------------- due dates


def _localize(naive: datetime, tz: ZoneInfo) -> datetime:
    """Attach ``tz`` to a local wall-clock time and normalise it (a wall time that does
    not exist because of a DST jump is moved forward to the real instant)."""
    return naive.replace(tzinfo=tz).astimezone(timezone.utc).astimezone(tz)


def compute_due_at(created_at: datetime, amount: int, unit: str | SlaUnit,
                   calendar: BusinessCalendar) -> datetime:
    """Due date ("fecha límite") of a report created at ``created_at`` with an SLA of
    ``amount`` ``unit`` on ``calendar``.

    ``created_at`` must be timezone-aware (any zone); it is converted to the calendar's
    zone and the result is an aware datetime in that zone.  ``amount`` is a non-negative
    integer; ``unit`` one of :data:`UNITS`.  Otherwise ``ValueError`` (Spanish message).

    Rules (all in the calendar's local time):

    ``calendar_days``
        Due at the end (23:59:59) of the day ``amount`` days after the creation day.
        ``amount == 0``: end of the creation day.  Weekends and holidays count.
    ``business_days``
        Count ``amount`` business days starting with the day after creation (the
        creation day never counts, whatever the hour); due at ``workday_end`` of the
        last one.  ``amount == 0``: ``workday_end`` of the creation day if it is a
        business day and the report was created no later than ``workday_end``;
        otherwise ``workday_end`` of the next business day.
    ``business_hours``
        Only time inside ``[workday_start, workday_end)`` on business days counts.
        Counting starts at ``created_at``, or at the next opening if it was created
        outside working hours; due at the exact instant the hours are used up.  If
        that is exactly the closing time, the closing time is the due date (it does not
        roll to the next opening).  ``amount == 0``: due at ``created_at`` itself.

    The due date is never earlier than ``created_at`` (the one exception to the rules
    above: a ``calendar_days`` SLA of 0 for a report created in the last second of the
    day is due at its creation instant).

    Complexity is one step per calendar day, so 365 days or 2,000 hours are cheap.
    """
    if not isinstance(created_at, datetime):
        raise ValueError("La fecha de creación debe ser una fecha y hora (datetime).")
    if created_at.tzinfo is None or created_at.utcoffset() is None:
        raise ValueError("La fecha de creación debe incluir zona horaria.")
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise ValueError(f"La cantidad del SLA debe ser un número entero: {amount!r}.")
    if amount < 0:
        raise ValueError(f"La cantidad del SLA no puede ser negativa: {amount}.")
    sla_unit = parse_unit(unit)
    if not isinstance(calendar, BusinessCalendar):
        raise ValueError("Se requiere un calendario (BusinessCalendar).")

    tz = calendar.zone
    created_local = created_at.astimezone(tz)
    # Wall-clock arithmetic on naive local times; working hours never straddle a DST
    # change in practice (changes happen at night), and the result is re-localised.
    local = created_local.replace(tzinfo=None)

    if sla_unit is SlaUnit.CALENDAR_DAYS:
        due = _localize(datetime.combine(local.date() + timedelta(days=amount), END_OF_DAY), tz)
        return max(due, created_local)

    if sla_unit is SlaUnit.BUSINESS_DAYS:
        d = local.date()
        if amount == 0:
            if not (calendar.is_business_day(d) and local.time() <= calendar.workday_end):
                d = calendar.next_business_day(d)
        else:
            for _ in range(amount):
                d = calendar.next_business_day(d)
        return _localize(datetime.combine(d, calendar.workday_end), tz)

    # business hours
    if amount == 0:
        return created_local
    left = timedelta(hours=amount)
    cur = local
    d = local.date()
    while True:
        if calendar.is_business_day(d):
            opening = datetime.combine(d, calendar.workday_start)
            closing = datetime.combine(d, calendar.workday_end)
            start = max(cur, opening)
            if start < closing:
                available = closing - start
                if left <= available:
                    return _localize(start + left, tz)
                left -= available
        d += _ONE_DAY
        cur = datetime.combine(d, time.min)
