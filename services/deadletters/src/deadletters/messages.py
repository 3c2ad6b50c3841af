"""A message of ``sac.dead-letter`` as a row, and a row as the RPCs show it (pure)."""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json

#: headers RabbitMQ adds when dead-lettering or delivering; dropped on replay
DEATH_HEADERS = ("x-death", "x-first-death-queue", "x-first-death-reason", "x-first-death-exchange",
                 "x-last-death-queue", "x-last-death-reason", "x-last-death-exchange", "x-delivery-count")


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
          content_encoding: str | None = None, now: dt.datetime | None = None) -> dict:
    """A row of ``dead_letters`` from a message of ``sac.dead-letter``: where it first died
    (queue, original exchange and routing key, reason, time), how often, and what to
    publish again (body, content type, headers without the death headers)."""
    body = bytes(body)
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
        "content_encoding": content_encoding,
        "headers": _jsonable({k: v for k, v in headers.items() if k not in DEATH_HEADERS}),
        "payload": payload,
        "body": body,
    }


def public(row) -> dict:
    """What the RPCs show of a row (times as ISO 8601 text)."""
    return {"id": row["id"], "event_id": row["message_id"], "event_type": row["event_type"],
            "producer": row["producer"], "queue": row["queue"], "exchange": row["exchange"],
            "routing_key": row["routing_key"], "reason": row["reason"], "count": row["death_count"],
            "first_death_at": row["first_death_at"] and row["first_death_at"].isoformat(),
            "received_at": row["received_at"].isoformat(), "payload": row["payload"]}
