"""The departments' integration feed: routing's lifecycle events, without free text or
staff names, on the topic exchange ``sac.integration`` with routing keys
``<agency>.<department>.<event_type>``, through the same outbox (same transaction as the
change, published after commit with confirms, at-least-once).

Each integration event is its own envelope (its own ``event_id``, ``producer``
``routing``); one message reaches every department concerned in one publish: the
primary key plus ``also_routing_keys`` (RabbitMQ ``BCC``), so a queue bound to several of
those keys gets it once. Pure functions here; ``add`` writes the outbox rows."""
from __future__ import annotations

from sacinfra.topology import INTEGRATION_EXCHANGE

EXCHANGE = INTEGRATION_EXCHANGE
EVENTS = ("report_assigned", "report_status_changed", "intervention_added", "report_reassigned", "report_shared")

#: fields that never leave SAC on this exchange: free text (may name people), staff usernames and
#: what only SAC's own services use (the duplicates whose citizens the channels notify)
PRIVATE = {"report_status_changed": ("reason", "duplicate_folios"), "report_reassigned": ("reason",), "intervention_added": ("author",)}


def segment(code: str | None) -> str:
    """One word of a routing key. Agency codes are ``[A-Z0-9]``; department codes may
    hold ``.`` (catalog allows ``[A-Z0-9_.-]``), which separates words in a topic key, so
    ``.`` is written ``~`` (a character no code may contain, so the mapping is
    one-to-one). A missing code is ``-``."""
    if not code:
        return "-"
    return str(code).replace(".", "~")


def routing_key(agency: str | None, department: str | None, event_type: str) -> str:
    return f"{segment(agency)}.{segment(department)}.{event_type}"


def integration_data(event_type: str, data: dict) -> dict:
    """The event's data as departments receive it (``PRIVATE`` fields removed)."""
    drop = PRIVATE.get(event_type, ())
    return {k: v for k, v in data.items() if k not in drop}


def units(event_type: str, data: dict, shared: list[tuple[str, str]] = ()) -> list[tuple[str, str]]:
    """The (agency, department) pairs that receive the event, the first being the main
    one: the owner; a reassignment also the previous owner; a share also the receiving
    department; status changes and interventions also the departments it is shared with."""
    if event_type == "report_reassigned":
        out = [(data["agency"], data["department"]), (data["from_agency"], data["from_department"])]
    elif event_type == "report_shared":
        out = [(data["agency"], data["department"]), (data["owner_agency"], data["owner_department"])]
    else:
        out = [(data["agency"], data["department"])]
    if event_type in ("report_status_changed", "intervention_added"):
        out += list(shared)
    return list(dict.fromkeys(out))


def message(event_type: str, data: dict, shared: list[tuple[str, str]] = (), trace: dict | None = None) -> dict:
    """What ``UnitOfWork.add_routed_events`` takes for one event."""
    keys = [routing_key(a, d, event_type) for a, d in units(event_type, data, shared)]
    out = {"event_type": event_type, "data": integration_data(event_type, data), "routing_key": keys[0],
           "also_routing_keys": keys[1:]}
    if trace is not None:
        out["trace"] = trace
    return out


def add(uow, events: list[tuple[str, dict, list[tuple[str, str]], dict | None]]) -> list[dict]:
    """Outbox rows for ``(event_type, data, shared units, trace or None)``, in the caller's
    transaction. Returns the envelopes."""
    return uow.add_routed_events(EXCHANGE, [message(t, d, s, tr) for t, d, s, tr in events if t in EVENTS])
