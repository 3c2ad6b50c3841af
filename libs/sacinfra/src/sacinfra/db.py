"""SQLAlchemy 2 on psycopg 3, cooperating with eventlet.

``Database`` is a nameko dependency provider: each worker gets a ``UnitOfWork`` whose
session, outbox rows and processed-message claims commit in one transaction.
"""
from __future__ import annotations

import json
import logging
import os
import uuid
from typing import Any, Callable

import psycopg  # noqa: F401  (imported here, once: extensions set up in parallel greenthreads)
import sqlalchemy as sa
from nameko.extensions import DependencyProvider
from sqlalchemy.dialects.postgresql import JSONB, insert as pg_insert
from sqlalchemy.orm import Session

from .envelope import make_envelope

log = logging.getLogger(__name__)

infra_metadata = sa.MetaData()

outbox_table = sa.Table(
    "outbox", infra_metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("event_id", sa.Uuid, nullable=False, unique=True),
    sa.Column("exchange", sa.Text, nullable=False),
    sa.Column("routing_key", sa.Text, nullable=False),
    sa.Column("payload", JSONB, nullable=False),
    sa.Column("headers", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("published_at", sa.DateTime(timezone=True)),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Index("outbox_pending_idx", "id", postgresql_where=sa.text("published_at IS NULL")),
)

processed_messages_table = sa.Table(
    "processed_messages", infra_metadata,
    sa.Column("consumer", sa.Text, primary_key=True),
    sa.Column("message_id", sa.Text, primary_key=True),
    sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)


def create_infra_tables(op) -> None:
    """Call from a service's first alembic migration: creates outbox and
    processed_messages from the table definitions above (one definition)."""
    bind = op.get_bind()
    outbox_table.create(bind)
    processed_messages_table.create(bind)


def drop_infra_tables(op) -> None:
    bind = op.get_bind()
    processed_messages_table.drop(bind)
    outbox_table.drop(bind)


def make_engine(url: str, **kwargs: Any) -> sa.Engine:
    """A service's engine. Its pool keeps ``SQL_POOL_SIZE`` connections (10) open between
    uses and opens up to ``SQL_MAX_OVERFLOW`` more (20) under load; a process with many
    platforms on one PostgreSQL (the tests) keeps fewer idle ones."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    kwargs.setdefault("pool_size", int(os.environ.get("SQL_POOL_SIZE") or 10))
    kwargs.setdefault("max_overflow", int(os.environ.get("SQL_MAX_OVERFLOW") or 20))
    # no pre-ping: it costs a round trip per checkout; broken connections are dropped
    # by the pool on error and the worker's caller retries (events redeliver).
    kwargs.setdefault("pool_recycle", 1800)
    return sa.create_engine(url, **kwargs)


def outbox_row(producer: str, event_type: str, data: dict, version: int = 1, trace: dict | None = None,
               exchange: str | None = None, routing_key: str | None = None,
               also_routing_keys: list[str] | tuple[str, ...] = ()) -> dict:
    """An outbox row; by default to ``<producer>.events`` with the event type as routing
    key. ``exchange``/``routing_key`` send it elsewhere (e.g. the integration exchange);
    ``also_routing_keys`` route the same message (one ``event_id``) to more keys of that
    exchange in one publish (RabbitMQ's ``BCC`` header, removed before delivery; a queue
    bound to several of the keys still receives it once)."""
    envelope = make_envelope(event_type, data, producer, version=version, trace=trace)
    headers = {f"nameko.{k}": v for k, v in envelope["trace"].items()}
    key = routing_key or event_type
    extra = [k for k in dict.fromkeys(also_routing_keys) if k != key]
    if extra:
        headers["BCC"] = extra
    return {
        "event_id": uuid.UUID(envelope["event_id"]),
        "exchange": exchange or f"{producer}.events",
        "routing_key": key,
        "payload": envelope,
        "headers": headers,
    }


class UnitOfWork:
    """One transaction: domain rows, outbox events and consumed-message claims.

    A use case runs inside ``with uow:`` (commit on success, rollback on error); a
    service's ``store.py`` is the only code that touches ``uow.session``."""

    def __init__(self, engine: sa.Engine, producer: str, on_commit: Callable[[], None] | None = None):
        self.engine = engine
        self.producer = producer
        self._on_commit = on_commit
        self._session: Session | None = None
        self._events = 0

    @property
    def session(self) -> Session:
        if self._session is None:
            self._session = Session(self.engine, expire_on_commit=False)
        return self._session

    def __enter__(self) -> "UnitOfWork":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        """``with uow:`` is the one place a use case's transaction ends: it commits when
        the block finishes and rolls back when it raises (cosmicpython's unit of work).
        Use cases never call ``rollback()`` themselves."""
        try:
            if exc_type is None:
                self.commit()
            else:
                self.rollback()
        finally:
            self.close()

    def add_event(self, event_type: str, data: dict, version: int = 1) -> dict:
        """Store an event to publish after commit; returns the envelope."""
        row = outbox_row(self.producer, event_type, data, version)
        self.session.execute(sa.insert(outbox_table).values(**row))
        self._events += 1
        return row["payload"]

    def add_events(self, events: list[tuple[str, dict, dict | None]], version: int = 1) -> list[dict]:
        """Several events in one statement: ``(event_type, data, trace context or None)``."""
        if not events:
            return []
        rows = [outbox_row(self.producer, t, d, version, trace) for t, d, trace in events]
        self.session.execute(sa.insert(outbox_table), rows)
        self._events += len(rows)
        return [r["payload"] for r in rows]

    def add_routed_events(self, exchange: str, events: list[dict], version: int = 1) -> list[dict]:
        """Events for another exchange than ``<producer>.events`` (same transaction, same
        relay, same confirms): each ``{"event_type", "data", "routing_key",
        "also_routing_keys" (optional), "trace" (optional)}``. Returns the envelopes."""
        if not events:
            return []
        rows = [outbox_row(self.producer, e["event_type"], e["data"], version, e.get("trace"), exchange=exchange,
                           routing_key=e["routing_key"], also_routing_keys=e.get("also_routing_keys", ()))
                for e in events]
        self.session.execute(sa.insert(outbox_table), rows)
        self._events += len(rows)
        return [r["payload"] for r in rows]

    def claim(self, consumer: str, message_id: str) -> bool:
        """True the first time ``message_id`` is seen by ``consumer`` in a committed
        transaction; False if it was already processed (the caller then does nothing)."""
        stmt = (pg_insert(processed_messages_table)
                .values(consumer=consumer, message_id=str(message_id))
                .on_conflict_do_nothing()
                .returning(processed_messages_table.c.message_id))
        return self.session.execute(stmt).first() is not None

    def claim_many(self, consumer: str, message_ids: list[str]) -> set[str]:
        """``claim`` for a batch in one statement: the ids seen for the first time."""
        if not message_ids:
            return set()
        stmt = (pg_insert(processed_messages_table)  # executemany: cached, where .values(list) is compiled each time
                .on_conflict_do_nothing()
                .returning(processed_messages_table.c.message_id))
        return set(self.session.execute(stmt, [{"consumer": consumer, "message_id": str(m)}
                                               for m in dict.fromkeys(message_ids)]).scalars())

    def commit(self) -> None:
        if self._session is not None:
            self._session.commit()
        if self._events and self._on_commit:
            self._on_commit()
        self._events = 0

    def rollback(self) -> None:
        """Roll back; on a connection that died (the database restarted) there is nothing
        left to roll back, so that failure is logged and the session dropped, never raised
        over the error that caused the rollback."""
        self._events = 0
        if self._session is not None:
            try:
                self._session.rollback()
            except Exception as exc:
                log.warning("rollback on a broken connection: %s: %s", type(exc).__name__, exc)
                self._discard()

    def close(self) -> None:
        if self._session is not None:
            try:
                self._session.close()
            except Exception as exc:
                log.warning("closing a session on a broken connection: %s: %s", type(exc).__name__, exc)
                self._discard()
            self._session = None

    def _discard(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            try:
                session.invalidate()  # the pool drops the dead connection instead of reusing it
            except Exception:
                pass


def nudge_relay(container) -> None:
    """Wake the container's outbox relay (if any) right after a commit with events."""
    for ext in container.dependencies:
        if getattr(ext, "is_outbox_relay", False):
            ext.nudge()


class Database(DependencyProvider):
    """Gives each worker a ``UnitOfWork``; rolls back and closes whatever the worker
    left uncommitted. Config key ``DATABASE_URL``."""

    def __init__(self, config_key: str = "DATABASE_URL"):
        self.config_key = config_key
        self.engine: sa.Engine | None = None
        self._uows: dict = {}

    def setup(self):
        self.engine = make_engine(self.container.config[self.config_key])

    def stop(self):
        if self.engine is not None:
            self.engine.dispose()

    def new_unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self.engine, self.container.service_name, on_commit=lambda: nudge_relay(self.container))

    def get_dependency(self, worker_ctx):
        uow = self.new_unit_of_work()
        self._uows[worker_ctx] = uow
        return uow

    def worker_teardown(self, worker_ctx):
        uow = self._uows.pop(worker_ctx, None)
        if uow is not None:  # never raises: a teardown error kills the container
            try:
                uow.rollback()
                uow.close()
            except Exception:
                log.exception("worker teardown of the unit of work failed")

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))


