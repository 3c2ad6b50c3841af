"""Use cases of routing, plain functions over a sacinfra UnitOfWork."""
from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

from . import domain, integration, store
from . import evidence as ev
from .exceptions import Conflict, InvalidInput, NotFound
from .queries import search_key

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
    rows = [_new_row(f, e["data"]) for f, e in todo.items()]
    inserted = {r.folio: r.assigned_at for r in uow.session.execute(
        pg_insert(store.assignments).values(rows).on_conflict_do_nothing()
        .returning(store.assignments.c.folio, store.assignments.c.assigned_at))}
    if inserted:
        uow.session.execute(sa.insert(store.history), [
            {"folio": f, "kind": "assigned", "to_status": domain.CAPTURED, "agency": todo[f]["data"]["agency"],
             "department": todo[f]["data"]["department"], "author": "routing"} for f in inserted])
        assigned = [("report_assigned", {
            "folio": f, "petition_type": todo[f]["data"]["petition_type"], "channel": todo[f]["data"]["channel"],
            "agency": todo[f]["data"]["agency"], "department": todo[f]["data"]["department"],
            "status": domain.CAPTURED, "due_at": todo[f]["data"]["due_at"], "assigned_at": at.isoformat()},
            todo[f].get("trace")) for f, at in inserted.items()]
        uow.add_events(assigned)
        integration.add(uow, [(t, d, (), trace) for t, d, trace in assigned])  # departments' feed
    uow.commit()
    return sorted(inserted)


def _new_row(folio: int, data: dict) -> dict:
    """An assignment from ``report_created`` data; ``kind`` and ``created_by`` are optional
    fields of v1 (events published before them still assign)."""
    loc = data.get("location") or {}
    return {"folio": folio, "petition_type": data["petition_type"], "channel": data["channel"],
            "agency": data["agency"], "department": data["department"], "status": domain.CAPTURED,
            "colonia": loc.get("colonia"), "colonia_norm": search_key(loc.get("colonia")) or None,
            "street": loc.get("street"), "street_norm": search_key(loc.get("street")) or None,
            "lat": loc.get("lat"), "lon": loc.get("lon"), "citizen_number": data.get("citizen_number"),
            "kind": data.get("kind"), "created_by": data.get("created_by"),
            "created_at": datetime.fromisoformat(data["created_at"]),
            "due_at": datetime.fromisoformat(data["due_at"])}


def assign_report(uow, envelope: dict) -> bool:
    """One event (see ``assign_reports``); True if the report was assigned now."""
    return bool(assign_reports(uow, [envelope]))


def _load(uow, folio) -> dict:
    row = uow.session.execute(sa.select(store.assignments).where(store.assignments.c.folio == _folio(folio))
                              ).mappings().first()
    if row is None:
        raise NotFound(f"El reporte {folio} aún no está asignado.", "asignacion_no_encontrada")
    return row


def _folio(folio) -> int:
    try:
        return int(folio)
    except (TypeError, ValueError):
        raise InvalidInput("El folio debe ser un número.", "folio_invalido") from None


def _shares(uow, folio: int) -> list[dict]:
    s = store.shares
    return [{"agency": r["agency"], "department": r["department"], "shared_by": r["shared_by"],
             "at": r["at"].isoformat()}
            for r in uow.session.execute(sa.select(s).where(s.c.folio == folio).order_by(s.c.at, s.c.department))
            .mappings()]


def get_assignment(uow, folio: int, actor: dict | None = None,
                   at_risk_share: float = domain.DEFAULT_AT_RISK_SHARE, now: datetime | None = None) -> dict:
    """The current assignment with its history, shares, interventions count and traffic
    light; with ``actor``, only if the actor may read it."""
    row = _load(uow, folio)
    folio = row["folio"]
    shares = _shares(uow, folio)
    if actor is not None:
        domain.authorize(actor, domain.READ, folio, row["agency"], {s["agency"] for s in shares},
                         row["department"], {(s["agency"], s["department"]) for s in shares})
    out = _assignment(row)
    out["closed_at"] = row["closed_at"].isoformat() if row["closed_at"] else None
    out["traffic_light"] = domain.traffic_light(row["status"], row["created_at"], row["due_at"], _now(now),
                                                row["closed_at"], at_risk_share)
    out["reassign_count"] = row["reassign_count"] or 0
    out["shares"] = shares
    out["interventions_count"] = uow.session.execute(
        sa.select(sa.func.count()).select_from(store.interventions)
        .where(store.interventions.c.folio == folio)).scalar_one()
    out["history"] = [
        {"kind": h["kind"], "from_status": h["from_status"], "to_status": h["to_status"], "agency": h["agency"],
         "department": h["department"], "author": h["author"], "text": h["text"], "at": h["at"].isoformat(),
         "intervention_id": h["intervention_id"], "version": h["version"]}
        for h in uow.session.execute(sa.select(store.history).where(store.history.c.folio == folio)
                                     .order_by(store.history.c.id)).mappings()]
    return out


