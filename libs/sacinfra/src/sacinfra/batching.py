"""Group commit for nameko services: workers submit items and wait; a few runner
greenthreads take whatever is queued (up to ``max_batch``) and process it in one go
(one transaction, one downstream call), then wake each worker with its own result.

Under load the batches grow by themselves; alone, an item waits for nobody."""
from __future__ import annotations

import logging

import eventlet
from eventlet.event import Event
from eventlet.queue import Empty, LightQueue
from nameko.extensions import DependencyProvider

log = logging.getLogger(__name__)


class Batcher(DependencyProvider):
    """Subclass and implement ``process(items) -> list of result or exception``."""

    max_batch = 200
    runners = 2

    def setup(self):
        self.queue: LightQueue = LightQueue()
        self.batch_sizes = None

    def start(self):
        for _ in range(self.runners):
            self.container.spawn_managed_thread(self._run)

    def get_dependency(self, worker_ctx):
        return self

    def submit(self, item):
        done = Event()
        self.queue.put((item, done))
        return done.wait()

    def process(self, items: list) -> list:  # pragma: no cover - abstract
        raise NotImplementedError

    def on_batch(self, size: int) -> None:
        """Hook for metrics."""

    def _run(self):
        while True:
            batch = [self.queue.get()]
            eventlet.sleep(0)  # let workers that are about to submit do so
            while len(batch) < self.max_batch:
                try:
                    batch.append(self.queue.get_nowait())
                except Empty:
                    break
            self.on_batch(len(batch))
            try:
                results = self.process([item for item, _ in batch])
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
