"""Partner API keys on a real PostgreSQL database through the FastAPI app: only a hash is
stored, scopes and kinds are enforced, the rate limit answers 429 with Retry-After,
revocation is immediate, and POST /v1/reports needs credentials. None of these requests
reaches a service: every answer here is decided by the gateway before any RPC."""
import asyncio
import hashlib

import pytest

from gateway.auth import apikeys
from gateway.settings import Settings

REPORT = {"petition_type": "OP-LAMPARA APAGADA", "channel": "072", "description": "Lámpara apagada",
          "location": {"lat": 21.12, "lon": -101.68, "colonia": "CENTRO", "street": "MADERO 100"}}


def make_key(api, **fields) -> str:
    """A key made by the use case the CLI and the admin route share (in the app's event
    loop, on its engine); returns its secret."""
    async def go():
        async with api.client.app.state.auth.db().begin() as conn:
            _, secret = await apikeys.create_key(conn, actor_name="test", **fields)
        return secret
    return api.client.portal.call(go)


def channel_key(api, name="chatbot", scopes=("reports:create",), rate_limit=60, channel="CHATBOT"):
    return make_key(api, name=name, kind="channel", channel=channel, scopes=list(scopes), rate_limit=rate_limit)


def test_only_a_hash_of_the_secret_is_stored(api, gateway_db, rows):
    secret = channel_key(api)
    assert secret.startswith("sac_") and len(secret) >= 40
    (stored_hash, prefix, scopes, created_by), = rows(
        gateway_db, "SELECT key_hash, key_prefix, scopes, created_by FROM api_keys WHERE name = 'chatbot'")
    assert stored_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert prefix == secret[:12] and scopes == ["reports:create"] and created_by == "test"
    everything = str(rows(gateway_db, "SELECT * FROM api_keys")) + str(rows(gateway_db, "SELECT * FROM audit_log"))
    assert secret not in everything
    listed = api.client.get("/v1/admin/api-keys", params={"kind": "channel"}, headers=api.as_("admin"))
    assert listed.status_code == 200, listed.text
    (item,) = [i for i in listed.json()["items"] if i["name"] == "chatbot"]
    assert item["name"] == "chatbot" and item["key_prefix"] == secret[:12]
    assert "secret" not in item and "key_hash" not in item and secret not in listed.text


def test_admin_only_and_bad_keys_are_422(api, gateway_db, rows, assert_problem):
    body = {"name": "alumbrado", "kind": "department", "agency": "OP", "department": "OP-ALUMBRADO",
            "scopes": ["reports:create"]}
    assert_problem(api.client.post("/v1/admin/api-keys", json=body, headers=api.as_("supervisor")), 403, "prohibido")
    assert_problem(api.client.get("/v1/admin/api-keys"), 401, "no_autenticado")
    admin = api.as_("admin")
    assert_problem(api.client.post("/v1/admin/api-keys", json=body, headers=admin), 422, "permiso_invalido")
    assert_problem(api.client.post("/v1/admin/api-keys", json={"name": "x1x", "kind": "channel", "scopes": ["open311"]},
                                   headers=admin), 422, "canal_requerido")
    assert_problem(api.client.post("/v1/admin/api-keys", json={"name": "Mal Nombre", "kind": "channel",
                                                               "channel": "CHATBOT", "scopes": ["open311"]},
                                   headers=admin), 422, "nombre_invalido")
    assert rows(gateway_db, "SELECT count(*) FROM api_keys WHERE created_by <> 'demo'") == [(0,)]
    assert rows(gateway_db, "SELECT count(*) FROM audit_log "
                            "WHERE action LIKE 'api_key.%%' AND actor <> 'demo'") == [(0,)]


def test_reports_need_credentials_and_a_key_that_may_file(api, gateway_db, assert_problem):
    """Who files with which channel is intake's decision (its unit tests; tests/e2e):
    here, what the gateway decides of its own credentials before any RPC."""
    assert_problem(api.client.post("/v1/reports", json=REPORT), 401, "no_autenticado")
    r = api.client.post("/v1/reports", json=REPORT, headers={"X-API-Key": "sac_no-existe"})
    assert_problem(r, 401, "clave_invalida")
    assert r.headers["www-authenticate"].startswith("ApiKey")
    secret = channel_key(api)
    assert_problem(api.client.post("/v1/reports", json=REPORT, headers={"X-API-Key": secret} | api.as_("operator")),
                   400, "credenciales_ambiguas")
    # scopes and kinds: a channel key without reports:create, a department key
    reader = channel_key(api, name="lector", scopes=("reports:read",))
    assert_problem(api.client.post("/v1/reports", json=REPORT | {"channel": "CHATBOT"},
                                   headers={"X-API-Key": reader}), 403, "prohibido")
    dept = make_key(api, name="alumbrado", kind="department", agency="OP", department="OP-ALUMBRADO",
                    scopes=["reports:read", "reports:write"], rate_limit=60)
    assert_problem(api.client.post("/v1/reports", json=REPORT, headers={"X-API-Key": dept}), 403, "prohibido")
    # a department key is not a channel key: no Open311-free pass either on channel reads
    r = api.client.get("/v1/reports/1/assignment", headers={"X-API-Key": reader})
    assert_problem(r, 403, "prohibido")


