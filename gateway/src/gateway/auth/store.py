"""Persistence of staff users, revoked tokens, failed logins and the audit log
(SQLAlchemy 2 Core on an ``AsyncEngine``; the schema is in ``gateway/migrations``)."""
from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB, insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from .model import User

metadata = sa.MetaData()

users = sa.Table(
    "users", metadata,
    sa.Column("id", sa.BigInteger, primary_key=True),
    sa.Column("username", sa.Text, nullable=False),
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("full_name", sa.Text, nullable=False),
    sa.Column("role", sa.Text, nullable=False),
    sa.Column("agency", sa.Text),
    sa.Column("department", sa.Text),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True)),
    sa.Column("updated_at", sa.DateTime(timezone=True)),
)
revoked_tokens = sa.Table(
    "revoked_tokens", metadata,
    sa.Column("jti", sa.Text, primary_key=True),
    sa.Column("user_id", sa.BigInteger),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("revoked_at", sa.DateTime(timezone=True)),
)
login_failures = sa.Table(
    "login_failures", metadata,
    sa.Column("id", sa.BigInteger, primary_key=True),
    sa.Column("username", sa.Text, nullable=False),
    sa.Column("ip", sa.Text, nullable=False),
    sa.Column("at", sa.DateTime(timezone=True)),
)
audit_log = sa.Table(
    "audit_log", metadata,
    sa.Column("id", sa.BigInteger, primary_key=True),
    sa.Column("at", sa.DateTime(timezone=True)),
    sa.Column("actor_id", sa.BigInteger),
    sa.Column("actor", sa.Text),
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("target", sa.Text),
    sa.Column("ip", sa.Text),
    sa.Column("detail", JSONB),
)

USER_COLUMNS = [c for c in users.c if c.name != "password_hash"]


def make_async_engine(url: str, pool_size: int = 10) -> AsyncEngine:
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return create_async_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_recycle=1800,
                               pool_pre_ping=False)


def _user(row) -> User | None:
    if row is None:
        return None
    m = row._mapping
    return User(id=m["id"], username=m["username"], full_name=m["full_name"], role=m["role"],
                agency=m["agency"], department=m["department"], active=m["active"],
                created_at=m["created_at"], updated_at=m["updated_at"])


def _ts(epoch: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(epoch, dt.timezone.utc)


# -- users ------------------------------------------------------------------------
async def user_for_login(conn: AsyncConnection, username: str) -> tuple[User | None, str | None]:
    row = (await conn.execute(sa.select(*USER_COLUMNS, users.c.password_hash)
                              .where(users.c.username == username))).first()
    return (_user(row), row.password_hash) if row else (None, None)


async def active_user_with_live_token(conn: AsyncConnection, user_id: int, jti: str) -> User | None:
    """The user behind a token, in one round trip: active, and the token not revoked."""
    not_revoked = ~sa.exists().where(revoked_tokens.c.jti == jti)
    row = (await conn.execute(sa.select(*USER_COLUMNS)
                              .where(users.c.id == user_id, users.c.active, not_revoked))).first()
    return _user(row)


def equal_to(table: sa.Table, **values) -> list:
    """``column == value`` for each given value that is not None (the filters of a list)."""
    return [table.c[name] == value for name, value in values.items() if value is not None]


async def page_of(conn: AsyncConnection, query, table: sa.Table, where: list, order_by: tuple, limit: int,
                  offset: int) -> tuple[list, int]:
    """One page of ``query`` under ``where`` and how many rows match in all."""
    total = (await conn.execute(sa.select(sa.func.count()).select_from(table).where(*where))).scalar_one()
    rows = await conn.execute(query.where(*where).order_by(*order_by).limit(limit).offset(offset))
    return list(rows), total


async def get_user(conn: AsyncConnection, user_id: int) -> User | None:
    return _user((await conn.execute(sa.select(*USER_COLUMNS).where(users.c.id == user_id))).first())


async def list_users(conn: AsyncConnection, role: str | None = None, agency: str | None = None,
                     active: bool | None = None, limit: int = 50, offset: int = 0) -> tuple[list[User], int]:
    rows, total = await page_of(conn, sa.select(*USER_COLUMNS), users,
                                equal_to(users, role=role, agency=agency, active=active), (users.c.id,), limit, offset)
    return [_user(r) for r in rows], total


async def insert_user(conn: AsyncConnection, *, username: str, password_hash: str, full_name: str, role: str,
                      agency: str | None = None, department: str | None = None, active: bool = True) -> User | None:
    """None when the username is taken."""
    stmt = (pg_insert(users).values(username=username, password_hash=password_hash, full_name=full_name,
                                    role=role, agency=agency, department=department, active=active)
            .on_conflict_do_nothing(index_elements=["username"]).returning(*USER_COLUMNS))
    return _user((await conn.execute(stmt)).first())


async def update_user(conn: AsyncConnection, user_id: int, values: dict[str, Any]) -> User | None:
    stmt = (sa.update(users).where(users.c.id == user_id)
            .values(**values, updated_at=sa.func.now()).returning(*USER_COLUMNS))
    return _user((await conn.execute(stmt)).first())


async def lock_user(conn: AsyncConnection, user_id: int) -> User | None:
    return _user((await conn.execute(sa.select(*USER_COLUMNS).where(users.c.id == user_id)
                                     .with_for_update())).first())


async def other_active_admins(conn: AsyncConnection, user_id: int) -> int:
    # serialises concurrent demotions of the last admins
    await conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext('sac.gateway.admins'))"))
    return (await conn.execute(sa.select(sa.func.count()).select_from(users).where(
        users.c.role == "admin", users.c.active, users.c.id != user_id))).scalar_one()