def dumps(obj: Any) -> str:
    return json.dumps(obj, default=str)


class Repository:
    """Base of a service's ``store.Store``: its repository over one ``UnitOfWork``.

    ``with store:`` is the unit of work's ``with`` (commit on success, rollback on error);
    the subclass holds every SQL statement of the service (over ``self.session``), so use
    cases call methods and never write SQL, and unit tests swap in an in-memory twin."""

    #: the Spanish message of the Conflict a unique violation becomes in ``write``
    conflict_message = "Los datos cambiaron mientras se guardaban; vuelva a intentarlo."

    def __init__(self, uow: UnitOfWork):
        self.uow = uow

    def __enter__(self):
        self.uow.__enter__()
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.uow.__exit__(exc_type, exc, tb)

    @property
    def session(self) -> Session:
        return self.uow.session

    def add_events(self, events: list[tuple[str, dict, dict | None]]) -> None:
        self.uow.add_events(events)

    def claim(self, consumer: str, message_id: str) -> bool:
        return self.uow.claim(consumer, message_id)

    def write(self, stmt, params=None):
        """Run a write; a unique violation (a concurrent writer got there first) becomes
        ``Conflict`` ``conflicto_concurrente``."""
        from .errors import Conflict
        try:
            return self.session.execute(stmt) if params is None else self.session.execute(stmt, params)
        except sa.exc.IntegrityError:
            raise Conflict(self.conflict_message, "conflicto_concurrente") from None

    def vacuum(self, tables: tuple[str, ...]) -> None:
        """Best effort, outside any transaction (VACUUM cannot run in one): drops the dead
        row versions that still held erased values; autovacuum does it later otherwise."""
        import logging
        try:
            with self.session.get_bind().connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(sa.text("VACUUM " + ", ".join(tables)))
        except Exception:  # noqa: BLE001
            logging.getLogger(__name__).warning("VACUUM %s failed; autovacuum will clean up", tables, exc_info=True)
