"""Dead letters: events that failed their delivery limit land in RabbitMQ's
``sac.dead-letter`` queue; a small consumer in the gateway moves each one into the
gateway's table ``dead_letters`` (insert committed, then ack: at-least-once, a second copy
of the same death is one row), where administrators list them without disturbing them and
replay them to the exchange and routing key they were first published to.

Why a table rather than peeking with the management API (``ackmode=ack_requeue_true``):
peeking redelivers every message on each look (its delivery count grows, and a quorum
queue with a delivery limit — RabbitMQ 4 gives every quorum queue one by default — would
eventually drop them), returns them behind newer ones, costs the broker a fetch of the
whole queue per page, and offers no filter, count or pagination. The cost of the table:
the dead letters live in the gateway's database instead of the broker (backed up with it)
and the queue is drained by every gateway replica (competing consumers, harmless)."""
from __future__ import annotations

import asyncio
import base64
import datetime as dt
import hashlib
import json
import logging
from typing import Any

import aio_pika
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB, insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncEngine

from sacinfra.telemetry import counter, gauge

from .auth.store import equal_to, page_of

log = logging.getLogger(__name__)

DLQ = "sac.dead-letter"  # sacinfra.topology.DLQ (not imported: the gateway needs no management API)
#: headers RabbitMQ adds when dead-lettering or delivering; dropped on replay
DEATH_HEADERS = ("x-death", "x-first-death-queue", "x-first-death-reason", "x-first-death-exchange",
                 "x-last-death-queue", "x-last-death-reason", "x-last-death-exchange", "x-delivery-count")

metadata = sa.MetaData()
dead_letters = sa.Table(
    "dead_letters", metadata,
    sa.Column("id", sa.BigInteger, primary_key=True),
    sa.Column("message_id", sa.Text, nullable=False),
    sa.Column("event_type", sa.Text), sa.Column("producer", sa.Text),
    sa.Column("queue", sa.Text, nullable=False), sa.Column("exchange", sa.Text, nullable=False),
    sa.Column("routing_key", sa.Text, nullable=False), sa.Column("reason", sa.Text, nullable=False),
    sa.Column("death_count", sa.Integer, nullable=False),
    sa.Column("first_death_at", sa.DateTime(timezone=True)),
    sa.Column("received_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
    sa.Column("content_type", sa.Text), sa.Column("headers", JSONB), sa.Column("payload", JSONB),
    sa.Column("body", sa.LargeBinary, nullable=False),
)

WAITING = gauge("gateway_dead_letters", "Dead letters waiting in the gateway's table for an administrator")
MOVED = counter("gateway_dead_letters_received_total", "Dead letters moved from sac.dead-letter into the table")
REPLAYED = counter("gateway_dead_letters_replayed_total", "Dead letters replayed to their original exchange")


# --------------------------------------------------------------------------- parsing

def _text(value) -> str | None:
    if value is None:
        return None
    return value.decode("utf-8", "replace") if isinstance(value, (bytes, bytearray)) else str(value)


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (bytes, bytearray)):
        return _text(value)
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def _utc(value) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
    if isinstance(value, (int, float)):
        return dt.datetime.fromtimestamp(value, dt.timezone.utc)
    return None


