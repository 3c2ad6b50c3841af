"""Use cases of routing, plain functions over a sacinfra UnitOfWork."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

from . import domain, store
from .exceptions import NotFound

CONSUMER_REPORT_CREATED = "routing.report_created"


def _assignment(row) -> dict:
    return {"folio": row["folio"], "petition_type": row["petition_type"], "channel": row["channel"],
            "agency": row["agency"], "department": row["department"], "status": row["status"],
            "colonia": row["colonia"], "created_at": row["created_at"].isoformat(),
            "due_at": row["due_at"].isoformat(), "assigned_at": row["assigned_at"].isoformat(),
            "version": row["version"]}


def assign_reports(uow, envelopes: list[dict]) -> list[int]:
    """On ``intake.report_created`` (a batch): the petition type's agency and department
    as quoted at filing, status captured; one transaction for the batch. Idempotent: a
    redelivered event (same event_id) or a second event for a folio already assigned
    changes nothing and publishes nothing. Returns the folios assigned now."""
    fresh = uow.claim_many(CONSUMER_REPORT_CREATED, [e["event_id"] for e in envelopes])
    todo = {}
    for e in envelopes:
        if e["event_id"] in fresh:
            todo.setdefault(e["data"]["folio"], e)
    if not todo:
        uow.commit()
        return []
    rows = [{"folio": f, "petition_type": e["data"]["petition_type"], "channel": e["data"]["channel"],
             "agency": e["data"]["agency"], "department": e["data"]["department"], "status": domain.CAPTURED,
             "colonia": e["data"]["location"].get("colonia"),
             "created_at": datetime.fromisoformat(e["data"]["created_at"]),
             "due_at": datetime.fromisoformat(e["data"]["due_at"])} for f, e in todo.items()]
    inserted = {r.folio: r.assigned_at for r in uow.session.execute(
        pg_insert(store.assignments).values(rows).on_conflict_do_nothing()
        .returning(store.assignments.c.folio, store.assignments.c.assigned_at))}
    if inserted:
        uow.session.execute(sa.insert(store.history), [
            {"folio": f, "kind": "assigned", "to_status": domain.CAPTURED, "agency": todo[f]["data"]["agency"],
             "department": todo[f]["data"]["department"], "author": "routing"} for f in inserted])
        uow.add_events([("report_assigned", {
            "folio": f, "petition_type": todo[f]["data"]["petition_type"], "channel": todo[f]["data"]["channel"],
            "agency": todo[f]["data"]["agency"], "department": todo[f]["data"]["department"],
            "status": domain.CAPTURED, "due_at": todo[f]["data"]["due_at"], "assigned_at": at.isoformat()},
            todo[f].get("trace")) for f, at in inserted.items()])
    uow.commit()
    return sorted(inserted)


def assign_report(uow, envelope: dict) -> bool:
    """One event (see ``assign_reports``); True if the report was assigned now."""
    return bool(assign_reports(uow, [envelope]))


def get_assignment(uow, folio: int) -> dict:
    row = uow.session.execute(sa.select(store.assignments).where(store.assignments.c.folio == int(folio))).mappings().first()
    if row is None:
        raise NotFound(f"El reporte {folio} aún no está asignado.", "asignacion_no_encontrada")
    out = _assignment(row)
    out["history"] = [
        {"kind": h["kind"], "from_status": h["from_status"], "to_status": h["to_status"], "agency": h["agency"],
         "department": h["department"], "author": h["author"], "text": h["text"], "at": h["at"].isoformat()}
        for h in uow.session.execute(sa.select(store.history).where(store.history.c.folio == int(folio))
                                     .order_by(store.history.c.id)).mappings()]
    return out