# --------------------------------------------------------------------------- lifecycle

def _now(now: datetime | None) -> datetime:
    return now or datetime.now(timezone.utc)


def _actor(actor) -> dict:
    if not isinstance(actor, dict) or not actor.get("username") or not actor.get("role"):
        raise InvalidInput("Falta quién realiza la acción (usuario y rol).", "actor_requerido")
    return actor


def _bump(uow, row, values: dict) -> int:
    """Optimistic locking: update only if nobody changed the row since it was read."""
    a = store.assignments
    new_version = row["version"] + 1
    done = uow.session.execute(sa.update(a).where(a.c.folio == row["folio"], a.c.version == row["version"])
                               .values(version=new_version, **values)).rowcount
    if done != 1:
        raise Conflict(f"El reporte {row['folio']} cambió mientras lo modificaba; vuelva a consultarlo.",
                       "version_desactualizada")
    return new_version


def _publish(uow, event_type: str, data: dict, shared=()) -> None:
    """The event on ``routing.events`` and, without free text, on the departments'
    integration exchange (``shared``: (agency, department) pairs it is shared with)."""
    uow.add_event(event_type, data)
    integration.add(uow, [(event_type, data, sorted(shared), None)])


def _intervene(uow, actor: dict, row, kind: str, text: str, at: datetime, shared=(), files=()) -> int:
    """An immutable intervention, its evidence ``files`` (checked by ``evidence.prepare``)
    and its intervention_added event; returns its id."""
    iid = uow.session.execute(sa.insert(store.interventions).values(
        folio=row["folio"], author=actor["username"], agency=actor.get("agency"),
        department=actor.get("department"), kind=kind, text=text, at=at)
        .returning(store.interventions.c.id)).scalar_one()
    data = {
        "folio": row["folio"], "intervention_id": iid, "kind": kind, "agency": row["agency"],
        "department": row["department"], "author": actor["username"], "author_agency": actor.get("agency"),
        "author_department": actor.get("department"), "at": at.isoformat()}
    evidence_ids = ev.insert(uow, iid, row["folio"], actor["username"], list(files), at)
    if evidence_ids:  # ids only: never the files nor their names
        data["evidence_ids"] = evidence_ids
    _publish(uow, "intervention_added", data, shared)
    return iid


def _history(uow, row, kind: str, actor: dict, at: datetime, *, to_status=None, from_status=None, agency=None,
             department=None, text=None, intervention_id=None, version=None) -> None:
    uow.session.execute(sa.insert(store.history).values(
        folio=row["folio"], kind=kind, from_status=from_status, to_status=to_status,
        agency=agency or row["agency"], department=department or row["department"], author=actor["username"],
        text=text, at=at, intervention_id=intervention_id, version=version))


def _guarded(fn):
    """Roll back whatever a refused change left in the unit of work."""
    def wrapper(uow, *args, **kwargs):
        try:
            return fn(uow, *args, **kwargs)
        except Exception:
            uow.rollback()
            raise
    wrapper.__name__, wrapper.__doc__ = fn.__name__, fn.__doc__
    return wrapper


