"""The roster of block leaders (jefes de manzana) and ward leaders (jefes de cuartel).

Supervisors and admins add, change and remove entries; operators, supervisors, admins and
auditors read them. A leader's name, phone and email are personal data: they are returned
only to operators, supervisors and admins who give a ``reason``, and each such read is
written to the access log (``block_leader_id``, action ``block_leader_read``). Without a
reason, and always for auditors, entries come without them (``contact: null``).

``username`` links the entry to the leader's staff login (role ``block_leader``, owned by
the gateway, which checks it before calling); the reports of a leader are the reports
that login filed (routing's ``created_by``)."""
from __future__ import annotations

from sacinfra import validation

from . import schemas
from .domain import allowed, authorize, require_reason
from .exceptions import Conflict, InvalidInput, NotFound
from .handlers import _now, _number

MAX_LIMIT = 1000


def _leader(row, contact: bool) -> dict:
    out = {"id": row["id"], "kind": row["kind"], "block": row["block"], "colonia": row["colonia"],
           "location": {"lat": row["lat"], "lon": row["lon"]},
           "accredited_on": row["accredited_on"].isoformat(), "status": row["status"],
           "username": row["username"], "citizen_number": row["citizen_number"],
           "created_by": row["created_by"], "created_at": row["created_at"].isoformat(),
           "updated_at": row["updated_at"].isoformat(), "version": row["version"]}
    out["contact"] = ({"full_name": row["full_name"], "phone": row["phone"], "email": row["email"]}
                      if contact else None)
    return out


def _columns(values: dict) -> dict:
    out = {k: v for k, v in values.items() if k != "location"}
    if "location" in values:
        out["lat"], out["lon"] = values["location"]["lat"], values["location"]["lon"]
    return out


def _check_citizen(uow, number) -> None:
    if number is not None and uow.citizen(number) is None:
        raise InvalidInput(f"No existe el ciudadano número {number}.", "ciudadano_no_encontrado")


def _check_username(uow, username, leader_id=None) -> None:
    if username is None:
        return
    other = uow.leader_id_of(username)
    if other is not None and other != leader_id:
        raise Conflict(f"El usuario «{username}» ya está en el padrón (registro {other}).", "usuario_ya_en_padron")


def _contact_allowed(who, reason) -> str | None:
    """The reason to log if ``who`` gets contact data, else None."""
    if reason is None or not allowed(who, "read_roster_contact"):
        return None
    return require_reason(reason)


def _log_reads(uow, who, ids, reason: str) -> None:
    if not ids:
        return
    at = _now()
    uow.log_access([{"at": at, "username": who.username, "role": who.role, "citizen_number": None,
                     "block_leader_id": i, "action": "block_leader_read", "reason": reason} for i in ids])


def _id(value) -> int:
    return _number(value, "identificador del jefe de manzana")


def _get_row(uow, leader_id: int, lock: bool = False) -> dict:
    row = uow.leader(leader_id, lock)
    if row is None:
        raise NotFound(f"No existe el jefe de manzana {leader_id} en el padrón.", "jefe_no_encontrado")
    return row


def create_block_leader(uow, actor, data) -> dict:
    who = authorize(actor, "edit_roster")
    values = schemas.load(schemas.block_leader_schema, data)
    with uow:
        _check_citizen(uow, values.get("citizen_number"))
        _check_username(uow, values.get("username"))
        at = _now()
        row = uow.insert_leader(_columns(values) | {"created_by": who.username, "created_at": at, "updated_at": at,
                                                    "version": 1})
        _log_reads(uow, who, [row["id"]], "alta en el padrón de jefes de manzana")
    return _leader(row, contact=True)


def update_block_leader(uow, actor, leader_id, changes, version=None) -> dict:
    """Change any subset of the fields; ``version`` (optional) is the one the caller read."""
    who = authorize(actor, "edit_roster")
    leader_id = _id(leader_id)
    values = schemas.load(schemas.block_leader_changes_schema, changes)
    if not values:
        raise InvalidInput("Indique qué datos cambian.", "sin_cambios")
    with uow:
        row = _get_row(uow, leader_id, lock=True)
        if version is not None and version != row["version"]:
            raise Conflict(f"El registro cambió (versión {row['version']}); vuelva a leerlo.",
                           "version_desactualizada")
        _check_citizen(uow, values.get("citizen_number"))
        _check_username(uow, values.get("username"), leader_id)
        row = uow.update_leader(leader_id, _columns(values) | {"updated_at": _now()})
        _log_reads(uow, who, [leader_id], "cambio en el padrón de jefes de manzana")
    return _leader(row, contact=True) | {"changed_fields": sorted(values)}


def delete_block_leader(uow, actor, leader_id) -> dict:
    """Remove an entry (its personal data goes with it). To keep the history of a leader
    who stopped serving, set ``status`` to ``ended`` instead."""
    authorize(actor, "edit_roster")
    leader_id = _id(leader_id)
    with uow:
        row = _get_row(uow, leader_id, lock=True)
        uow.delete_leader(leader_id)
    return {"id": leader_id, "username": row["username"], "deleted": True}


def get_block_leader(uow, actor, leader_id, reason=None) -> dict:
    who = authorize(actor, "read_roster")
    leader_id = _id(leader_id)
    why = _contact_allowed(who, reason)
    with uow:
        row = _get_row(uow, leader_id)
        if why:
            _log_reads(uow, who, [leader_id], why)
    return _leader(row, contact=bool(why))


def list_block_leaders(uow, actor, filters=None, reason=None, limit: int = 100, offset: int = 0) -> dict:
    """Entries filtered by ``kind``, ``status``, ``colonia`` (exact, case-insensitive),
    ``block``, ``username``; ordered by colonia and block."""
    who = authorize(actor, "read_roster")
    why = _contact_allowed(who, reason)
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"El límite debe estar entre 1 y {MAX_LIMIT}.", "limite_invalido")
    if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
        raise InvalidInput("El desplazamiento no puede ser negativo.", "desplazamiento_invalido")
    filters = filters or {}
    if not isinstance(filters, dict) or set(filters) - {"kind", "status", "colonia", "block", "username"}:
        raise InvalidInput("Filtros desconocidos.", "filtro_invalido")
    if any(not isinstance(v, str) or validation.CONTROL.search(v) for v in filters.values() if v is not None):
        raise InvalidInput("Filtros inválidos: texto sin caracteres de control.", "filtro_invalido")
    with uow:
        rows, total = uow.leaders(filters, limit, offset)
        if why:
            _log_reads(uow, who, [r["id"] for r in rows], why)
    return {"items": [_leader(r, contact=bool(why)) for r in rows], "total": total, "limit": limit, "offset": offset}


def active_block_leaders(uow, actor) -> list[dict]:
    """Active leaders without personal data, for the map (GeoJSON at the gateway), for
    those who may read the roster."""
    authorize(actor, "read_roster")
    with uow:
        return uow.active_leaders()