def parse(body: bytes, headers: dict | None, message_id: str | None = None, content_type: str | None = None,
          now: dt.datetime | None = None) -> dict:
    """A row of ``dead_letters`` from a message of ``sac.dead-letter`` (pure)."""
    headers = dict(headers or {})
    deaths = [d for d in headers.get("x-death") or [] if isinstance(d, dict)]
    first_queue = _text(headers.get("x-first-death-queue"))
    first = next((d for d in deaths if _text(d.get("queue")) == first_queue), deaths[-1] if deaths else {})
    keys = [_text(k) for k in first.get("routing-keys") or []]
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        payload = None
    envelope = payload if isinstance(payload, dict) else {}
    return {
        "message_id": _text(envelope.get("event_id")) or _text(message_id)
                      or "sha:" + base64.b32encode(hashlib.sha256(body).digest()[:10]).decode(),
        "event_type": _text(envelope.get("event_type")),
        "producer": _text(envelope.get("producer")),
        "queue": first_queue or _text(first.get("queue")) or "",
        "exchange": _text(headers.get("x-first-death-exchange")) or _text(first.get("exchange")) or "",
        "routing_key": keys[0] if keys else "",
        "reason": _text(headers.get("x-first-death-reason")) or _text(first.get("reason")) or "desconocida",
        "death_count": sum(int(d.get("count") or 1) for d in deaths) or 1,
        "first_death_at": _utc(first.get("time")) or now or dt.datetime.now(dt.timezone.utc),
        "content_type": content_type,
        "headers": _jsonable({k: v for k, v in headers.items() if k not in DEATH_HEADERS}),
        "payload": payload,
        "body": bytes(body),
    }


def public(row) -> dict:
    """What the API shows of a row."""
    return {"id": row["id"], "event_id": row["message_id"], "event_type": row["event_type"],
            "producer": row["producer"], "queue": row["queue"], "exchange": row["exchange"],
            "routing_key": row["routing_key"], "reason": row["reason"], "count": row["death_count"],
            "first_death_at": row["first_death_at"], "received_at": row["received_at"], "payload": row["payload"]}


# --------------------------------------------------------------------------- store

async def store(engine: AsyncEngine, row: dict) -> bool:
    """Insert one dead letter; False if that death was already stored."""
    async with engine.begin() as conn:
        done = await conn.execute(pg_insert(dead_letters).values(**row).on_conflict_do_nothing()
                                  .returning(dead_letters.c.id))
        return done.first() is not None


