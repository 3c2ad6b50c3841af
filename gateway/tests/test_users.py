"""Roles (403), staff users CRUD (admin only), the audit log and the reusable dependencies."""
import psycopg
import pytest
from fastapi import Depends

from gateway.auth import CurrentUser, Role, User, agency_scope, department_scope, require_roles

NEW = {"username": "lucia.perez", "password": "una-contrasena-larga", "full_name": "Lucía Pérez",
       "role": "agency_staff", "agency": "OP", "department": "OP-BACHEO"}


def sql(url, q):
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        return conn.execute(q).fetchall()


@pytest.mark.parametrize("role", ["operator", "agency_staff", "supervisor", "auditor", "block_leader"])
def test_users_endpoints_are_admin_only(api, role):
    h = api.as_(role)
    for method, path, body in (("GET", "/v1/users", None), ("POST", "/v1/users", NEW),
                               ("GET", "/v1/users/1", None), ("PATCH", "/v1/users/1", {"active": False})):
        r = api.client.request(method, path, headers=h, json=body)
        assert r.status_code == 403, (method, path, r.text)
        assert r.json()["code"] == "prohibido"
    assert api.client.get("/v1/users").status_code == 401


@pytest.mark.parametrize("role,status", [("auditor", 200), ("admin", 200), ("supervisor", 403), ("operator", 403),
                                         ("agency_staff", 403), ("block_leader", 403)])
def test_audit_log_is_for_auditors_and_admins(api, role, status):
    assert api.client.get("/v1/audit", headers=api.as_(role)).status_code == status


def test_admin_manages_users_and_every_change_is_audited(api, gateway_db):
    h = api.as_("admin")
    r = api.client.post("/v1/users", headers=h, json=NEW)
    assert r.status_code == 201, r.text
    lucia = r.json()
    assert lucia["role"] == "agency_staff" and lucia["agency"] == "OP" and "password" not in str(lucia)
    assert api.client.post("/v1/users", headers=h, json=NEW | {"username": "LUCIA.PEREZ"}).json()["code"] == "usuario_existente"
    assert api.client.post("/v1/users", headers=h, json=NEW | {"username": "con espacio"}).json()["code"] \
        == "usuario_invalido"
    assert api.client.post("/v1/users", headers=h, json=NEW | {"username": "sin.dep", "agency": None}).json()["code"] \
        == "dependencia_requerida"
    assert api.client.post("/v1/users", headers=h, json=NEW | {"username": "op2", "role": "operator"}).json()["code"] \
        == "dependencia_no_aplica"
    assert api.client.post("/v1/users", headers=h, json=NEW | {"username": "corta", "password": "corta"}).json()["code"] \
        == "contrasena_debil"
    assert api.client.post("/v1/users", headers=h, json=NEW | {"username": "r", "role": "rey"}).status_code == 422

    staff = api.login("lucia.perez", "una-contrasena-larga")
    me = api.client.get("/v1/auth/me", headers={"Authorization": f"Bearer {staff['access_token']}"}).json()
    assert (me["agency"], me["department"]) == ("OP", "OP-BACHEO")

    listed = api.client.get("/v1/users", headers=h, params={"role": "agency_staff"}).json()
    assert {u["username"] for u in listed["items"]} == {"agency_staff", "lucia.perez"} and listed["total"] == 2
    page = api.client.get("/v1/users", headers=h, params={"limit": 2, "offset": 0}).json()
    assert len(page["items"]) == 2 and page["total"] == 7

    # promote to supervisor: agency and department are cleared
    r = api.client.patch(f"/v1/users/{lucia['id']}", headers=h, json={"role": "supervisor"})
    assert r.status_code == 200, r.text
    assert (r.json()["role"], r.json()["agency"], r.json()["department"]) == ("supervisor", None, None)
    # a new password: the old one stops working
    assert api.client.patch(f"/v1/users/{lucia['id']}", headers=h, json={"password": "otra-contrasena-larga"}).status_code == 200
    api.login("lucia.perez", "una-contrasena-larga", expect=401)
    api.login("lucia.perez", "otra-contrasena-larga")
    # deactivation takes effect on the next request of a token already issued
    live = api.login("lucia.perez", "otra-contrasena-larga")
    assert api.client.patch(f"/v1/users/{lucia['id']}", headers=h, json={"active": False}).json()["active"] is False
    assert api.client.get("/v1/auth/me", headers={"Authorization": f"Bearer {live['access_token']}"}).status_code == 401
    assert api.client.patch("/v1/users/999999", headers=h, json={"active": False}).json()["code"] == "usuario_no_encontrado"
    assert api.client.patch(f"/v1/users/{lucia['id']}", headers=h, json={"role": None}).status_code == 422

    audit = sql(gateway_db, "SELECT actor, action, target, ip, detail FROM audit_log "
                            "WHERE action LIKE 'user.%' AND actor = 'admin' ORDER BY id")
    assert [(a[1], a[2]) for a in audit] == [("user.created", "user:lucia.perez")] + [("user.updated", "user:lucia.perez")] * 3
    assert all(a[0] == "admin" and a[3] == "testclient" for a in audit)
    assert audit[1][4] == {"role": "supervisor", "agency": None, "department": None}
    assert audit[2][4] == {"password_changed": True} and audit[3][4] == {"active": False}
    assert "hash" not in str(audit) and "contrasena-larga" not in str(audit)


