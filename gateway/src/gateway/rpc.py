"""An asyncio client of nameko's RPC protocol (aio-pika), for the gateway's event loop.

nameko's ``ClusterRpcProxy`` is blocking and not thread-safe, which caps a threadpool
gateway near 650 calls/s here. This client keeps one connection, one channel with
publisher confirms and one exclusive reply queue, and any number of calls in flight,
each awaiting its reply future: the protocol is nameko's own (exchange ``nameko-rpc``,
routing key ``service.method``, body ``{"args", "kwargs"}``, reply ``{"result",
"error"}`` correlated by id, context data in ``nameko.*`` headers)."""
from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import aio_pika
from aio_pika.abc import AbstractIncomingMessage
from sacinfra.transient import TRANSIENT_NAMES, is_transient

RPC_EXCHANGE = "nameko-rpc"


class RemoteCallError(Exception):
    """The service raised: ``exc_type`` (class name), ``value`` (its message),
    ``exc_path`` (the class's dotted path); ``call_ref`` is the call's reference, under
    which the service logged an unexpected error (its incident id)."""

    def __init__(self, exc_type: str, value: Any, exc_path: str | None = None, call_ref: str | None = None):
        super().__init__(f"{exc_type} {value}")
        self.exc_type, self.value, self.exc_path, self.call_ref = exc_type, value, exc_path, call_ref


class ServiceUnavailable(Exception):
    """No queue for the service (not running), no reply within the timeout, the broker
    unreachable, or the service's own datastore away (a transient remote error): the
    caller may retry later (the gateway answers 503 ``servicio_no_disponible``)."""


def transient_remote(error: dict) -> str | None:
    """The class name of a remote error meaning a dependency was away, else None: the
    service's own (``OperationalError`` …) or, relayed as nameko's ``RemoteError``, that
    of a service it called in turn."""
    exc_type, value = error.get("exc_type"), str(error.get("value") or "")
    if exc_type == "RemoteError":
        exc_type = value.split(" ", 1)[0]
    return exc_type if exc_type in TRANSIENT_NAMES else None


class AsyncRpcClient:
    def __init__(self, amqp_uri: str, timeout: float = 10.0):
        self.amqp_uri = amqp_uri
        self.timeout = timeout
        self._pending: dict[str, asyncio.Future] = {}
        self._connection = None
        self._channel = None
        self._exchange = None
        self._reply_key = None
        self._lock = asyncio.Lock()

    async def connect(self) -> None:
        async with self._lock:
            if self._channel is not None and not self._channel.is_closed:
                return
            self._connection = await aio_pika.connect_robust(self.amqp_uri)
            self._channel = await self._connection.channel(publisher_confirms=True, on_return_raises=True)
            self._exchange = await self._channel.declare_exchange(
                RPC_EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True)
            self._reply_key = str(uuid.uuid4())
            queue = await self._channel.declare_queue(
                f"rpc.reply-gateway-{self._reply_key}", exclusive=True, auto_delete=True,
                arguments={"x-queue-type": "classic"})  # the vhost defaults to quorum
            await queue.bind(self._exchange, routing_key=self._reply_key)
            await queue.consume(self._on_reply, no_ack=True)

    async def close(self) -> None:
        if self._connection is not None:
            await self._connection.close()
        self._connection = self._channel = None
        for fut in self._pending.values():
            if not fut.done():
                fut.set_exception(ServiceUnavailable("cliente cerrado"))
        self._pending.clear()

    async def _on_reply(self, message: AbstractIncomingMessage) -> None:
        fut = self._pending.pop(message.correlation_id or "", None)
        if fut is not None and not fut.done():
            fut.set_result(json.loads(message.body))

    async def call(self, service: str, method: str, *args, context: dict | None = None,
                   timeout: float | None = None, **kwargs) -> Any:
        if self._channel is None or self._channel.is_closed:
            try:
                await self.connect()
            except Exception as exc:
                if not is_transient(exc):
                    raise
                raise ServiceUnavailable("no fue posible conectar con el intermediario de mensajes") from exc
        correlation_id = str(uuid.uuid4())
        fut = asyncio.get_running_loop().create_future()
        self._pending[correlation_id] = fut
        call_ref = uuid.uuid4().hex[:12]  # the service logs an unexpected error under it (sacinfra.incidents)
        headers = {f"nameko.{k}": v for k, v in ((context or {}) | {"call_ref": call_ref}).items() if v is not None}
        try:
            await self._exchange.publish(
                aio_pika.Message(json.dumps({"args": list(args), "kwargs": kwargs}).encode(),
                                 content_type="application/json", correlation_id=correlation_id,
                                 reply_to=self._reply_key, headers=headers,
                                 delivery_mode=aio_pika.DeliveryMode.PERSISTENT),
                routing_key=f"{service}.{method}", mandatory=True)
            reply = await asyncio.wait_for(fut, timeout or self.timeout)
        except aio_pika.exceptions.DeliveryError as exc:
            raise ServiceUnavailable(f"el servicio {service} no está disponible") from exc
        except asyncio.TimeoutError as exc:
            raise ServiceUnavailable(f"el servicio {service} no respondió a tiempo") from exc
        except Exception as exc:  # the broker went away under the call
            if not is_transient(exc):
                raise
            raise ServiceUnavailable("se perdió la conexión con el intermediario de mensajes") from exc
        finally:
            self._pending.pop(correlation_id, None)
        error = reply.get("error")
        if error and transient_remote(error):  # the service's own database (or one it called) was away
            raise ServiceUnavailable(f"el servicio {service} no tiene disponible una dependencia "
                                     f"({transient_remote(error)})")
        if error:
            raise RemoteCallError(error.get("exc_type"), error.get("value"), error.get("exc_path"), call_ref)
        return reply.get("result")
