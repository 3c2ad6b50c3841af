"""``python -m gateway.cli`` (first admin, demo users) and the settings' refusal of weak secrets."""
import os
import subprocess
import sys

import pytest

from gateway.settings import InsecureSettings, Settings

GOOD = "k3J9-vQ2xN7pLm4RtY8wZ1aB6cD0eFgH5iJ"


def cli(args, url, stdin="", **env):
    e = {k: v for k, v in os.environ.items() if k not in ("SAC_ENV", "JWT_SECRET")}
    e.update(DATABASE_URL=url, **env)
    return subprocess.run([sys.executable, "-m", "gateway.cli", *args], input=stdin, env=e,
                          capture_output=True, text=True, timeout=60)


def test_create_admin_from_stdin_then_login(make_client, gateway_db):
    r = cli(["create-admin", "--username", "Ana", "--full-name", "Ana López"], gateway_db,
            stdin="contrasena-de-ana-123\n")
    assert r.returncode == 0, r.stderr
    again = cli(["create-admin", "--username", "ana"], gateway_db, stdin="otra-contrasena-larga\n")
    assert again.returncode == 1 and "Ya existe" in again.stderr
    weak = cli(["create-admin", "--username", "beto"], gateway_db, stdin="corta\n")
    assert weak.returncode == 1 and "12" in weak.stderr
    r = cli(["create-admin", "--username", "carla", "--password-env", "ADMIN_PW"], gateway_db,
            ADMIN_PW="contrasena-de-carla-1")
    assert r.returncode == 0, r.stderr
    assert cli(["create-admin", "--username", "dora", "--password-env", "NO_EXISTE"], gateway_db).returncode == 1

    client = make_client()
    for username, password in (("ana", "contrasena-de-ana-123"), ("carla", "contrasena-de-carla-1")):
        t = client.post("/v1/auth/login", json={"username": username, "password": password})
        assert t.status_code == 200, t.text
        me = client.get("/v1/auth/me", headers={"Authorization": f"Bearer {t.json()['access_token']}"}).json()
        assert me["role"] == "admin"
    audit = client.get("/v1/audit", headers={"Authorization": f"Bearer {t.json()['access_token']}"},
                       params={"action": "user.created"}).json()["items"]
    assert sorted((e["actor"], e["target"]) for e in audit) == [("cli", "user:ana"), ("cli", "user:carla")]

    r = cli(["set-password", "--username", "ana"], gateway_db, stdin="nueva-contrasena-ana\n")
    assert r.returncode == 0, r.stderr
    assert client.post("/v1/auth/login", json={"username": "ana", "password": "nueva-contrasena-ana"}).status_code == 200


def test_demo_users_only_in_development(gateway_db):
    r = cli(["load-demo-users"], gateway_db)
    assert r.returncode == 1 and "SAC_ENV=development" in r.stderr
    r = cli(["load-demo-users"], gateway_db, SAC_ENV="development")
    assert r.returncode == 0 and "6 creados" in r.stdout
    assert "0 creados" in cli(["load-demo-users"], gateway_db, SAC_ENV="development").stdout


@pytest.mark.parametrize("secret", ["changethis", "changethis-changethis-changethis-changethis",
                                    "a" * 40, "short-but-random-9f8e", "my-super-secret-jwt-key-for-production-use"])
def test_settings_refuse_weak_secrets(secret):
    with pytest.raises(InsecureSettings):
        Settings(jwt_secret=secret, environment="production")
    Settings(jwt_secret=secret, environment="development")  # allowed on a developer's machine


def test_settings_refuse_a_missing_secret_outside_development(monkeypatch):
    monkeypatch.delenv("JWT_SECRET", raising=False)
    monkeypatch.delenv("SAC_ENV", raising=False)
    with pytest.raises(InsecureSettings):
        Settings().require_secret()
    from gateway.app import create_app
    with pytest.raises(InsecureSettings):
        create_app()  # what `uvicorn gateway.app:app` runs
    monkeypatch.setenv("JWT_SECRET", "changeme")
    with pytest.raises(InsecureSettings):
        Settings()
    monkeypatch.setenv("SAC_ENV", "development")
    monkeypatch.delenv("JWT_SECRET")
    assert Settings().require_secret().development
    monkeypatch.setenv("SAC_ENV", "production")
    monkeypatch.setenv("JWT_SECRET", GOOD)
    assert Settings().require_secret().jwt_secret == GOOD


def test_uvicorn_entry_point_refuses_to_start_without_secret(gateway_db):
    e = {k: v for k, v in os.environ.items() if k not in ("SAC_ENV", "JWT_SECRET")}
    r = subprocess.run([sys.executable, "-c", "import gateway.app as m; m.app"], env=e, capture_output=True,
                       text=True, timeout=60)
    assert r.returncode != 0 and "JWT_SECRET is not set" in r.stderr
