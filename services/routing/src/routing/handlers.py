"""Use cases of routing: plain functions over a worker's unit of work.

Each one runs inside ``with repo:`` (``store.repository(uow)``: one transaction,
committed at the end of the block, rolled back when it raises) and reaches storage only
through the repository, so the unit tests run them on an in-memory one. Who may do what
is ``policy``'s; the lifecycle's rules are ``domain``'s.
"""
from __future__ import annotations

import base64
import logging
from datetime import datetime, timezone
from typing import Callable

from . import domain, geo, integration, policy, store
from . import evidence as ev
from .exceptions import Conflict, InvalidInput, NotFound, ServiceError, UnknownDepartment
from .queries import search_key

log = logging.getLogger(__name__)

CONSUMER_REPORT_CREATED = "routing.report_created"
CONSUMER_DEPARTMENT_CHANGED = "routing.department_changed"
MAX_BATCH_FOLIOS = 500

#: ``() -> [{"code", "agency", "name", "active"}]``: catalog's departments (its list RPC)
FetchDepartments = Callable[[], list]


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(timezone.utc)


def _folio(folio) -> int:
    if isinstance(folio, bool):
        folio = None
    try:
        return int(folio)
    except (TypeError, ValueError):
        raise InvalidInput("El folio debe ser un número.", "folio_invalido") from None


# --------------------------------------------------------------------------- assignment (intake's events)

def assign_reports(uow, envelopes: list[dict]) -> list[int]:
    """On ``intake.report_created`` (a batch): the petition type's agency and department
    as quoted at filing, status captured; one transaction for the batch. Idempotent: a
    redelivered event (same event_id) or a second event for a folio already assigned
    changes nothing and publishes nothing. Returns the folios assigned now."""
    repo = store.repository(uow)
    with repo:
        fresh = repo.claim_many(CONSUMER_REPORT_CREATED, [e["event_id"] for e in envelopes])
        todo = {}
        for e in envelopes:
            if e["event_id"] in fresh:
                todo.setdefault(e["data"]["folio"], e)
        if not todo:
            return []
        rules = geo.zone_routes(repo, [e["data"] for e in todo.values()])  # routing by zone
        for f, rule in rules.items():
            todo[f] = todo[f] | {"data": todo[f]["data"] | {"agency": rule["agency"], "department": rule["department"]}}
        inserted = repo.insert_assignments([_new_row(f, e["data"]) for f, e in todo.items()])
        if inserted:
            repo.insert_history([
                {"folio": f, "kind": "assigned", "to_status": domain.CAPTURED, "agency": todo[f]["data"]["agency"],
                 "department": todo[f]["data"]["department"], "author": "routing",
                 "text": geo.rule_note(rules.get(f))} for f in inserted])
            assigned = [("report_assigned", {
                "folio": f, "petition_type": todo[f]["data"]["petition_type"], "channel": todo[f]["data"]["channel"],
                "agency": todo[f]["data"]["agency"], "department": todo[f]["data"]["department"],
                "status": domain.CAPTURED, "due_at": todo[f]["data"]["due_at"], "assigned_at": at.isoformat()},
                todo[f].get("trace")) for f, at in inserted.items()]
            repo.add_events(assigned)
            integration.add(repo, [(t, d, (), trace) for t, d, trace in assigned])  # departments' feed
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
            "zone": loc.get("zone"), "colonia_key": loc.get("colonia_key"),
            "created_at": datetime.fromisoformat(data["created_at"]),
            "due_at": datetime.fromisoformat(data["due_at"])}


def assign_report(uow, envelope: dict) -> bool:
    """One event (see ``assign_reports``); True if the report was assigned now."""
    return bool(assign_reports(uow, [envelope]))


# --------------------------------------------------------------------------- departments (catalog's)

def _department_row(d: dict, changed_at: datetime) -> dict:
    return {"code": d["code"], "agency": d["agency"], "name": d.get("name"), "active": bool(d.get("active")),
            "changed_at": changed_at}


