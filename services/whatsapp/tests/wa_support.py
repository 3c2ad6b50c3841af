"""Helpers of the WhatsApp tests: the Graph API stand-in on a free port (the real one is
not reachable here), signed webhook deliveries as Meta sends them, and the service's
test configuration."""
import hashlib
import hmac
import json
import socket
import uuid

import requests

from sacinfra import testing
from whatsapp.devgraph import GraphStandIn

APP_SECRET = "test-app-secret"
VERIFY_TOKEN = "test-verify-token"
PHONE_ID = "1234567890"
SUPERVISOR = {"kind": "staff", "username": "supervisora", "role": "supervisor"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class FakeGraph(GraphStandIn):
    """The Graph API's messages endpoint on a free port, checking the path and token the
    service must use and recording every accepted message."""

    def __init__(self):
        super().__init__(phone_number_id=PHONE_ID, token="test-token")
        self.start()


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

    def photo(self, media_id: str = "media-1"):
        """An image message; ``media_id`` one the Graph stand-in serves (``add_media``) or not."""
        return self.deliver({"type": "image", "image": {"id": media_id, "mime_type": "image/jpeg"}})


#: a real (tiny) JPEG: what intake accepts by content
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"


def wait_assignment(pool, folio, status=None, timeout=20.0):
    def check():
        with pool.proxy() as rpc:
            try:
                a = rpc.routing.get_assignment(folio, SUPERVISOR)
            except Exception:
                return None
        return a if status is None or a["status"] == status else None
    return testing.wait_until(check, timeout=timeout, what=f"assignment of {folio}")
