"""Honest answers under faults: the gateway's database or the broker being away is a 503
problem+json ``servicio_no_disponible`` with ``Retry-After`` (retry later), never a 500
or 502; both come back by themselves. Outages are made with a TCP proxy in front of the
shared servers (which are never stopped)."""
from gateway.settings import Settings
from sacinfra import testing


def with_(settings, **changes) -> Settings:
    return Settings(**{"amqp_uri": settings.amqp_uri, "database_url": settings.database_url,
                       "jwt_secret": settings.jwt_secret, "environment": "production"} | changes)


def assert_unavailable(r):
    assert r.status_code == 503, (r.status_code, r.text)
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["code"] == "servicio_no_disponible"
    assert int(r.headers["Retry-After"]) > 0


def test_gateway_database_away_is_503_with_retry_after(settings, gateway_db, demo_users, make_client):
    proxy = testing.TcpProxy("127.0.0.1", 5432)
    try:
        client = make_client(with_(settings, database_url=proxy.url_for(gateway_db)))
        r = client.post("/v1/auth/login", json={"username": "supervisor", "password": "demo-supervisor-2026"})
        headers = {"Authorization": f"Bearer {r.json()['access_token']}"}
        assert client.get("/v1/auth/me", headers=headers).status_code == 200
        proxy.cut()
        assert_unavailable(client.get("/v1/auth/me", headers=headers))
        assert_unavailable(client.get("/v1/auth/me", headers=headers))
        assert_unavailable(client.get("/v1/reports/1", headers={"X-API-Key": "sac_una-clave-cualquiera"}))
        proxy.restore()
        testing.wait_until(lambda: client.get("/v1/auth/me", headers=headers).status_code == 200,
                           timeout=20, what="the gateway answers again")
    finally:
        proxy.cut()


def test_login_and_users_with_the_gateway_database_away_are_503(settings, gateway_db, demo_users, make_client):
    """Login (no token yet) and the admin routes reach the database through the same
    guard as token checks: refused connections are a 503, then they work again."""
    proxy = testing.TcpProxy("127.0.0.1", 5432)
    try:
        client = make_client(with_(settings, database_url=proxy.url_for(gateway_db)))
        r = client.post("/v1/auth/login", json={"username": "admin", "password": "demo-admin-2026"})
        admin = {"Authorization": f"Bearer {r.json()['access_token']}"}
        refresh = r.json()["refresh_token"]
        assert client.get("/v1/users", headers=admin).status_code == 200
        proxy.cut()
        assert_unavailable(client.post("/v1/auth/login", json={"username": "operator",
                                                               "password": "demo-operator-2026"}))
        assert_unavailable(client.post("/v1/auth/refresh", json={"refresh_token": refresh}))
        assert_unavailable(client.get("/v1/users", headers=admin))
        proxy.restore()
        testing.wait_until(lambda: client.post("/v1/auth/login", json={
            "username": "operator", "password": "demo-operator-2026"}).status_code == 200,
            timeout=20, what="login answers again")
        assert client.get("/v1/users", headers=admin).json()["total"] == len(demo_users)
    finally:
        proxy.cut()


def test_broker_away_is_503_with_retry_after(settings, amqp_uri, make_client):
    host, rest = amqp_uri.split("@", 1)
    port = int(rest.split("/", 1)[0].rsplit(":", 1)[1])
    proxy = testing.TcpProxy("127.0.0.1", port)
    try:
        uri = f"{host}@127.0.0.1:{proxy.port}/{rest.split('/', 1)[1]}"
        client = make_client(with_(settings, amqp_uri=uri))
        proxy.cut()
        for _ in range(3):  # no service behind the vhost either way: never 500/502
            assert_unavailable(client.get("/v1/stats/summary"))
        health = client.get("/health")
        assert health.status_code == 503 and health.json()["status"] == "degraded"
    finally:
        proxy.cut()


def test_a_dependency_away_behind_a_service_is_transient_and_a_bug_is_not():
    from gateway.rpc import transient_remote

    assert transient_remote({"exc_type": "OperationalError", "value": "(psycopg.OperationalError) closed"})
    assert transient_remote({"exc_type": "RemoteError", "value": "OperationalError (psycopg.OperationalError) x"})
    assert transient_remote({"exc_type": "UnknownService", "value": "catalog"})
    assert not transient_remote({"exc_type": "RemoteError", "value": "KeyError 'folio'"})
    assert not transient_remote({"exc_type": "InvalidInput", "value": "datos"})