# -- tokens -------------------------------------------------------------------------
async def revoke(conn: AsyncConnection, jti: str, user_id: int, expires_at: float) -> bool:
    """True if this call revoked the token, False if it was already revoked."""
    stmt = (pg_insert(revoked_tokens).values(jti=jti, user_id=user_id, expires_at=_ts(expires_at))
            .on_conflict_do_nothing().returning(revoked_tokens.c.jti))
    return (await conn.execute(stmt)).first() is not None


async def purge_expired(conn: AsyncConnection) -> int:
    """Revocations of tokens that expired anyway, and failures out of any window."""
    n = (await conn.execute(sa.delete(revoked_tokens).where(revoked_tokens.c.expires_at < sa.func.now()))).rowcount
    await conn.execute(sa.delete(login_failures).where(login_failures.c.at < sa.func.now() - dt.timedelta(days=1)))
    return n


# -- failed logins ------------------------------------------------------------------
async def recent_failures(conn: AsyncConnection, username: str, ip: str, window_seconds: int) -> int:
    return (await conn.execute(sa.select(sa.func.count()).select_from(login_failures).where(
        login_failures.c.username == username, login_failures.c.ip == ip,
        login_failures.c.at > sa.func.now() - dt.timedelta(seconds=window_seconds)))).scalar_one()


async def add_failure(conn: AsyncConnection, username: str, ip: str) -> None:
    await conn.execute(sa.insert(login_failures).values(username=username, ip=ip))


async def clear_failures(conn: AsyncConnection, username: str, ip: str) -> None:
    await conn.execute(sa.delete(login_failures).where(login_failures.c.username == username,
                                                       login_failures.c.ip == ip))


# -- audit log ------------------------------------------------------------------------
async def audit(conn: AsyncConnection, action: str, *, actor: User | None = None, actor_name: str | None = None,
                target: str | None = None, ip: str | None = None, detail: dict | None = None) -> None:
    await conn.execute(sa.insert(audit_log).values(
        actor_id=actor.id if actor else None, actor=actor.username if actor else actor_name,
        action=action, target=target, ip=ip, detail=detail or {}))


async def list_audit(conn: AsyncConnection, *, actor: str | None = None, action: str | None = None,
                     target: str | None = None, since: dt.datetime | None = None, until: dt.datetime | None = None,
                     limit: int = 50, offset: int = 0) -> tuple[list[dict], int]:
    where = equal_to(audit_log, actor=actor, action=action, target=target)
    if since is not None:
        where.append(audit_log.c.at >= since)
    if until is not None:
        where.append(audit_log.c.at < until)
    rows, total = await page_of(conn, sa.select(audit_log), audit_log, where,
                                (audit_log.c.at.desc(), audit_log.c.id.desc()), limit, offset)
    return [dict(r._mapping) for r in rows], total