def apply_department_changed(uow, envelope: dict) -> bool:
    """On ``catalog.department_changed``: routing's copy of one department, last write
    wins by ``changed_at``; a redelivered event changes nothing. True if it changed the copy."""
    repo = store.repository(uow)
    with repo:
        if not repo.claim(CONSUMER_DEPARTMENT_CHANGED, envelope["event_id"]):
            return False
        data = envelope["data"]
        return repo.upsert_departments([_department_row(data, datetime.fromisoformat(data["changed_at"]))]) > 0


def refresh_departments(uow, fetch: FetchDepartments, now: datetime | None = None) -> int:
    """Fills routing's copy from catalog's list (the events published before routing's
    queue existed never reach it). The list is catalog's state when asked, so it counts
    as changed at that moment: an event changed later still wins. Returns the number of
    departments catalog listed."""
    at = _now(now)
    listed = fetch()
    rows = {d["code"]: _department_row(d, at) for d in listed}
    with store.repository(uow) as repo:
        repo.upsert_departments(list(rows.values()))
    return len(rows)


def with_departments(uow, fetch: FetchDepartments | None, use_case: Callable[[], dict]) -> dict:
    """Runs ``use_case``; when its target department is unknown to routing's copy, fills
    the copy from catalog once and runs it again (the second refusal is the answer)."""
    try:
        return use_case()
    except UnknownDepartment:
        if fetch is None:
            raise
    try:
        refresh_departments(uow, fetch)
    except Exception as exc:  # catalog unreachable: the target cannot be checked now
        log.warning("departments from catalog: %s", exc)
        raise ServiceError("No se pudo consultar el catálogo de departamentos; intente de nuevo.",
                           "catalogo_no_disponible") from None
    return use_case()


# --------------------------------------------------------------------------- one report, as the actor may see it

def _state(row: dict, shares: list[dict]) -> policy.ReportState:
    return policy.ReportState(folio=row["folio"], agency=row["agency"], department=row["department"],
                              shares=frozenset((s["agency"], s["department"]) for s in shares),
                              channel=row.get("channel"), created_by=row.get("created_by"))


def _load(repo, actor, folio, action: str) -> tuple[dict, list[dict]]:
    """The report and its shares, if ``actor`` may do ``action`` on it (``policy.check``:
    NotFound ``reporte_no_encontrado`` when it may not see it, as for a folio that does
    not exist; Forbidden when it sees it but may not do ``action``)."""
    folio = _folio(folio)
    row = repo.assignment(folio)
    if row is None:
        raise policy.not_found(folio)
    shares = repo.shares([folio])
    policy.check(actor, action, _state(row, shares))
    return row, shares


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _view(repo, folio: int, full: bool, at_risk_share: float, now: datetime | None) -> dict:
    """Routing's view of a report: the full one (history with authors and texts, who
    shared, interventions count) or the public one (status, owner, dates, the status
    history without people or free text)."""
    row = repo.assignment(folio)
    shares = repo.shares([folio])
    out = {"folio": row["folio"], "petition_type": row["petition_type"], "channel": row["channel"],
           "agency": row["agency"], "department": row["department"], "status": row["status"],
           "colonia": row["colonia"], "created_at": _iso(row["created_at"]), "due_at": _iso(row["due_at"]),
           "assigned_at": _iso(row["assigned_at"]), "closed_at": _iso(row["closed_at"]), "version": row["version"],
           "traffic_light": domain.traffic_light(row["status"], row["created_at"], row["due_at"], _now(now),
                                                 row["closed_at"], at_risk_share),
           "reassign_count": row["reassign_count"] or 0, "view": "full" if full else "public",
           "duplicate_of": row.get("duplicate_of"), "duplicates": repo.duplicates(folio)}
    history = repo.history(folio)
    if not full:
        return out | {
            "shares": [{"agency": s["agency"], "department": s["department"]} for s in shares],
            "history": [{k: (_iso(h[k]) if k == "at" else h[k]) for k in
                         ("kind", "from_status", "to_status", "agency", "department", "at", "version")}
                        for h in history]}
    return out | {
        "shares": [{"agency": s["agency"], "department": s["department"], "shared_by": s["shared_by"],
                    "at": _iso(s["at"])} for s in shares],
        "interventions_count": repo.interventions_count(folio),
        "history": [{"kind": h["kind"], "from_status": h["from_status"], "to_status": h["to_status"],
                     "agency": h["agency"], "department": h["department"], "author": h["author"], "text": h["text"],
                     "at": _iso(h["at"]), "intervention_id": h["intervention_id"], "version": h["version"]}
                    for h in history]}


