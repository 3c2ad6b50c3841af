"""Transactional outbox relay.

Rows written by ``UnitOfWork.add_event`` commit with the change they describe. The
relay publishes them after commit, each with a publisher confirm, and marks them
published only once confirmed; on any failure the transaction rolls back and the
rows are retried. Several replicas can run: rows are taken ``FOR UPDATE SKIP LOCKED``.
Delivery is at-least-once; consumers deduplicate by ``event_id``.
"""
from __future__ import annotations

import logging
import threading
import time

import sqlalchemy as sa
from kombu import Connection, Exchange
from nameko.extensions import DependencyProvider

from .db import make_engine, outbox_table
from .metrics import counter, gauge
from .transient import for_container

log = logging.getLogger(__name__)

BATCH = 500


def amqp_connection(uri: str) -> Connection:
    return Connection(uri, transport_options={"confirm_publish": True}, heartbeat=0)


def relay_once(engine: sa.Engine, conn: Connection, batch: int = BATCH,
               declared: set | None = None) -> int:
    """Publish up to ``batch`` pending rows with confirms; returns how many."""
    declared = declared if declared is not None else set()
    with engine.begin() as db:
        # one statement takes and marks the rows; the mark commits only once every publish
        # is confirmed (any failure rolls it back, as when the UPDATE came after)
        rows = sorted(db.execute(_TAKE_PENDING, {"batch": batch}).all(), key=lambda r: r.id)
        if not rows:
            return 0
        producer = conn.Producer(serializer="json")
        for row in rows:
            exchange = Exchange(row.exchange, type="topic", durable=True)
            producer.publish(
                row.payload, exchange=exchange, routing_key=row.routing_key,
                headers=dict(row.headers or {}), delivery_mode=2,
                message_id=row.payload.get("event_id"),
                declare=[] if row.exchange in declared else [exchange], retry=False)
            declared.add(row.exchange)
    return len(rows)


_o = outbox_table
#: ``relay_once``: up to ``batch`` pending rows, oldest first, locked (SKIP LOCKED: replicas
#: take different rows) and marked published in the same statement
_PENDING = (sa.select(_o.c.id).where(_o.c.published_at.is_(None)).order_by(_o.c.id)
            .limit(sa.bindparam("batch", type_=sa.Integer)).with_for_update(skip_locked=True)
            .cte("pending").prefix_with("MATERIALIZED"))  # evaluated once: exactly the rows locked
_TAKE_PENDING = (sa.update(_o).where(_o.c.id == _PENDING.c.id).values(published_at=sa.func.now())
    .returning(_o.c.id, _o.c.exchange, _o.c.routing_key, _o.c.payload, _o.c.headers))


def pending_count(engine: sa.Engine) -> int:
    with engine.connect() as db:
        return db.execute(sa.select(sa.func.count()).select_from(outbox_table)
                          .where(outbox_table.c.published_at.is_(None))).scalar_one()


def purge_published(engine: sa.Engine, older_than_hours: int = 24) -> int:
    with engine.begin() as db:
        return db.execute(sa.delete(outbox_table).where(
            outbox_table.c.published_at < sa.func.now() - sa.text(f"interval '{int(older_than_hours)} hours'"))).rowcount


class PublishingRelay(DependencyProvider):
    """A background thread that publishes what a service stored for publishing, with
    confirms, until it is stopped: a connection kept open and dropped on failure, retries
    with backoff, woken by ``nudge()``, metrics ``<service>_outbox_*``. A subclass says
    where the pending events are: ``publish_pending(conn, declared)`` (how many it
    published; called again at once when it returns ``BATCH``), ``pending()`` (for the
    gauge) and ``housekeeping()`` (hourly). Config: ``AMQP_URI``,
    ``OUTBOX_POLL_SECONDS`` (0.5)."""

    housekeeping_seconds = 3600.0

    def setup(self):
        cfg = self.container.config
        self.amqp_uri = cfg["AMQP_URI"]
        self.poll = float(cfg.get("OUTBOX_POLL_SECONDS", 0.5))
        self.service = self.container.service_name
        self._wake = threading.Event()
        self._stopping = False
        self._conn: Connection | None = None
        self._declared: set = set()
        svc = self.service
        self.m_pending = gauge(f"{svc}_outbox_pending", "Outbox rows not yet published")
        self.m_published = counter(f"{svc}_outbox_published_total", "Outbox events published and confirmed")
        self.m_failures = counter(f"{svc}_outbox_publish_failures_total", "Failed outbox publish attempts")

    def publish_pending(self, conn: Connection, declared: set) -> int:  # pragma: no cover - abstract
        raise NotImplementedError

    def pending(self) -> int:  # pragma: no cover - abstract
        raise NotImplementedError

    def housekeeping(self) -> None:
        """Hourly chores (purging what was published long ago…)."""

    def closed(self) -> None:
        """The loop ended: release what ``setup`` opened."""

    def start(self):
        self.container.spawn_managed_thread(self._run)

    def stop(self):
        self._stopping = True
        self._wake.set()

    def kill(self):
        self.stop()

    def nudge(self):
        self._wake.set()

    def get_dependency(self, worker_ctx):
        return self

    def _connection(self) -> Connection:
        if self._conn is None:
            self._conn = amqp_connection(self.amqp_uri)
            self._conn.connect()
            self._declared = set()
        return self._conn

    def _drop_connection(self):
        if self._conn is not None:
            try:
                self._conn.release()
            except Exception:
                pass
        self._conn = None

    def _run(self):
        backoff = 0.1
        last_gauge = last_chores = 0.0
        while not self._stopping:
            try:
                sent = self.publish_pending(self._connection(), self._declared)
                if sent:
                    self.m_published.inc(sent)
                now = time.monotonic()
                if now - last_gauge > 1.0:
                    self.m_pending.set(self.pending())
                    last_gauge = now
                if now - last_chores > self.housekeeping_seconds:
                    self.housekeeping()
                    last_chores = now
                backoff = 0.1
                for_container(self.container).recovered("outbox")
            except Exception as exc:  # never leaves the loop: the relay outlives any outage
                self.m_failures.inc()
                for_container(self.container).waiting("outbox", exc)
                log.warning("%s relay failed; retrying in %.1fs", self.service, backoff, exc_info=True)
                self._drop_connection()
                time.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
                continue
            if sent < BATCH:
                self._wake.wait(self.poll)
                self._wake.clear()
        self._drop_connection()
        self.closed()


class OutboxRelay(PublishingRelay):
    """Background publisher of the service's SQL outbox. Config: ``DATABASE_URL``, and
    those of ``PublishingRelay``."""

    is_outbox_relay = True

    def setup(self):
        super().setup()
        self.engine = make_engine(self.container.config["DATABASE_URL"], pool_size=2, max_overflow=2)

    def publish_pending(self, conn: Connection, declared: set) -> int:
        return relay_once(self.engine, conn, declared=declared)

    def pending(self) -> int:
        return pending_count(self.engine)

    def housekeeping(self) -> None:
        purge_published(self.engine)
