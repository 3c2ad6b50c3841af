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


def assign_report(uow, envelope: dict) -> bool:
    """On ``intake.report_created``: the petition type's agency and department, status
    captured. Idempotent: a redelivered event (same event_id) or a second event for
    the same folio changes nothing and publishes nothing. Returns True if assigned."""
    if not uow.claim(CONSUMER_REPORT_CREATED, envelope["event_id"]):
        return False
    d = envelope["data"]
    inserted = uow.session.execute(
        pg_insert(store.assignments).values(
            folio=d["folio"], petition_type=d["petition_type"], channel=d["channel"],
            agency=d["agency"], department=d["department"], status=domain.CAPTURED,
            colonia=d["location"].get("colonia"), created_at=datetime.fromisoformat(d["created_at"]),
            due_at=datetime.fromisoformat(d["due_at"]))
        .on_conflict_do_nothing().returning(store.assignments)).mappings().first()
    if inserted is None:
        uow.commit()  # keep the claim: this folio was assigned by an earlier event
        return False
    uow.session.execute(sa.insert(store.history).values(
        folio=d["folio"], kind="assigned", to_status=domain.CAPTURED, agency=d["agency"],
        department=d["department"], author="routing"))
    uow.add_event("report_assigned", {
        "folio": d["folio"], "petition_type": d["petition_type"], "channel": d["channel"],
        "agency": d["agency"], "department": d["department"], "status": domain.CAPTURED,
        "due_at": d["due_at"], "assigned_at": inserted["assigned_at"].isoformat()})
    uow.commit()
    return True


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
