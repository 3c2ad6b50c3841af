"""Who may do what with personal data (plain Python).

An *actor* is the staff member the gateway vouches for: ``{"username", "role", "agency"}``.
Operators, supervisors and admins register, search, read, rectify and merge citizens;
agency staff may read one citizen (with a reason); auditors and admins read the access
log; nobody else (block leaders included) touches the registry."""
from __future__ import annotations

from dataclasses import dataclass

from marshmallow import ValidationError

from .exceptions import Forbidden, InvalidInput
from .schemas import actor_schema

WRITERS = frozenset({"operator", "supervisor", "admin"})
READERS = WRITERS | {"agency_staff"}
LOG_READERS = frozenset({"auditor", "admin"})
#: ARCO access (the whole file of a person) and cancellation
RIGHTS = frozenset({"supervisor", "admin"})
#: block-leader roster: who edits it, who reads it, who may see leaders' contact data
ROSTER_WRITERS = frozenset({"supervisor", "admin"})
ROSTER_READERS = frozenset({"operator", "supervisor", "admin", "auditor"})
ROSTER_CONTACT = frozenset({"operator", "supervisor", "admin"})
MIN_REASON, MAX_REASON = 3, 500


@dataclass(frozen=True)
class Actor:
    username: str
    role: str
    agency: str | None


def parse_actor(actor) -> Actor:
    try:
        data = actor_schema.load(actor if isinstance(actor, dict) else {})
    except ValidationError:
        raise Forbidden("Usuario no identificado: no puede consultar datos personales.", "prohibido") from None
    return Actor(data["username"], data["role"], data["agency"] or None)


def require(actor, roles: frozenset, what: str) -> Actor:
    who = parse_actor(actor)
    if who.role not in roles:
        raise Forbidden(f"Su perfil no permite {what}.", "prohibido")
    return who


def require_reason(reason) -> str:
    """The reason for reading personal data, trimmed; ``InvalidInput`` if missing or too short."""
    text = reason.strip() if isinstance(reason, str) else ""
    if len(text) < MIN_REASON:
        raise InvalidInput("Indique el motivo de la consulta de datos personales.", "motivo_requerido")
    if len(text) > MAX_REASON:
        raise InvalidInput(f"El motivo no puede pasar de {MAX_REASON} caracteres.", "motivo_invalido")
    if "\x00" in text:
        raise InvalidInput("El motivo no puede contener caracteres nulos.", "motivo_invalido")
    return text
