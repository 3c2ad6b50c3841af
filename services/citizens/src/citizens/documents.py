"""What citizens composes from its own data and other services' answers (plain functions,
no I/O): the ARCO access document and the map of active block leaders.

Who may is decided before anyone else is asked: the caller passes what
``rights.arco_access`` or ``block_leaders.active_block_leaders`` answered (both
``domain.authorize``). The other services are asked through two callables the service
binds (``service.py``):

- ``ask(service, method, *args)``: one RPC, bounded (``sacinfra.refresh.bounded``: a
  service that does not answer in time is ``Unavailable``, the gateway's 503 with
  Retry-After); a refusal comes back as citizens' own error of the same kind;
- ``together(thunks)``: the answers of several calls made at the same time, in order
  (greenthreads in the service; one after the other in the unit tests).

**ARCO access** (``arco_document``): intake (the person's reports as received), surveys
(opt-outs, answers), routing (assignment with history and interventions of each of at
most ``MAX_REPORTS`` of those reports) and each channel service of ``CHANNEL_SERVICES``
(``arco_access(numbers, actor, reason)``: addresses, conversation, filings, messages; the
channel logs the read). Intake, surveys or routing failing fails the document (nothing
half-answered about what the platform itself decides); a channel that fails or does not
answer within ``CHANNEL_ARCO_TIMEOUT`` is ``{"status": "no disponible", "detail": …}`` and
named in ``incomplete_sources`` while the rest is still answered: an away channel must not
block a legal deadline, and the document says plainly what it lacks. A channel's refusal
(4xx) is not hidden. The gateway adds its own audit entries about the person.

**Block-leader map** (``leaders_geojson``): a GeoJSON FeatureCollection of the active
leaders (no personal data) with the number of reports each leader's login filed
(routing's ``group_reports(by=["created_by"])``, ``created_by`` being the filer)."""
from __future__ import annotations

import logging
from functools import partial
from typing import Any, Callable

from sacinfra.errors import ServiceError, Unavailable

log = logging.getLogger(__name__)

Ask = Callable[..., Any]
Together = Callable[[list[Callable[[], Any]]], list]

UNAVAILABLE = "no disponible"
#: the reports of a person whose routing records the document gives
MAX_REPORTS = 2000
#: routing's batch RPCs take at most this many folios (routing.handlers.MAX_BATCH_FOLIOS)
ROUTING_BATCH = 500
#: routing's group_reports answers at most this many groups (routing.queries.MAX_GROUPS)
MAX_GROUPS = 5000
#: the channel services the ARCO document asks when CHANNEL_SERVICES is not set
DEFAULT_CHANNELS = "whatsapp,email"


def one_by_one(thunks: list[Callable[[], Any]]) -> list:
    return [thunk() for thunk in thunks]


def channel_services(setting: Any = DEFAULT_CHANNELS) -> list[str]:
    """``CHANNEL_SERVICES`` (nameko names, comma-separated, or a list) as a list without
    blanks or repeats; empty (or null) asks no channel."""
    if setting is None:
        return []
    names = setting.split(",") if isinstance(setting, str) else setting
    return list(dict.fromkeys(str(n).strip() for n in names if str(n).strip()))


# =========================================================================== ARCO access

def channel_part(ask: Ask, name: str, numbers: list[int], actor: dict, reason: str) -> dict:
    """What channel ``name`` holds about ``numbers``, or why it is missing (away, slow,
    failing: the document says so instead of failing whole); a refusal is raised."""
    try:
        held = ask(name, "arco_access", numbers, actor, reason)
    except Exception as exc:  # noqa: BLE001 — whatever the channel's trouble, the document goes on
        if isinstance(exc, ServiceError) and not isinstance(exc, Unavailable):
            raise
        log.warning("ARCO: el canal %s no respondió: %s", name, exc)
        return {"status": UNAVAILABLE, "detail": f"El servicio del canal «{name}» no respondió; consulte de nuevo "
                                                 "para completar el documento."}
    return {"status": "ok", "channel": held.get("channel"), "contacts": held["contacts"]}


