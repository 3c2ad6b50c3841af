"""Staff login against the platform as `make up` runs it: the runner created and migrated
the gateway database and loaded one demo user per role (README "Demo users")."""
import pytest
import requests

pytestmark = pytest.mark.e2e
SHARED_PLATFORM = True  # asserts nothing platform-wide: runs on the session's shared platform

ROLES = ["operator", "agency_staff", "supervisor", "auditor", "admin", "block_leader"]


@pytest.mark.parametrize("role", ROLES)
def test_each_demo_user_logs_in(platform, role):
    url = platform.gateway_url
    r = requests.post(f"{url}/v1/auth/login", json={"username": role, "password": f"demo-{role}-2026"}, timeout=10)
    assert r.status_code == 200, r.text
    tokens = r.json()
    assert tokens["token_type"] == "bearer" and tokens["expires_in"] == 900
    me = requests.get(f"{url}/v1/auth/me", headers={"Authorization": f"Bearer {tokens['access_token']}"}, timeout=10)
    assert me.status_code == 200 and me.json()["role"] == role
    users = requests.get(f"{url}/v1/users", headers={"Authorization": f"Bearer {tokens['access_token']}"}, timeout=10)
    assert users.status_code == (200 if role == "admin" else 403)
    if role == "admin":
        assert {u["username"] for u in users.json()["items"]} >= set(ROLES)
    r = requests.post(f"{url}/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}, timeout=10)
    assert r.status_code == 200
    r = requests.post(f"{url}/v1/auth/logout", headers={"Authorization": f"Bearer {r.json()['access_token']}"},
                      timeout=10)
    assert r.status_code == 204


def test_wrong_password_and_audit_trail(platform):
    url = platform.gateway_url
    r = requests.post(f"{url}/v1/auth/login", json={"username": "operator", "password": "incorrecta"}, timeout=10)
    assert r.status_code == 401 and r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["code"] == "credenciales_invalidas"
    token = requests.post(f"{url}/v1/auth/login", json={"username": "auditor", "password": "demo-auditor-2026"},
                          timeout=10).json()["access_token"]
    audit = requests.get(f"{url}/v1/audit", headers={"Authorization": f"Bearer {token}"},
                         params={"actor": "operator", "action": "auth.login_failed"}, timeout=10)
    assert audit.status_code == 200 and audit.json()["total"] >= 1
