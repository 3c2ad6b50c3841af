"""Event handlers that tell a transient failure from a poison message.

``ReliableEventHandler`` (``reliable_event_handler``) and ``ReliableConsumer`` (a queue of
one's own, as nameko's ``consume``): success acks; a deterministic
error requeues, so the quorum queue's delivery limit sends a poison message to the
dead-letter queue; a transient error (``sacinfra.transient``) keeps the message unacked
and runs it again after a backoff, spending none of the delivery limit, until the
dependency is back. A result handler never raises (that would kill the container)."""
from __future__ import annotations

import logging
from functools import partial

import eventlet
from nameko.events import EventHandler
from nameko.exceptions import ContainerBeingKilled
from nameko.messaging import Consumer
from nameko.rpc import Rpc, RpcConsumer

from .transient import backoff_delay, for_container, is_transient, safely

log = logging.getLogger(__name__)


def channel_alive(message) -> bool:
    try:
        return bool(message.channel and message.channel.connection)
    except Exception:
        return False


class HoldOnTransient:
    """Mixin for nameko ``Consumer`` entrypoints: ``hold(key, messages, exc, attempt,
    retry)`` decides what a failure does. Returns True when the work is held for a retry."""

    _stopping = False

    def stop(self):
        self._stopping = True
        super().stop()

    def hold(self, key, messages, exc, attempt: int, retry) -> bool:
        degraded = for_container(self.container)
        if not is_transient(exc):
            degraded.recovered(key)
            return False
        if self._stopping or not all(channel_alive(m) for m in messages):
            # the broker gives unacked messages back when the channel closes: nothing to hold
            degraded.recovered(key)
            for m in messages:
                safely(partial(self.queue_consumer.requeue_message, m), "requeue")
            return True
        degraded.waiting(key, exc)
        delay = backoff_delay(attempt)
        log.info("transient failure (%s: %s); retrying %d message(s) in %.1fs without requeue",
                 type(exc).__name__, exc, len(messages), delay)
        eventlet.spawn_after(delay, retry)
        return True

    def settle(self, key, messages, ack: bool) -> None:
        for_container(self.container).recovered(key)
        for m in messages:
            if ack:
                safely(partial(self.queue_consumer.ack_message, m), "ack")
            else:
                safely(partial(self.queue_consumer.requeue_message, m), "requeue")


class HeldRetries(HoldOnTransient):
    """``handle_message`` of a nameko ``Consumer`` with the rules above: success acks, a
    deterministic error requeues, a transient one is held unacked and run again.
    ``worker_args(body, message)``: what the worker is called with (the body)."""

    def handle_message(self, body, message):
        self._run(body, message, 1)

    def worker_args(self, body, message) -> tuple:
        return (body,)

    def _run(self, body, message, attempt: int):
        try:
            self.container.spawn_worker(self, self.worker_args(body, message), {},
                                        context_data=self.unpack_message_headers(message),
                                        handle_result=partial(self._result, body, message, attempt))
        except ContainerBeingKilled:
            safely(partial(self.queue_consumer.requeue_message, message), "requeue")

    def _result(self, body, message, attempt, worker_ctx, result=None, exc_info=None):
        try:
            key = id(message)
            exc = exc_info[1] if exc_info else None
            if exc is not None and self.hold(key, [message], exc, attempt,
                                             partial(self._run, body, message, attempt + 1)):
                return result, exc_info
            self.settle(key, [message], ack=exc is None)
        except Exception:  # never kill the container from a result handler
            log.exception("event result handling failed")
        return result, exc_info


class ReliableEventHandler(HeldRetries, EventHandler):
    def __init__(self, source_service, event_type, **kwargs):
        kwargs["requeue_on_error"] = True
        super().__init__(source_service, event_type, **kwargs)


class ReliableConsumer(HeldRetries, Consumer):
    """nameko's ``consume`` (a queue of one's own choosing) with the same rules."""

    def __init__(self, queue, **kwargs):
        kwargs["requeue_on_error"] = True
        super().__init__(queue, **kwargs)


reliable_event_handler = ReliableEventHandler.decorator


class SafeRpcConsumer(RpcConsumer):
    """nameko's ``RpcConsumer`` publishes each reply in the worker's result handler; when
    the broker has just gone away the publish raises (``OperationalError:
    ECONNREFUSED``), and an exception there kills the whole container: the service
    exits. Here the reply's failure is logged instead: the caller gets no answer and
    times out (the gateway answers 503, a client retries with its Idempotency-Key), the
    request message is acked if its channel still lives and otherwise redelivered by the
    broker, and the service reconnects with the broker."""

    def handle_result(self, message, result, exc_info):
        try:
            return super().handle_result(message, result, exc_info)
        except Exception as exc:
            log.warning("RPC reply not sent (%s: %s); the service stays up", type(exc).__name__, exc)
            safely(partial(self.queue_consumer.ack_message, message), "ack of an RPC request")
            return result, exc_info


def guard_rpc_replies() -> None:
    """Make every ``@rpc`` entrypoint (nameko's own decorator, as services use it) share
    ``SafeRpcConsumer`` instead of nameko's ``RpcConsumer``. Idempotent; called when
    ``sacinfra.service`` is imported, before any container is built."""
    if not isinstance(Rpc.rpc_consumer, SafeRpcConsumer):
        Rpc.rpc_consumer = SafeRpcConsumer()
