"""Fixtures for cross-service tests: the platform started as `make up` starts it, with
its own vhost, databases and ports so that it runs beside a developer's platform."""
import json
import random
import sys
import threading
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator, FormatChecker

ROOT = Path(__file__).resolve().parents[1]
CONTRACTS = ROOT / "contracts"
sys.path.insert(0, str(ROOT / "deploy" / "local"))

from runner import Platform  # noqa: E402

from sacinfra import testing  # noqa: E402


def _load(path: Path) -> dict:
    return json.loads(path.read_text())


class Contracts:
    """Validates an event envelope and its data against contracts/."""

    def __init__(self):
        self.envelope = Draft202012Validator(_load(CONTRACTS / "envelope.schema.json"), format_checker=FormatChecker())
        self.data = {}
        for f in sorted((CONTRACTS / "events").glob("*.schema.json")):
            producer, rest = f.name.split(".", 1)
            event_type, version = rest.split(".")[0], int(rest.split(".")[1][1:])
            self.data[(producer, event_type, version)] = Draft202012Validator(_load(f), format_checker=FormatChecker())

    def validate(self, envelope: dict) -> None:
        self.envelope.validate(envelope)
        key = (envelope["producer"], envelope["event_type"], envelope["version"])
        assert key in self.data, f"no schema in contracts/events for {key}"
        self.data[key].validate(envelope["data"])


@pytest.fixture(scope="session")
def contracts():
    return Contracts()


def free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def platform(request):
    """Every service and the gateway as separate processes, prepared by the runner
    (databases, migrations, topology, demo catalog), on a vhost and databases of its own."""
    prefix = testing.unique("e2e")
    plat = Platform(prefix=prefix, gateway_port=free_port(), metrics_base=0, mongo_port=free_port(),
                    log_dir=ROOT / ".run" / prefix / "logs")
    plat.prepare()
    plat.start()
    try:
        plat.wait_healthy(timeout=120)
        yield plat
    finally:
        plat.stop()
        plat.drop_databases()
        testing.remove_vhost(prefix)


class Subscriber:
    """A department-style subscriber (pika): a durable queue bound to an exchange,
    collecting every message in a background thread until closed."""

    def __init__(self, amqp_uri: str, exchange: str, routing_key: str):
        import pika

        self.params = pika.URLParameters(amqp_uri)
        self.queue = f"sac.int.test-{random.getrandbits(40):x}"
        self.messages: list[dict] = []
        self._lock = threading.Lock()
        conn = pika.BlockingConnection(self.params)
        ch = conn.channel()
        ch.exchange_declare(exchange, exchange_type="topic", durable=True)
        ch.queue_declare(self.queue, durable=True)
        ch.queue_bind(self.queue, exchange, routing_key)
        conn.close()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        import pika

        conn = pika.BlockingConnection(self.params)
        ch = conn.channel()
        while not self._stop.is_set():
            method, props, body = ch.basic_get(self.queue, auto_ack=False)
            if method is None:
                conn.sleep(0.05)
                continue
            with self._lock:
                self.messages.append(json.loads(body))
            ch.basic_ack(method.delivery_tag)
        conn.close()

    def folios(self) -> list[int]:
        with self._lock:
            return [m["data"]["folio"] for m in self.messages]

    def close(self):
        self._stop.set()
        self._thread.join(5)


@pytest.fixture
def subscribe():
    subs = []

    def make(amqp_uri, exchange, routing_key):
        s = Subscriber(amqp_uri, exchange, routing_key)
        subs.append(s)
        return s

    yield make
    for s in subs:
        s.close()
