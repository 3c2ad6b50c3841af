"""OpenTelemetry set-up and the nameko provider that carries trace context.

Context travels in nameko's context data (message headers ``nameko.traceparent`` and
``nameko.tracestate``): the gateway puts it on RPC calls, this provider continues it
in the worker and writes the worker's own span back so that outgoing RPC calls and
outbox events carry it on.
"""
from __future__ import annotations

import os

from nameko.extensions import DependencyProvider
from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.propagate import extract, inject
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

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
    return {k: data[k] for k in TRACE_KEYS if data.get(k)}


class Tracing(DependencyProvider):
    """Continue the caller's trace in every worker of the service."""

    def setup(self):
        setup_tracing(self.container.service_name)
        self._active = {}

    def worker_setup(self, worker_ctx):
        parent = extract(carrier_from(worker_ctx.data))
        tracer = trace.get_tracer("sac." + self.container.service_name)
        name = f"{self.container.service_name}.{worker_ctx.entrypoint.method_name}"
        span = tracer.start_span(name, context=parent, kind=trace.SpanKind.SERVER)
        token = otel_context.attach(trace.set_span_in_context(span, parent))
        carrier: dict[str, str] = {}
        inject(carrier)
        worker_ctx.data.update(carrier)
        self._active[worker_ctx] = (span, token)

    def worker_result(self, worker_ctx, result=None, exc_info=None):
        entry = self._active.get(worker_ctx)
        if entry and exc_info is not None:
            entry[0].record_exception(exc_info[1])
            entry[0].set_status(trace.Status(trace.StatusCode.ERROR))

    def worker_teardown(self, worker_ctx):
        entry = self._active.pop(worker_ctx, None)
        if entry:
            span, token = entry
            try:
                otel_context.detach(token)
            except Exception:  # detached in another greenlet context
                pass
            span.end()
