"""One read path for a report, for every caller (REST, tracking, attachments, Open311).

Routing's view comes first: it owns the status, the assignment and who may see the
report (it answers NotFound to an actor that may not). The text and the location come
from intake. A report routing has not seen yet (it processes intake's ``report_created``
event a moment after the 201) is intake's record, which then decides who may read it,
with status ``captured`` and ``assigned: false``: a client that files and reads back at
once is never told that the report it was just given does not exist.

The views below pick what each caller may show of the composed report; none of them
decides access (the services did)."""
from __future__ import annotations

from typing import Awaitable, Callable

from .errors import ApiError

Call = Callable[..., Awaitable]

#: what routing's assignment gives to the composed report
_ROUTED = ("status", "agency", "department", "traffic_light", "closed_at", "version", "history")


async def read_report(call: Call, folio: int, actor: dict, received: dict | None = None) -> dict:
    """The composed report of ``folio`` as ``actor`` may read it. ``received``: intake's
    record when the caller already has it (tracking checked the token with it)."""
    assignment = await assignment_of(call, folio, actor)
    if received is None:
        if assignment is None:
            received = await call("intake", "get_report", folio, actor)
        else:
            found = await call("intake", "get_reports", [folio])
            if not found:
                raise ApiError(404, "reporte_no_encontrado", f"No existe el reporte con folio {folio}.")
            received = found[0]
    return compose(received, assignment)


async def assignment_of(call: Call, folio: int, actor: dict) -> dict | None:
    """Routing's assignment of ``folio`` (with its history) as ``actor`` may read it, or
    None: not routed yet, or not for this actor (then intake decides)."""
    try:
        return await call("routing", "get_assignment", folio, actor)
    except ApiError as exc:
        if exc.status != 404:
            raise
        return None


def compose(received: dict, assignment: dict | None) -> dict:
    """Intake's record with routing's assignment over it, or marked as not yet assigned."""
    if assignment is None:
        return received | {"status": "captured", "assigned": False, "history": [], "traffic_light": None,
                           "closed_at": None, "version": None}
    return received | {k: assignment.get(k) for k in _ROUTED} | {"assigned": True}


def tracking_view(report: dict) -> dict:
    """What the citizen sees with the folio's token: no personal data, no texts."""
    return {k: report[k] for k in ("folio", "petition_type", "status", "agency", "department", "created_at",
                                   "due_at", "assigned")} | {
        "colonia": report["location"]["colonia"],
        "history": [{"status": h.get("to_status"), "kind": h.get("kind"), "at": h.get("at")}
                    for h in report.get("history") or []]}


def open311_row(report: dict) -> dict:
    """The public fields of a report, in the shape of routing's report rows."""
    location = report.get("location") or {}
    return {k: report.get(k) for k in ("folio", "status", "petition_type", "agency", "created_at", "due_at",
                                       "closed_at")} | {
        "street": location.get("street"), "colonia": location.get("colonia"), "lat": location.get("lat"),
        "lon": location.get("lon")}

