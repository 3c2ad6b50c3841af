"""Use cases of catalog: plain functions over the service's ``store.Store`` (its
repository over one unit of work). Each runs inside ``with uow:``, which commits when it
finishes and rolls back when it raises; none writes SQL (that is ``store.py``) and none
decides a permission itself (that is ``domain.authorize``)."""
from __future__ import annotations

import base64
import binascii
from datetime import datetime, timezone

from marshmallow import ValidationError

from sacinfra import spreadsheet
from sacinfra.settings import municipal_tz
from sacinfra.tables import MEDIA_TYPES

from . import geo, schemas, transfer
from .calendar import BusinessCalendar, compute_due_at
from .domain import allowed, authorize, changed_fields, read_scope, snapshot
from .exceptions import Conflict, InvalidInput, NotFound

PETITION_FIELDS = ("code", "name", "kind", "description", "sla_amount", "sla_unit", "agency",
                   "department", "active", "attributes", "version")
#: the filters ``list_petition_types`` takes, and its page size bounds
PETITION_FILTERS = ("agency", "department", "kind", "active", "sla_unit", "q")
MAX_PER_PAGE = 1000
MAX_PAGE = 100_000

MAX_IMPORT_BYTES = 10 * 1024 * 1024
MAX_LISTED_ERRORS = 200


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _petition(row) -> dict:
    return {k: row[k] for k in PETITION_FIELDS}


def _not_found(code: str) -> NotFound:
    return NotFound(f"No existe el tipo de petición «{code}».", "tipo_peticion_no_encontrado")


def _calendar(uow, lock: bool = False) -> BusinessCalendar:
    data = uow.calendar(lock)
    return BusinessCalendar.from_dict(data) if data else BusinessCalendar()


# =========================================================================== reads

def get_petition_type(uow, code: str) -> dict:
    with uow:
        row = uow.petition_type(code)
    if row is None:
        raise _not_found(code)
    return _petition(row)


def _filters(filters) -> dict:
    """``filters`` checked: known keys only, each of the right type; None values dropped."""
    if filters is None:
        return {}
    if not isinstance(filters, dict):
        raise InvalidInput("Los filtros deben ser un objeto.", "filtro_invalido")
    out = {}
    for key, value in filters.items():
        if key not in PETITION_FILTERS:
            raise InvalidInput(f"Filtro desconocido «{key}» (use: {', '.join(PETITION_FILTERS)}).", "filtro_invalido")
        if value is None:
            continue
        if key == "active" and not isinstance(value, bool):
            raise InvalidInput("El filtro «active» debe ser verdadero o falso.", "filtro_invalido")
        if key != "active" and (not isinstance(value, str) or not value.strip() or len(value) > 200
                                or "\x00" in value):
            raise InvalidInput(f"El filtro «{key}» debe ser un texto de 1 a 200 caracteres.", "filtro_invalido")
        out[key] = value.strip() if isinstance(value, str) else value
    return out


def _page(page, per_page) -> tuple[int, int]:
    if isinstance(page, bool) or not isinstance(page, int) or not 1 <= page <= MAX_PAGE:
        raise InvalidInput(f"La página debe ser un entero de 1 a {MAX_PAGE}.", "pagina_invalida")
    if isinstance(per_page, bool) or not isinstance(per_page, int) or not 1 <= per_page <= MAX_PER_PAGE:
        raise InvalidInput(f"«per_page» debe ser un entero de 1 a {MAX_PER_PAGE}.", "pagina_invalida")
    return page, per_page


def list_petition_types(uow, filters, page, per_page, actor) -> dict:
    """One page of petition types, by code: ``{"items", "total", "page", "per_page"}``.
    ``filters``: ``agency``, ``department``, ``kind`` (any case), ``active`` (true: active
    only; false: inactive only), ``sla_unit``, ``q`` (text in the code or the name, any
    case). Agency staff see their own agency unless ``agency`` names another."""
    who = authorize(actor, "read")
    wanted = _filters(filters)
    page, per_page = _page(page, per_page)
    scope = read_scope(who, wanted.get("agency"))
    if scope:
        wanted["agency"] = scope
    with uow:
        rows, total = uow.search_petition_types(wanted, (page - 1) * per_page, per_page)
    return {"items": [_petition(r) for r in rows], "total": total, "page": page, "per_page": per_page}


