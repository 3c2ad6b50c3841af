"""/v1/admin/dead-letters over a fake deadletters service (real gateway database for users
and the audit log): the gateway passes the actor, filters and page, maps the service's
refusals (403 ``prohibido``, 404 ``mensaje_no_encontrado``, 503) and audits every look and
every replay. The service itself (broker, table, who may) is tested in services/deadletters."""
import json

import pytest

from gateway.rpc import RemoteCallError

ITEM = {"id": 7, "event_id": "e-1", "event_type": "thing_happened", "producer": "catalog",
        "queue": "evt-test-thing_happened--fussy.handle", "exchange": "test.events", "routing_key": "thing_happened",
        "reason": "delivery_limit", "count": 3, "first_death_at": "2026-12-01T12:00:00Z",
        "received_at": "2026-12-01T12:00:01Z", "payload": {"event_id": "e-1"}}


def remote(exc_type, code, message):
    return RemoteCallError(exc_type, json.dumps({"code": code, "message": message}, ensure_ascii=False))


def admin_only(answer):
    """As the deadletters service decides: only an admin."""
    def respond(actor, *args):
        if actor["role"] != "admin":
            raise remote("Forbidden", "prohibido", "Solo un administrador consulta y reenvía los mensajes muertos.")
        return answer(*args) if callable(answer) else answer
    return respond


@pytest.fixture
def fake(fake_service):
    fake = fake_service("deadletters")
    fake.answers["list_dead_letters"] = admin_only(
        lambda filters, limit, offset: {"items": [ITEM], "total": 1, "limit": limit, "offset": offset})
    fake.answers["replay_dead_letters"] = admin_only(lambda ids: {"replayed": ids or [7], "failed": []})
    return fake


def test_routes_pass_the_actor_and_map_the_service_answers(api, fake, assert_problem, rows, gateway_db):
    c, admin = api.client, api.as_("admin")
    r = c.get("/v1/admin/dead-letters", params={"queue": "q1", "limit": 5, "offset": 10}, headers=admin)
    assert r.status_code == 200, r.text
    assert r.json() == {"items": [ITEM], "total": 1, "limit": 5, "offset": 10}
    actor, filters, limit, offset = fake.last("list_dead_letters")
    assert (actor["kind"], actor["role"], filters, limit, offset) == \
        ("staff", "admin", {"queue": "q1", "event_type": None}, 5, 10)
    r = c.post("/v1/admin/dead-letters/replay", headers=admin, json={"ids": [7]})
    assert r.status_code == 200 and r.json() == {"replayed": [7], "failed": []}
    assert fake.last("replay_dead_letters")[1] == [7]
    assert c.post("/v1/admin/dead-letters/replay", headers=admin, json={"all": True}).status_code == 200
    assert fake.last("replay_dead_letters")[1] is None  # all of them

    # who may: the service decides, the gateway maps; no login is 401 before any call
    assert c.get("/v1/admin/dead-letters").status_code == 401
    for role in ("supervisor", "auditor", "operator"):
        h = api.as_(role)
        assert_problem(c.get("/v1/admin/dead-letters", headers=h), 403, "prohibido")
        assert_problem(c.post("/v1/admin/dead-letters/replay", headers=h, json={"all": True}), 403, "prohibido")
    calls = len(fake.calls)
    for body in ({}, {"ids": [7], "all": True}, {"ids": []}, {"ids": ["x"]}, {"all": False}):
        r = c.post("/v1/admin/dead-letters/replay", headers=admin, json=body)
        assert r.status_code == 422 and r.json()["code"], (body, r.text)
    assert c.get("/v1/admin/dead-letters", params={"limit": 201}, headers=admin).status_code == 422
    assert len(fake.calls) == calls  # bad input never reaches the service
    fake.answers["replay_dead_letters"] = remote("NotFound", "mensaje_no_encontrado",
                                                 "No hay mensajes muertos con id 999999; no se reenvió nada.")
    assert_problem(c.post("/v1/admin/dead-letters/replay", headers=admin, json={"ids": [7, 999999]}),
                   404, "mensaje_no_encontrado")
    fake.answers["replay_dead_letters"] = remote("Unavailable", "servicio_no_disponible",
                                                 "No fue posible conectar con RabbitMQ.")
    r = c.post("/v1/admin/dead-letters/replay", headers=admin, json={"all": True})
    assert_problem(r, 503, "servicio_no_disponible")

    actions = [a for (a,) in rows(gateway_db, "SELECT action FROM audit_log WHERE action LIKE 'dead_letters.%%' "
                                              "AND actor = 'admin' ORDER BY id")]
    assert actions == ["dead_letters.listed", "dead_letters.replayed", "dead_letters.replayed"]