def _change_status(uow, actor, folio, version, action: str, *, now=None, reason_of=None, note=None,
                   target=None, reopen_days: int = domain.DEFAULT_REOPEN_DAYS, evidence=None,
                   limits: ev.Limits | None = None) -> dict:
    """The one path of every status change: authorization, optimistic lock, legal
    transition, then row, intervention, history and events in one transaction.
    ``reason_of``: (value, what, code) of a required reason; ``note``: (kind, text or None,
    required, what, code) of the intervention written with the change."""
    actor = _actor(actor)
    at = _now(now)
    row = _load(uow, folio)
    folio = row["folio"]
    shares = {(s["agency"], s["department"]) for s in _shares(uow, folio)}
    domain.authorize(actor, action, folio, row["agency"], {a for a, _ in shares}, row["department"], shares)
    domain.check_version(folio, row["version"], version)
    to = domain.transition(folio, row["status"], action)
    if action == domain.REOPEN:
        domain.check_reopen_window(folio, row["closed_at"], at, reopen_days)
    reason = domain.require_text(*reason_of) if reason_of else None
    text = None
    if note:
        kind, value, required, what, code = note
        text = domain.require_text(value, what, code) if required else domain.optional_text(value)
    files = ev.prepare(evidence, limits) if text else []  # evidence rides on the change's intervention
    agency, department = row["agency"], row["department"]
    values = {"status": to, "updated_at": at}
    if to in domain.CLOSED:
        values["closed_at"] = at
    elif action == domain.REOPEN:
        values["closed_at"] = None
    if action == domain.REASSIGN:
        agency, department = domain.check_new_unit(folio, agency, department, *target)
        values |= {"agency": agency, "department": department, "reassign_count": (row["reassign_count"] or 0) + 1}
    new_version = _bump(uow, row, values)
    if action == domain.REASSIGN and (agency, department) in shares:  # the new owner is no longer a guest
        uow.session.execute(sa.delete(store.shares).where(store.shares.c.folio == folio,
                                                          store.shares.c.department == department))
    intervention_id = _intervene(uow, actor, row, note[0], text, at, shares, files) if text else None
    _history(uow, row, domain.HISTORY_KIND[action], actor, at, from_status=row["status"], to_status=to,
             agency=agency, department=department, text=reason, intervention_id=intervention_id,
             version=new_version)
    _publish(uow, "report_status_changed", {
        "folio": folio, "from": row["status"], "to": to, "action": action, "agency": agency,
        "department": department, "petition_type": row["petition_type"], "reason": reason,
        "due_at": row["due_at"].isoformat(), "version": new_version, "at": at.isoformat()},
        shares - {(agency, department)})
    if action == domain.REASSIGN:
        _publish(uow, "report_reassigned", {
            "folio": folio, "from_agency": row["agency"], "from_department": row["department"],
            "agency": agency, "department": department, "from_status": row["status"], "status": to,
            "reason": reason, "due_at": row["due_at"].isoformat(), "reassign_count": values["reassign_count"],
            "version": new_version, "at": at.isoformat()})
    uow.commit()
    return get_assignment(uow, folio)


@_guarded
def start_report(uow, actor, folio, version, text=None, *, now=None) -> dict:
    """captured → in_progress: the department accepts the report (optional note)."""
    return _change_status(uow, actor, folio, version, domain.START, now=now,
                          note=(domain.START_NOTE, text, False, "el texto", "texto_requerido"))


@_guarded
def finish_report(uow, actor, folio, version, text, evidence=None, *, now=None,
                  limits: ev.Limits | None = None) -> dict:
    """in_progress → done, only with the closing intervention (written in the same
    transaction, with its ``evidence`` files if any: see ``evidence.prepare``)."""
    return _change_status(uow, actor, folio, version, domain.FINISH, now=now, evidence=evidence, limits=limits,
                          note=(domain.CLOSING, text, True, "el texto de cierre (qué se hizo)", "cierre_requerido"))


@_guarded
def mark_not_viable(uow, actor, folio, version, reason, *, now=None) -> dict:
    """captured | in_progress → not_viable, with a reason."""
    return _change_status(uow, actor, folio, version, domain.MARK_NOT_VIABLE, now=now,
                          reason_of=(reason, "el motivo por el que no es viable", "motivo_requerido"))


@_guarded
def reopen_report(uow, actor, folio, version, reason, *, now=None,
                  reopen_days: int = domain.DEFAULT_REOPEN_DAYS) -> dict:
    """done | not_viable → in_progress: supervisors and admins, within ``reopen_days`` of the closure."""
    return _change_status(uow, actor, folio, version, domain.REOPEN, now=now, reopen_days=reopen_days,
                          reason_of=(reason, "el motivo de la reapertura", "motivo_requerido"))


