"""intake's use cases without I/O: batch filing with idempotency keys and cancelled
citizens, the read policy of get_report, and the ARCO erasure."""
import uuid

import pytest

from sacinfra.errors import InvalidInput, NotFound

from intake import domain, handlers, rights
from sacinfra.actor import Actor

PAYLOAD = {"petition_type": "OP-LAMPARA APAGADA", "channel": "072", "description": "Lámpara apagada",
           "location": {"lat": 21.1, "lon": -101.6, "colonia": "centro", "street": "madero",
                        "number": "7", "references": "casa azul"},
           "citizen_number": 166045}


def request(key=None, by="operator", actor=None, **changes):
    actor = actor or Actor(kind="staff", username=by, role="operator")
    return {"payload": PAYLOAD | changes, "idempotency_key": key, "actor": actor.to_dict()}


BLOCK_LEADER = Actor(kind="staff", username="jm", role="block_leader")
BOT = Actor(kind="key", username="api-key:bot", role="channel_key", channel="CHATBOT", scopes=("reports:create",))


@pytest.mark.parametrize("actor, channel, code", [
    (Actor(kind="staff", username="sup", role="supervisor"), "072", None),
    (BLOCK_LEADER, "JEFE DE MANZANA", None),
    (BLOCK_LEADER, "072", "canal_no_permitido"),
    (BOT, "CHATBOT", None),
    (BOT, "072", "canal_no_permitido"),
    (Actor(kind="key", username="api-key:d", role="department_key", agency="OP", department="OP-ALUMBRADO",
           scopes=("reports:create",)), "072", "prohibido"),
    (Actor(kind="staff", username="ag", role="agency_staff", agency="OP"), "072", "prohibido"),
    (Actor(kind="staff", username="au", role="auditor"), "072", "prohibido"),
    (Actor(kind="staff", username="z", role="rol_nuevo"), "072", "prohibido"),
    (Actor.citizen(1), "072", "prohibido"),
    (Actor.public(), "072", "prohibido"),
    (Actor.system_process("whatsapp"), "WHATSAPP", None),
])
def test_intake_decides_who_files_with_which_channel(store, catalog, actor, channel, code):
    [answer] = handlers.file_requests(store, catalog, [request(actor=actor, channel=channel)])
    if code is None:
        assert store.reports[answer["report"]["folio"]]["created_by"] == actor.username
    else:
        assert answer["error"] == {"type": "Forbidden", "code": code, "message": answer["error"]["message"]}
        assert not store.reports and not store.events


def test_a_refused_filer_learns_nothing_about_its_payload(store, catalog):
    """``prohibido`` comes before validation; the channel is checked on the valid report."""
    auditor = Actor(kind="staff", username="au", role="auditor")
    assert handlers.file_requests(store, catalog, [request(actor=auditor, description="")])[0]["error"]["code"] \
        == "prohibido"
    assert handlers.file_requests(store, catalog, [request(actor=BLOCK_LEADER, description="")])[0]["error"][
        "code"] == "reporte_invalido"
    assert handlers.file_requests(store, catalog, [{"payload": PAYLOAD}])[0]["error"]["code"] == "actor_invalido"


def test_a_batch_files_each_report_once_per_idempotency_key(store, catalog):
    answers = handlers.file_requests(store, catalog, [request("a"), request("a"), request("b"), request()])
    folios = [a["report"]["folio"] for a in answers]
    assert folios[0] == folios[1] and len(set(folios)) == 3
    assert [a["report"]["created"] for a in answers] == [True, False, True, True]
    assert catalog.calls == 1 and len(store.events) == 3 and len(store.reports) == 3
    again = handlers.file_requests(store, catalog, [request("a")])
    assert again[0]["report"]["folio"] == folios[0] and again[0]["report"]["created"] is False
    assert catalog.calls == 1, "a replay needs no quote"
    assert len(store.events) == 3, "a replay publishes nothing"


def test_bad_reports_fail_alone_and_nothing_is_written_for_them(store, catalog):
    answers = handlers.file_requests(store, catalog, [request(description=""), request(petition_type="NADA"),
                                                      request()])
    assert answers[0]["error"]["code"] == "reporte_invalido"
    assert answers[1]["error"]["code"] == "tipo_peticion_no_encontrado"
    assert answers[2]["report"]["location"]["colonia"] == "CENTRO"
    assert len(store.reports) == 1 and [e for e, _ in store.events] == ["report_created"]
    assert "description" not in store.events[0][1] and "Lámpara" not in str(store.events[0][1])


def test_a_cancelled_citizen_files_nothing_and_the_others_are_filed(store, catalog):
    store.cancelled.add(166045)
    answers = handlers.file_requests(store, catalog, [request("k"), request("k"), request(citizen_number=7),
                                                      request(citizen_number=None)])
    assert answers[0]["error"]["code"] == answers[1]["error"]["code"] == "ciudadano_cancelado"
    assert answers[2]["report"]["citizen_number"] == 7 and answers[3]["report"]["citizen_number"] is None
    assert len(store.reports) == 2


def test_a_citizen_cancelled_event_erases_once_and_vacuums(store, catalog):
    handlers.file_requests(store, catalog, [request(), request(citizen_number=8)])
    event = {"event_id": str(uuid.uuid4()), "data": {"number": 166045}}
    assert rights.erase_citizen_reports(store, event) == 1
    assert rights.erase_citizen_reports(store, event) == 0  # redelivery
    erased = store.reports[1]
    assert erased["description"] == rights.ERASED_DESCRIPTION and erased["references"] is None
    assert store.reports[2]["description"] == "Lámpara apagada" and store.vacuums == 1
    assert handlers.file_requests(store, catalog, [request()])[0]["error"]["code"] == "ciudadano_cancelado"


@pytest.mark.parametrize("actor, view", [
    (Actor(kind="staff", username="x", role="operator"), "full"),
    (Actor(kind="staff", username="jm", role="block_leader"), "full"),
    (Actor(kind="key", username="api-key:bot", role="channel_key", channel="072"), "full"),
    (Actor.citizen(1), "public"),
    (Actor.public(), "public"),
    (Actor.citizen(2), None),
    (Actor(kind="staff", username="op", role="agency_staff", agency="OP"), None),
    (Actor.system_process("surveys"), None),
    (Actor(kind="staff", username="z", role="rol_nuevo"), None),
])
def test_get_report_policy(store, catalog, actor, view):
    [answer] = handlers.file_requests(store, catalog, [request(by="jm")])
    folio = answer["report"]["folio"]
    assert domain.report_view(actor, store.reports[folio]) == view
    if view is None:
        with pytest.raises(NotFound):
            handlers.get_report(store, folio, actor.to_dict())
    else:
        report = handlers.get_report(store, folio, actor.to_dict())
        assert ("description" in report) == (view == "full") and ("citizen_number" in report) == (view == "full")


def test_get_report_refuses_an_actor_outside_the_contract(store):
    with pytest.raises(InvalidInput) as err:
        handlers.get_report(store, 1, {"role": "operator"})
    assert err.value.code == "actor_invalido"


def test_the_fake_store_only_offers_what_the_real_store_has(store):
    from intake.store import Store
    offered = {m for m in dir(type(store)) if not m.startswith("_") and callable(getattr(type(store), m))}
    assert offered <= set(dir(Store)), offered - set(dir(Store))
