"""Batching for nameko services.

``Batcher``: group commit for RPC workers — items submitted together are processed in one
go (one transaction, one downstream call) and each worker gets its own result. Under
load the batches grow by themselves; alone, an item waits for nobody.

``BatchEventHandler``: events that arrive together go to one worker."""
from __future__ import annotations

import logging
from functools import partial

import eventlet
from eventlet.event import Event
from eventlet.queue import Empty, LightQueue
from nameko.events import EventHandler
from nameko.exceptions import ContainerBeingKilled
from nameko.extensions import DependencyProvider

from .consumers import HoldOnTransient
from .transient import safely

log = logging.getLogger(__name__)


class Batcher(DependencyProvider):
    """Group commit with a leader: a worker submits its item and, if fewer than
    ``leaders`` workers are processing, becomes a leader itself: it takes everything
    queued (up to ``max_batch`` at a time) and processes it with its own dependencies
    (``process(items) -> list of result or exception``), until the queue is empty. The
    others wait for their own result. No thread of its own: the leader's injected RPC
    proxies and unit of work do the work, in a worker's context."""

    max_batch = 200
    leaders = 2

    def setup(self):
        self.queue: LightQueue = LightQueue()
        self._leading = 0

    def get_dependency(self, worker_ctx):
        return self

    def on_batch(self, size: int) -> None:
        """Hook for metrics."""

    def submit(self, item, process):
        done = Event()
        self.queue.put((item, done))
        if self._leading < self.leaders:
            self._leading += 1
            try:
                eventlet.sleep(0)  # let workers that are about to submit do so
                self._lead(process)
            finally:
                self._leading -= 1
        return done.wait()

    def _lead(self, process):
        while True:
            batch = []
            while len(batch) < self.max_batch:
                try:
                    batch.append(self.queue.get_nowait())
                except Empty:
                    break
            if not batch:  # checked and left without yielding: nothing can be stranded
                return
            self.on_batch(len(batch))
            try:
                results = process([item for item, _ in batch])
            except Exception as exc:
                log.warning("batch of %d failed: %s", len(batch), exc)
                for _, done in batch:
                    done.send_exception(exc)
                continue
            for (_, done), result in zip(batch, results):
                if isinstance(result, BaseException):
                    done.send_exception(result)
                else:
                    done.send(result)


class BatchEventHandler(HoldOnTransient, EventHandler):
    """An event handler whose worker receives a *list* of event payloads.

    Messages arriving together (up to ``max_batch``, or within ``window`` seconds of the
    first) go to one worker, so one transaction serves them all. Success acks the batch.
    If a batch fails, each of its messages is retried alone, so one poison event cannot
    take its neighbours down: alone, a failing message is requeued until the queue's
    delivery limit dead-letters it. Prefetch (the container's ``max_workers``) bounds
    the batch size too. A transient failure (the database or a called service away,
    ``sacinfra.transient``) is neither split nor requeued: the batch is held unacked and
    run again after a backoff, spending none of the delivery limit."""

    def __init__(self, source_service, event_type, max_batch: int = 100, window: float = 0.005, **kwargs):
        kwargs["requeue_on_error"] = True
        super().__init__(source_service, event_type, **kwargs)
        self.max_batch = max_batch
        self.window = window
        self._buffer: list = []
        self._timer = None

    def handle_message(self, body, message):
        if message.delivery_info.get("redelivered") or (message.headers or {}).get("x-delivery-count"):
            self._dispatch([(body, message)])  # it failed before: alone, so it cannot fail a batch again
            return
        self._buffer.append((body, message))
        if len(self._buffer) >= self.max_batch:
            self._flush()
        elif self._timer is None:
            self._timer = eventlet.spawn_after(self.window, self._flush)

    def _flush(self):
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        batch, self._buffer = self._buffer, []
        if batch:
            self._dispatch(batch)

    def _dispatch(self, batch, attempt: int = 1):
        context_data = self.unpack_message_headers(batch[0][1])
        try:
            self.container.spawn_worker(self, ([body for body, _ in batch],), {}, context_data=context_data,
                                        handle_result=partial(self._batch_result, batch, attempt))
        except ContainerBeingKilled:
            for _, message in batch:
                safely(partial(self.queue_consumer.requeue_message, message), "requeue")

    def _batch_result(self, batch, attempt, worker_ctx, result=None, exc_info=None):
        try:
            key, messages = id(batch[0][1]), [m for _, m in batch]
            exc = exc_info[1] if exc_info else None
            if exc is None:
                self.settle(key, messages, ack=True)
            elif self.hold(key, messages, exc, attempt, partial(self._dispatch, batch, attempt + 1)):
                pass
            elif len(batch) == 1:
                self.settle(key, messages, ack=False)
            else:
                log.warning("batch of %d failed (%s); retrying each event alone", len(batch), exc)
                for item in batch:
                    self._dispatch([item])
        except Exception:  # never kill the container from a result handler
            log.exception("batch result handling failed")
        return result, exc_info


batch_event_handler = BatchEventHandler.decorator