@_guarded
def reassign_report(uow, actor, folio, version, agency, department, reason, *, now=None) -> dict:
    """captured | in_progress → captured at another agency/department; reason required,
    history kept, due date KEPT (the citizen's promise does not move)."""
    return _change_status(uow, actor, folio, version, domain.REASSIGN, now=now, target=(agency, department),
                          reason_of=(reason, "el motivo de la reasignación", "motivo_requerido"))


@_guarded
def share_report(uow, actor, folio, version, agency, department, *, now=None) -> dict:
    """Make an open report visible to, and documentable by, one more department; the owner
    still is the only one who closes it."""
    actor = _actor(actor)
    at = _now(now)
    row = _load(uow, folio)
    folio = row["folio"]
    shares = {(s["agency"], s["department"]) for s in _shares(uow, folio)}
    domain.authorize(actor, domain.SHARE, folio, row["agency"], {a for a, _ in shares}, row["department"], shares)
    domain.check_version(folio, row["version"], version)
    if row["status"] not in domain.OPEN:
        raise Conflict(f"El reporte {folio} está «{domain.LABELS[row['status']]}»; solo se comparten reportes "
                       "abiertos.", "reporte_cerrado")
    agency, department = domain.check_new_unit(folio, row["agency"], row["department"], agency, department,
                                               shares, sharing=True)
    new_version = _bump(uow, row, {"updated_at": at})
    uow.session.execute(sa.insert(store.shares).values(folio=folio, agency=agency, department=department,
                                                       shared_by=actor["username"], at=at))
    _history(uow, row, "shared", actor, at, agency=agency, department=department, version=new_version)
    _publish(uow, "report_shared", {
        "folio": folio, "agency": agency, "department": department, "owner_agency": row["agency"],
        "owner_department": row["department"], "status": row["status"], "version": new_version,
        "at": at.isoformat()})
    uow.commit()
    return get_assignment(uow, folio)


def _intervention(r) -> dict:
    return {"id": r["id"], "folio": r["folio"], "author": r["author"], "agency": r["agency"],
            "department": r["department"], "kind": r["kind"], "text": r["text"], "at": r["at"].isoformat()}


@_guarded
def add_intervention(uow, actor, folio, text, evidence=None, *, now=None, limits: ev.Limits | None = None) -> dict:
    """A note documenting what was done, with up to ``limits.max_files`` ``evidence``
    files (see ``evidence.prepare``), all in one transaction; immutable. The owner and
    shared departments, supervisors and admins may write it; it does not change the version."""
    actor = _actor(actor)
    at = _now(now)
    row = _load(uow, folio)
    shares = _shares(uow, row["folio"])
    domain.authorize(actor, domain.INTERVENE, row["folio"], row["agency"], {s["agency"] for s in shares},
                     row["department"], {(s["agency"], s["department"]) for s in shares})
    text = domain.require_text(text, "el texto de la intervención", "texto_requerido")
    files = ev.prepare(evidence, limits)
    iid = _intervene(uow, actor, row, domain.NOTE, text, at, {(s["agency"], s["department"]) for s in shares},
                     files)
    _history(uow, row, "intervention", actor, at, to_status=row["status"], intervention_id=iid)
    uow.commit()
    i = store.interventions
    return ev.with_metadata(uow, [_intervention(uow.session.execute(sa.select(i).where(i.c.id == iid))
                                                .mappings().one())])[0]


def count_overdue(uow, now: datetime | None = None) -> int:
    """Open reports past their due date (the ``routing_reports_overdue`` gauge)."""
    a = store.assignments
    return uow.session.execute(sa.select(sa.func.count()).select_from(a).where(
        a.c.status.in_(sorted(domain.OPEN)), a.c.due_at < _now(now))).scalar_one()


def list_interventions(uow, folio, actor: dict | None = None) -> list[dict]:
    """Every intervention of a report, oldest first; with ``actor``, only if it may read them."""
    row = _load(uow, folio)
    if actor is not None:
        shares = _shares(uow, row["folio"])
        domain.authorize(actor, domain.READ, row["folio"], row["agency"], {s["agency"] for s in shares},
                         row["department"], {(s["agency"], s["department"]) for s in shares})
    i = store.interventions
    return ev.with_metadata(uow, [_intervention(r) for r in uow.session.execute(
        sa.select(i).where(i.c.folio == row["folio"]).order_by(i.c.id)).mappings()])
