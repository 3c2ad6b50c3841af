"""Use cases of stats: projections from events, and queries over them."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

from . import store

f = store.report_facts


def _fresh_by_folio(uow, consumer: str, envelopes: list[dict]) -> dict:
    fresh = uow.claim_many(consumer, [e["event_id"] for e in envelopes])
    return {e["data"]["folio"]: e["data"] for e in envelopes if e["event_id"] in fresh}


def project_reports_created(uow, envelopes: list[dict]) -> int:
    """``intake.report_created`` → a fact per folio (status captured); idempotent by
    event id and by folio. Routing's assignment may have arrived first: then only what
    intake alone knows (colonia, creation time) is filled in."""
    todo = _fresh_by_folio(uow, "stats.report_created", envelopes)
    if todo:
        stmt = pg_insert(f).values([{
            "folio": folio, "petition_type": d["petition_type"], "channel": d["channel"],
            "colonia": d.get("location", {}).get("colonia"), "agency": d.get("agency"),
            "department": d.get("department"), "status": "captured",
            "created_at": datetime.fromisoformat(d["created_at"]),
            "due_at": datetime.fromisoformat(d["due_at"]) if d.get("due_at") else None} for folio, d in todo.items()])
        uow.session.execute(stmt.on_conflict_do_update(
            index_elements=["folio"], set_={"colonia": stmt.excluded.colonia, "channel": stmt.excluded.channel,
                                            "created_at": stmt.excluded.created_at}))
    uow.commit()
    return len(todo)


def project_reports_assigned(uow, envelopes: list[dict]) -> int:
    """``routing.report_assigned`` → agency and department, authoritative; the fact row
    may not exist yet (events from two producers arrive in any order)."""
    todo = _fresh_by_folio(uow, "stats.report_assigned", envelopes)
    if todo:
        stmt = pg_insert(f).values([{
            "folio": folio, "petition_type": d["petition_type"], "channel": d["channel"], "agency": d["agency"],
            "department": d["department"], "status": d["status"],
            "created_at": datetime.fromisoformat(d["assigned_at"]),
            "due_at": datetime.fromisoformat(d["due_at"]) if d.get("due_at") else None} for folio, d in todo.items()])
        uow.session.execute(stmt.on_conflict_do_update(
            index_elements=["folio"], set_={"agency": stmt.excluded.agency, "department": stmt.excluded.department,
                                            "updated_at": sa.func.now()},
            where=f.c.version <= 1))  # the assignment is version 1: a later reassignment wins
    uow.commit()
    return len(todo)


CLOSED = ("done", "not_viable")


def project_status_changes(uow, envelopes: list[dict]) -> int:
    """``routing.report_status_changed`` → the fact's status, owner and closing time.
    Applied only when the event's assignment version is newer than the one the fact
    reflects, so redeliveries and out-of-order events never move a report back."""
    fresh = uow.claim_many("stats.report_status_changed", [e["event_id"] for e in envelopes])
    latest: dict[int, dict] = {}
    for e in envelopes:
        d = e["data"]
        if e["event_id"] in fresh and d["version"] > latest.get(d["folio"], {}).get("version", -1):
            latest[d["folio"]] = d
    for folio, d in latest.items():
        at = datetime.fromisoformat(d["at"])
        values = {"status": d["to"], "agency": d["agency"], "department": d["department"], "version": d["version"],
                  "closed_at": at if d["to"] in CLOSED else None, "updated_at": sa.func.now()}
        stmt = pg_insert(f).values(
            folio=folio, petition_type=d["petition_type"], channel="", created_at=at,
            due_at=datetime.fromisoformat(d["due_at"]) if d.get("due_at") else None, **values)
        uow.session.execute(stmt.on_conflict_do_update(
            index_elements=["folio"], set_=values, where=f.c.version < stmt.excluded.version))
    uow.commit()
    return len(latest)


def project_report_created(uow, envelope: dict) -> bool:
    return project_reports_created(uow, [envelope]) == 1


def project_report_assigned(uow, envelope: dict) -> bool:
    return project_reports_assigned(uow, [envelope]) == 1


def summary(uow) -> dict:
    """The public transparency summary: total, in progress, done, most demanded."""
    s = uow.session
    row = s.execute(sa.select(
        sa.func.count().label("total"),
        sa.func.count().filter(f.c.status == "captured").label("captured"),
        sa.func.count().filter(f.c.status == "in_progress").label("in_progress"),
        sa.func.count().filter(f.c.status == "done").label("done"),
        sa.func.count().filter(f.c.status == "not_viable").label("not_viable"),
    )).mappings().one()
    top = s.execute(sa.select(f.c.petition_type, sa.func.count().label("n")).group_by(f.c.petition_type)
                    .order_by(sa.desc("n"), f.c.petition_type).limit(1)).first()
    return dict(row) | {"most_demanded": {"petition_type": top[0], "total": top[1]} if top else None}


def count_by(uow, dimension: str) -> list[dict]:
    col = {"petition_type": f.c.petition_type, "channel": f.c.channel, "colonia": f.c.colonia,
           "agency": f.c.agency, "status": f.c.status}[dimension]
    rows = uow.session.execute(sa.select(col.label("key"), sa.func.count().label("total"))
                               .group_by(col).order_by(sa.desc("total"), col)).mappings()
    return [dict(r) for r in rows]


def folio_count(uow, folio: int) -> int:
    return uow.session.execute(sa.select(sa.func.count()).select_from(f).where(f.c.folio == folio)).scalar_one()
