"""Pure rules of stats: who may read what, date ranges over pre-aggregated periods, the
95 % Wilson interval, medians from histograms. No I/O, no clock."""
from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from sacinfra.actor import Actor

from .calendar import bucket_width
from .exceptions import Forbidden, InvalidInput

#: the municipality's time zone: days and months of the statistics are local
LOCAL_TZ = os.environ.get("SAC_TIMEZONE", "America/Mexico_City")

STATUSES = ("captured", "in_progress", "done", "not_viable")
EVENTS = ("received", "started", "finished", "not_viable")
#: what totals may be grouped and filtered by (``user`` is who captured the report)
DIMENSIONS = ("agency", "department", "petition_type", "kind", "channel", "colonia", "zone", "created_by")
COMPLIANCE_DIMS = ("agency", "department", "petition_type", "colonia", "zone")
INTERVALS = ("day", "week", "month")

#: roles that read every statistic; agency staff read their agency's; the public reads
#: the transparency figures and open data only; a role not listed here reads nothing
READ_ALL = frozenset({"supervisor", "admin", "auditor", "operator", "system"})
AGENCY = "agency_staff"
PUBLIC_VIEWS = frozenset(READ_ALL | {AGENCY, "public", "block_leader", "channel_key", "department_key", "citizen"})
CLOSURE_WRITERS = frozenset({"supervisor", "admin", "system"})
INDICATOR_WRITERS = frozenset({"supervisor", "admin"})


def load_actor(actor) -> Actor:
    return Actor.load_or(actor, InvalidInput)


def scope_for(actor, agency: str | None = None) -> str:
    """The agency whose statistics ``actor`` reads ('*': all), or Forbidden. The one
    policy function of stats for the Estadístico, compliance, closures and indicators."""
    a = load_actor(actor)
    if a.role in READ_ALL:
        return agency or "*"
    if a.role == AGENCY and a.agency:
        if agency and agency != a.agency:
            raise Forbidden("Solo puede consultar las estadísticas de su dependencia.", "dependencia_ajena")
        return a.agency
    raise Forbidden("Su rol no permite consultar estadísticas.", "prohibido")


def may_read_public(actor) -> None:
    if load_actor(actor).role not in PUBLIC_VIEWS:
        raise Forbidden("Su rol no permite consultar esta información.", "prohibido")


def may_write(actor, allowed: frozenset, what: str) -> Actor:
    a = load_actor(actor)
    if a.role not in allowed:
        raise Forbidden(f"Su rol no permite {what}.", "prohibido")
    return a


# --------------------------------------------------------------------------- a partner channel's interactions

OUTCOMES = ("completed", "abandoned", "handed_off", "failed")
_OPTION, _CONVERSATION = re.compile(r"[a-z0-9][a-z0-9_.-]{0,59}"), re.compile(r"[A-Za-z0-9_-]{8,64}")


def interaction(actor, data, now: datetime) -> dict:
    """What a channel key reports of one interaction, as ``channel_interaction_recorded``
    v1 carries it (its key's channel; no personal data: an opaque conversation id);
    ``Forbidden`` for another actor, ``InvalidInput`` ``datos_invalidos`` for bad data."""
    a = load_actor(actor)
    if a.role != "channel_key" or not a.channel:
        raise Forbidden("Solo un canal asociado registra sus interacciones.", "prohibido")
    d = data if isinstance(data, dict) else {}
    conversation, folio, at = d.get("conversation_id"), d.get("folio"), d.get("occurred_at")
    try:
        moment = datetime.fromisoformat(at) if at is not None else now
    except (TypeError, ValueError):
        moment = None
    valid = (not set(d) - {"option", "outcome", "conversation_id", "folio", "occurred_at"}, moment is not None,
             isinstance(d.get("option"), str) and _OPTION.fullmatch(d["option"]), d.get("outcome") in OUTCOMES,
             conversation is None or isinstance(conversation, str) and _CONVERSATION.fullmatch(conversation),
             folio is None or type(folio) is int and 1 <= folio < 2 ** 63)
    if not all(valid):
        raise InvalidInput("La interacción no es válida (option, outcome, conversation_id, folio, occurred_at).",
                           "datos_invalidos")
    return {"channel": a.channel, "option": d["option"], "outcome": d["outcome"], "conversation_id": conversation,
            "folio": folio, "occurred_at": (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).isoformat()}


