"""Use cases of deadletters: plain functions over a unit of work; SQL lives in ``store``.

Who may do what is decided here: only an actor with role ``admin`` lists or replays dead
letters (they are the platform's operation, not anybody's report)."""
from __future__ import annotations

import logging

from sacinfra.actor import Actor
from sacinfra.errors import Forbidden, InvalidInput, NotFound, Unavailable
from sacinfra.metrics import counter, gauge

from . import messages, republish
from .store import Store

log = logging.getLogger(__name__)

WAITING = gauge("deadletters_waiting", "Dead letters waiting in the deadletters table for an administrator")
RECEIVED = counter("deadletters_received_total", "Dead letters moved from sac.dead-letter into the table")
REPLAYED = counter("deadletters_replayed_total", "Dead letters replayed to their original exchange")
MAX_PAGE = 200
MAX_REPLAY = 1000


def admin(actor) -> Actor:
    a = Actor.load_or(actor, InvalidInput)
    if a.role != "admin":
        raise Forbidden("Solo un administrador consulta y reenvía los mensajes muertos.", "prohibido")
    return a


def _int(value, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidInput(f"«{name}» debe ser un entero entre {low} y {high}.", "datos_invalidos")
    return value


def _text(filters: dict, name: str) -> str | None:
    value = filters.get(name)
    if value is not None and (not isinstance(value, str) or len(value) > 255):
        raise InvalidInput(f"El filtro «{name}» debe ser un texto de hasta 255 caracteres.", "datos_invalidos")
    return value or None


def store_message(uow, body: bytes, headers: dict | None, properties: dict) -> bool:
    """One message of ``sac.dead-letter`` into the table (committed before the caller acks);
    False when that death was already stored (a redelivered copy)."""
    row = messages.parse(body, headers, properties.get("message_id"), properties.get("content_type"),
                         properties.get("content_encoding"))
    with Store(uow) as s:
        new = s.add(row)
        waiting = s.count()
    WAITING.set(waiting)
    if new:
        RECEIVED.inc()
        log.warning("dead letter stored: %s %s from queue %s (%s)", row["event_type"], row["message_id"],
                    row["queue"], row["reason"])
    return new


def count(uow) -> int:
    """How many wait (also sets the ``deadletters_waiting`` gauge)."""
    with Store(uow) as s:
        n = s.count()
    WAITING.set(n)
    return n


def list_dead_letters(uow, actor, filters: dict | None, limit: int = 50, offset: int = 0) -> dict:
    """Oldest first (the order they died in); ``filters``: ``queue``, ``event_type``."""
    admin(actor)
    filters = filters if isinstance(filters, dict) else {}
    queue, event_type = _text(filters, "queue"), _text(filters, "event_type")
    limit, offset = _int(limit, "limit", 1, MAX_PAGE), _int(offset, "offset", 0, 2**63 - 1)
    with Store(uow) as s:
        rows, total = s.page(queue, event_type, limit, offset)
    return {"items": [messages.public(r) for r in rows], "total": total, "limit": limit, "offset": offset}


def replay_dead_letters(uow, amqp_uri: str, actor, ids: list[int] | None, limit: int = MAX_REPLAY) -> dict:
    """Publish the chosen dead letters (all when ``ids`` is None, oldest first, up to
    ``limit``) to their original exchange and routing key with publisher confirms, and
    delete each row once confirmed. ``NotFound`` ``mensaje_no_encontrado`` (nothing done)
    if an id does not exist; ``Unavailable`` when the broker cannot be reached.
    Returns ``{"replayed": [ids], "failed": [{"id", "detail"}]}``."""
    admin(actor)
    limit = _int(limit, "limit", 1, MAX_REPLAY)
    if ids is not None:
        if not isinstance(ids, list) or not 1 <= len(ids) <= MAX_REPLAY:
            raise InvalidInput(f"«ids» debe ser una lista de 1 a {MAX_REPLAY} números.", "datos_invalidos")
        ids = [_int(i, "ids", 1, 2**63 - 1) for i in ids]
    with Store(uow) as s:
        rows = s.lock_for_replay(ids, limit)
        if ids is not None and len(rows) != len(set(ids)):
            missing = sorted(set(ids) - {r["id"] for r in rows})
            raise NotFound(f"No hay mensajes muertos con id {', '.join(map(str, missing))}; no se reenvió nada.",
                           "mensaje_no_encontrado")
        if not rows:
            return {"replayed": [], "failed": []}
        try:
            replayed, failed = republish.publish(amqp_uri, rows)
        except OSError as exc:
            raise Unavailable(f"No fue posible conectar con RabbitMQ: {exc}.", "servicio_no_disponible") from None
        s.delete(replayed)
    REPLAYED.inc(len(replayed))
    count(uow)
    return {"replayed": replayed, "failed": failed}