def routing_records(ask: Ask, folios: list[int], actor: dict, together: Together = one_by_one) -> list[dict]:
    """``[{folio, assignment, interventions}]``: what routing holds of each of ``folios``
    (None for both while routing has not seen it), in batches of ``ROUTING_BATCH``."""
    chunks = [folios[i:i + ROUTING_BATCH] for i in range(0, len(folios), ROUTING_BATCH)]
    answers = together([partial(ask, "routing", method, chunk, actor) for chunk in chunks
                        for method in ("get_assignments_batch", "list_interventions_batch")])
    views = {k: v for answer in answers[0::2] for k, v in answer.items()}
    notes = {k: v for answer in answers[1::2] for k, v in answer.items()}
    return [{"folio": f, "assignment": views.get(str(f)),
             "interventions": notes.get(str(f), []) if str(f) in views else None} for f in folios]


def arco_document(held: dict, actor: dict, reason: str, ask: Ask, channels: list[str],
                  together: Together = one_by_one) -> dict:
    """The ARCO access document of the person ``held`` describes (citizens' own part,
    already authorized and logged): ``{number, numbers, incomplete_sources, services:
    {citizens, intake, routing, surveys, channels}}``."""
    numbers = held["numbers"]

    def received_and_routed():
        intake = ask("intake", "arco_access", numbers)
        folios = [r["folio"] for r in intake["reports"]][:MAX_REPORTS]
        return intake["reports"], routing_records(ask, folios, actor, together)

    (reports, routed), surveys, *by_channel = together([
        received_and_routed, partial(ask, "surveys", "arco_access", numbers),
        *(partial(channel_part, ask, name, numbers, actor, reason) for name in channels)])
    held_by_channels = dict(zip(channels, by_channel))
    return {
        "number": held["number"], "numbers": numbers,
        "incomplete_sources": [f"channels.{n}" for n, c in held_by_channels.items() if c["status"] == UNAVAILABLE],
        "services": {
            "citizens": held,
            "intake": {"reports": reports},
            "routing": {"reports": routed},
            "surveys": {"opt_outs": surveys["opt_outs"], "answers": surveys["answers"]},
            "channels": held_by_channels,
        },
    }


# =========================================================================== block-leader map

def report_counts(ask: Ask, actor: dict, usernames: list[str], together: Together = one_by_one) -> dict[str, int]:
    """Reports filed by each login (routing's ``created_by``), in one grouped query; a
    login missing from a truncated grouping is counted alone."""
    if not usernames:
        return {}
    grouped = ask("routing", "group_reports", actor, {}, ["created_by"])
    counts = {g["created_by"]: g["count"] for g in grouped["groups"] if g.get("created_by")}
    if len(grouped["groups"]) >= MAX_GROUPS:
        missing = [u for u in usernames if u not in counts]
        totals = together([partial(ask, "routing", "query_reports", actor, {"created_by": u}, 1, 1)
                           for u in missing])
        counts |= {u: t["total"] for u, t in zip(missing, totals)}
    return {u: counts.get(u, 0) for u in usernames}


def leaders_geojson(leaders: list[dict], actor: dict, ask: Ask, together: Together = one_by_one) -> dict:
    """The active ``leaders`` (``active_block_leaders``) as a GeoJSON FeatureCollection,
    each with ``report_count``: the reports its login filed (0 without a login)."""
    counts = report_counts(ask, actor, [x["username"] for x in leaders if x["username"]], together)
    return {"type": "FeatureCollection", "features": [{
        "type": "Feature", "id": x["id"],
        "geometry": {"type": "Point", "coordinates": [x["lon"], x["lat"]]},
        "properties": {"id": x["id"], "kind": x["kind"], "block": x["block"], "colonia": x["colonia"],
                       "status": x["status"], "report_count": counts.get(x["username"], 0) if x["username"] else 0},
    } for x in leaders]}