def get_assignment(uow, folio, actor, at_risk_share: float = domain.DEFAULT_AT_RISK_SHARE,
                   now: datetime | None = None) -> dict:
    """Routing's whole view of one report for ``actor``: assignment, status, traffic
    light, shares and history — full for those who may read it, public (``view``
    ``public``) for the public and the citizen of that folio."""
    actor = policy.load_actor(actor)
    with store.repository(uow) as repo:
        row, shares = _load(repo, actor, folio, policy.READ_PUBLIC)
        return _view(repo, row["folio"], policy.full_view(actor, _state(row, shares)), at_risk_share, now)


def get_assignments_batch(uow, folios, actor, at_risk_share: float = domain.DEFAULT_AT_RISK_SHARE,
                          now: datetime | None = None) -> dict[str, dict]:
    """``{"<folio>": get_assignment's view}`` for the folios among ``folios`` (at most
    ``MAX_BATCH_FOLIOS``) that ``actor`` may read; the others are left out, whether routing
    has not seen them yet or they are not the actor's (citizens' ARCO access document)."""
    actor = policy.load_actor(actor)
    if not isinstance(folios, (list, tuple)) or len(folios) > MAX_BATCH_FOLIOS:
        raise InvalidInput(f"Indique una lista de hasta {MAX_BATCH_FOLIOS} folios.", "folios_invalidos")
    out: dict[str, dict] = {}
    with store.repository(uow) as repo:
        for folio in dict.fromkeys(_folio(f) for f in folios):
            try:
                row, shares = _load(repo, actor, folio, policy.READ_PUBLIC)
            except NotFound:
                continue
            out[str(folio)] = _view(repo, folio, policy.full_view(actor, _state(row, shares)), at_risk_share, now)
    return out


# --------------------------------------------------------------------------- lifecycle

def _bump(repo, row, values: dict) -> int:
    """Optimistic locking: update only if nobody changed the row since it was read."""
    new_version = row["version"] + 1
    if not repo.update_assignment(row["folio"], row["version"], {"version": new_version, **values}):
        raise Conflict(f"El reporte {row['folio']} cambió mientras lo modificaba; vuelva a consultarlo.",
                       "version_desactualizada")
    return new_version


def _publish(repo, event_type: str, data: dict, shared=()) -> None:
    """The event on ``routing.events`` and, without free text, on the departments'
    integration exchange (``shared``: (agency, department) pairs it is shared with)."""
    repo.add_event(event_type, data)
    integration.add(repo, [(event_type, data, sorted(shared), None)])


def _intervene(repo, actor, row, kind: str, text: str, at: datetime, shared=(), files=()) -> int:
    """An immutable intervention, its evidence ``files`` (checked by ``evidence.prepare``)
    and its intervention_added event; returns its id."""
    iid = repo.insert_intervention(folio=row["folio"], author=actor.username, agency=actor.agency,
                                   department=actor.department, kind=kind, text=text, at=at)
    data = {
        "folio": row["folio"], "intervention_id": iid, "kind": kind, "agency": row["agency"],
        "department": row["department"], "author": actor.username, "author_agency": actor.agency,
        "author_department": actor.department, "at": at.isoformat()}
    evidence_ids = repo.insert_evidence(ev.rows(iid, row["folio"], actor.username, list(files), at))
    if evidence_ids:  # ids only: never the files nor their names
        data["evidence_ids"] = evidence_ids
    _publish(repo, "intervention_added", data, shared)
    return iid


def _history(repo, row, kind: str, actor, at: datetime, *, to_status=None, from_status=None, agency=None,
             department=None, text=None, intervention_id=None, version=None) -> None:
    repo.insert_history([{
        "folio": row["folio"], "kind": kind, "from_status": from_status, "to_status": to_status,
        "agency": agency or row["agency"], "department": department or row["department"],
        "author": actor.username, "text": text, "at": at, "intervention_id": intervention_id, "version": version}])


