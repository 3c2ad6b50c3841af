"""Use cases of stats: projections from events, and queries over them."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

from . import store

f = store.report_facts


def project_report_created(uow, envelope: dict) -> bool:
    if not uow.claim("stats.report_created", envelope["event_id"]):
        return False
    d = envelope["data"]
    uow.session.execute(pg_insert(f).values(
        folio=d["folio"], petition_type=d["petition_type"], channel=d["channel"],
        colonia=d.get("location", {}).get("colonia"), agency=d.get("agency"), department=d.get("department"),
        status="captured", created_at=datetime.fromisoformat(d["created_at"]),
        due_at=datetime.fromisoformat(d["due_at"]) if d.get("due_at") else None,
    ).on_conflict_do_update(  # routing's assignment may have arrived first: fill what only intake knows
        index_elements=["folio"],
        set_={"colonia": d.get("location", {}).get("colonia"), "created_at": datetime.fromisoformat(d["created_at"])}))
    uow.commit()
    return True


def project_report_assigned(uow, envelope: dict) -> bool:
    """Routing's assignment is authoritative for agency and department; the fact row may
    not exist yet (events from two producers arrive in any order)."""
    if not uow.claim("stats.report_assigned", envelope["event_id"]):
        return False
    d = envelope["data"]
    uow.session.execute(pg_insert(f).values(
        folio=d["folio"], petition_type=d["petition_type"], channel=d["channel"], agency=d["agency"],
        department=d["department"], status=d["status"],
        created_at=datetime.fromisoformat(d["assigned_at"]),
        due_at=datetime.fromisoformat(d["due_at"]) if d.get("due_at") else None,
    ).on_conflict_do_update(index_elements=["folio"], set_={"agency": d["agency"], "department": d["department"],
                                                            "updated_at": sa.func.now()}))
    uow.commit()
    return True


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
