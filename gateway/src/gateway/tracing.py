"""HTTP server spans for the gateway; the span's context then rides on every RPC call."""
from __future__ import annotations

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.propagate import extract, inject


def rpc_context() -> dict[str, str]:
    """Trace headers of the current span, for nameko's context data."""
    carrier: dict[str, str] = {}
    inject(carrier)
    return carrier


class TracingMiddleware:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope.get("headers", [])}
        parent = extract(headers)
        tracer = trace.get_tracer("sac.gateway")
        name = f"HTTP {scope['method']} {scope['path']}"
        with tracer.start_as_current_span(name, context=parent, kind=trace.SpanKind.SERVER) as span:
            status_holder = {}

            async def send_wrapper(message):
                if message["type"] == "http.response.start":
                    status_holder["status"] = message["status"]
                    span.set_attribute("http.status_code", message["status"])
                await send(message)

            await self.app(scope, receive, send_wrapper)


__all__ = ["TracingMiddleware", "rpc_context", "otel_context"]