def _target(repo, folio: int, row: dict, target, shares=frozenset(), sharing: bool = False) -> tuple[str, str]:
    """A reassignment's or share's target: given, not the current owner (nor a department
    it is already shared with), and an active department of that agency in routing's copy."""
    unit = domain.check_new_unit(folio, row["agency"], row["department"], *target, shares, sharing=sharing)
    domain.check_department(unit, repo.department(unit[1]))
    return unit


def _change_status(uow, actor, folio, version, action: str, *, now=None, reason_of=None, note=None,
                   target=None, reopen_days: int = domain.DEFAULT_REOPEN_DAYS, evidence=None,
                   limits: ev.Limits | None = None, at_risk_share: float = domain.DEFAULT_AT_RISK_SHARE) -> dict:
    """The one path of every status change: authorization, optimistic lock, legal
    transition, then row, intervention, history and events in one transaction.
    ``reason_of``: (value, what, code) of a required reason; ``note``: (kind, text or None,
    required, what, code) of the intervention written with the change."""
    actor = policy.load_actor(actor)
    at = _now(now)
    with store.repository(uow) as repo:
        row, share_rows = _load(repo, actor, folio, action)
        folio = row["folio"]
        full = policy.full_view(actor, _state(row, share_rows))
        shares = {(s["agency"], s["department"]) for s in share_rows}
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
            agency, department = _target(repo, folio, row, target)
            values |= {"agency": agency, "department": department,
                       "reassign_count": (row["reassign_count"] or 0) + 1}
        new_version = _bump(repo, row, values)
        if action == domain.REASSIGN and (agency, department) in shares:  # the new owner is no longer a guest
            repo.delete_share(folio, department)
        intervention_id = _intervene(repo, actor, row, note[0], text, at, shares, files) if text else None
        _history(repo, row, domain.HISTORY_KIND[action], actor, at, from_status=row["status"], to_status=to,
                 agency=agency, department=department, text=reason, intervention_id=intervention_id,
                 version=new_version)
        changed = {
            "folio": folio, "from": row["status"], "to": to, "action": action, "agency": agency,
            "department": department, "petition_type": row["petition_type"], "reason": reason,
            "due_at": row["due_at"].isoformat(), "version": new_version, "at": at.isoformat()}
        dups = repo.duplicates(folio)  # their citizens hear of the original's changes (channels)
        if dups:
            changed["duplicate_folios"] = dups
        _publish(repo, "report_status_changed", changed, shares - {(agency, department)})
        if action == domain.REASSIGN:
            _publish(repo, "report_reassigned", {
                "folio": folio, "from_agency": row["agency"], "from_department": row["department"],
                "agency": agency, "department": department, "from_status": row["status"], "status": to,
                "reason": reason, "due_at": row["due_at"].isoformat(), "reassign_count": values["reassign_count"],
                "version": new_version, "at": at.isoformat()})
        return _view(repo, folio, full, at_risk_share, now)


def start_report(uow, actor, folio, version, text=None, *, now=None,
                 at_risk_share=domain.DEFAULT_AT_RISK_SHARE) -> dict:
    """captured → in_progress: the department accepts the report (optional note)."""
    return _change_status(uow, actor, folio, version, domain.START, now=now, at_risk_share=at_risk_share,
                          note=(domain.START_NOTE, text, False, "el texto", "texto_requerido"))


def finish_report(uow, actor, folio, version, text, evidence=None, *, now=None,
                  limits: ev.Limits | None = None, at_risk_share=domain.DEFAULT_AT_RISK_SHARE) -> dict:
    """in_progress → done, only with the closing intervention (written in the same
    transaction, with its ``evidence`` files if any: see ``evidence.prepare``)."""
    return _change_status(uow, actor, folio, version, domain.FINISH, now=now, evidence=evidence, limits=limits,
                          at_risk_share=at_risk_share,
                          note=(domain.CLOSING, text, True, "el texto de cierre (qué se hizo)", "cierre_requerido"))


