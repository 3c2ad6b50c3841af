"""The actor contract's reader (contracts/actor/actor.schema.json).

Every RPC that reads or changes something a role may or may not see takes an ``actor``
dict; a service reads it with ``Actor.load`` and decides *itself* what that actor may do
with its data. This module only reads the contract: it holds no permission rule. Role
names are data (contracts/actor/roles.json); a service grants rights to the roles it knows
and none to a role it does not know, so adding a role touches the contract and the
services whose data the role touches, nothing here.

There is no "no actor": anonymous and internal callers are ``Actor.public()`` and
``Actor.system(name)``.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Mapping

KINDS = ("staff", "key", "citizen", "public", "system")
#: roles whose kind is fixed by the contract; every other role is a staff role
ROLE_KIND = {"channel_key": "key", "department_key": "key", "citizen": "citizen", "public": "public",
             "system": "system"}
_ROLE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
_TEXT_LIMITS = {"username": 120, "agency": 40, "department": 60, "channel": 40, "system": 60}


class ActorInvalid(ValueError):
    """The actor does not follow the contract; ``code`` is the machine code a service
    answers with (its own InvalidInput), ``str()`` the Spanish message."""

    code = "actor_invalido"


@dataclass(frozen=True)
class Actor:
    kind: str
    username: str
    role: str
    agency: str | None = None
    department: str | None = None
    scopes: tuple[str, ...] = field(default_factory=tuple)
    channel: str | None = None
    block_leader_id: int | None = None
    folio: int | None = None
    system: str | None = None

    # -- construction -------------------------------------------------------------
    @classmethod
    def load_or(cls, value: Any, invalid: Callable[[str, str], Exception]) -> "Actor":
        """``load``, with the service's own error: ``invalid(message, "actor_invalido")``
        instead of ``ActorInvalid`` (each service answers with its own InvalidInput)."""
        try:
            return cls.load(value)
        except ActorInvalid as exc:
            raise invalid(str(exc), exc.code) from None

    @classmethod
    def load(cls, value: Any) -> "Actor":
        """Reads an actor dict (unknown keys are ignored); ``ActorInvalid`` when it breaks
        the contract. An ``Actor`` passes through."""
        if isinstance(value, Actor):
            return value
        if not isinstance(value, Mapping):
            raise ActorInvalid("Falta quién consulta o actúa (actor).")
        kind, role = value.get("kind"), value.get("role")
        if kind not in KINDS:
            raise ActorInvalid("El actor no indica de qué tipo es (staff, key, citizen, public, system).")
        if not isinstance(role, str) or not _ROLE.match(role):
            raise ActorInvalid("El actor no tiene un rol válido.")
        if ROLE_KIND.get(role, "staff") != kind:
            raise ActorInvalid(f"El rol «{role}» no corresponde a un actor de tipo «{kind}».")
        texts = {}
        for name, limit in _TEXT_LIMITS.items():
            v = value.get(name)
            if v is not None and (not isinstance(v, str) or not v or len(v) > limit):
                raise ActorInvalid(f"El campo «{name}» del actor no es válido.")
            texts[name] = v
        if not texts["username"]:
            raise ActorInvalid("El actor no tiene nombre de usuario.")
        ints = {}
        for name in ("block_leader_id", "folio"):
            v = value.get(name)
            if v is not None and (isinstance(v, bool) or not isinstance(v, int) or v < 1):
                raise ActorInvalid(f"El campo «{name}» del actor no es válido.")
            ints[name] = v
        scopes = value.get("scopes") or ()
        if not isinstance(scopes, (list, tuple)) or not all(isinstance(s, str) for s in scopes):
            raise ActorInvalid("Los alcances (scopes) del actor no son válidos.")
        required = {"agency_staff": ("agency",), "department_key": ("agency", "department"),
                    "channel_key": ("channel",), "system": ("system",)}.get(role, ())
        if kind == "citizen" and ints["folio"] is None:
            raise ActorInvalid("Un actor ciudadano necesita el folio que su clave de seguimiento abre.")
        for name in required:
            if texts[name] is None:
                raise ActorInvalid(f"El rol «{role}» necesita «{name}».")
        return cls(kind=kind, role=role, scopes=tuple(scopes), **texts, **ints)

    @classmethod
    def public(cls) -> "Actor":
        """An anonymous caller: public, non-personal views only."""
        return cls(kind="public", username="public", role="public")

    @classmethod
    def system_process(cls, name: str) -> "Actor":
        """A named internal process; the owning service decides what ``name`` may do."""
        return cls(kind="system", username=f"system:{name}", role="system", system=name)

    @classmethod
    def citizen(cls, folio: int) -> "Actor":
        """The citizen who holds ``folio``'s tracking token (the caller checked it)."""
        return cls(kind="citizen", username=f"citizen:{folio}", role="citizen", folio=folio)

    # -- reading ------------------------------------------------------------------
    def to_dict(self) -> dict:
        """The contract's JSON form (what travels in an RPC)."""
        d = asdict(self)
        d["scopes"] = list(self.scopes)
        return {k: v for k, v in d.items() if v is not None and v != []}

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes

    @property
    def is_staff(self) -> bool:
        return self.kind == "staff"
