"""Login, rate limit, refresh rotation, logout, expiry and algorithm pinning, on a real
PostgreSQL database through the FastAPI app."""
import time

import jwt
import pytest

from gateway.auth.security import ISSUER, Tokens


def test_login_returns_tokens_and_me(api, gateway_db, rows):
    t = api.login("supervisor")
    assert t["token_type"] == "bearer" and t["expires_in"] == 900
    claims = jwt.decode(t["access_token"], options={"verify_signature": False})
    assert jwt.get_unverified_header(t["access_token"])["alg"] == "HS256"
    assert claims["exp"] - claims["iat"] == 900 and claims["typ"] == "access"
    refresh = jwt.decode(t["refresh_token"], options={"verify_signature": False})
    assert refresh["exp"] - refresh["iat"] == 8 * 3600 and refresh["typ"] == "refresh"
    me = api.client.get("/v1/auth/me", headers={"Authorization": f"Bearer {t['access_token']}"})
    assert me.status_code == 200
    assert me.json()["username"] == "supervisor" and me.json()["role"] == "supervisor"
    assert "password_hash" not in me.json()
    (h,), = rows(gateway_db, "SELECT password_hash FROM users WHERE username = 'supervisor'")
    assert h.startswith("$argon2id$")
    audit = rows(gateway_db, "SELECT actor, action, target, ip FROM audit_log WHERE action = 'auth.login'")
    assert audit == [("supervisor", "auth.login", "user:supervisor", "testclient")]


def test_username_is_case_insensitive(api):
    api.login("Operator", "demo-operator-2026")


@pytest.mark.parametrize("username,password", [("admin", "wrong-password-1"), ("nadie", "demo-admin-2026")])
def test_wrong_password_or_unknown_user_is_401_and_audited(api, gateway_db, username, password, rows, assert_problem):
    r = api.client.post("/v1/auth/login", json={"username": username, "password": password})
    assert_problem(r, 401, "credenciales_invalidas")
    assert r.headers["www-authenticate"].startswith("Bearer")
    (actor, action, ip), = rows(gateway_db, "SELECT actor, action, ip FROM audit_log WHERE action LIKE 'auth.%%'")
    assert (actor, action, ip) == (username, "auth.login_failed", "testclient")


def test_inactive_user_cannot_log_in(api, gateway_db, rows, assert_problem):
    rows_ = rows(gateway_db, "UPDATE users SET active = false WHERE username = 'operator' RETURNING id")
    assert rows_
    assert_problem(api.client.post("/v1/auth/login", json={"username": "operator", "password": "demo-operator-2026"}),
                   401, "credenciales_invalidas")


def test_repeated_failures_get_429_across_gateway_workers(settings, demo_users, gateway_db, rows, assert_problem):
    """Two app instances one after the other (TestClient under eventlet runs one event
    loop at a time): the count lives in the database, so the second one sees the first's."""
    from fastapi.testclient import TestClient
    from gateway.app import create_app

    with TestClient(create_app(settings)) as one:
        for _ in range(3):
            r = one.post("/v1/auth/login", json={"username": "auditor", "password": "no-es-la-contrasena"})
            assert r.status_code == 401
    with TestClient(create_app(settings)) as two:
        for _ in range(2):
            assert two.post("/v1/auth/login", json={"username": "auditor", "password": "otra-mala"}).status_code == 401
        r = two.post("/v1/auth/login", json={"username": "auditor", "password": "demo-auditor-2026"})
        body = assert_problem(r, 429, "demasiados_intentos")
        assert "intentos" in body["detail"] and int(r.headers["retry-after"]) > 0
        assert two.post("/v1/auth/login", json={"username": "auditor", "password": "x"}).status_code == 429
        # another user from the same address is not blocked
        assert two.post("/v1/auth/login", json={"username": "admin", "password": "demo-admin-2026"}).status_code == 200
        actions = [a for a, in rows(gateway_db, "SELECT action FROM audit_log WHERE actor = 'auditor' ORDER BY id")]
        assert actions == ["auth.login_failed"] * 5 + ["auth.login_blocked"] * 2
        # once the window has passed, the user may try again
        rows(gateway_db, "UPDATE login_failures SET at = at - interval '6 minutes' RETURNING id")
        r = two.post("/v1/auth/login", json={"username": "auditor", "password": "demo-auditor-2026"})
        assert r.status_code == 200


def test_success_resets_the_failure_count(api):
    for _ in range(4):
        api.login("admin", "mala-contrasena", expect=401)
    api.login("admin")
    for _ in range(4):
        api.login("admin", "mala-contrasena", expect=401)
    api.login("admin")