def list_channels(uow) -> list[dict]:
    with uow:
        return uow.list("channel")


def list_agencies(uow, active_only: bool = False) -> list[dict]:
    with uow:
        return uow.list("agency", active_only=active_only)


def list_departments(uow, agency: str | None = None, active_only: bool = False) -> list[dict]:
    with uow:
        return [{k: r[k] for k in ("code", "agency", "name", "active")}
                for r in uow.list("department", agency, active_only)]


def get_calendar(uow) -> dict:
    with uow:
        return _calendar(uow).to_dict()


def petition_type_history(uow, code: str) -> list[dict]:
    """Every change of a petition type, oldest first: version, author, time, before, after."""
    with uow:
        if uow.petition_type(code) is None:
            raise _not_found(code)
        rows = uow.history(code)
    return [{"code": r["code"], "version": r["version"], "author": r["author"], "at": r["at"].isoformat(),
             "changed_fields": changed_fields(r["before"], r["after"]), "before": r["before"], "after": r["after"]}
            for r in rows]


# =========================================================================== quotes

def _quote(pt, ch, petition_type: str, channel: str, created_at: str, calendar: BusinessCalendar) -> dict:
    try:
        created = datetime.fromisoformat(created_at)
        if created.tzinfo is None:
            raise ValueError
    except (TypeError, ValueError):
        raise InvalidInput("Fecha de creación inválida (ISO 8601 con zona horaria).", "fecha_invalida") from None
    if pt is None:
        raise _not_found(petition_type)
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
    A request with ``lat`` and ``lon`` (or, without them, a ``colonia`` name) gets
    ``quote.geo`` (``geo.locate_requests``) when a geography is loaded.
    (one bad report does not fail the others)."""
    if not isinstance(requests, list) or not all(isinstance(r, dict) for r in requests):
        raise InvalidInput("Se esperaba una lista de solicitudes.", "datos_invalidos")
    codes = {r.get("petition_type") for r in requests if isinstance(r.get("petition_type"), str)}
    chans = {r.get("channel") for r in requests if isinstance(r.get("channel"), str)}
    with uow:
        pts, chs, calendar_data, geo_versions = uow.quote_inputs(codes, chans)
    calendar = BusinessCalendar.from_dict(calendar_data) if calendar_data else BusinessCalendar()
    places = geo.locate_requests(uow, geo_versions, requests)
    out = []
    for r, place in zip(requests, places):
        try:
            q = _quote(pts.get(r.get("petition_type")), chs.get(r.get("channel")),
                       r.get("petition_type"), r.get("channel"), r.get("created_at"), calendar)
            out.append({"quote": q | ({"geo": place} if place else {})})
        except (NotFound, InvalidInput) as exc:
            out.append({"error": {"type": type(exc).__name__, "code": exc.code, "message": exc.message}})
    return out


# =========================================================================== seed

def _coded_changed(kind: str, row: dict, at: datetime) -> tuple[str, dict, None]:
    """``catalog.department_changed`` / ``catalog.agency_changed`` v1 (no personal data)."""
    data = {"code": row["code"], "name": row["name"], "active": row["active"], "changed_at": at.isoformat()}
    if kind == "department":
        data = {"agency": row["agency"]} | data
    return (f"{kind}_changed", data, None)


def seed(uow, agencies, departments, petition_types, channels, calendar: BusinessCalendar | None = None) -> dict:
    """Upsert a catalog (the demo one, or a municipality's); idempotent. Publishes
    ``agency_changed`` and ``department_changed`` for every agency and department, so
    that consumers' projections (routing's departments) start complete."""
    at = _now()
    with uow:
        stored = {kind: [uow.upsert(kind, r) for r in rows]
                  for kind, rows in (("agency", agencies), ("department", departments), ("channel", channels))}
        uow.seed_petition_types([{"attributes": []} | {k: r[k] for k in PETITION_FIELDS if k in r and k != "version"}
                                 for r in petition_types])
        if calendar is not None:
            uow.save_calendar(calendar.to_dict(), None)
        uow.add_events([_coded_changed(kind, r, at) for kind in ("agency", "department") for r in stored[kind]])
    return {"agencies": len(agencies), "departments": len(departments),
            "petition_types": len(petition_types), "channels": len(channels)}


# =========================================================================== maintenance
# Every mutating use case reads the actor, asks ``domain.authorize`` (``Forbidden``),
# validates its input (``InvalidInput``) and changes one unit of work.

def _references(uow, agency: str | None, department: str | None) -> str | None:
    """Why ``agency``/``department`` cannot own a petition type, or None."""
    dept = uow.get("department", department) if department else None
    if not agency or uow.get("agency", agency) is None:
        return f"No existe la dependencia «{agency}»."
    if dept is None:
        return f"No existe el departamento «{department}»."
    if dept["agency"] != agency:
        return f"El departamento «{department}» no pertenece a la dependencia «{agency}»."
    return None


def _record_changes(uow, author: str, changes: list[tuple[str, int, dict | None, dict]]) -> None:
    """History rows and ``petition_type_changed`` events for ``(code, version, before, after)``."""
    if not changes:
        return
    at = _now()
    uow.add_history([{"code": code, "version": version, "author": author, "at": at, "before": before, "after": after}
                     for code, version, before, after in changes])
    uow.add_events([("petition_type_changed", {
        "code": code, "version": version, "change": "created" if before is None else "updated",
        "changed_fields": changed_fields(before, after), "author": author, "changed_at": at.isoformat(),
        "before": before, "after": after}, None) for code, version, before, after in changes])


def create_petition_type(uow, actor, data) -> dict:
    """A new petition type, effective at once; version 1, history and event recorded.
    Agency staff create them in their own agency (``agency`` may be omitted)."""
    who = authorize(actor, "edit_petition_types")
    values = schemas.load(schemas.petition_type_schema, data)
    if not values["agency"] and who.role != "admin":
        values["agency"] = who.agency
    if not values["agency"]:
        raise InvalidInput("Datos inválidos: «agency»: Es obligatorio.", "datos_invalidos")
    authorize(who, "edit_petition_types", values["agency"])
    with uow:
        problem = _references(uow, values["agency"], values["department"])
        if problem:
            raise InvalidInput(problem, "dependencia_o_departamento_invalido")
        if not uow.insert_petition_type(values | {"version": 1, "updated_at": _now()}):
            raise Conflict(f"Ya existe el tipo de petición «{values['code']}».", "tipo_peticion_duplicado")
        _record_changes(uow, who.username, [(values["code"], 1, None, snapshot(values))])
    return _petition(values | {"version": 1})


def update_petition_type(uow, actor, code: str, changes, version) -> dict:
    """Change a petition type the caller read at ``version`` (optimistic locking: a stale
    version raises ``Conflict`` ``version_desactualizada``).  New reports get the change
    at once; the answer is the petition type with its new version (unchanged if
    ``changes`` change nothing)."""
    who = authorize(actor, "edit_petition_types")
    if isinstance(version, bool) or not isinstance(version, int):
        raise InvalidInput("Indique la versión del tipo de petición que leyó (número entero).", "version_invalida")
    values = schemas.load(schemas.petition_type_changes_schema, changes)
    with uow:
        row = uow.petition_type(code, lock=True)  # waits for a concurrent writer, then sees its version
        if row is None:
            raise _not_found(code)
        authorize(who, "edit_petition_types", row["agency"])
        if row["version"] != version:
            raise Conflict(f"El tipo de petición «{code}» cambió (versión {row['version']}, usted leyó la "
                           f"{version}); vuelva a cargarlo y aplique su cambio de nuevo.", "version_desactualizada")
        before = snapshot(row)
        after = before | values
        if after == before:
            return _petition(row)  # nothing to write (the block's end releases the row lock)
        if after["agency"] != before["agency"]:
            authorize(who, "edit_petition_types", after["agency"])
        if (after["agency"], after["department"]) != (before["agency"], before["department"]):
            problem = _references(uow, after["agency"], after["department"])
            if problem:
                raise InvalidInput(problem, "dependencia_o_departamento_invalido")
        amount, unit = after["sla_amount"], after["sla_unit"]
        if amount > schemas.MAX_SLA[unit]:
            raise InvalidInput(f"El SLA en {unit} no puede pasar de {schemas.MAX_SLA[unit]}.", "datos_invalidos")
        uow.update_petition_type(code, values | {"version": version + 1, "updated_at": _now()})
        _record_changes(uow, who.username, [(code, version + 1, before, after)])
    return _petition(row | values | {"version": version + 1})


# --------------------------------------------------------------------------- agencies, departments, channels

def _upsert_coded(uow, kind: str, values: dict) -> dict:
    """Write an agency or department and publish ``<kind>_changed`` when it changed."""
    before = uow.get(kind, values["code"])
    row = uow.upsert(kind, values)
    if before != row:
        uow.add_events([_coded_changed(kind, row, _now())])
    return row


def upsert_agency(uow, actor, data) -> dict:
    """Create or change an agency (admins only); ``agency_changed`` when it changed."""
    authorize(actor, "maintain")
    values = schemas.load(schemas.agency_schema, data)
    with uow:
        return _upsert_coded(uow, "agency", values)


def upsert_department(uow, actor, data) -> dict:
    """Create or change a department (admins only); ``department_changed`` when it
    changed (created, renamed, moved, activated, deactivated). Moving it to another
    agency is refused while petition types of the old agency use it."""
    authorize(actor, "maintain")
    values = schemas.load(schemas.department_schema, data)
    with uow:
        if uow.get("agency", values["agency"]) is None:
            raise InvalidInput(f"No existe la dependencia «{values['agency']}».", "dependencia_o_departamento_invalido")
        current = uow.get("department", values["code"], lock=True)
        if current is not None and current["agency"] != values["agency"]:
            used = uow.count_department_uses(values["code"])
            if used:
                raise Conflict(f"El departamento «{values['code']}» tiene {used} tipos de petición de la "
                               f"dependencia «{current['agency']}»; muévalos antes de cambiarlo de dependencia.",
                               "departamento_en_uso")
        return _upsert_coded(uow, "department", values)


def upsert_channel(uow, actor, data) -> dict:
    """Create or change a channel (origin of attention; admins only)."""
    authorize(actor, "maintain")
    values = schemas.load(schemas.channel_schema, data)
    with uow:
        return uow.upsert("channel", values)


# --------------------------------------------------------------------------- calendar

def update_calendar(uow, actor, data) -> dict:
    """Change the municipal calendar (admins only); omitted keys keep their value.
    Effective at once for the due dates of new reports."""
    authorize(actor, "maintain")
    values = schemas.load(schemas.calendar_schema, data, "calendario_invalido", "Calendario inválido")
    with uow:
        try:
            cal = BusinessCalendar.from_dict(_calendar(uow, lock=True).to_dict() | values)
        except ValueError as exc:
            raise InvalidInput(f"Calendario inválido: {exc}", "calendario_invalido") from None
        uow.save_calendar(cal.to_dict(), _now())
    return cal.to_dict()


# --------------------------------------------------------------------------- import / export

def export_catalog(uow, fmt: str, agency: str | None = None) -> str:
    """The petition types (all, or one agency's) as a CSV or XLSX file, base64-encoded."""
    if fmt not in transfer.FORMATS:
        raise InvalidInput(f"Formato desconocido «{fmt}»: use csv o xlsx.", "formato_invalido")
    with uow:
        rows = [_petition(r) for r in uow.petition_types(agency)]
    return base64.b64encode(transfer.write(fmt, rows)).decode("ascii")


def export_file(uow, actor, fmt: str, agency: str | None = None, now: datetime | None = None) -> dict:
    """``export_catalog`` as a file to download, limited like a listing (``read_scope``:
    agency staff their own agency unless they name another):
    ``{content_b64, media_type, filename}``, ``catálogo-de-peticiones[-AGENCIA]-AAAA-MM-DD.<fmt>``."""
    agency = read_scope(authorize(actor, "read"), agency)
    content = export_catalog(uow, fmt, agency)
    return {"content_b64": content, "media_type": MEDIA_TYPES[fmt], "filename": export_filename(fmt, agency, now)}


def export_filename(fmt: str, agency: str | None = None, now: datetime | None = None) -> str:
    """``catálogo-de-peticiones[-AGENCIA]-AAAA-MM-DD.<fmt>``, dated in the municipality's time zone."""
    today = (now or datetime.now(timezone.utc)).astimezone(municipal_tz()).date().isoformat()
    return f"catálogo-de-peticiones{'-' + agency if agency else ''}-{today}.{fmt}"


def _import_rejected(errors: list[tuple[int, str]]) -> InvalidInput:
    message, lines = spreadsheet.rejection(errors, MAX_LISTED_ERRORS)
    return InvalidInput(message, "importacion_invalida", lines)


def _decode_import(fmt: str, content_b64) -> tuple[list, list]:
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
    return rows, errors


def _check_import_row(who, values: dict, problems: list[str], owners: dict, old: dict | None) -> dict | None:
    """A file row loaded and checked (its problems appended to ``problems``)."""
    try:
        loaded = schemas.petition_type_schema.load(values)
    except ValidationError as exc:
        problems += schemas.field_errors(exc.messages, dict(transfer.COLUMNS))
        return None
    agency, department = loaded["agency"], loaded["department"]
    if not agency:
        problems.append("«dependencia»: Es obligatorio.")
    elif agency not in owners["agencies"]:
        problems.append(f"«dependencia»: no existe la dependencia «{agency}»")
    elif department not in owners["departments"]:
        problems.append(f"«departamento»: no existe el departamento «{department}»")
    elif owners["departments"][department] != agency:
        problems.append(f"«departamento»: «{department}» no pertenece a la dependencia «{agency}»")
    if agency and not allowed(who, "edit_petition_types", agency):
        problems.append(f"solo puede importar tipos de petición de su dependencia ({who.agency})")
    elif old is not None and not allowed(who, "edit_petition_types", old["agency"]):
        problems.append(f"«{loaded['code']}» pertenece a la dependencia «{old['agency']}»")
    if "attributes" not in values and old is not None:
        loaded["attributes"] = old["attributes"]
    return loaded


def import_catalog(uow, actor, fmt: str, content_b64: str) -> dict:
    """Load petition types from a CSV or XLSX file (base64): new codes are created,
    existing ones updated (versioned, audited, published like any edit), identical
    ones left alone.  All or nothing: any bad line rejects the whole file with
    ``InvalidInput`` ``importacion_invalida`` listing «línea N: motivo» (also as
    ``errors``).  Agency staff may only import rows of their own agency."""
    who = authorize(actor, "edit_petition_types")
    rows, errors = _decode_import(fmt, content_b64)
    with uow:
        owners = {"departments": {d["code"]: d["agency"] for d in uow.list("department")},
                  "agencies": {a["code"] for a in uow.list("agency")}}
        codes = [v.get("code") for _, v, _ in rows if isinstance(v.get("code"), str)]
        existing = uow.petition_types_by_code(codes, lock=True)
        seen: dict[str, int] = {}
        valid: list[dict] = []
        for line, values, problems in rows:
            problems = list(problems)
            code = values.get("code")
            loaded = _check_import_row(who, values, problems, owners, existing.get(code))
            if loaded is not None:
                if loaded["code"] in seen:
                    problems.append(f"«código»: «{loaded['code']}» ya aparece en la línea {seen[loaded['code']]}")
                else:
                    seen[loaded["code"]] = line
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
                uow.insert_petition_type(values | {"version": 1, "updated_at": now})
                changes.append((values["code"], 1, None, after))
                created += 1
            elif snapshot(old) != after:
                uow.update_petition_type(old["code"], after | {"version": old["version"] + 1, "updated_at": now})
                changes.append((old["code"], old["version"] + 1, snapshot(old), after))
                updated += 1
        _record_changes(uow, who.username, changes)
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
    with uow:
        rows = uow.active_services()
    return [{"service_code": r["code"], "service_name": r["name"], "description": r["description"],
             "metadata": bool(r["attributes"]), "type": "realtime",
             "keywords": ", ".join([r["kind"], r["department_name"]]), "group": r["agency_name"]}
            for r in rows]


def service_definition(uow, code: str) -> dict:
    """Open311 GeoReport v2 service definition: the extra questions of a petition type."""
    pt = get_petition_type(uow, code)
    return {"service_code": pt["code"], "attributes": [
        {"variable": True, "code": a["code"], "datatype": a["datatype"], "required": bool(a.get("required")),
         "datatype_description": _DATATYPE_DESCRIPTIONS.get(a["datatype"]), "order": i,
         "description": a["description"],
         "values": [{"key": v["key"], "name": v["name"]} for v in a.get("values") or []]}
        for i, a in enumerate(pt["attributes"], start=1)]}
