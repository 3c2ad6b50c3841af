"""Use cases of catalog, plain functions over a sacinfra UnitOfWork."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

from . import store
from .calendar import BusinessCalendar, compute_due_at
from .exceptions import InvalidInput, NotFound

PETITION_FIELDS = ("code", "name", "kind", "description", "sla_amount", "sla_unit", "agency",
                   "department", "active", "attributes", "version")


def _petition(row) -> dict:
    return {k: row[k] for k in PETITION_FIELDS}


def load_calendar(session) -> BusinessCalendar:
    row = session.execute(sa.select(store.calendar.c.data).where(store.calendar.c.id == 1)).scalar()
    return BusinessCalendar.from_dict(row) if row else BusinessCalendar()


def get_petition_type(uow, code: str) -> dict:
    row = uow.session.execute(sa.select(store.petition_types).where(store.petition_types.c.code == code)).mappings().first()
    if row is None:
        raise NotFound(f"No existe el tipo de petición «{code}».", "tipo_peticion_no_encontrado")
    return _petition(row)


def list_petition_types(uow, agency: str | None = None, active_only: bool = False) -> list[dict]:
    q = sa.select(store.petition_types).order_by(store.petition_types.c.code)
    if agency:
        q = q.where(store.petition_types.c.agency == agency)
    if active_only:
        q = q.where(store.petition_types.c.active.is_(True))
    return [_petition(r) for r in uow.session.execute(q).mappings()]


def list_channels(uow) -> list[dict]:
    rows = uow.session.execute(sa.select(store.channels).order_by(store.channels.c.code)).mappings()
    return [dict(r) for r in rows]


def _quote(pt, ch, petition_type: str, channel: str, created_at: str, calendar: BusinessCalendar) -> dict:
    try:
        created = datetime.fromisoformat(created_at)
        if created.tzinfo is None:
            raise ValueError
    except (TypeError, ValueError):
        raise InvalidInput("Fecha de creación inválida (ISO 8601 con zona horaria).", "fecha_invalida") from None
    if pt is None:
        raise NotFound(f"No existe el tipo de petición «{petition_type}».", "tipo_peticion_no_encontrado")
    if not pt["active"]:
        raise InvalidInput(f"El tipo de petición «{petition_type}» no está activo.", "tipo_peticion_inactivo")
    if ch is None or not ch["active"]:
        raise NotFound(f"No existe el canal de atención «{channel}».", "canal_no_encontrado")
    due = compute_due_at(created, pt["sla_amount"], pt["sla_unit"], calendar)
    return {"petition_type": pt["code"], "channel": ch["code"], "agency": pt["agency"],
            "department": pt["department"], "sla_amount": pt["sla_amount"], "sla_unit": pt["sla_unit"],
            "version": pt["version"], "due_at": due.isoformat()}


def quote_reports(uow, requests: list[dict]) -> list[dict]:
    """Everything intake needs to accept reports: each petition type's owner and SLA,
    the channel checked, and the due date on the municipal calendar. One answer per
    request, in order: ``{"quote": {...}}`` or ``{"error": {"type", "code", "message"}}``
    (one bad report does not fail the others)."""
    s = uow.session
    codes = {r.get("petition_type") for r in requests}
    chans = {r.get("channel") for r in requests}
    pts = {r["code"]: r for r in s.execute(sa.select(store.petition_types)
                                           .where(store.petition_types.c.code.in_(codes))).mappings()}
    chs = {r["code"]: r for r in s.execute(sa.select(store.channels)
                                           .where(store.channels.c.code.in_(chans))).mappings()}
    calendar = load_calendar(s)
    out = []
    for r in requests:
        try:
            out.append({"quote": _quote(pts.get(r.get("petition_type")), chs.get(r.get("channel")),
                                        r.get("petition_type"), r.get("channel"), r.get("created_at"), calendar)})
        except (NotFound, InvalidInput) as exc:
            out.append({"error": {"type": type(exc).__name__, "code": exc.code, "message": exc.message}})
    return out


def quote_report(uow, petition_type: str, channel: str, created_at: str) -> dict:
    """One report's quote (see ``quote_reports``); raises NotFound / InvalidInput."""
    answer = quote_reports(uow, [{"petition_type": petition_type, "channel": channel, "created_at": created_at}])[0]
    if "error" in answer:
        err = answer["error"]
        raise (NotFound if err["type"] == "NotFound" else InvalidInput)(err["message"], err["code"])
    return answer["quote"]


def seed(uow, agencies, departments, petition_types, channels, calendar: BusinessCalendar | None = None) -> dict:
    """Upsert a catalog (the demo one, or a municipality's); idempotent."""
    s = uow.session
    for table, rows in ((store.agencies, agencies), (store.departments, departments), (store.channels, channels)):
        for r in rows:
            s.execute(pg_insert(table).values(**r).on_conflict_do_update(
                index_elements=["code"], set_={k: v for k, v in r.items() if k != "code"}))
    for r in petition_types:
        values = {k: r[k] for k in PETITION_FIELDS if k in r and k != "version"}
        values.setdefault("attributes", [])
        s.execute(pg_insert(store.petition_types).values(**values).on_conflict_do_nothing())
    if calendar is not None:
        s.execute(pg_insert(store.calendar).values(id=1, data=calendar.to_dict())
                  .on_conflict_do_update(index_elements=["id"], set_={"data": calendar.to_dict()}))
    uow.commit()
    return {"agencies": len(agencies), "departments": len(departments),
            "petition_types": len(petition_types), "channels": len(channels)}
