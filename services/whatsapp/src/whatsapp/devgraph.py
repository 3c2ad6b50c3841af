"""A stand-in for the Graph API's messages endpoint, for development and tests (the real
one is not reachable from here): ``python -m whatsapp.devgraph --port 9181``.

``POST /{version}/{phone_number_id}/messages`` with the expected bearer token answers as
the Cloud API does (``{"messages": [{"id": "wamid…"}]}``) and records the message
(printed as one JSON line when run as a program); ``fail_next(n, status)`` makes the
next n calls fail, to exercise the relay's retries."""
from __future__ import annotations

import argparse
import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class GraphStandIn:
    def __init__(self, host: str = "127.0.0.1", port: int = 0, version: str = "v21.0",
                 phone_number_id: str | None = None, token: str | None = None, echo: bool = False):
        self.accepted: list[dict] = []
        self.attempts = 0
        self.failures: list[int] = []
        self.lock = threading.Lock()
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
                parts = self.path.strip("/").split("/")
                path_ok = len(parts) == 3 and parts[0] == version and parts[2] == "messages" and \
                    (phone_number_id is None or parts[1] == phone_number_id)
                auth_ok = token is None or self.headers.get("Authorization") == f"Bearer {token}"
                status, answer = stand_in.take(body, path_ok and auth_ok)
                if echo and status == 200:
                    print(json.dumps(body, ensure_ascii=False), flush=True)
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer((host, port), Handler)
        self.url = f"http://{host}:{self.server.server_port}"

    def take(self, body: dict, ok: bool) -> tuple[int, dict]:
        with self.lock:
            self.attempts += 1
            status = self.failures.pop(0) if self.failures else (200 if ok else 401)
            if status != 200:
                return status, {"error": {"message": "rechazado por el simulador", "code": status}}
            self.accepted.append(body)
            return 200, {"messaging_product": "whatsapp", "contacts": [{"wa_id": body.get("to")}],
                         "messages": [{"id": f"wamid.{uuid.uuid4().hex}"}]}

    def fail_next(self, n: int, status: int = 503) -> None:
        with self.lock:
            self.failures = [status] * n

    def texts(self, to: str | None = None) -> list[str]:
        with self.lock:
            return [m["text"]["body"] if m.get("type") == "text" else "TEMPLATE:" + json.dumps(m.get("template"))
                    for m in self.accepted if to is None or m.get("to") == to]

    def start(self) -> "GraphStandIn":
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def main(argv=None):
    p = argparse.ArgumentParser(description="Graph API stand-in (development only)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=9181)
    a = p.parse_args(argv)
    GraphStandIn(a.host, a.port, echo=True).server.serve_forever()


if __name__ == "__main__":
    main()