async def waiting(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        n = (await conn.execute(sa.select(sa.func.count()).select_from(dead_letters))).scalar_one()
    WAITING.set(n)
    return n


async def list_page(engine: AsyncEngine, *, queue: str | None = None, event_type: str | None = None,
                    limit: int = 50, offset: int = 0) -> tuple[list[dict], int]:
    """Oldest first (the order they died in)."""
    async with engine.connect() as conn:
        rows, total = await page_of(conn, sa.select(dead_letters), dead_letters,
                                    equal_to(dead_letters, queue=queue or None, event_type=event_type or None),
                                    (dead_letters.c.first_death_at, dead_letters.c.id), limit, offset)
    return [public(r._mapping) for r in rows], total


class NotFound(LookupError):
    def __init__(self, ids):
        super().__init__(ids)
        self.ids = ids


async def replay(engine: AsyncEngine, amqp_uri: str, ids: list[int] | None, limit: int = 1000) -> dict:
    """Publish the chosen dead letters (all when ``ids`` is None, oldest first, up to
    ``limit``) to their original exchange and routing key with publisher confirms, and
    delete each row once confirmed. Rows are locked while replayed, so two administrators
    cannot replay one twice. ``NotFound`` (nothing done) if an id does not exist.
    Returns ``{"replayed": [ids], "failed": [{"id", "detail"}]}``."""
    replayed, failed = [], []
    async with engine.begin() as conn:
        query = sa.select(dead_letters).order_by(dead_letters.c.first_death_at, dead_letters.c.id)
        if ids is None:
            query = query.limit(limit).with_for_update(skip_locked=True)
        else:
            query = query.where(dead_letters.c.id.in_(ids)).with_for_update()
        rows = (await conn.execute(query)).mappings().all()
        if ids is not None and len(rows) != len(set(ids)):
            raise NotFound(sorted(set(ids) - {r["id"] for r in rows}))
        if not rows:
            return {"replayed": [], "failed": []}
        connection = await aio_pika.connect(amqp_uri)
        try:
            channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
            exchanges: dict[str, Any] = {}
            for r in rows:
                try:
                    if r["exchange"] not in exchanges:
                        exchanges[r["exchange"]] = channel.default_exchange if r["exchange"] == "" else \
                            await channel.get_exchange(r["exchange"], ensure=False)
                    await exchanges[r["exchange"]].publish(aio_pika.Message(
                        r["body"], headers=r["headers"] or {}, content_type=r["content_type"],
                        message_id=r["message_id"], delivery_mode=aio_pika.DeliveryMode.PERSISTENT),
                        routing_key=r["routing_key"], mandatory=True)
                except aio_pika.exceptions.DeliveryError as exc:  # returned: nothing bound to that key now
                    failed.append({"id": r["id"], "detail": f"sin destino: {exc}"})
                    continue
                except Exception as exc:  # the broker went away: stop, keep the rest
                    failed += [{"id": x["id"], "detail": f"no se pudo publicar: {type(exc).__name__}"}
                               for x in rows if x["id"] not in replayed]
                    break
                replayed.append(r["id"])
        finally:
            await connection.close()
        if replayed:
            await conn.execute(sa.delete(dead_letters).where(dead_letters.c.id.in_(replayed)))
    REPLAYED.inc(len(replayed))
    await waiting(engine)
    return {"replayed": replayed, "failed": failed}


# --------------------------------------------------------------------------- the mover

class Mover:
    """Consumes ``sac.dead-letter`` into the table (commit, then ack); reconnects with
    backoff; refreshes the ``gateway_dead_letters`` gauge every ``refresh`` seconds."""

    def __init__(self, amqp_uri: str, engine: AsyncEngine, prefetch: int = 20, refresh: float = 15.0):
        self.amqp_uri, self.engine, self.prefetch, self.refresh = amqp_uri, engine, prefetch, refresh
        self._tasks: list[asyncio.Task] = []
        self.moved = 0

    def start(self) -> None:
        self._tasks = [asyncio.create_task(self._consume(), name="dead-letter-mover"),
                       asyncio.create_task(self._measure(), name="dead-letter-gauge")]

    async def stop(self) -> None:
        for t in self._tasks:
            t.cancel()
        if self._tasks:  # bounded: a broker that does not answer must not hold the shutdown
            await asyncio.wait(self._tasks, timeout=5)
        self._tasks = []

    async def _measure(self):
        while True:
            try:
                await waiting(self.engine)
            except Exception as exc:
                log.warning("dead letters: cannot count (%s)", exc)
            await asyncio.sleep(self.refresh)

    async def move(self, message) -> None:
        row = parse(message.body, message.headers, message.message_id, message.content_type)
        if await store(self.engine, row):
            MOVED.inc()
            self.moved += 1
            log.warning("dead letter stored: %s %s from queue %s (%s)", row["event_type"], row["message_id"],
                        row["queue"], row["reason"])
        await message.ack()
        await waiting(self.engine)

    async def _on_message(self, message) -> None:
        try:
            await self.move(message)
        except Exception:
            log.exception("dead letter not stored; it stays in %s", DLQ)
            await message.nack(requeue=True)
            await asyncio.sleep(1)

    async def _consume(self):
        backoff = 0.5
        while True:
            connection = None
            try:
                connection = await aio_pika.connect(self.amqp_uri)
                closed = asyncio.get_running_loop().create_future()
                connection.close_callbacks.add(lambda *_: closed.done() or closed.set_result(None))
                channel = await connection.channel()
                await channel.set_qos(prefetch_count=self.prefetch)
                queue = await channel.declare_queue(DLQ, passive=True)  # the topology owns it
                await queue.consume(self._on_message)
                backoff = 0.5
                await closed  # consuming until the connection drops
                raise ConnectionError("connection to RabbitMQ closed")
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("dead-letter mover: %s; retrying in %.1fs", exc, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 30.0)
            finally:
                if connection is not None and not connection.is_closed:
                    try:
                        await asyncio.wait_for(connection.close(), 3)
                    except BaseException:
                        pass
