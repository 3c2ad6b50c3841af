"""Helpers of the WhatsApp tests: a local fake of the Graph API (the real one is not
reachable here) and the core services (catalog with its demo data, intake, routing) as
real nameko containers on the test's vhost and databases."""
import hashlib
import hmac
import json
import socket
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests

from sacinfra import testing

APP_SECRET = "test-app-secret"
VERIFY_TOKEN = "test-verify-token"
PHONE_ID = "1234567890"
SUPERVISOR = {"kind": "staff", "username": "supervisora", "role": "supervisor"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class FakeGraph:
    """``POST /{version}/{phone_number_id}/messages`` as the Cloud API answers it, recording
    every accepted message; ``fail_next(n, status)`` makes the next n calls fail."""

    def __init__(self):
        self.accepted: list[dict] = []
        self.attempts = 0
        self.failures: list[int] = []
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with fake.lock:
                    fake.attempts += 1
                    status = fake.failures.pop(0) if fake.failures else 200
                    ok = status == 200 and self.path == f"/v21.0/{PHONE_ID}/messages" and \
                        self.headers.get("Authorization") == "Bearer test-token"
                    if ok:
                        fake.accepted.append(body)
                        answer = {"messaging_product": "whatsapp", "contacts": [{"wa_id": body["to"]}],
                                  "messages": [{"id": f"wamid.{uuid.uuid4().hex}"}]}
                    else:
                        status = status if status != 200 else 401
                        answer = {"error": {"message": "fake error", "code": status}}
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def fail_next(self, n: int, status: int = 503):
        with self.lock:
            self.failures = [status] * n

    def texts(self, to: str | None = None) -> list[str]:
        with self.lock:
            return [m["text"]["body"] if m["type"] == "text" else "TEMPLATE:" + json.dumps(m["template"])
                    for m in self.accepted if to is None or m["to"] == to]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def whatsapp_config(vhost_uri, db_url, graph_url, port) -> dict:
    return {"AMQP_URI": vhost_uri, "DATABASE_URL": db_url, "METRICS_PORT": 0,
            "WEB_SERVER_ADDRESS": f"127.0.0.1:{port}", "GRAPH_API_URL": graph_url, "GRAPH_API_VERSION": "v21.0",
            "WHATSAPP_PHONE_NUMBER_ID": PHONE_ID, "WHATSAPP_ACCESS_TOKEN": "test-token",
            "WHATSAPP_APP_SECRET": APP_SECRET, "WHATSAPP_VERIFY_TOKEN": VERIFY_TOKEN,
            "PUBLIC_URL": "https://sac.municipio.example", "CHANNEL_CODE": "WHATSAPP"}


def sign(body: bytes, secret: str = APP_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class Phone:
    """A citizen's phone talking to the webhook as Meta would deliver its messages."""

    def __init__(self, base: str, number: str):
        self.base, self.number = base, number

    def deliver(self, message: dict, message_id: str | None = None) -> tuple[requests.Response, str]:
        message_id = message_id or f"wamid.in.{uuid.uuid4().hex}"
        payload = {"object": "whatsapp_business_account", "entry": [{"id": "WABA", "changes": [{
            "field": "messages", "value": {"messaging_product": "whatsapp",
                                           "metadata": {"phone_number_id": PHONE_ID},
                                           "contacts": [{"wa_id": self.number, "profile": {"name": "X"}}],
                                           "messages": [{"id": message_id, "from": self.number,
                                                         "timestamp": "1765000000", **message}]}}]}]}
        body = json.dumps(payload).encode()
        r = requests.post(self.base + "/webhook", data=body, timeout=30,
                          headers={"Content-Type": "application/json", "X-Hub-Signature-256": sign(body)})
        return r, message_id

    def text(self, text: str, message_id: str | None = None):
        return self.deliver({"type": "text", "text": {"body": text}}, message_id)

    def pin(self, lat: float, lon: float, address: str | None = None):
        loc = {"latitude": lat, "longitude": lon}
        if address:
            loc["address"] = address
        return self.deliver({"type": "location", "location": loc})

    def photo(self):
        return self.deliver({"type": "image", "image": {"id": "media-1", "mime_type": "image/jpeg"}})


def wait_assignment(pool, folio, status=None, timeout=20.0):
    def check():
        with pool.proxy() as rpc:
            try:
                a = rpc.routing.get_assignment(folio, SUPERVISOR)
            except Exception:
                return None
        return a if status is None or a["status"] == status else None
    return testing.wait_until(check, timeout=timeout, what=f"assignment of {folio}")
