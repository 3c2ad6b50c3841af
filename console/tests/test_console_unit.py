"""Fast tests of the console's own rules: sessions, CSRF, security headers, menus,
the report timeline and the actions offered per role (no gateway needed)."""
from __future__ import annotations

import re

import httpx
from fastapi.testclient import TestClient

from console import menu
from console.app import content_security_policy, create_app
from console.gateway import Gateway
from console.sessions import COOKIE, SessionStore
from console.settings import Settings
from console.views.reports import actions_for, timeline


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_idle_sessions_expire_and_touching_keeps_them():
    clock = Clock()
    store = SessionStore(idle_timeout=60, clock=clock)
    s = store.create("a", "r", {"role": "operator"})
    clock.now += 59
    assert store.get(s.id) is s  # touched: another minute from now
    clock.now += 59
    assert store.get(s.id) is s
    clock.now += 61
    assert store.get(s.id) is None and len(store) == 0
    assert store.get("made-up") is None and store.get(None) is None


def test_sessions_ids_and_csrf_tokens_are_random_and_distinct():
    store = SessionStore(idle_timeout=60)
    a, b = store.create("a", "r", {"role": "operator"}), store.create("a", "r", {"role": "operator"})
    assert a.id != b.id and a.csrf != b.csrf and len(a.id) >= 40 and a.csrf != a.id


def test_csp_is_strict_and_admits_only_the_configured_tile_server():
    csp = content_security_policy(Settings(tile_url=""))
    assert "script-src 'self';" in csp and "style-src 'self';" in csp and "unsafe" not in csp
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    with_tiles = content_security_policy(Settings(tile_url="https://{s}.tiles.example.mx/{z}/{x}/{y}.png"))
    assert "img-src 'self' data: blob: https://*.tiles.example.mx;" in with_tiles


def client(environment="development"):
    return TestClient(create_app(Settings(gateway_url="http://127.0.0.1:9", environment=environment)),
                      follow_redirects=False)


def test_login_page_sends_security_headers_and_no_inline_script_or_style():
    with client() as c:
        r = c.get("/login")
    assert r.status_code == 200 and r.headers["content-security-policy"].startswith("default-src 'self'")
    assert r.headers["x-frame-options"] == "DENY" and r.headers["cache-control"] == "no-store"
    assert r.headers["referrer-policy"] == "no-referrer"
    html = r.text
    assert not re.search(r"<script(?![^>]*\bsrc=)", html), "inline script"
    assert "<style" not in html and " style=" not in html and " on" + "click=" not in html
    assert '<html lang="es-MX">' in html and "Iniciar sesión" in html


def test_screens_without_a_session_go_to_login_and_htmx_gets_a_redirect_header():
    with client() as c:
        assert c.get("/asuntos").headers["location"] == "/login"
        r = c.get("/captura/ciudadanos?q=ana", headers={"HX-Request": "true"})
        assert r.headers["hx-redirect"] == "/login"


def test_a_post_without_the_session_csrf_token_is_refused_in_spanish():
    with client() as c:
        app = c.app
        s = app.state.sessions.create("tok", "ref", {"role": "agency_staff", "full_name": "Ana", "agency": "OP"})
        c.cookies.set(COOKIE, s.id)
        r = c.post("/reportes/1/start", data={"version": "1"})
        assert r.status_code == 403 and "clave de seguridad" in r.text
        r = c.post("/reportes/1/start", data={"version": "1", "csrf": "otra"})
        assert r.status_code == 403
        r = c.post("/logout", headers={"X-CSRF-Token": "otra"})
        assert r.status_code == 403 and app.state.sessions.get(s.id) is s


def test_a_role_outside_a_screen_gets_a_spanish_403_page_with_its_menu():
    with client() as c:
        s = c.app.state.sessions.create("tok", "ref", {"role": "block_leader", "full_name": "Juan", "agency": None})
        c.cookies.set(COOKIE, s.id)
        r = c.get("/bitacora")
        assert r.status_code == 403 and "Sin permiso" in r.text and "Mis reportes" in r.text
        assert c.get("/no-existe").status_code == 404


def fake_gateway() -> Gateway:
    """The gateway's two sign-in answers, so the cookie the console sets can be read."""
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/auth/login":
            return httpx.Response(200, json={"access_token": "acc", "refresh_token": "ref", "expires_in": 900})
        return httpx.Response(200, json={"id": 1, "username": "ana", "full_name": "Ana", "role": "operator",
                                         "agency": None, "department": None, "active": True})
    return Gateway("http://gateway.invalid", transport=httpx.MockTransport(answer))


