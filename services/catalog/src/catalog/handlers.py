"""Use cases of catalog, plain functions over a sacinfra UnitOfWork."""
from __future__ import annotations

import base64
import functools
import binascii
from datetime import datetime, timezone

import sqlalchemy as sa
from marshmallow import ValidationError
from sqlalchemy.dialects.postgresql import insert as pg_insert

from . import schemas, store, transfer
from .calendar import BusinessCalendar, compute_due_at
from .domain import (changed_fields, parse_actor, require_admin, require_agency, require_petition_editor,
                     snapshot)
from .exceptions import Conflict, InvalidInput, NotFound

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
    return {"petition_type": pt["code"], "kind": pt["kind"], "channel": ch["code"], "agency": pt["agency"],
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


# =========================================================================== maintenance
# Every mutating use case takes the ``actor`` the gateway vouches for, checks it first
# (``Forbidden``), validates its input (``InvalidInput``) and commits one transaction.

MAX_IMPORT_BYTES = 10 * 1024 * 1024
MAX_LISTED_ERRORS = 200


def _now() -> datetime:
    return datetime.now(timezone.utc)


def transaction(handler):
    """Roll the unit of work back when ``handler`` raises, so that its row locks are
    released at once (the nameko provider also does it at worker teardown)."""
    @functools.wraps(handler)
    def run(uow, *args, **kwargs):
        try:
            return handler(uow, *args, **kwargs)
        except sa.exc.IntegrityError:  # a concurrent writer got there first (same new code…)
            uow.rollback()
            raise Conflict("El catálogo cambió mientras se guardaba su cambio; vuelva a intentarlo.",
                           "conflicto_concurrente") from None
        except BaseException:
            uow.rollback()
            raise
    return run


def _references(s, agency: str | None, department: str | None) -> str | None:
    """Why ``agency``/``department`` cannot own a petition type, or None."""
    row = s.execute(sa.select(store.departments.c.agency).where(store.departments.c.code == department)).first()
    if not s.execute(sa.select(store.agencies.c.code).where(store.agencies.c.code == agency)).first():
        return f"No existe la dependencia «{agency}»."
    if row is None:
        return f"No existe el departamento «{department}»."
    if row.agency != agency:
        return f"El departamento «{department}» no pertenece a la dependencia «{agency}»."
    return None


def _record_changes(uow, author: str, changes: list[tuple[str, int, dict | None, dict]]) -> None:
    """History rows and ``petition_type_changed`` events for ``(code, version, before, after)``."""
    if not changes:
        return
    at = _now()
    uow.session.execute(sa.insert(store.petition_type_changes), [
        {"code": code, "version": version, "author": author, "at": at, "before": before, "after": after}
        for code, version, before, after in changes])
    uow.add_events([("petition_type_changed", {
        "code": code, "version": version, "change": "created" if before is None else "updated",
        "changed_fields": changed_fields(before, after), "author": author, "changed_at": at.isoformat(),
        "before": before, "after": after}, None) for code, version, before, after in changes])


def _locked_petition(s, code: str):
    row = s.execute(sa.select(store.petition_types).where(store.petition_types.c.code == code)
                    .with_for_update()).mappings().first()
    if row is None:
        raise NotFound(f"No existe el tipo de petición «{code}».", "tipo_peticion_no_encontrado")
    return row


@transaction
def create_petition_type(uow, actor, data) -> dict:
    """A new petition type, effective at once; version 1, history and event recorded.
    Agency staff create them in their own agency (``agency`` may be omitted)."""
    who = parse_actor(actor)
    require_petition_editor(who)
    values = schemas.load(schemas.petition_type_schema, data)
    if not values["agency"] and not who.is_admin:
        values["agency"] = who.agency
    if not values["agency"]:
        raise InvalidInput("Datos inválidos: «agency»: Es obligatorio.", "datos_invalidos")
    require_agency(who, values["agency"])
    s = uow.session
    problem = _references(s, values["agency"], values["department"])
    if problem:
        raise InvalidInput(problem, "dependencia_o_departamento_invalido")
    inserted = s.execute(pg_insert(store.petition_types).values(**values, version=1, updated_at=_now())
                         .on_conflict_do_nothing().returning(store.petition_types.c.code)).first()
    if inserted is None:
        raise Conflict(f"Ya existe el tipo de petición «{values['code']}».", "tipo_peticion_duplicado")
    _record_changes(uow, who.username, [(values["code"], 1, None, snapshot(values))])
    uow.commit()
    return get_petition_type(uow, values["code"])


@transaction
def update_petition_type(uow, actor, code: str, changes, version) -> dict:
    """Change a petition type the caller read at ``version`` (optimistic locking: a stale
    version raises ``Conflict`` ``version_desactualizada``).  New reports get the change
    at once; the answer is the petition type with its new version (unchanged if
    ``changes`` change nothing)."""
    who = parse_actor(actor)
    require_petition_editor(who)
    if isinstance(version, bool) or not isinstance(version, int):
        raise InvalidInput("Indique la versión del tipo de petición que leyó (número entero).", "version_invalida")
    values = schemas.load(schemas.petition_type_changes_schema, changes)
    s = uow.session
    row = _locked_petition(s, code)  # waits for a concurrent writer, then sees its version
    require_agency(who, row["agency"])
    if row["version"] != version:
        raise Conflict(f"El tipo de petición «{code}» cambió (versión {row['version']}, usted leyó la "
                       f"{version}); vuelva a cargarlo y aplique su cambio de nuevo.", "version_desactualizada")
    before = snapshot(row)
    after = before | values
    if after["agency"] != before["agency"]:
        require_agency(who, after["agency"])
    if after == before:
        uow.rollback()  # nothing to write: release the row lock
        return _petition(row)
    if (after["agency"], after["department"]) != (before["agency"], before["department"]):
        problem = _references(s, after["agency"], after["department"])
        if problem:
            raise InvalidInput(problem, "dependencia_o_departamento_invalido")
    amount, unit = after["sla_amount"], after["sla_unit"]
    if amount > schemas.MAX_SLA[unit]:
        raise InvalidInput(f"El SLA en {unit} no puede pasar de {schemas.MAX_SLA[unit]}.", "datos_invalidos")
    pt = store.petition_types
    s.execute(sa.update(pt).where(pt.c.code == code, pt.c.version == version)
              .values(**values, version=version + 1, updated_at=_now()))
    _record_changes(uow, who.username, [(code, version + 1, before, after)])
    uow.commit()
    return get_petition_type(uow, code)


def petition_type_history(uow, code: str) -> list[dict]:
    """Every change of a petition type, oldest first: version, author, time, before, after."""
    get_petition_type(uow, code)
    c = store.petition_type_changes
    rows = uow.session.execute(sa.select(c).where(c.c.code == code).order_by(c.c.version, c.c.id)).mappings()
    return [{"code": r["code"], "version": r["version"], "author": r["author"], "at": r["at"].isoformat(),
             "changed_fields": changed_fields(r["before"], r["after"]), "before": r["before"], "after": r["after"]}
            for r in rows]


# --------------------------------------------------------------------------- agencies, departments, channels

def list_agencies(uow, active_only: bool = False) -> list[dict]:
    q = sa.select(store.agencies).order_by(store.agencies.c.code)
    if active_only:
        q = q.where(store.agencies.c.active.is_(True))
    return [dict(r) for r in uow.session.execute(q).mappings()]


def list_departments(uow, agency: str | None = None, active_only: bool = False) -> list[dict]:
    d = store.departments
    q = sa.select(d.c.code, d.c.agency, d.c.name, d.c.active).order_by(d.c.code)
    if agency:
        q = q.where(d.c.agency == agency)
    if active_only:
        q = q.where(d.c.active.is_(True))
    return [dict(r) for r in uow.session.execute(q).mappings()]


def _upsert(uow, table, values: dict) -> dict:
    uow.session.execute(pg_insert(table).values(**values).on_conflict_do_update(
        index_elements=["code"], set_={k: v for k, v in values.items() if k != "code"}))
    uow.commit()
    return dict(uow.session.execute(sa.select(table).where(table.c.code == values["code"])).mappings().one())


@transaction
def upsert_agency(uow, actor, data) -> dict:
    """Create or change an agency (admins only)."""
    require_admin(parse_actor(actor), "modificar dependencias")
    return _upsert(uow, store.agencies, schemas.load(schemas.agency_schema, data))


@transaction
def upsert_department(uow, actor, data) -> dict:
    """Create or change a department (admins only).  Moving it to another agency is
    refused while petition types of the old agency use it."""
    require_admin(parse_actor(actor), "modificar departamentos")
    values = schemas.load(schemas.department_schema, data)
    s = uow.session
    if not s.execute(sa.select(store.agencies.c.code).where(store.agencies.c.code == values["agency"])).first():
        raise InvalidInput(f"No existe la dependencia «{values['agency']}».", "dependencia_o_departamento_invalido")
    current = s.execute(sa.select(store.departments).where(store.departments.c.code == values["code"])
                        .with_for_update()).mappings().first()
    if current is not None and current["agency"] != values["agency"]:
        used = s.execute(sa.select(sa.func.count()).select_from(store.petition_types)
                         .where(store.petition_types.c.department == values["code"])).scalar()
        if used:
            raise Conflict(f"El departamento «{values['code']}» tiene {used} tipos de petición de la dependencia "
                           f"«{current['agency']}»; muévalos antes de cambiarlo de dependencia.", "departamento_en_uso")
    return _upsert(uow, store.departments, values)


@transaction
def upsert_channel(uow, actor, data) -> dict:
    """Create or change a channel (origin of attention; admins only)."""
    require_admin(parse_actor(actor), "modificar canales de atención")
    return _upsert(uow, store.channels, schemas.load(schemas.channel_schema, data))


# --------------------------------------------------------------------------- calendar

def get_calendar(uow) -> dict:
    return load_calendar(uow.session).to_dict()


@transaction
def update_calendar(uow, actor, data) -> dict:
    """Change the municipal calendar (admins only); omitted keys keep their value.
    Effective at once for the due dates of new reports."""
    require_admin(parse_actor(actor), "modificar el calendario")
    values = schemas.load(schemas.calendar_schema, data, "calendario_invalido", "Calendario inválido")
    s = uow.session
    s.execute(sa.select(store.calendar.c.id).where(store.calendar.c.id == 1).with_for_update())
    try:
        cal = BusinessCalendar.from_dict(load_calendar(s).to_dict() | values)
    except ValueError as exc:
        raise InvalidInput(f"Calendario inválido: {exc}", "calendario_invalido") from None
    s.execute(pg_insert(store.calendar).values(id=1, data=cal.to_dict(), updated_at=_now())
              .on_conflict_do_update(index_elements=["id"], set_={"data": cal.to_dict(), "updated_at": _now()}))
    uow.commit()
    return cal.to_dict()


# --------------------------------------------------------------------------- import / export

def export_catalog(uow, fmt: str, agency: str | None = None) -> str:
    """The petition types (all, or one agency's) as a CSV or XLSX file, base64-encoded."""
    if fmt not in transfer.FORMATS:
        raise InvalidInput(f"Formato desconocido «{fmt}»: use csv o xlsx.", "formato_invalido")
    return base64.b64encode(transfer.write(fmt, list_petition_types(uow, agency))).decode("ascii")


def _import_rejected(errors: list[tuple[int, str]]) -> InvalidInput:
    errors = sorted(errors)
    listed = [f"línea {line}: {reason}" for line, reason in errors[:MAX_LISTED_ERRORS]]
    if len(errors) > MAX_LISTED_ERRORS:
        listed.append(f"… y {len(errors) - MAX_LISTED_ERRORS} errores más")
    lines = len({line for line, _ in errors})
    head = f"No se importó nada: {lines} línea{'s' if lines != 1 else ''} con errores."
    return InvalidInput("\n".join([head, *listed]), "importacion_invalida",
                        [{"line": line, "message": reason} for line, reason in errors])


@transaction
def import_catalog(uow, actor, fmt: str, content_b64: str) -> dict:
    """Load petition types from a CSV or XLSX file (base64): new codes are created,
    existing ones updated (versioned, audited, published like any edit), identical
    ones left alone.  All or nothing: any bad line rejects the whole file with
    ``InvalidInput`` ``importacion_invalida`` listing «línea N: motivo» (also as
    ``errors``).  Agency staff may only import rows of their own agency."""
    who = parse_actor(actor)
    require_petition_editor(who)
    if fmt not in transfer.FORMATS:
        raise InvalidInput(f"Formato desconocido «{fmt}»: use csv o xlsx.", "formato_invalido")
    if not isinstance(content_b64, str) or len(content_b64) > MAX_IMPORT_BYTES * 4 // 3 + 4:
        raise InvalidInput("El archivo falta o pasa de 10 MB.", "importacion_invalida")
    try:
        content = base64.b64decode(content_b64, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput("El contenido no está en base64.", "importacion_invalida") from None
    try:
        rows, errors = transfer.read(fmt, content)
    except transfer.FileError as exc:
        raise InvalidInput(f"No se importó nada: {exc}", "importacion_invalida") from None
    if errors and not rows:
        raise _import_rejected(errors)

    s = uow.session
    pt = store.petition_types
    dept_agency = dict(s.execute(sa.select(store.departments.c.code, store.departments.c.agency)).all())
    agencies = set(s.execute(sa.select(store.agencies.c.code)).scalars())
    codes = [v.get("code") for _, v, _ in rows if isinstance(v.get("code"), str)]
    existing = {r["code"]: r for r in s.execute(sa.select(pt).where(pt.c.code.in_(codes)).order_by(pt.c.code)
                                                .with_for_update()).mappings()}
    labels = dict(transfer.COLUMNS)
    seen: dict[str, int] = {}
    valid: list[dict] = []
    for line, values, problems in rows:
        problems = list(problems)
        try:
            loaded = schemas.petition_type_schema.load(values)
        except ValidationError as exc:
            problems += schemas.field_errors(exc.messages, labels)
            loaded = None
        if loaded is not None:
            code, agency, department = loaded["code"], loaded["agency"], loaded["department"]
            if not agency:
                problems.append("«dependencia»: Es obligatorio.")
            elif agency not in agencies:
                problems.append(f"«dependencia»: no existe la dependencia «{agency}»")
            elif department not in dept_agency:
                problems.append(f"«departamento»: no existe el departamento «{department}»")
            elif dept_agency[department] != agency:
                problems.append(f"«departamento»: «{department}» no pertenece a la dependencia «{agency}»")
            if code in seen:
                problems.append(f"«código»: «{code}» ya aparece en la línea {seen[code]}")
            else:
                seen[code] = line
            old = existing.get(code)
            if agency and not who.is_admin and agency != who.agency:
                problems.append(f"solo puede importar tipos de petición de su dependencia ({who.agency})")
            elif old is not None and not who.is_admin and old["agency"] != who.agency:
                problems.append(f"«{code}» pertenece a la dependencia «{old['agency']}»")
            if "attributes" not in values and old is not None:
                loaded["attributes"] = old["attributes"]
        if problems:
            errors.append((line, "; ".join(problems)))
        else:
            valid.append(loaded)
    if errors:
        raise _import_rejected(errors)

    created, updated, changes = 0, 0, []
    now = _now()
    for values in valid:
        after = snapshot(values)
        old = existing.get(values["code"])
        if old is None:
            s.execute(sa.insert(pt).values(**values, version=1, updated_at=now))
            changes.append((values["code"], 1, None, after))
            created += 1
        elif snapshot(old) != after:
            s.execute(sa.update(pt).where(pt.c.code == old["code"])
                      .values(**after, version=old["version"] + 1, updated_at=now))
            changes.append((old["code"], old["version"] + 1, snapshot(old), after))
            updated += 1
    _record_changes(uow, who.username, changes)
    uow.commit()
    return {"imported": len(valid), "created": created, "updated": updated,
            "unchanged": len(valid) - created - updated}


# --------------------------------------------------------------------------- Open311

_DATATYPE_DESCRIPTIONS = {
    "string": "Texto breve.",
    "text": "Texto libre.",
    "number": "Número.",
    "datetime": "Fecha y hora (AAAA-MM-DDTHH:MM).",
    "singlevaluelist": "Elija una opción.",
    "multivaluelist": "Elija una o varias opciones.",
}


def list_services(uow) -> list[dict]:
    """Open311 GeoReport v2 ``services``: the active petition types."""
    p, a, d = store.petition_types, store.agencies, store.departments
    q = (sa.select(p.c.code, p.c.name, p.c.description, p.c.kind, p.c.attributes,
                   a.c.name.label("agency_name"), d.c.name.label("department_name"))
         .join(a, a.c.code == p.c.agency).join(d, d.c.code == p.c.department)
         .where(p.c.active.is_(True)).order_by(p.c.code))
    return [{"service_code": r["code"], "service_name": r["name"], "description": r["description"],
             "metadata": bool(r["attributes"]), "type": "realtime",
             "keywords": ", ".join([r["kind"], r["department_name"]]), "group": r["agency_name"]}
            for r in uow.session.execute(q).mappings()]


def service_definition(uow, code: str) -> dict:
    """Open311 GeoReport v2 service definition: the extra questions of a petition type."""
    pt = get_petition_type(uow, code)
    return {"service_code": pt["code"], "attributes": [
        {"variable": True, "code": a["code"], "datatype": a["datatype"], "required": bool(a.get("required")),
         "datatype_description": _DATATYPE_DESCRIPTIONS.get(a["datatype"]), "order": i,
         "description": a["description"],
         "values": [{"key": v["key"], "name": v["name"]} for v in a.get("values") or []]}
        for i, a in enumerate(pt["attributes"], start=1)]}