def test_refresh_rotates_and_a_used_refresh_token_is_refused(api, gateway_db, rows, assert_problem):
    first = api.login("operator")
    r = api.client.post("/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert r.status_code == 200, r.text
    second = r.json()
    assert second["refresh_token"] != first["refresh_token"] and second["access_token"] != first["access_token"]
    assert api.client.get("/v1/auth/me", headers={"Authorization": f"Bearer {second['access_token']}"}).status_code == 200
    # the old refresh token is spent
    assert_problem(api.client.post("/v1/auth/refresh", json={"refresh_token": first["refresh_token"]}),
                   401, "token_revocado")
    assert rows(gateway_db, "SELECT actor FROM audit_log WHERE action = 'auth.refresh_reused'") == [("operator",)]
    # the new one works once
    assert api.client.post("/v1/auth/refresh", json={"refresh_token": second["refresh_token"]}).status_code == 200
    # an access token is not a refresh token, and the other way round
    assert_problem(api.client.post("/v1/auth/refresh", json={"refresh_token": second["access_token"]}),
                   401, "token_invalido")
    assert_problem(api.client.get("/v1/auth/me", headers={"Authorization": f"Bearer {second['refresh_token']}"}),
                   401, "token_invalido")


def test_logout_revokes_access_and_refresh_tokens(api, gateway_db, rows, assert_problem):
    t = api.login("block_leader")
    h = {"Authorization": f"Bearer {t['access_token']}"}
    r = api.client.post("/v1/auth/logout", headers=h, json={"refresh_token": t["refresh_token"]})
    assert r.status_code == 204, r.text
    assert_problem(api.client.get("/v1/auth/me", headers=h), 401, "token_revocado")
    assert_problem(api.client.post("/v1/auth/refresh", json={"refresh_token": t["refresh_token"]}), 401, "token_revocado")
    assert rows(gateway_db, "SELECT count(*) FROM revoked_tokens") == [(2,)]
    assert rows(gateway_db, "SELECT actor FROM audit_log WHERE action = 'auth.logout'") == [("block_leader",)]
    # logout without a body revokes the access token only
    t2 = api.login("block_leader")
    h2 = {"Authorization": f"Bearer {t2['access_token']}"}
    assert api.client.post("/v1/auth/logout", headers=h2).status_code == 204
    assert api.client.get("/v1/auth/me", headers=h2).status_code == 401


def test_expired_token_is_401(api, settings, assert_problem):
    old = Tokens(settings.jwt_secret).issue_pair(user_id=1, now=time.time() - 3600)
    assert_problem(api.client.get("/v1/auth/me", headers={"Authorization": f"Bearer {old.access_token}"}),
                   401, "token_expirado")
    assert_problem(api.client.post("/v1/auth/refresh", json={"refresh_token": Tokens(settings.jwt_secret, 900, 1)
                                                             .issue_pair(1, now=time.time() - 10).refresh_token}),
                   401, "token_expirado")


def test_missing_or_malformed_authorization_is_401(api, assert_problem):
    assert_problem(api.client.get("/v1/auth/me"), 401, "no_autenticado")
    assert_problem(api.client.get("/v1/auth/me", headers={"Authorization": "Basic YWRtaW46YWRtaW4="}),
                   401, "no_autenticado")
    assert_problem(api.client.get("/v1/auth/me", headers={"Authorization": "Bearer no.es.token"}), 401, "token_invalido")


def _claims(user_id=5, typ="access"):
    now = int(time.time())
    return {"iss": ISSUER, "sub": str(user_id), "typ": typ, "jti": "x" * 32, "iat": now, "exp": now + 600}


@pytest.mark.parametrize("forge", [
    lambda secret: jwt.encode(_claims(), None, algorithm="none"),               # unsigned
    lambda secret: jwt.encode(_claims(), secret, algorithm="HS512"),            # same secret, other algorithm
    lambda secret: jwt.encode(_claims(), secret, algorithm="HS384"),
    lambda secret: jwt.encode(_claims(), "otro-secreto-" * 4, algorithm="HS256"),  # other secret
    lambda secret: jwt.encode({k: v for k, v in _claims().items() if k != "jti"}, secret, algorithm="HS256"),
    lambda secret: jwt.encode(_claims() | {"iss": "otro"}, secret, algorithm="HS256"),
    lambda secret: jwt.encode(_claims() | {"sub": "admin"}, secret, algorithm="HS256"),
], ids=["alg-none", "hs512", "hs384", "other-secret", "no-jti", "other-issuer", "bad-sub"])
def test_forged_tokens_are_rejected(api, settings, forge, assert_problem):
    token = forge(settings.jwt_secret)
    assert_problem(api.client.get("/v1/auth/me", headers={"Authorization": f"Bearer {token}"}), 401, "token_invalido")


def test_hs256_token_with_our_secret_is_accepted(api, settings):
    """Control for the forgeries above: the same claims, signed properly, pass."""
    admin_id = api.client.get("/v1/auth/me", headers=api.as_("admin")).json()["id"]
    token = jwt.encode(_claims(admin_id), settings.jwt_secret, algorithm="HS256")
    assert api.client.get("/v1/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_without_a_secret_auth_fails_closed(make_client, settings, demo_users, assert_problem):
    """Settings built in code without JWT_SECRET (the uvicorn entry point refuses to start)."""
    from dataclasses import replace

    client = make_client(replace(settings, jwt_secret=None))
    assert_problem(client.post("/v1/auth/login", json={"username": "admin", "password": "demo-admin-2026"}),
                   503, "autenticacion_no_configurada")
    token = jwt.encode(_claims(), "x" * 40, algorithm="HS256")
    assert client.get("/v1/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code == 503