def mark_not_viable(uow, actor, folio, version, reason, *, now=None,
                    at_risk_share=domain.DEFAULT_AT_RISK_SHARE) -> dict:
    """captured | in_progress → not_viable, with a reason."""
    return _change_status(uow, actor, folio, version, domain.MARK_NOT_VIABLE, now=now, at_risk_share=at_risk_share,
                          reason_of=(reason, "el motivo por el que no es viable", "motivo_requerido"))


def reopen_report(uow, actor, folio, version, reason, *, now=None,
                  reopen_days: int = domain.DEFAULT_REOPEN_DAYS, at_risk_share=domain.DEFAULT_AT_RISK_SHARE) -> dict:
    """done | not_viable → in_progress, within ``reopen_days`` of the closure (who: ``policy``)."""
    return _change_status(uow, actor, folio, version, domain.REOPEN, now=now, reopen_days=reopen_days,
                          at_risk_share=at_risk_share,
                          reason_of=(reason, "el motivo de la reapertura", "motivo_requerido"))


def reassign_report(uow, actor, folio, version, agency, department, reason, *, now=None,
                    departments: FetchDepartments | None = None, at_risk_share=domain.DEFAULT_AT_RISK_SHARE) -> dict:
    """captured | in_progress → captured at another agency/department (an active one of
    routing's copy of catalog, filled from ``departments`` when it does not know the
    target); reason required, history kept, due date KEPT (the citizen's promise does not move)."""
    return with_departments(uow, departments, lambda: _change_status(
        uow, actor, folio, version, domain.REASSIGN, now=now, target=(agency, department), at_risk_share=at_risk_share,
        reason_of=(reason, "el motivo de la reasignación", "motivo_requerido")))


def share_report(uow, actor, folio, version, agency, department, *, now=None,
                 departments: FetchDepartments | None = None, at_risk_share=domain.DEFAULT_AT_RISK_SHARE) -> dict:
    """Make an open report visible to, and documentable by, one more department (an
    active one, as for reassigning); the owner still is the only one who closes it."""
    return with_departments(uow, departments, lambda: _share(uow, actor, folio, version, agency, department, now,
                                                              at_risk_share))


def _share(uow, actor, folio, version, agency, department, now, at_risk_share) -> dict:
    actor = policy.load_actor(actor)
    at = _now(now)
    with store.repository(uow) as repo:
        row, share_rows = _load(repo, actor, folio, domain.SHARE)
        folio = row["folio"]
        full = policy.full_view(actor, _state(row, share_rows))
        domain.check_version(folio, row["version"], version)
        if row["status"] not in domain.OPEN:
            raise Conflict(f"El reporte {folio} está «{domain.LABELS[row['status']]}»; solo se comparten reportes "
                           "abiertos.", "reporte_cerrado")
        agency, department = _target(repo, folio, row, (agency, department),
                                     {(s["agency"], s["department"]) for s in share_rows}, sharing=True)
        new_version = _bump(repo, row, {"updated_at": at})
        repo.insert_share(folio=folio, agency=agency, department=department, shared_by=actor.username, at=at)
        _history(repo, row, "shared", actor, at, agency=agency, department=department, version=new_version)
        _publish(repo, "report_shared", {
            "folio": folio, "agency": agency, "department": department, "owner_agency": row["agency"],
            "owner_department": row["department"], "status": row["status"], "version": new_version,
            "at": at.isoformat()})
        return _view(repo, folio, full, at_risk_share, now)


# --------------------------------------------------------------------------- interventions and evidence

def _intervention(r: dict) -> dict:
    return {"id": r["id"], "folio": r["folio"], "author": r["author"], "agency": r["agency"],
            "department": r["department"], "kind": r["kind"], "text": r["text"], "at": _iso(r["at"])}


def _with_evidence(repo, items: list[dict]) -> list[dict]:
    """Each intervention with ``evidence``: its files' metadata (no content), in one read."""
    found: dict[int, list[dict]] = {i["id"]: [] for i in items}
    for e in repo.evidence_metadata(list(found)):
        found[e["intervention_id"]].append(ev.metadata(e))
    for i in items:
        i["evidence"] = found[i["id"]]
    return items


