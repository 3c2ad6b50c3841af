"""Prometheus metrics named ``<service>_<noun>_<unit|total>``, created once per process."""
from __future__ import annotations

import threading
import time

from nameko.extensions import DependencyProvider
from prometheus_client import Counter, Gauge, Histogram

_lock = threading.Lock()
_metrics: dict[str, object] = {}


def metric(kind: type, name: str, doc: str, labels: tuple[str, ...] = (), **kw):
    with _lock:
        m = _metrics.get(name)
        if m is None:
            m = kind(name, doc, list(labels), **kw)
            _metrics[name] = m
        return m


def counter(name, doc, labels=()):
    return metric(Counter, name, doc, tuple(labels))


def gauge(name, doc, labels=()):
    return metric(Gauge, name, doc, tuple(labels))


def histogram(name, doc, labels=(), buckets=None):
    kw = {"buckets": buckets} if buckets else {}
    return metric(Histogram, name, doc, tuple(labels), **kw)


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
