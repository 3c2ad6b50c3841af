"""Batching for nameko services.

``BatchEventHandler``: events that arrive together go to one worker."""
from __future__ import annotations

import logging
from functools import partial

import eventlet
from nameko.events import EventHandler
from nameko.exceptions import ContainerBeingKilled

log = logging.getLogger(__name__)


class BatchEventHandler(EventHandler):
    """An event handler whose worker receives a *list* of event payloads.

    Messages arriving together (up to ``max_batch``, or within ``window`` seconds of the
    first) go to one worker, so one transaction serves them all. Success acks the batch.
    If a batch fails, each of its messages is retried alone, so one poison event cannot
    take its neighbours down: alone, a failing message is requeued until the queue's
    delivery limit dead-letters it. Prefetch (the container's ``max_workers``) bounds
    the batch size too."""

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

    def _dispatch(self, batch):
        context_data = self.unpack_message_headers(batch[0][1])
        try:
            self.container.spawn_worker(self, ([body for body, _ in batch],), {}, context_data=context_data,
                                        handle_result=partial(self._batch_result, batch))
        except ContainerBeingKilled:
            for _, message in batch:
                self.queue_consumer.requeue_message(message)

    def _batch_result(self, batch, worker_ctx, result=None, exc_info=None):
        if exc_info is None:
            for _, message in batch:
                self.queue_consumer.ack_message(message)
        elif len(batch) == 1:
            self.queue_consumer.requeue_message(batch[0][1])
        else:
            log.warning("batch of %d failed (%s); retrying each event alone", len(batch), exc_info[1])
            for item in batch:
                self._dispatch([item])
        return result, exc_info


batch_event_handler = BatchEventHandler.decorator
