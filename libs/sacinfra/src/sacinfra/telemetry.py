"""Telemetry every SAC process shares, without nameko: the OpenTelemetry tracer provider
and Prometheus metrics created once per process (``<service>_<noun>_<unit|total>``).

The asyncio gateway imports this module only; nameko services get the providers that
hook it into their workers from ``tracing`` (``Tracing``) and ``metrics``
(``WorkerMetrics``)."""
from __future__ import annotations

import os
import threading

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from prometheus_client import Counter, Gauge, Histogram

TRACE_KEYS = ("traceparent", "tracestate")
_configured = False


def setup_tracing(service_name: str) -> None:
    """Install a tracer provider once per process; export with OTLP when the standard
    ``OTEL_EXPORTER_OTLP_ENDPOINT`` is set. A provider installed before (tests) is kept."""
    global _configured
    if _configured or isinstance(trace.get_tracer_provider(), TracerProvider):
        _configured = True
        return
    provider = TracerProvider(resource=Resource.create(
        {"service.name": os.environ.get("OTEL_SERVICE_NAME", service_name)}))
    if os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") and os.environ.get("OTEL_TRACES_EXPORTER", "otlp") != "none":
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
    _configured = True


def carrier_from(data: dict) -> dict[str, str]:
    """The trace headers among a message's context data."""
    return {k: data[k] for k in TRACE_KEYS if data.get(k)}


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
