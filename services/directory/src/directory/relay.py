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

from kombu import Exchange

from sacinfra.mongo import make_client
from sacinfra.outbox import BATCH, PublishingRelay, amqp_connection  # noqa: F401  (tests open a connection)

from .store import Store

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


class LogRelay(PublishingRelay):
    """sacinfra's publishing loop over the log. Config: ``MONGO_URI``, ``MONGO_DB``,
    ``AMQP_URI``, ``OUTBOX_POLL_SECONDS`` (0.5)."""

    housekeeping_seconds = UNCOUNTED_AFTER.total_seconds() / 3

    def setup(self):
        super().setup()
        cfg = self.container.config
        self.client = make_client(cfg["MONGO_URI"])
        self.store = Store(self.client[cfg.get("MONGO_DB", self.container.service_name)])

    def publish_pending(self, conn, declared: set) -> int:
        return relay_once(self.store, conn, declared=declared)

    def pending(self) -> int:
        return self.store.pending_events()

    def housekeeping(self) -> None:
        count_leftovers(self.store)

    def closed(self) -> None:
        self.client.close()
