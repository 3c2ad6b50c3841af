"""Gateway tests: a real PostgreSQL database per test (migrated with gateway/alembic.ini)
and one throwaway RabbitMQ vhost for the session (the app's lifespan connects its RPC client)."""
import asyncio
import secrets
from pathlib import Path

import pytest

from sacinfra import testing

GATEWAY = Path(__file__).resolve().parents[1]
SECRET = secrets.token_urlsafe(48)


@pytest.fixture(scope="session")
def amqp_uri():
    name = testing.unique("gw")
    uri = testing.create_vhost(name)
    yield uri
    testing.remove_vhost(name)


@pytest.fixture
def gateway_db():
    name = testing.unique("t_gateway")
    url = testing.create_database(name)
    try:
        testing.migrate(GATEWAY, url)
        yield url
    finally:
        testing.drop_database(name)


@pytest.fixture
def settings(gateway_db, amqp_uri):
    from gateway.settings import Settings

    return Settings(amqp_uri=amqp_uri, database_url=gateway_db, jwt_secret=SECRET, environment="production")


@pytest.fixture
def demo_users(gateway_db, amqp_uri):
    """One user per role, password ``demo-<role>-2026`` (what `make up` loads)."""
    from gateway.cli import DEMO_USERS, load_demo_users
    from gateway.settings import Settings

    asyncio.run(load_demo_users(Settings(amqp_uri=amqp_uri, database_url=gateway_db, environment="development")))
    return {username: role for username, role, *_ in DEMO_USERS}


@pytest.fixture
def make_client(settings):
    from fastapi.testclient import TestClient
    from gateway.app import create_app

    clients = []

    def make(s=None):
        c = TestClient(create_app(s or settings))
        c.__enter__()
        clients.append(c)
        return c

    yield make
    for c in clients:
        c.__exit__(None, None, None)


@pytest.fixture
def client(make_client, demo_users):
    return make_client()


class Api:
    """The client plus the helpers every test needs."""

    def __init__(self, client):
        self.client = client

    def login(self, username, password=None, expect=200):
        r = self.client.post("/v1/auth/login",
                             json={"username": username, "password": password or f"demo-{username}-2026"})
        assert r.status_code == expect, r.text
        return r.json()

    def as_(self, username) -> dict:
        return bearer(self.login(username))


def bearer(tokens) -> dict:
    return {"Authorization": f"Bearer {tokens['access_token'] if isinstance(tokens, dict) else tokens}"}


@pytest.fixture
def api(client):
    return Api(client)


# --------------------------------------------------------------------------- helpers as fixtures

def _rows(url: str, sql: str, *args) -> list:
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        return conn.execute(sql, args or None).fetchall()


@pytest.fixture(scope="session")
def rows():
    """``rows(database_url, sql, *args)``: the rows of one statement, outside the app."""
    return _rows


def _assert_problem(r, status, code) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert body["code"] == code and body["status"] == status and body["detail"]
    return body


@pytest.fixture(scope="session")
def assert_problem():
    """``assert_problem(response, status, code)``: the response is that RFC 9457 problem; gives its body."""
    return _assert_problem


class FakeService:
    """Answers one service's RPCs from ``answers`` (a value, an exception, or a function
    of the args) and records ``calls``: the gateway's side of a route, its service apart."""

    def __init__(self, service: str):
        self.service = service
        self.calls = []
        self.answers = {}

    async def call(self, service, method, *args, context=None, timeout=None, **kwargs):
        assert service == self.service
        self.calls.append((method, args))
        answer = self.answers.get(method)
        if isinstance(answer, Exception):
            raise answer
        return answer(*args) if callable(answer) else answer

    def last(self, method):
        return [args for m, args in self.calls if m == method][-1]


@pytest.fixture
def fake_service(client):
    """``fake_service("catalog")``: the app's RPCs answered by a ``FakeService``, whose
    remote errors the gateway maps as it maps a real service's."""
    from gateway.errors import remote_to_api
    from gateway.rpc import RemoteCallError

    def make(service: str) -> FakeService:
        fake = FakeService(service)

        async def call(service, method, *args, timeout=None, **kwargs):
            try:
                return await fake.call(service, method, *args, timeout=timeout, **kwargs)
            except RemoteCallError as exc:
                raise remote_to_api(exc) from None

        client.app.state.call = call
        client.app.state.rpc = fake
        return fake

    return make
