#!/usr/bin/env python3
"""A department's subscriber to SAC's integration feed (exchange ``sac.integration``).

    pip install pika
    DEPT_AMQP_URI='amqp://agency-op:<password>@rabbitmq.example.gob.mx:5672/sac' \\
      python department_subscriber.py --queue dept.OP.alumbrado --bind 'OP.OP-ALUMBRADO.#' --db seen.sqlite3

What it does, and why (docs/department-subscriber.md):

- declares its own **quorum** queue ``dept.<AGENCY>.<name>`` (durable, replicated) with a
  delivery limit and its own dead-letter queue ``<queue>.dead``, and binds its keys
  (``<AGENCY>.<DEPARTMENT>.<event_type>``; ``#`` and ``*`` wildcards). It does not declare
  the exchange: SAC owns it and the agency user may not.
- processes each message and **acks only after** processing committed: a crash before the
  ack means the broker redelivers it.
- **deduplicates by event_id**: delivery is at-least-once, so the id is recorded in the
  same local transaction (SQLite here; use your own database) as the effect of
  processing; a redelivered or duplicated event is acked and skipped.
- **reconnects with backoff** (0.5 s doubling to 30 s, with jitter) when the broker or the
  network drops the connection; unacked messages come back by themselves.

Replace ``process`` with your own work (create a work order, notify a crew…). Here it
prints one JSON line per new event.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import random
import signal
import sqlite3
import sys
import threading
from typing import Callable

import pika
from pika.exceptions import AMQPConnectionError, AMQPError, ChannelClosedByBroker

EXCHANGE = "sac.integration"
log = logging.getLogger("department_subscriber")


def open_store(path: str) -> sqlite3.Connection:
    """The local record of processed event ids (and, in a real system, the effects)."""
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    db.execute("CREATE TABLE IF NOT EXISTS processed (event_id TEXT PRIMARY KEY, event_type TEXT, "
               "folio INTEGER, at TEXT DEFAULT CURRENT_TIMESTAMP)")
    return db


def handle(db: sqlite3.Connection, body: bytes, process: Callable[[dict], None]) -> bool:
    """Process one message once: the event id is claimed in the same transaction as the
    effect. Returns False for a duplicate (already processed: nothing done)."""
    event = json.loads(body)
    db.execute("BEGIN IMMEDIATE")
    try:
        claimed = db.execute("INSERT OR IGNORE INTO processed (event_id, event_type, folio) VALUES (?, ?, ?)",
                             (event["event_id"], event.get("event_type"), (event.get("data") or {}).get("folio"))
                             ).rowcount == 1
        if claimed:
            process(event)
        db.execute("COMMIT")
        return claimed
    except BaseException:
        db.execute("ROLLBACK")
        raise


def declare(channel, queue: str, keys: list[str], delivery_limit: int = 10) -> None:
    """Its quorum queue (and dead-letter queue), bound to its keys. Idempotent."""
    dlx = f"{queue}.dlx"
    channel.exchange_declare(dlx, exchange_type="fanout", durable=True)
    channel.queue_declare(f"{queue}.dead", durable=True, arguments={"x-queue-type": "quorum"})
    channel.queue_bind(f"{queue}.dead", dlx)
    channel.queue_declare(queue, durable=True, arguments={
        "x-queue-type": "quorum", "x-delivery-limit": delivery_limit, "x-dead-letter-exchange": dlx})
    for key in keys:
        channel.queue_bind(queue, EXCHANGE, key)


def print_event(event: dict) -> None:
    print(json.dumps({"event_id": event["event_id"], "event_type": event["event_type"],
                      "folio": event["data"].get("folio"), "data": event["data"]}, ensure_ascii=False), flush=True)


def run(url: str, queue: str, keys: list[str], db: sqlite3.Connection,
        process: Callable[[dict], None] = print_event, stop: threading.Event | None = None,
        prefetch: int = 50, max_backoff: float = 30.0) -> None:
    """Consume until ``stop`` is set, reconnecting with backoff whenever the connection drops."""
    stop = stop or threading.Event()
    params = pika.URLParameters(url)
    params.heartbeat = 30
    params.connection_attempts = 1
    backoff = 0.5
    connections = 0
    while not stop.is_set():
        try:
            conn = pika.BlockingConnection(params)
        except AMQPConnectionError as exc:
            delay = min(backoff, max_backoff) * random.uniform(0.8, 1.2)
            log.warning("cannot connect (%s); retrying in %.1fs", exc, delay)
            stop.wait(delay)
            backoff = min(backoff * 2, max_backoff)
            continue
        connections += 1
        log.info("connected%s", " again" if connections > 1 else "")
        try:
            ch = conn.channel()
            declare(ch, queue, keys)
            ch.basic_qos(prefetch_count=prefetch)
            backoff = 0.5

            def on_message(channel, method, properties, body):
                try:
                    fresh = handle(db, body, process)
                except Exception:
                    log.exception("processing failed; the broker will redeliver it (delivery limit applies)")
                    channel.basic_nack(method.delivery_tag, requeue=True)
                    return
                if not fresh:
                    log.info("duplicate %s skipped", properties.message_id)
                channel.basic_ack(method.delivery_tag)  # after processing committed

            ch.basic_consume(queue, on_message)
            while not stop.is_set():
                conn.process_data_events(time_limit=0.5)
            conn.close()
        except ChannelClosedByBroker as exc:
            if exc.reply_code == 403:  # wrong permissions: retrying will not help
                raise
            log.warning("channel closed by the broker (%s); reconnecting", exc)
        except AMQPError as exc:  # connection lost, closed by an operator, broker restart…
            log.warning("connection lost (%r); reconnecting in %.1fs", exc, backoff)
            stop.wait(backoff * random.uniform(0.8, 1.2))
            backoff = min(backoff * 2, max_backoff)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", default=os.environ.get("DEPT_AMQP_URI"), help="or DEPT_AMQP_URI")
    ap.add_argument("--queue", required=True, help="dept.<AGENCY>.<name>")
    ap.add_argument("--bind", action="append", required=True, help="binding key, e.g. 'OP.OP-ALUMBRADO.#' (repeatable)")
    ap.add_argument("--db", default="processed.sqlite3", help="local store of processed event ids")
    a = ap.parse_args(argv)
    if not a.url:
        ap.error("--url or DEPT_AMQP_URI is required")
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(levelname)s %(message)s")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    run(a.url, a.queue, a.bind, open_store(a.db), stop=stop)
    return 0


if __name__ == "__main__":
    sys.exit(main())
