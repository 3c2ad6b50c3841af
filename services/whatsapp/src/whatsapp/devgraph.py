"""A stand-in for the Graph API's messages and media endpoints, for development and tests
(the real one is not reachable from here): ``python -m whatsapp.devgraph --port 9181``.

- ``POST /{version}/{phone_number_id}/messages`` with the expected bearer token answers as
  the Cloud API does (``{"messages": [{"id": "wamid…"}]}``) and records the message
  (printed as one JSON line when run as a program); ``fail_next(n, status)`` makes the
  next n calls fail, to exercise the relay's retries.
- media, as the Cloud API serves what a citizen sent: ``POST /{version}/{phone_number_id}/media``
  (multipart/form-data with ``file``, as a business uploads; tests use it to stand for the
  citizen's photo) → ``{"id"}``; ``GET /{version}/{media_id}`` → ``{"url", "mime_type",
  "sha256", "file_size", "id", "messaging_product"}``; ``GET`` that url (bearer token
  required, as on the real CDN) → the bytes. ``add_media(content, mime_type)`` does the
  upload in-process."""
from __future__ import annotations

import argparse
import hashlib
import json
import threading
import uuid
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class GraphStandIn:
    def __init__(self, host: str = "127.0.0.1", port: int = 0, version: str = "v21.0",
                 phone_number_id: str | None = None, token: str | None = None, echo: bool = False):
        self.accepted: list[dict] = []
        self.attempts = 0
        self.failures: list[int] = []
        self.media: dict[str, tuple[bytes, str]] = {}
        self.lock = threading.Lock()
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _answer(self, status: int, data: bytes, content_type: str = "application/json"):
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _authorised(self) -> bool:
                return token is None or self.headers.get("Authorization") == f"Bearer {token}"

            def do_GET(self):
                parts = self.path.split("?")[0].strip("/").split("/")
                if not self._authorised():
                    return self._answer(401, b'{"error": {"message": "token", "code": 190}}')
                if len(parts) == 2 and parts[0] == "media-download" and parts[1] in stand_in.media:
                    content, mime = stand_in.media[parts[1]]
                    return self._answer(200, content, mime)
                if len(parts) == 2 and parts[0] == version and parts[1] in stand_in.media:
                    content, mime = stand_in.media[parts[1]]
                    host = self.headers.get("Host") or f"{stand_in.host}:{stand_in.server.server_port}"
                    return self._answer(200, json.dumps({
                        "messaging_product": "whatsapp", "url": f"http://{host}/media-download/{parts[1]}",
                        "mime_type": mime, "sha256": hashlib.sha256(content).hexdigest(),
                        "file_size": len(content), "id": parts[1]}).encode())
                return self._answer(404, b'{"error": {"message": "no existe", "code": 100}}')

            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                parts = self.path.strip("/").split("/")
                if len(parts) == 3 and parts[0] == version and parts[2] == "media":
                    return self._upload(raw)
                body = json.loads(raw or b"{}")
                path_ok = len(parts) == 3 and parts[0] == version and parts[2] == "messages" and \
                    (phone_number_id is None or parts[1] == phone_number_id)
                auth_ok = token is None or self.headers.get("Authorization") == f"Bearer {token}"
                status, answer = stand_in.take(body, path_ok and auth_ok)
                if echo and status == 200:
                    print(json.dumps(body, ensure_ascii=False), flush=True)
                self._answer(status, json.dumps(answer).encode())

            def _upload(self, raw: bytes):
                if not self._authorised():
                    return self._answer(401, b'{"error": {"message": "token", "code": 190}}')
                head = f"Content-Type: {self.headers.get('Content-Type')}\r\n\r\n".encode()
                form = BytesParser(policy=HTTP).parsebytes(head + raw)
                files = [p for p in form.iter_parts() if p.get_filename() or p.get_param("name", header="content-disposition") == "file"] \
                    if form.is_multipart() else []
                if not files:
                    return self._answer(400, b'{"error": {"message": "falta el archivo", "code": 100}}')
                media_id = stand_in.add_media(files[0].get_payload(decode=True), files[0].get_content_type())
                return self._answer(200, json.dumps({"id": media_id}).encode())

        self.host = host
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

    def add_media(self, content: bytes, mime_type: str) -> str:
        """A file as the Cloud API keeps what a citizen sent: its media id."""
        media_id = str(uuid.uuid4().int)[:16]
        with self.lock:
            self.media[media_id] = (bytes(content), mime_type)
        return media_id

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
