"""Fixtures for cross-service tests: the platform started as `make up` starts it, with
its own vhost, databases and ports so that it runs beside a developer's platform."""
import contextlib
import json
import random
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
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


#: the machine's PostgreSQL (100 connections) serves the shared platform, the module's own
#: and the one stopping in the background: each service keeps 2 idle connections, not 10
#: (still up to 15 under load, more than its 10 workers use)
POOLS = {"SQL_POOL_SIZE": "2", "SQL_MAX_OVERFLOW": "13"}


def _new_platform(prefix: str, extra_env: dict | None = None) -> Platform:
    return Platform(prefix=prefix, gateway_port=free_port(), metrics_base=0, mongo_port=free_port(),
                    log_dir=ROOT / ".run" / prefix / "logs", extra_env=POOLS | (extra_env or {}))


def _dispose(plat: Platform) -> None:
    plat.stop()
    plat.drop_databases()
    testing.remove_vhost(plat.prefix)


@pytest.fixture(scope="session")
def platform_teardowns():
    """Platforms stop in the background while the next module's starts (a stop waits
    seconds for each service's graceful shutdown); the session waits for them at its end."""
    threads: list[threading.Thread] = []
    yield threads
    for t in threads:
        t.join(120)


@pytest.fixture(scope="session")
def platform_template():
    """Databases migrated and loaded with the demo catalog and users once per session;
    every test platform's databases are copies of them (``Platform.prepare(template)``)."""
    tmpl = _new_platform(testing.unique("e2etmpl"))
    tmpl.prepare_template()
    yield tmpl.prefix
    tmpl.drop_databases()


@contextlib.contextmanager
def running_platform(extra_env: dict | None = None, template: str | None = None,
                     teardowns: list[threading.Thread] | None = None):
    """Every service, the gateway and the console as separate processes, prepared by the
    runner (databases, migrations, topology, demo data), on a vhost and databases of their
    own: copies of ``template``'s databases when given. With ``teardowns``, the platform
    stops in a background thread appended there."""
    plat = _new_platform(testing.unique("e2e"), extra_env)
    plat.prepare(template)
    plat.start()
    try:
        plat.wait_healthy(timeout=120)
        yield plat
    finally:
        if teardowns is None:
            _dispose(plat)
        else:
            teardowns.append(threading.Thread(target=_dispose, args=(plat,), name=f"stop {plat.prefix}"))
            teardowns[-1].start()


@pytest.fixture(scope="session")
def shared_platform(platform_template, platform_teardowns):
    """One platform for the modules that say ``SHARED_PLATFORM = True``."""
    with running_platform(template=platform_template, teardowns=platform_teardowns) as plat:
        yield plat


@pytest.fixture(scope="module")
def platform(request, platform_template, platform_teardowns):
    """The platform a module's tests run against: its own (with the module's
    ``PLATFORM_ENV`` settings, if any), or — when the module says ``SHARED_PLATFORM = True``
    because it asserts nothing about platform-wide counts and changes no shared settings —
    the session's shared one, which saves a start and a stop per module."""
    if getattr(request.module, "SHARED_PLATFORM", False) and not getattr(request.module, "PLATFORM_ENV", None):
        yield request.getfixturevalue("shared_platform")
        return
    with running_platform(getattr(request.module, "PLATFORM_ENV", None), platform_template,
                          platform_teardowns) as plat:
        yield plat


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


# --------------------------------------------------------------------------- e2e helpers

def login(base: str, username: str, password: str | None = None) -> dict:
    """Headers of a signed-in staff member; demo users' password is ``demo-<username>-2026``."""
    r = requests.post(f"{base}/v1/auth/login", json={"username": username,
                                                      "password": password or f"demo-{username}-2026"}, timeout=10)
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


@pytest.fixture(name="login", scope="session")
def login_fixture():
    """``login(base, username, password=None)``: the headers of a signed-in user."""
    return login


class Tokens(dict):
    """Headers of the demo users keyed by role (``tokens["operator"]``), each one signed in
    the first time it is asked for."""

    def __init__(self, base: str):
        super().__init__()
        self.base = base

    def __missing__(self, role: str) -> dict:
        self[role] = headers = login(self.base, role)
        return headers


@pytest.fixture(scope="module")
def tokens(platform):
    return Tokens(platform.gateway_url)


REPORT = {"channel": "072", "description": "Lámpara apagada frente al número 100",
          "location": {"lat": 21.1221, "lon": -101.6824, "colonia": "CENTRO", "street": "MADERO 100"},
          "citizen_number": None}


@pytest.fixture(scope="session")
def file_report():
    """``file_report(base, headers, petition_type="OP-LAMPARA APAGADA", **fields)``: files a
    report (a lamp out in the centre unless ``fields`` say otherwise) and gives its folio."""

    def file(base: str, headers: dict, petition_type: str = "OP-LAMPARA APAGADA", **fields) -> int:
        r = requests.post(f"{base}/v1/reports", json=REPORT | {"petition_type": petition_type} | fields,
                          headers=headers, timeout=10)
        assert r.status_code == 201, r.text
        return r.json()["folio"]

    return file


@pytest.fixture(scope="session")
def wait_assigned():
    """``wait_assigned(base, folio, headers, timeout=20, check=None)``: the report's
    assignment once routing has made it (404 until then); ``check(response)`` runs on the
    first 200."""

    def wait(base: str, folio: int, headers: dict, timeout: float = 20, check=None) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            r = requests.get(f"{base}/v1/reports/{folio}/assignment", headers=headers, timeout=10)
            if r.status_code == 200:
                if check:
                    check(r)
                return r.json()
            assert r.status_code == 404, r.text
            time.sleep(0.1)
        raise AssertionError(f"folio {folio} not assigned in {timeout}s")

    return wait


@pytest.fixture(scope="session")
def wait_listed():
    """``wait_listed(base, folios, headers, timeout=30)``: waits until the report list
    holds every one of ``folios`` (routing assigns them from intake's events)."""

    def wait(base: str, folios: list[int], headers: dict, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while True:
            r = requests.get(f"{base}/v1/reports", params={"folios": ",".join(map(str, folios))},
                             headers=headers, timeout=10)
            assert r.status_code == 200, r.text
            if r.json()["total"] == len(folios):
                return
            assert time.monotonic() < deadline, r.json()
            time.sleep(0.2)

    return wait
