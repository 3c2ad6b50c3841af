"""Catalog rules in plain Python: who may do what with the catalog, and what a change is.

The actor is the contract's (``contracts/actor``), read with ``sacinfra.actor.Actor.load``.
``authorize`` is the one policy of catalog:

- ``read`` (petition types, agencies, departments, channels, calendar): every role of
  contracts/actor/roles.json — the catalog is public (Open311 lists it) — but agency staff
  list their own agency's petition types unless they ask for another (``read_scope``);
- ``edit_petition_types`` (create, edit, import): admins, any agency; agency staff, their
  own agency only;
- ``maintain`` (agencies, departments, channels, calendar): admins only;
- ``load_geography`` (boundary, colonias, zones): admins, and the system (the demo seed).

A role catalog does not know gets nothing.
"""
from __future__ import annotations

from sacinfra.actor import Actor

from .exceptions import Forbidden, InvalidInput

ADMIN = "admin"
AGENCY_STAFF = "agency_staff"
#: the roles of contracts/actor/roles.json; catalog reads are public, so all of them read
READERS = frozenset({"operator", "agency_staff", "supervisor", "auditor", "admin", "block_leader",
                     "channel_key", "department_key", "citizen", "public", "system"})
ACTIONS = ("read", "edit_petition_types", "maintain", "load_geography")
_DENIED = {"edit_petition_types": "Su perfil no permite modificar el catálogo de peticiones.",
           "maintain": "Solo un administrador puede modificar dependencias, departamentos, canales y calendario.",
           "read": "Su perfil no permite consultar el catálogo.",
           "load_geography": "Solo un administrador puede cargar la geografía del municipio."}

#: What a petition type is, for history and events (``code`` and ``version`` aside).
SNAPSHOT_FIELDS = ("name", "kind", "description", "sla_amount", "sla_unit", "agency", "department",
                   "active", "attributes")


def load_actor(actor) -> Actor:
    """The contract's actor, or ``InvalidInput`` ``actor_invalido``."""
    return Actor.load_or(actor, InvalidInput)


def allowed(who: Actor, action: str, agency: str | None = None) -> bool:
    """May ``who`` do ``action`` (on the petition types of ``agency``, for edits)?"""
    if action == "read":
        return who.role in READERS
    if action == "edit_petition_types":
        return who.role == ADMIN or (who.role == AGENCY_STAFF and agency is not None and who.agency == agency)
    if action == "maintain":
        return who.role == ADMIN
    if action == "load_geography":
        return who.role in (ADMIN, "system")
    return False


def authorize(actor, action: str, agency: str | None = None) -> Actor:
    """The actor when it may do ``action`` (on ``agency``'s petition types), else ``Forbidden``.
    For ``edit_petition_types`` without an agency: whether it may edit any at all."""
    who = load_actor(actor)
    if action == "edit_petition_types" and agency is None:
        agency = who.agency if who.role == AGENCY_STAFF else None
        if who.role == ADMIN:
            return who
    if not allowed(who, action, agency):
        if action == "edit_petition_types" and who.role == AGENCY_STAFF:
            raise Forbidden(f"Solo puede modificar tipos de petición de su dependencia ({who.agency}), "
                            f"no de «{agency}».", "prohibido")
        raise Forbidden(_DENIED.get(action, "Acción no permitida."), "prohibido")
    return who


def read_scope(who: Actor, agency: str | None) -> str | None:
    """The agency a petition-type listing is limited to: the one asked for, else the
    agency staff's own."""
    return agency or (who.agency if who.role == AGENCY_STAFF else None)


def snapshot(row) -> dict:
    return {k: row[k] for k in SNAPSHOT_FIELDS}


def changed_fields(before: dict | None, after: dict) -> list[str]:
    if before is None:
        return list(SNAPSHOT_FIELDS)
    return [k for k in SNAPSHOT_FIELDS if before.get(k) != after.get(k)]