# --------------------------------------------------------------------------- dates


def parse_date(value, name: str) -> date | None:
    if value in (None, ""):
        return None
    try:
        d = date.fromisoformat(str(value))
    except ValueError:
        raise InvalidInput(f"La fecha «{name}» no es válida (se espera AAAA-MM-DD).", "fecha_invalida") from None
    if not 1900 <= d.year <= 2999:
        raise InvalidInput(f"La fecha «{name}» está fuera del rango admitido (1900 a 2999).", "fecha_invalida")
    return d


def month_start(d: date) -> date:
    return d.replace(day=1)


def next_month(d: date) -> date:
    return (d.replace(day=28) + timedelta(days=4)).replace(day=1)



@dataclass(frozen=True)
class Range:
    start: date | None   # inclusive
    end: date | None     # inclusive

    @classmethod
    def parse(cls, date_from, date_to) -> "Range":
        r = cls(parse_date(date_from, "date_from"), parse_date(date_to, "date_to"))
        if r.start and r.end and r.start > r.end:
            raise InvalidInput("«date_from» es posterior a «date_to».", "rango_invalido")
        return r

    def months(self) -> "Range":
        """The range widened to whole months (figures kept per month)."""
        return Range(month_start(self.start) if self.start else None,
                     next_month(self.end) - timedelta(days=1) if self.end else None)

    def spans(self, years: bool = True) -> list[tuple[str, date | None, date | None]]:
        """The range as (grain, first period, last period) spans of whole years (y), whole
        months (m) and the days left at the edges (d); None is unbounded."""
        out = []
        rest = [(self.start, self.end)]
        for grain, start_of, next_of in ((("y", year_start, next_year),) if years else ()) + (
                ("m", month_start, next_month),):
            left = []
            for s, e in rest:
                whole, more = _whole_units(s, e, start_of, next_of)
                if whole:
                    out.append((grain, *whole))
                left += more
            rest = left
        return out + [("d", s, e) for s, e in rest]


def year_start(d: date) -> date:
    return d.replace(month=1, day=1)


def next_year(d: date) -> date:
    return date(d.year + 1, 1, 1)


def _whole_units(s, e, start_of, next_of):
    """Whole units (years, months) inside [s, e]: ((first, last) unit starts or None) and
    the parts of [s, e] outside them."""
    first = s if s is None or start_of(s) == s else next_of(s)
    end_excl = None if e is None else start_of(e + timedelta(days=1))
    if first is not None and end_excl is not None and first >= end_excl:
        return None, [(s, e)]
    rest = []
    if s is not None and s < first:
        rest.append((s, first - timedelta(days=1)))
    if e is not None and end_excl <= e:
        rest.append((end_excl, e))
    return (first, None if end_excl is None else start_of(end_excl - timedelta(days=1))), rest


# --------------------------------------------------------------------------- figures


def wilson(successes: int, n: int, z: float = 1.959964) -> tuple[float | None, float | None]:
    """95 % Wilson score interval of a proportion (None, None) when n is 0."""
    if n <= 0:
        return None, None
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return round(max(0.0, centre - half), 4), round(min(1.0, centre + half), 4)


def median_from_histogram(buckets: dict[int, int]) -> float | None:
    """Median of times to close from ``{bucket lower bound (h): count}``, interpolated
    linearly inside the bucket that holds it (exact to the bucket width)."""
    total = sum(buckets.values())
    if total <= 0:
        return None
    half, seen = total / 2, 0
    for lower in sorted(buckets):
        n = buckets[lower]
        if n > 0 and seen + n >= half:
            return round(lower + bucket_width(lower) * (half - seen) / n, 2)
        seen += n
    return None


def share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None
