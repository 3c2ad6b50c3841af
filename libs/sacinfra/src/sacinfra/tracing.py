"""OpenTelemetry set-up and the nameko provider that carries trace context.

Context travels in nameko's context data (message headers ``nameko.traceparent`` and
``nameko.tracestate``): the gateway puts it on RPC calls, this provider continues it
in the worker and writes the worker's own span back so that outgoing RPC calls and
outbox events carry it on. The provider set-up itself lives in ``telemetry`` (no
nameko), which the asyncio gateway uses.
"""
from __future__ import annotations

from nameko.extensions import DependencyProvider
from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.propagate import extract, inject

from .telemetry import TRACE_KEYS, carrier_from, setup_tracing  # noqa: F401  (services import them here)


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
