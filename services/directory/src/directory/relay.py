"""The relay of directory's events: the consult and print log is the outbox.

Each consult or print is one ``log`` document holding the record *and* its event
envelope with ``published: false`` — a single-document insert, atomic on any MongoDB
(no multi-document transaction, which a standalone MongoDB lacks). This relay publishes
unpublished entries in time order to ``directory.events`` with publisher confirms and
marks them published only after the broker confirmed; on any failure it retries with
backoff, so nothing recorded is lost, at the price of at-least-once delivery (consumers
deduplicate by ``event_id``, the entry's ``_id``). It also counts entries a crash left
uncounted (see ``store.count_entry``)."""
from __future__ import annotations

import datetime as dt
import logging
import threading
import time

from kombu import Exchange
from nameko.extensions import DependencyProvider

from sacinfra.metrics import counter, gauge
from sacinfra.mongo import make_client
from sacinfra.outbox import amqp_connection

from .store import Store

log = logging.getLogger(__name__)
BATCH = 500
EXCHANGE = "directory.events"
UNCOUNTED_AFTER = dt.timedelta(seconds=30)


def relay_once(store: Store, conn, batch: int = BATCH, declared: set | None = None) -> int:
    """Publish up to ``batch`` unpublished entries with confirms; returns how many."""
    declared = declared if declared is not None else set()
    rows = store.unpublished(batch)
    if not rows:
        return 0
    producer = conn.Producer(serializer="json")
    exchange = Exchange(EXCHANGE, type="topic", durable=True)
    for row in rows:
        envelope = row["envelope"]
        headers = {f"nameko.{k}": v for k, v in (envelope.get("trace") or {}).items()}
        producer.publish(envelope, exchange=exchange, routing_key=row["event_type"], headers=headers,
                         delivery_mode=2, message_id=envelope["event_id"],
                         declare=[] if EXCHANGE in declared else [exchange], retry=False)
        declared.add(EXCHANGE)
    store.mark_published([r["_id"] for r in rows], dt.datetime.now(dt.timezone.utc))
    return len(rows)


def count_leftovers(store: Store) -> int:
    rows = store.uncounted(dt.datetime.now(dt.timezone.utc) - UNCOUNTED_AFTER)
    for r in rows:
        store.count_entry(r)
    return len(rows)


class LogRelay(DependencyProvider):
    """Config: ``MONGO_URI``, ``MONGO_DB``, ``AMQP_URI``, ``OUTBOX_POLL_SECONDS`` (0.5)."""

    def setup(self):
        cfg = self.container.config
        self.client = make_client(cfg["MONGO_URI"])
        self.store = Store(self.client[cfg.get("MONGO_DB", self.container.service_name)])
        self.amqp_uri = cfg["AMQP_URI"]
        self.poll = float(cfg.get("OUTBOX_POLL_SECONDS", 0.5))
        self._wake = threading.Event()
        self._stopping = False
        self._conn = None
        self._declared: set = set()
        self.m_pending = gauge("directory_outbox_pending", "Log entries whose event is not yet published")
        self.m_published = counter("directory_outbox_published_total", "Events published and confirmed")
        self.m_failures = counter("directory_outbox_publish_failures_total", "Failed publish attempts")

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

    def _connection(self):
        if self._conn is None:
            self._conn = amqp_connection(self.amqp_uri)
            self._conn.connect()
            self._declared = set()
        return self._conn

    def _drop(self):
        if self._conn is not None:
            try:
                self._conn.release()
            except Exception:
                pass
        self._conn = None

    def _run(self):
        backoff = 0.1
        last_check = 0.0
        while not self._stopping:
            try:
                sent = relay_once(self.store, self._connection(), declared=self._declared)
                if sent:
                    self.m_published.inc(sent)
                if time.monotonic() - last_check > 10:
                    count_leftovers(self.store)
                    self.m_pending.set(self.store.pending_events())
                    last_check = time.monotonic()
                backoff = 0.1
            except Exception:
                self.m_failures.inc()
                log.warning("directory relay failed; retrying in %.1fs", backoff, exc_info=True)
                self._drop()
                time.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
                continue
            if sent < BATCH:
                self._wake.wait(self.poll)
                self._wake.clear()
        self._drop()
        self.client.close()
