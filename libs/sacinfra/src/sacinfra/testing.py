"""Helpers for tests against real servers: a database per test, a vhost per test."""
from __future__ import annotations

import os
import uuid
from pathlib import Path

import psycopg

from .topology import delete_vhost, setup_vhost

PG_ADMIN_DSN = os.environ.get("SAC_PG_ADMIN_DSN", "host=127.0.0.1 port=5432 user=postgres dbname=postgres")
PG_HOST = os.environ.get("SAC_PG_HOST", "127.0.0.1")
AMQP_HOST = os.environ.get("SAC_AMQP_HOST", "127.0.0.1:5672")


def unique(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


def database_url(name: str) -> str:
    return f"postgresql+psycopg://postgres@{PG_HOST}:5432/{name}"


def create_database(name: str) -> str:
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return database_url(name)


def drop_database(name: str) -> None:
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def migrate(service_dir: str | Path, url: str) -> None:
    from alembic import command
    from alembic.config import Config

    cfg = Config(str(Path(service_dir) / "alembic.ini"))
    cfg.attributes["url"] = url
    command.upgrade(cfg, "head")


def amqp_uri(vhost: str) -> str:
    return f"amqp://guest:guest@{AMQP_HOST}/{vhost}"


def create_vhost(name: str, delivery_limit: int = 5) -> str:
    setup_vhost(name, delivery_limit=delivery_limit)
    return amqp_uri(name)


def remove_vhost(name: str) -> None:
    try:
        delete_vhost(name)
    except Exception:
        pass


def publish_event(uri: str, source: str, event_type: str, envelope: dict, headers: dict | None = None) -> None:
    """Publish like an outbox relay would (persistent, confirmed)."""
    publish_events(uri, source, event_type, [envelope], headers)


def publish_events(uri: str, source: str, event_type: str, envelopes: list[dict],
                   headers: dict | None = None) -> None:
    from kombu import Exchange

    from .outbox import amqp_connection

    with amqp_connection(uri) as conn:
        exchange = Exchange(f"{source}.events", type="topic", durable=True)
        producer = conn.Producer(serializer="json")
        for envelope in envelopes:
            producer.publish(envelope, exchange=exchange, routing_key=event_type, declare=[exchange],
                             delivery_mode=2, headers=headers or {}, retry=False)


def bind_queue(uri: str, queue: str, source: str, routing_key: str) -> None:
    """A durable queue bound to ``<source>.events`` (what a subscriber does)."""
    from kombu import Connection, Exchange, Queue

    with Connection(uri) as conn:
        exchange = Exchange(f"{source}.events", type="topic", durable=True)
        Queue(queue, exchange=exchange, routing_key=routing_key, durable=True)(conn.channel()).declare()


def drain(uri: str, queue: str, expect: int, timeout: float = 15.0) -> list[dict]:
    """Take messages from ``queue`` until ``expect`` arrived or ``timeout`` passed."""
    import json
    import time

    from kombu import Connection

    out: list[dict] = []
    deadline = time.monotonic() + timeout
    with Connection(uri) as conn:
        channel = conn.channel()
        while len(out) < expect and time.monotonic() < deadline:
            msg = channel.basic_get(queue, no_ack=True)  # no declare: the queue's arguments are the owner's
            if msg is None:
                time.sleep(0.1)
                continue
            out.append(json.loads(msg.body))
    return out


def wait_until(check, timeout: float = 15.0, interval: float = 0.1, what: str = "condition"):
    """``check()``'s first truthy value, polled every ``interval`` s; after ``timeout`` s an
    AssertionError naming ``what`` and the last value."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not met in {timeout}s (last value {value!r})")
        time.sleep(interval)


class InMemoryUnitOfWork:
    """Base of a service's in-memory twin of its ``store.Store`` for unit tests (no I/O).

    ``with`` keeps a deep copy of the attributes named in ``state`` and puts them back when
    the block raises, as the real unit of work rolls back; ``commits`` counts the blocks
    that ended well. Events added are kept as ``(event_type, data)`` in ``events``."""

    state: tuple[str, ...] = ()

    def __init__(self):
        self.events: list[tuple[str, dict]] = []
        self.commits = 0
        self._saved: dict | None = None

    def __enter__(self):
        import copy
        self._saved = copy.deepcopy({name: getattr(self, name) for name in self.state + ("events",)})
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.commits += 1
        else:
            for name, value in self._saved.items():
                setattr(self, name, value)
        self._saved = None

    def add_events(self, events) -> None:
        self.events += [(event_type, data) for event_type, data, _ in events]