def add_intervention(uow, actor, folio, text, evidence=None, *, now=None, limits: ev.Limits | None = None) -> dict:
    """A note documenting what was done, with up to ``limits.max_files`` ``evidence``
    files (see ``evidence.prepare``), all in one transaction; immutable. The owner and
    shared departments, supervisors and admins may write it; it does not change the version."""
    actor = policy.load_actor(actor)
    at = _now(now)
    with store.repository(uow) as repo:
        row, shares = _load(repo, actor, folio, domain.INTERVENE)
        text = domain.require_text(text, "el texto de la intervención", "texto_requerido")
        files = ev.prepare(evidence, limits)
        iid = _intervene(repo, actor, row, domain.NOTE, text, at,
                         {(s["agency"], s["department"]) for s in shares}, files)
        _history(repo, row, "intervention", actor, at, to_status=row["status"], intervention_id=iid)
        return _with_evidence(repo, [_intervention(repo.intervention(iid))])[0]


def list_interventions(uow, folio, actor) -> list[dict]:
    """Every intervention of a report, oldest first, if ``actor`` may read the report."""
    actor = policy.load_actor(actor)
    with store.repository(uow) as repo:
        row, _ = _load(repo, actor, folio, policy.READ_WORK)
        return _with_evidence(repo, [_intervention(r) for r in repo.interventions([row["folio"]])])


def list_interventions_batch(uow, folios, actor) -> dict[str, list[dict]]:
    """``{"<folio>": [interventions, oldest first]}`` for the folios among ``folios``
    (at most ``MAX_BATCH_FOLIOS``) that ``actor`` may read; the others are left out,
    whether they do not exist or are not the actor's (a work-order PDF of many reports)."""
    actor = policy.load_actor(actor)
    if not isinstance(folios, (list, tuple)) or len(folios) > MAX_BATCH_FOLIOS:
        raise InvalidInput(f"Indique una lista de hasta {MAX_BATCH_FOLIOS} folios.", "folios_invalidos")
    wanted = list(dict.fromkeys(_folio(f) for f in folios))
    with store.repository(uow) as repo:
        rows = repo.assignments(wanted)
        shares: dict[int, list[dict]] = {}
        for s in repo.shares([r["folio"] for r in rows]):
            shares.setdefault(s["folio"], []).append(s)
        readable = [r["folio"] for r in rows if policy.may(actor, domain.READ, _state(r, shares.get(r["folio"], [])))]
        out: dict[str, list[dict]] = {str(f): [] for f in readable}
        for item in _with_evidence(repo, [_intervention(r) for r in repo.interventions(readable)]):
            out[str(item["folio"])].append(item)
        return out


def get_evidence(uow, actor, folio, evidence_id) -> dict:
    """One file of a report with its content (base64), for those who may read the report;
    ``NotFound`` ``evidencia_no_encontrada`` when the id is not of that report."""
    actor = policy.load_actor(actor)
    with store.repository(uow) as repo:
        row, _ = _load(repo, actor, folio, policy.READ_WORK)
        if isinstance(evidence_id, bool) or not isinstance(evidence_id, int):
            try:
                evidence_id = int(evidence_id)
            except (TypeError, ValueError):
                raise InvalidInput("El identificador de la evidencia debe ser un número.",
                                   "evidencia_invalida") from None
        found = repo.evidence_file(row["folio"], evidence_id)
        if found is None:
            raise NotFound(f"El reporte {row['folio']} no tiene la evidencia {evidence_id}.",
                           "evidencia_no_encontrada")
        return ev.metadata(found) | {"folio": found["folio"], "uploaded_by": found["uploaded_by"],
                                     "at": _iso(found["at"]),
                                     "content": base64.b64encode(found["content"]).decode("ascii")}


# --------------------------------------------------------------------------- gauges and public notes

def count_overdue(uow, now: datetime | None = None) -> int:
    """Open reports past their due date (the ``routing_reports_overdue`` gauge)."""
    with store.repository(uow) as repo:
        return repo.count_overdue(_now(now), domain.OPEN)
