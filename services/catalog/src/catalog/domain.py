"""Catalog rules in plain Python: who may change what, and what a change is.

An *actor* is the person the gateway vouches for: ``{"username", "role", "agency"}``.
Admins maintain the whole catalog (agencies, departments, channels, calendar, every
petition type); agency staff maintain only the petition types of their own agency;
everybody else only reads.
"""
from __future__ import annotations

from dataclasses import dataclass

from marshmallow import ValidationError

from .exceptions import Forbidden
from .schemas import actor_schema

ADMIN = "admin"
AGENCY_STAFF = "agency_staff"

#: What a petition type is, for history and events (``code`` and ``version`` aside).
SNAPSHOT_FIELDS = ("name", "kind", "description", "sla_amount", "sla_unit", "agency", "department",
                   "active", "attributes")


@dataclass(frozen=True)
class Actor:
    username: str
    role: str
    agency: str | None

    @property
    def is_admin(self) -> bool:
        return self.role == ADMIN


def parse_actor(actor) -> Actor:
    """The actor, or ``Forbidden`` if it does not say who acts."""
    try:
        data = actor_schema.load(actor if isinstance(actor, dict) else {})
    except ValidationError:
        raise Forbidden("Usuario no identificado: no puede modificar el catálogo.", "prohibido") from None
    return Actor(data["username"], data["role"], data["agency"] or None)


def require_admin(actor: Actor, what: str) -> None:
    if not actor.is_admin:
        raise Forbidden(f"Solo un administrador puede {what}.", "prohibido")


def require_petition_editor(actor: Actor) -> None:
    """Admins and agency staff with an agency may edit petition types (some of them)."""
    if actor.is_admin:
        return
    if actor.role != AGENCY_STAFF or not actor.agency:
        raise Forbidden("Su perfil no permite modificar el catálogo de peticiones.", "prohibido")


def may_act_on(actor: Actor, agency: str | None) -> bool:
    return actor.is_admin or (actor.role == AGENCY_STAFF and bool(actor.agency) and actor.agency == agency)


def require_agency(actor: Actor, agency: str | None) -> None:
    """``Forbidden`` unless ``actor`` may change petition types of ``agency``."""
    require_petition_editor(actor)
    if not may_act_on(actor, agency):
        raise Forbidden(f"Solo puede modificar tipos de petición de su dependencia ({actor.agency}), "
                        f"no de «{agency}».", "prohibido")


def snapshot(row) -> dict:
    return {k: row[k] for k in SNAPSHOT_FIELDS}


def changed_fields(before: dict | None, after: dict) -> list[str]:
    if before is None:
        return list(SNAPSHOT_FIELDS)
    return [k for k in SNAPSHOT_FIELDS if before.get(k) != after.get(k)]
