"""intake's use cases on a real PostgreSQL database (no broker: catalog is a stand-in
object answering quote_reports as catalog does)."""
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa

from intake import handlers
from sacinfra.db import outbox_table
from sacinfra.errors import InvalidInput, NotFound

OPERATOR = {"kind": "staff", "username": "operador", "role": "operator"}
NOW = datetime(2026, 11, 30, 16, 0, tzinfo=timezone.utc)
PAYLOAD = {"petition_type": "OP-LAMPARA APAGADA", "channel": "072", "description": "  Lámpara apagada  ",
           "location": {"lat": 21.1, "lon": -101.6, "colonia": " centro ", "street": "madero  100"},
           "citizen_number": 166045}


def item(payload=PAYLOAD, key=None):
    return {"data": handlers.validate_report(payload), "idempotency_key": key, "created_by": None,
            "trace": {"traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}}


def outbox(raw):
    return [r.payload for r in raw.session.execute(sa.select(outbox_table).order_by(outbox_table.c.id))]


def test_a_batch_gets_ascending_folios_one_catalog_call_and_one_event_each(uow, catalog, raw):
    results = handlers.create_reports(uow, catalog, [item(), item(), item()], now=NOW)
    assert [r["folio"] for r in results] == [1, 2, 3]
    assert catalog.calls == 1
    r = results[0]
    assert r["due_at"] == "2026-12-05T23:59:59-06:00" and r["agency"] == "OP" and r["created"] is True
    assert r["location"]["colonia"] == "CENTRO" and r["location"]["street"] == "MADERO 100"
    assert r["description"] == "Lámpara apagada" and r["tracking_token"]
    events = outbox(raw)
    assert [e["data"]["folio"] for e in events] == [1, 2, 3]
    assert all(e["event_type"] == "report_created" and e["producer"] == "intake" for e in events)
    assert events[0]["trace"]["traceparent"].startswith("00-4bf92f35")


def test_events_carry_the_citizen_number_but_no_free_text(uow, catalog, raw):
    handlers.create_reports(uow, catalog, [item()], now=NOW)
    data = outbox(raw)[0]["data"]
    assert data["citizen_number"] == 166045
    assert "description" not in data and "Lámpara" not in str(data)


def test_events_carry_the_kind_quoted_and_who_filed_it(uow, catalog, raw):
    handlers.create_reports(uow, catalog, [item() | {"created_by": "block_leader"}, item()], now=NOW)
    first, second = (e["data"] for e in outbox(raw))
    assert (first["kind"], first["created_by"]) == ("Servicio", "block_leader")
    assert (second["kind"], second["created_by"]) == ("Servicio", None)


def test_one_bad_report_does_not_fail_the_others(uow, catalog, raw):
    bad = item(PAYLOAD | {"petition_type": "NO-EXISTE"})
    results = handlers.create_reports(uow, catalog, [item(), bad, item()], now=NOW)
    assert isinstance(results[1], InvalidInput) and results[1].code == "tipo_peticion_no_encontrado"
    assert [results[0]["folio"], results[2]["folio"]] == [1, 2]
    assert len(outbox(raw)) == 2


def test_idempotency_key_returns_the_same_folio_within_and_across_batches(uow, catalog, raw):
    first = handlers.create_reports(uow, catalog, [item(key="k1"), item(key="k1"), item(key="k2")], now=NOW)
    assert first[0]["folio"] == first[1]["folio"] != first[2]["folio"]
    assert first[0]["created"] is True and first[1]["created"] is False
    again = handlers.create_reports(uow, catalog, [item(key="k1")], now=NOW)
    assert again[0]["folio"] == first[0]["folio"] and again[0]["created"] is False
    assert len(outbox(raw)) == 2, "a replay publishes nothing"


@pytest.mark.parametrize("change", [
    {"description": ""}, {"location": {"lat": 100, "lon": 0, "colonia": "X", "street": "Y"}},
    {"citizen_number": "abc"}, {"channel": None},
])
def test_invalid_payload_is_rejected_with_a_code(change):
    with pytest.raises(InvalidInput) as err:
        handlers.validate_report(PAYLOAD | change)
    assert err.value.code == "reporte_invalido"


def test_get_and_track_report(uow, catalog, file_one):
    created = file_one(PAYLOAD, now=NOW)
    assert handlers.get_report(uow, created["folio"], OPERATOR)["folio"] == created["folio"]
    assert handlers.check_tracking(uow, created["folio"], created["tracking_token"])["folio"] == created["folio"]
    with pytest.raises(Exception) as err:
        handlers.check_tracking(uow, created["folio"], "wrong")
    assert err.value.code == "reporte_no_encontrado"


def test_file_requests_answers_each_request_in_order(uow, catalog):
    op = {"kind": "staff", "username": "operadora", "role": "operator"}
    answers = handlers.file_requests(uow, catalog, [
        {"payload": PAYLOAD, "idempotency_key": "a", "trace": {}, "actor": op},
        {"payload": PAYLOAD | {"description": ""}, "actor": op},
        {"payload": PAYLOAD | {"petition_type": "NO-EXISTE"}, "actor": op},
        {"payload": PAYLOAD, "idempotency_key": "a", "actor": op},
    ])
    assert answers[0]["report"]["folio"] == 1 and answers[0]["report"]["created"] is True
    assert answers[1]["error"]["code"] == "reporte_invalido" and answers[1]["error"]["type"] == "InvalidInput"
    assert answers[2]["error"]["code"] == "tipo_peticion_no_encontrado"
    assert answers[3]["report"]["folio"] == 1 and answers[3]["report"]["created"] is False


READ_CASES = [
    ({"kind": "staff", "username": "sup", "role": "supervisor"}, "full"),
    ({"kind": "staff", "username": "aud", "role": "auditor"}, "full"),
    ({"kind": "staff", "username": "adm", "role": "admin"}, "full"),
    ({"kind": "staff", "username": "jefa.manzana", "role": "block_leader", "block_leader_id": 3}, "full"),  # filed it
    ({"kind": "key", "username": "api-key:chatbot", "role": "channel_key", "channel": "072"}, "full"),
    ({"kind": "citizen", "username": "citizen:1", "role": "citizen", "folio": 1}, "public"),
    ({"kind": "public", "username": "public", "role": "public"}, "public"),
    ({"kind": "citizen", "username": "citizen:2", "role": "citizen", "folio": 2}, None),
    ({"kind": "staff", "username": "otro.jefe", "role": "block_leader", "block_leader_id": 4}, None),
    ({"kind": "key", "username": "api-key:web", "role": "channel_key", "channel": "WEB"}, None),
    ({"kind": "staff", "username": "op.enlace", "role": "agency_staff", "agency": "OP"}, None),
    ({"kind": "key", "username": "api-key:op", "role": "department_key", "agency": "OP",
      "department": "OP-ALUMBRADO"}, None),
    ({"kind": "system", "username": "system:surveys", "role": "system", "system": "surveys"}, None),
    ({"kind": "staff", "username": "nuevo", "role": "capturista"}, None),  # a role intake does not know
]


@pytest.mark.parametrize("actor, view", READ_CASES)
def test_get_report_decides_who_reads_the_record_before_routing_has_seen_it(uow, file_one, actor, view):
    folio = file_one(PAYLOAD | {"location": PAYLOAD["location"] | {"number": "7", "references": "casa azul"}},
                     created_by="jefa.manzana", now=NOW)["folio"]
    if view is None:
        with pytest.raises(NotFound) as err:
            handlers.get_report(uow, folio, actor)
        assert err.value.code == "reporte_no_encontrado"
        return
    report = handlers.get_report(uow, folio, actor)
    assert report["folio"] == folio and report["petition_type"] == "OP-LAMPARA APAGADA"
    if view == "full":
        assert report["description"] == "Lámpara apagada" and report["citizen_number"] == 166045
        assert report["location"]["references"] == "casa azul"
    else:
        assert "description" not in report and "citizen_number" not in report
        assert "references" not in report["location"] and "number" not in report["location"]
        assert report["location"]["colonia"] == "CENTRO" and report["due_at"]


def test_get_report_of_an_unknown_folio_and_a_broken_actor(uow):
    with pytest.raises(NotFound):
        handlers.get_report(uow, 99, {"kind": "staff", "username": "sup", "role": "supervisor"})
    with pytest.raises(InvalidInput) as err:
        handlers.get_report(uow, 1, {"username": "sup", "role": "supervisor"})  # no kind
    assert err.value.code == "actor_invalido"
