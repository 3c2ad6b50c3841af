"""Per-service operations endpoint: ``/metrics``, ``/healthz``, ``/readyz``.

Served on ``METRICS_PORT`` (0 picks a free port) by a green WSGI server. Readiness
asks the broker and every dependency provider that has a ``ping()`` (the service's
own datastore)."""
from __future__ import annotations

import logging

import eventlet
import eventlet.wsgi
from kombu import Connection
from nameko.extensions import DependencyProvider
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from .transient import for_container

log = logging.getLogger(__name__)


def broker_ping(uri: str, timeout: float = 3.0) -> None:
    with Connection(uri, connect_timeout=timeout) as conn:
        conn.ensure_connection(max_retries=1, timeout=timeout)


class OpsServer(DependencyProvider):
    def setup(self):
        cfg = self.container.config
        self.port = int(cfg.get("METRICS_PORT", 0) or 0)
        self.amqp_uri = cfg["AMQP_URI"]
        self.sock = None

    def start(self):
        self.sock = eventlet.listen(("0.0.0.0", self.port))
        self.port = self.sock.getsockname()[1]
        self.container.spawn_managed_thread(self._serve)

    def _serve(self):
        eventlet.wsgi.server(self.sock, self.app, log_output=False, log=logging.getLogger("sacinfra.ops.access"))

    def stop(self):
        if self.sock is not None:
            try:
                self.sock.close()
            except Exception:
                pass

    def readiness(self) -> dict[str, str]:
        checks = {}
        try:
            broker_ping(self.amqp_uri)
            checks["broker"] = "ok"
        except Exception as exc:
            checks["broker"] = f"error: {exc}"
        for dep in self.container.dependencies:
            ping = getattr(dep, "ping", None)
            if dep is not self and callable(ping):
                try:
                    ping()
                    checks[dep.attr_name] = "ok"
                except Exception as exc:
                    checks[dep.attr_name] = f"error: {exc}"
        degraded = for_container(self.container)
        if not degraded.ok:  # workers holding messages until a dependency comes back
            checks["waiting"] = "error: " + "; ".join(degraded.causes())
        return checks

    def app(self, environ, start_response):
        path = environ.get("PATH_INFO", "/")
        if path == "/metrics":
            body = generate_latest()
            start_response("200 OK", [("Content-Type", CONTENT_TYPE_LATEST)])
            return [body]
        if path == "/healthz":
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"ok\n"]
        if path == "/readyz":
            checks = self.readiness()
            ok = all(v == "ok" for v in checks.values())
            body = "".join(f"{k}: {v}\n" for k, v in checks.items()).encode()
            start_response("200 OK" if ok else "503 Service Unavailable", [("Content-Type", "text/plain")])
            return [body]
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found\n"]
