"""Partner API keys: persistence, hashing, use cases (shared by the HTTP routes and the
CLI) and the per-key rate limit. No FastAPI here.

Two kinds of key:

- ``channel``: a partner app or the chatbot; bound to one channel (origin) code, so every
  report it files carries that channel. Scopes ``reports:create``, ``reports:read``
  (reports filed through its channel), ``open311`` (POST Open311 requests).
- ``department``: a department's own system; bound to an agency and department. Scopes
  ``reports:read`` and ``reports:write`` (start, finish, interventions) on that
  department's reports and those shared with it; it acts towards services as a
  ``kind: key`` actor with role ``department_key`` (``actor_of``).

A secret is ``sac_`` + 43 random URL-safe characters (256 bits). Only its SHA-256 is
stored: a fast hash is enough for a random 256-bit secret (nothing to brute-force from a
dictionary), and it lets a request find its key in one indexed lookup instead of
running argon2 (~50 ms of CPU) on every call. The secret is shown once, when the key is
made; ``key_prefix`` (its first 12 characters) identifies it in lists.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from sacinfra.actor import Actor

from ..errors import ApiError
from . import store
from .model import User

CHANNEL, DEPARTMENT = "channel", "department"
KINDS = (CHANNEL, DEPARTMENT)
REPORTS_CREATE, REPORTS_READ, REPORTS_WRITE, OPEN311 = "reports:create", "reports:read", "reports:write", "open311"
#: the scopes each kind of key may hold
KIND_SCOPES = {CHANNEL: (REPORTS_CREATE, REPORTS_READ, OPEN311), DEPARTMENT: (REPORTS_READ, REPORTS_WRITE)}
NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
DEFAULT_RATE_LIMIT = 120       # requests per minute
MAX_RATE_LIMIT = 100_000
PREFIX_LENGTH = 12

api_keys = sa.Table(
    "api_keys", store.metadata,
    sa.Column("id", sa.BigInteger, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("channel", sa.Text),
    sa.Column("agency", sa.Text),
    sa.Column("department", sa.Text),
    sa.Column("scopes", ARRAY(sa.Text), nullable=False),
    sa.Column("rate_limit", sa.Integer, nullable=False),
    sa.Column("key_prefix", sa.Text, nullable=False),
    sa.Column("key_hash", sa.Text, nullable=False),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("created_by", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True)),
    sa.Column("revoked_by", sa.Text),
    sa.Column("revoked_at", sa.DateTime(timezone=True)),
    sa.Column("last_used_at", sa.DateTime(timezone=True)),
)
KEY_COLUMNS = [c for c in api_keys.c if c.name != "key_hash"]


@dataclass(frozen=True)
class ApiKey:
    id: int
    name: str
    kind: str
    scopes: tuple[str, ...]
    rate_limit: int
    key_prefix: str
    active: bool
    created_by: str
    channel: str | None = None
    agency: str | None = None
    department: str | None = None
    created_at: dt.datetime | None = None
    revoked_by: str | None = None
    revoked_at: dt.datetime | None = None
    last_used_at: dt.datetime | None = None

    @property
    def actor_name(self) -> str:
        return f"api-key:{self.name}"

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes


@dataclass(frozen=True)
class Principal:
    """Who calls: a signed-in staff user or a partner API key (exactly one)."""
    user: User | None = None
    key: ApiKey | None = None

    @property
    def name(self) -> str:
        """What ``created_by`` and the audit log record: the username or ``api-key:<name>``."""
        return self.user.username if self.user is not None else self.key.actor_name

    @property
    def role(self) -> str:
        return str(self.user.role) if self.user is not None else f"{self.key.kind}_key"

    def actor(self) -> dict:
        """Who acts, as the gateway vouches for it to a service (see ``actor_of``)."""
        return actor_of(self)


def actor_of(who: "User | Principal | ApiKey") -> dict:
    """The one actor builder: who acts or reads, as the gateway vouches for it to every
    service (contracts/actor/actor.schema.json). A staff user is ``kind: staff`` with
    role, agency and department; a partner key is ``kind: key`` (``channel_key`` with its
    channel, ``department_key`` with its agency and department) with its scopes. Citizens,
    anonymous callers and internal processes are ``Actor.citizen(folio)``,
    ``Actor.public()`` and ``Actor.system_process(name)`` (``PUBLIC``, ``system_actor``)."""
    if isinstance(who, Principal):
        who = who.user if who.user is not None else who.key
    if isinstance(who, ApiKey):
        return Actor(kind="key", username=who.actor_name, role=f"{who.kind}_key", scopes=tuple(who.scopes),
                     channel=who.channel, agency=who.agency, department=who.department).to_dict()
    return Actor(kind="staff", username=who.username, role=str(who.role), agency=who.agency,
                 department=who.department, block_leader_id=getattr(who, "block_leader_id", None)).to_dict()


#: an anonymous caller (Open311 reads, transparency)
PUBLIC = Actor.public().to_dict()


def system_actor(name: str) -> dict:
    """A named internal use of the gateway (e.g. the block leaders' map)."""
    return Actor.system_process(name).to_dict()


def citizen_actor(folio: int) -> dict:
    """The citizen holding ``folio``'s tracking token (checked by intake)."""
    return Actor.citizen(folio).to_dict()


# --------------------------------------------------------------------------- secrets

def new_secret() -> str:
    return "sac_" + secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------- store

def _key(row) -> ApiKey | None:
    if row is None:
        return None
    m = dict(row._mapping)
    m.pop("key_hash", None)
    m["scopes"] = tuple(m["scopes"] or ())
    return ApiKey(**m)


async def key_for_secret(conn: AsyncConnection, secret: str) -> ApiKey | None:
    """The active key whose secret this is (one indexed lookup), or None."""
    row = (await conn.execute(sa.select(*KEY_COLUMNS).where(api_keys.c.key_hash == hash_secret(secret),
                                                            api_keys.c.active))).first()
    return _key(row)


async def get_key(conn: AsyncConnection, key_id: int) -> ApiKey | None:
    return _key((await conn.execute(sa.select(*KEY_COLUMNS).where(api_keys.c.id == key_id))).first())


async def list_keys(conn: AsyncConnection, *, kind: str | None = None, active: bool | None = None,
                    limit: int = 50, offset: int = 0) -> tuple[list[ApiKey], int]:
    rows, total = await store.page_of(conn, sa.select(*KEY_COLUMNS), api_keys,
                                      store.equal_to(api_keys, kind=kind, active=active), (api_keys.c.id,), limit, offset)
    return [_key(r) for r in rows], total


async def touch(conn: AsyncConnection, key_id: int) -> None:
    await conn.execute(sa.update(api_keys).where(api_keys.c.id == key_id).values(last_used_at=sa.func.now()))


# --------------------------------------------------------------------------- use cases

def check_key_fields(name: str, kind: str, scopes, rate_limit: int, channel: str | None,
                     agency: str | None, department: str | None) -> tuple[str, tuple[str, ...]]:
    """The normalised name and scopes, or ``ApiError(422)`` with what is wrong."""
    name = (name or "").strip().lower()
    if not NAME.match(name):
        raise ApiError(422, "nombre_invalido", "El nombre de la clave debe tener de 3 a 64 caracteres: letras "
                                               "minúsculas, dígitos, punto, guion o guion bajo.")
    if kind not in KINDS:
        raise ApiError(422, "tipo_de_clave_invalido", "El tipo de clave debe ser «channel» o «department».")
    if kind == CHANNEL and (not channel or agency or department):
        raise ApiError(422, "canal_requerido", "Una clave de canal se asocia a un canal (y a ninguna dependencia).")
    if kind == DEPARTMENT and (not agency or not department or channel):
        raise ApiError(422, "departamento_requerido", "Una clave de departamento se asocia a una dependencia y "
                                                      "un departamento (y a ningún canal).")
    scopes = tuple(dict.fromkeys(scopes or ()))
    if not scopes:
        raise ApiError(422, "permisos_requeridos", "Indique al menos un permiso (scope).")
    wrong = [s for s in scopes if s not in KIND_SCOPES[kind]]
    if wrong:
        raise ApiError(422, "permiso_invalido", f"Permisos no válidos para una clave «{kind}»: {', '.join(wrong)}; "
                                                f"use {', '.join(KIND_SCOPES[kind])}.")
    if isinstance(rate_limit, bool) or not isinstance(rate_limit, int) or not 1 <= rate_limit <= MAX_RATE_LIMIT:
        raise ApiError(422, "limite_invalido", f"El límite debe ser de 1 a {MAX_RATE_LIMIT} solicitudes por minuto.")
    return name, scopes


async def create_key(conn: AsyncConnection, *, name: str, kind: str, scopes, rate_limit: int = DEFAULT_RATE_LIMIT,
                     channel: str | None = None, agency: str | None = None, department: str | None = None,
                     secret: str | None = None, actor: User | None = None, actor_name: str = "sistema",
                     ip: str | None = None) -> tuple[ApiKey, str]:
    """Make a key; returns it with its secret (the only time the secret is seen).
    ``secret``: a fixed one (demo keys only); else a new random one."""
    name, scopes = check_key_fields(name, kind, scopes, rate_limit, channel, agency, department)
    secret = secret or new_secret()
    created_by = actor.username if actor is not None else actor_name
    stmt = (pg_insert(api_keys)
            .values(name=name, kind=kind, channel=channel, agency=agency, department=department,
                    scopes=list(scopes), rate_limit=rate_limit, key_prefix=secret[:PREFIX_LENGTH],
                    key_hash=hash_secret(secret), active=True, created_by=created_by)
            .on_conflict_do_nothing().returning(*KEY_COLUMNS))
    key = _key((await conn.execute(stmt)).first())
    if key is None:
        raise ApiError(409, "clave_existente", f"Ya existe una clave llamada {name}.")
    await store.audit(conn, "api_key.created", actor=actor, actor_name=actor_name, target=f"api-key:{name}", ip=ip,
                      detail={"id": key.id, "kind": kind, "channel": channel, "agency": agency,
                              "department": department, "scopes": list(scopes), "rate_limit": rate_limit})
    return key, secret


async def revoke_key(conn: AsyncConnection, key_id: int, *, actor: User | None = None, actor_name: str = "sistema",
                     ip: str | None = None) -> ApiKey:
    """Revoke a key at once (the next request with it is refused). Revoking a revoked key
    changes nothing and is not audited again."""
    by = actor.username if actor is not None else actor_name
    row = (await conn.execute(sa.update(api_keys).where(api_keys.c.id == key_id, api_keys.c.active)
                              .values(active=False, revoked_at=sa.func.now(), revoked_by=by)
                              .returning(*KEY_COLUMNS))).first()
    if row is None:
        key = await get_key(conn, key_id)
        if key is None:
            raise ApiError(404, "clave_no_encontrada", f"No existe la clave {key_id}.")
        return key
    key = _key(row)
    await store.audit(conn, "api_key.revoked", actor=actor, actor_name=actor_name, target=key.actor_name, ip=ip,
                      detail={"id": key.id, "kind": key.kind})
    return key


# --------------------------------------------------------------------------- rate limit

@dataclass
class _Bucket:
    tokens: float
    at: float


@dataclass
class RateLimiter:
    """A token bucket per key: ``rate_limit`` tokens a minute, bursts up to ``rate_limit``.

    In-process: each gateway process (uvicorn worker, replica) keeps its own buckets, so
    with N processes behind a load balancer a key may get up to N × its limit. Enough to
    stop a runaway partner; a hard shared limit would need the buckets in PostgreSQL or
    Redis (one write per request)."""
    clock: Callable[[], float] = time.monotonic
    _buckets: dict[int, _Bucket] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, key_id: int, per_minute: int) -> float | None:
        """None if the request may go; else the seconds to wait for the next token."""
        rate = per_minute / 60.0
        now = self.clock()
        with self._lock:
            b = self._buckets.get(key_id)
            if b is None:
                b = self._buckets[key_id] = _Bucket(float(per_minute), now)
            b.tokens = min(float(per_minute), b.tokens + (now - b.at) * rate)
            b.at = now
            if b.tokens >= 1.0:
                b.tokens -= 1.0
                return None
            return (1.0 - b.tokens) / rate

    @staticmethod
    def retry_after(seconds: float) -> str:
        return str(max(1, math.ceil(seconds)))