def test_the_last_active_admin_cannot_be_removed(api):
    h = api.as_("admin")
    admin_id = api.client.get("/v1/auth/me", headers=h).json()["id"]
    for change in ({"active": False}, {"role": "operator"}):
        r = api.client.patch(f"/v1/users/{admin_id}", headers=h, json=change)
        assert r.status_code == 409 and r.json()["code"] == "ultimo_administrador"
    other = api.client.post("/v1/users", headers=h, json=NEW | {"username": "admin2", "role": "admin", "agency": None,
                                                                "department": None}).json()
    assert api.client.patch(f"/v1/users/{admin_id}", headers=h, json={"role": "operator"}).status_code == 200
    assert other["role"] == "admin"


def test_audit_log_filters_and_pages(api):
    for _ in range(3):
        api.login("operator")
    api.login("operator", "mala-contrasena-1", expect=401)
    h = api.as_("auditor")
    page = api.client.get("/v1/audit", headers=h, params={"actor": "operator", "action": "auth.login", "limit": 2}).json()
    assert page["total"] == 3 and len(page["items"]) == 2 and page["limit"] == 2
    rest = api.client.get("/v1/audit", headers=h, params={"actor": "operator", "action": "auth.login",
                                                          "limit": 2, "offset": 2}).json()
    assert len(rest["items"]) == 1
    ids = [e["id"] for e in page["items"] + rest["items"]]
    assert ids == sorted(ids, reverse=True)  # newest first
    failed = api.client.get("/v1/audit", headers=h, params={"action": "auth.login_failed"}).json()["items"]
    assert [(e["actor"], e["detail"]["reason"], e["ip"]) for e in failed] == [("operator", "contrasena", "testclient")]
    since = page["items"][0]["at"]
    assert api.client.get("/v1/audit", headers=h, params={"since": since, "actor": "operator"}).json()["total"] >= 1
    assert api.client.get("/v1/audit", headers=h, params={"limit": 500}).status_code == 422


def test_audit_log_is_append_only(api, gateway_db):
    api.login("operator")
    with pytest.raises(psycopg.errors.RaiseException):
        sql(gateway_db, "DELETE FROM audit_log")
    with pytest.raises(psycopg.errors.RaiseException):
        sql(gateway_db, "UPDATE audit_log SET actor = 'nadie'")


def test_scope_helpers():
    staff = User(1, "s", "S", Role.agency_staff, agency="OP", department="OP-BACHEO")
    assert agency_scope(staff) == "OP" and department_scope(staff) == "OP-BACHEO"
    for role in ("operator", "supervisor", "auditor", "admin", "block_leader"):
        assert agency_scope(User(2, "u", "U", role)) is None and department_scope(User(2, "u", "U", role)) is None


def test_dependencies_on_another_router(settings, demo_users):
    """How other routes use them: CurrentUser, require_roles and agency_scope."""
    from fastapi.testclient import TestClient
    from gateway.app import create_app

    app = create_app(settings)

    @app.get("/v1/probe")
    async def probe(user: CurrentUser):
        return {"scope": agency_scope(user)}

    @app.post("/v1/probe", dependencies=[Depends(require_roles(Role.operator, Role.supervisor))])
    async def probe_write():
        return {"ok": True}

    with TestClient(app) as c:
        def as_(u):
            t = c.post("/v1/auth/login", json={"username": u, "password": f"demo-{u}-2026"}).json()
            return {"Authorization": f"Bearer {t['access_token']}"}
        assert c.get("/v1/probe", headers=as_("agency_staff")).json() == {"scope": "OP"}
        assert c.get("/v1/probe", headers=as_("supervisor")).json() == {"scope": None}
        assert c.get("/v1/probe").status_code == 401
        assert c.post("/v1/probe", headers=as_("operator")).status_code == 200
        assert c.post("/v1/probe", headers=as_("auditor")).status_code == 403


def test_staff_roles_are_the_contracts(api, tmp_path, monkeypatch):
    """A staff user's role is one of contracts/actor/roles.json's ``kind: staff`` roles:
    ``Role`` is read from the contract (no list kept here), wherever the gateway runs."""
    import json
    from pathlib import Path
    from gateway.auth import model

    contract = Path(__file__).resolve().parents[2] / "contracts" / "actor" / "roles.json"
    roles = json.loads(contract.read_text())["roles"]
    staff = [r["role"] for r in roles if r["kind"] == "staff"]
    assert model.roles_file() == contract and list(model.staff_roles()) == [r.value for r in Role] == staff
    monkeypatch.setenv("SAC_CONTRACTS", str(tmp_path))  # the image: its working directory's contracts/
    assert model.roles_file() == tmp_path / "actor" / "roles.json"
    h = api.as_("admin")
    for role in ("citizen", "channel_key", "public", "alcalde"):  # other kinds, and no role of the contract
        r = api.client.post("/v1/users", headers=h, json=NEW | {"username": f"x.{role}", "role": role,
                                                                "agency": None, "department": None})
        assert r.status_code == 422, r.text
        assert "password" not in r.text