def test_revocation_is_immediate_and_audited(api, gateway_db, rows, assert_problem):
    secret = channel_key(api)
    (key_id,), = rows(gateway_db, "SELECT id FROM api_keys WHERE name = 'chatbot'")
    h = {"X-API-Key": secret}
    assert_problem(api.client.get("/v1/reports/1", headers=h), 403, "prohibido")  # no reports:read
    admin = api.as_("admin")
    r = api.client.delete(f"/v1/admin/api-keys/{key_id}", headers=admin)
    assert r.status_code == 200, r.text
    assert r.json()["active"] is False and r.json()["revoked_by"] == "admin" and r.json()["revoked_at"]
    assert_problem(api.client.get("/v1/reports/1", headers=h), 401, "clave_invalida")
    again = api.client.delete(f"/v1/admin/api-keys/{key_id}", headers=admin)
    assert again.status_code == 200 and again.json()["revoked_at"] == r.json()["revoked_at"]
    assert rows(gateway_db, "SELECT actor, action, target FROM audit_log WHERE action LIKE 'api_key.%%' "
                            "AND target = 'api-key:chatbot' ORDER BY id") == [
        ("test", "api_key.created", "api-key:chatbot"), ("admin", "api_key.revoked", "api-key:chatbot")]
    assert_problem(api.client.delete("/v1/admin/api-keys/999999", headers=admin), 404, "clave_no_encontrada")
    assert [i["name"] for i in api.client.get("/v1/admin/api-keys", params={"active": "false"},
                                              headers=admin).json()["items"]] == ["chatbot"]


def test_rate_limit_answers_429_with_retry_after(api, gateway_db, assert_problem):
    secret = channel_key(api, rate_limit=3)
    other = channel_key(api, name="otra", rate_limit=3)
    h = {"X-API-Key": secret}
    for _ in range(3):  # answered by the gateway alone: the key has no reports:read
        assert_problem(api.client.get("/v1/reports/1", headers=h), 403, "prohibido")
    r = api.client.get("/v1/reports/1", headers=h)
    assert_problem(r, 429, "limite_excedido")
    assert 1 <= int(r.headers["retry-after"]) <= 20  # 3 a minute: a token every 20 s
    # the limit is per key
    assert_problem(api.client.get("/v1/reports/1", headers={"X-API-Key": other}), 403, "prohibido")


def test_token_bucket_refills_at_its_rate():
    now = [100.0]
    limiter = apikeys.RateLimiter(clock=lambda: now[0])
    assert [limiter.take(1, 60) for _ in range(60)] == [None] * 60  # a burst of a minute's worth
    wait = limiter.take(1, 60)
    assert wait == pytest.approx(1.0)
    assert apikeys.RateLimiter.retry_after(wait) == "1"
    now[0] += 0.5
    assert limiter.take(1, 60) == pytest.approx(0.5)
    now[0] += 0.5
    assert limiter.take(1, 60) is None
    now[0] += 3600  # idle for an hour: the bucket holds at most a minute's worth
    assert [limiter.take(1, 60) for _ in range(60)] == [None] * 60 and limiter.take(1, 60) is not None


def test_cli_creates_a_key_and_demo_keys_load_once(gateway_db, amqp_uri, monkeypatch, capsys, rows):
    from gateway import cli

    monkeypatch.setenv("DATABASE_URL", gateway_db)
    assert cli.main(["create-api-key", "--name", "alumbrado-sig", "--kind", "department", "--agency", "OP",
                     "--department", "OP-ALUMBRADO", "--scope", "reports:read", "--scope", "reports:write",
                     "--rate-limit", "30"]) == 0
    secret = capsys.readouterr().out.strip()
    assert rows(gateway_db, "SELECT kind, agency, department, scopes, rate_limit, created_by FROM api_keys "
                            "WHERE key_hash = %s", hashlib.sha256(secret.encode()).hexdigest()) == [
        ("department", "OP", "OP-ALUMBRADO", ["reports:read", "reports:write"], 30, "cli")]
    assert cli.main(["create-api-key", "--name", "mala", "--kind", "department", "--agency", "OP",
                     "--department", "OP-ALUMBRADO", "--scope", "open311"]) == 1
    settings = Settings(amqp_uri=amqp_uri, database_url=gateway_db, environment="development")
    asyncio.run(cli.load_demo_users(settings))
    asyncio.run(cli.load_demo_users(settings))
    names = [r[0] for r in rows(gateway_db, "SELECT name FROM api_keys ORDER BY id")]
    assert names == ["alumbrado-sig", "chatbot-demo", "op-alumbrado-demo"]
    (h,), = rows(gateway_db, "SELECT key_hash FROM api_keys WHERE name = 'chatbot-demo'")
    assert h == hashlib.sha256(b"demo-chatbot-key-2026").hexdigest()