def test_the_session_cookie_is_httponly_lax_and_secure_outside_development():
    for environment, secure in (("development", False), ("production", True)):
        app = create_app(Settings(gateway_url="http://gateway.invalid", environment=environment), fake_gateway())
        with TestClient(app, follow_redirects=False) as c:
            r = c.post("/login", data={"username": "ana", "password": "x"})
        cookie = r.headers["set-cookie"]
        assert r.status_code == 303 and r.headers["location"] == "/captura"
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie and ("Secure" in cookie) is secure
        sid = cookie.split(";")[0].split("=", 1)[1]
        session = app.state.sessions.get(sid)
        assert session.access_token == "acc" and "acc" not in cookie  # the token stays on the server


def test_menus_per_role():
    labels = {role: [label for _, label in menu.menu_for(role)] for role in menu.ROLE_NAMES}
    assert labels["block_leader"] == ["Captura", "Mis reportes"]
    assert "Bitácora" in labels["auditor"] and "Captura" not in labels["auditor"]
    assert "Administración" in labels["admin"] and "Administración" not in labels["supervisor"]
    assert "Captura" not in labels["agency_staff"] and "Asuntos del día" in labels["agency_staff"]
    assert menu.home_for("agency_staff") == "/asuntos" and menu.home_for("citizen") == "/sin-permisos"


def test_actions_offered_follow_the_role_and_the_status():
    assert actions_for("agency_staff", "captured") == ["start", "intervention", "not_viable", "reassign", "share"]
    assert "finish" in actions_for("agency_staff", "in_progress") and "start" not in actions_for("admin", "in_progress")
    assert actions_for("agency_staff", "done") == [] and actions_for("supervisor", "done") == ["reopen"]
    assert actions_for("auditor", "captured") == [] and actions_for("operator", "in_progress") == []


def test_timeline_puts_each_interventions_text_and_evidence_on_its_history_entry():
    history = [{"kind": "assigned", "at": "2026-12-07T10:00:00+00:00", "intervention_id": None, "text": None},
               {"kind": "started", "at": "2026-12-07T10:05:00+00:00", "intervention_id": 1, "text": None},
               {"kind": "intervention", "at": "2026-12-07T10:09:00+00:00", "intervention_id": 2, "text": None}]
    interventions = [{"id": 1, "text": "En camino", "evidence": [], "at": "2026-12-07T10:05:00+00:00"},
                     {"id": 2, "text": "Revisado", "evidence": [{"id": 7, "filename": "poste.png"}],
                      "at": "2026-12-07T10:09:00+00:00"},
                     {"id": 3, "text": "Nota sin entrada", "evidence": [], "at": "2026-12-07T10:08:00+00:00",
                      "author": "ana", "agency": "OP", "department": "OP-ALUMBRADO"}]
    events = timeline(history, interventions)
    assert [e["kind"] for e in events] == ["assigned", "started", "intervention", "intervention"]
    assert events[1]["text"] == "En camino" and events[3]["evidence"][0]["id"] == 7
    assert events[2]["text"] == "Nota sin entrada"


def test_an_expired_token_is_refreshed_once_for_concurrent_calls():
    import asyncio

    seen = {"refresh": 0}

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/auth/refresh":
            seen["refresh"] += 1
            assert request.read() == b'{"refresh_token":"ref1"}'  # a second use would be a replay
            return httpx.Response(200, json={"access_token": "acc2", "refresh_token": "ref2", "expires_in": 900})
        if request.headers["authorization"] != "Bearer acc2":
            return httpx.Response(401, json={"code": "token_expirado", "detail": "El token expiró."})
        return httpx.Response(200, json={"path": request.url.path})

    async def scenario():
        gw = Gateway("http://gateway.invalid", transport=httpx.MockTransport(answer))
        s = SessionStore(60).create("acc1", "ref1", {"role": "supervisor"})
        out = await asyncio.gather(*(gw.get(s, f"/v1/x{i}") for i in range(3)))
        await gw.close()
        return s, out

    s, out = asyncio.run(scenario())
    assert [o["path"] for o in out] == ["/v1/x0", "/v1/x1", "/v1/x2"]
    assert seen["refresh"] == 1 and (s.access_token, s.refresh_token) == ("acc2", "ref2")


def test_a_refused_refresh_ends_the_session():
    import asyncio

    import pytest

    from console.gateway import SessionExpired

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"code": "token_revocado", "detail": "Inicie sesión de nuevo."})

    async def scenario():
        gw = Gateway("http://gateway.invalid", transport=httpx.MockTransport(answer))
        try:
            await gw.get(SessionStore(60).create("a", "r", {"role": "operator"}), "/v1/reports/today")
        finally:
            await gw.close()

    with pytest.raises(SessionExpired):
        asyncio.run(scenario())
