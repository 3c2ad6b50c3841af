"""Publishing dead letters again, exactly as they were first published: to their original
exchange and routing key, mandatory, with publisher confirms (kombu on py-amqp)."""
from __future__ import annotations

import logging

from kombu import Connection, Exchange, Producer

log = logging.getLogger(__name__)


def publish(amqp_uri: str, rows: list) -> tuple[list[int], list[dict]]:
    """``(replayed ids, failed [{"id", "detail"}])``. A message the broker returns (nothing
    bound to its routing key any more) fails alone; a broker that goes away fails the rest.
    ``OSError`` when the broker cannot be reached at all (nothing published)."""
    replayed: list[int] = []
    failed: list[dict] = []
    returned: list[str] = []
    with Connection(amqp_uri, transport_options={"confirm_publish": True}, heartbeat=0,
                    connect_timeout=5) as conn:
        try:
            conn.ensure_connection(max_retries=1)
        except Exception as exc:  # kombu's OperationalError: as an OSError for the caller
            raise ConnectionError(f"{type(exc).__name__}: {exc}") from exc
        channel = conn.channel()
        # a returned message: recorded here instead of raised (py-amqp raises without a handler)
        channel.events["basic_return"].add(lambda exc, exchange, key, message: returned.append(str(exc)))
        producer = Producer(channel)
        for r in rows:
            returned.clear()
            json_body = (r["content_type"] or "").endswith("json")
            try:
                producer.publish(
                    bytes(r["body"]), exchange=Exchange(r["exchange"], no_declare=True) if r["exchange"] else "",
                    routing_key=r["routing_key"], headers=dict(r["headers"] or {}),
                    content_type=r["content_type"] or "application/octet-stream",
                    content_encoding=r["content_encoding"] or ("utf-8" if json_body else "binary"),
                    message_id=r["message_id"], delivery_mode=2, mandatory=True, retry=False, declare=[])
            except Exception as exc:  # the broker went away: stop, keep the rest
                log.warning("replay stopped at dead letter %s: %s: %s", r["id"], type(exc).__name__, exc)
                failed += [{"id": x["id"], "detail": f"no se pudo publicar: {type(exc).__name__}"}
                           for x in rows if x["id"] not in replayed and x["id"] not in {f["id"] for f in failed}]
                break
            if returned:
                failed.append({"id": r["id"], "detail": f"sin destino: {returned[0]}"})
            else:
                replayed.append(r["id"])
    return replayed, failed
