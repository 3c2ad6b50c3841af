"""The nameko provider that times every worker; the metric factories (``counter``,
``gauge``, ``histogram``) live in ``telemetry`` (no nameko) and are re-exported here."""
from __future__ import annotations

import time

from nameko.extensions import DependencyProvider

from .telemetry import counter, gauge, histogram, metric  # noqa: F401  (services import them here)


class WorkerMetrics(DependencyProvider):
    """Counts and times every entrypoint: ``<service>_worker_seconds`` and
    ``<service>_worker_errors_total``."""

    def setup(self):
        svc = self.container.service_name
        self.seconds = histogram(f"{svc}_worker_seconds", "Worker duration", ("entrypoint",))
        self.errors = counter(f"{svc}_worker_errors_total", "Workers that raised", ("entrypoint",))
        self._started = {}

    def worker_setup(self, worker_ctx):
        self._started[worker_ctx] = time.perf_counter()

    def worker_result(self, worker_ctx, result=None, exc_info=None):
        name = worker_ctx.entrypoint.method_name
        if exc_info is not None:
            self.errors.labels(name).inc()

    def worker_teardown(self, worker_ctx):
        started = self._started.pop(worker_ctx, None)
        if started is not None:
            self.seconds.labels(worker_ctx.entrypoint.method_name).observe(time.perf_counter() - started)
