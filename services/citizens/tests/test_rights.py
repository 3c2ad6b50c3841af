"""Personal-data rights on a real PostgreSQL database: opposition, cancellation
(anonymisation of every copy citizens holds, events with numbers only, idempotence) and
the ARCO access document."""
import json

import pytest
import sqlalchemy as sa

from citizens import handlers, rights
from citizens.exceptions import Conflict, Forbidden, InvalidInput, NotFound

OPERATOR = {"kind": "staff", "username": "op1", "role": "operator", "agency": None}
SUPERVISOR = {"kind": "staff", "username": "sup", "role": "supervisor", "agency": None}
AUDITOR = {"kind": "staff", "username": "aud", "role": "auditor", "agency": None}
WHY = "atención de llamada 072"
CANARY = "Canarioxq"


def person(**kw):
    base = {"given_names": "Zacarías", "first_surname": CANARY, "second_surname": "Ñúñez",
            "sex": "male", "birth_date": "1970-01-02", "phones": ["229 555 0199"], "email": "zaca@example.mx",
            "address": {"colonia": "Reforma", "street": "Canarioxq Street", "number": "7", "postal_code": "91919",
                        "references": "casa de Zacarías Canarioxq"},
            "consent": True, "privacy_notice_version": "2026-01", "channel": "072"}
    return base | kw


def register(uow, **kw):
    return handlers.register_citizen(uow, OPERATOR, person(**kw), True)["created"]["number"]


def events(uow, event_type):
    return [r[0]["data"] for r in uow.uow.session.execute(sa.text(
        "SELECT payload FROM outbox WHERE routing_key = :t ORDER BY id"), {"t": event_type})]


def dump(uow) -> str:
    """Every row of every table of the database, as text."""
    tables = uow.uow.session.execute(sa.text(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).scalars().all()
    out = []
    for t in tables:
        out += [json.dumps(r, default=str, ensure_ascii=False)
                for r in uow.uow.session.execute(sa.text(f'SELECT row_to_json(x) FROM "{t}" x')).scalars()]
    uow.uow.rollback()
    return "\n".join(out).lower()


# --------------------------------------------------------------------------- opposition

def test_opposition_is_stored_audited_published_per_number_and_idempotent(uow, raw):
    keep = register(uow)
    other = register(uow, phones=["2295550100"])
    handlers.merge_citizens(uow, OPERATOR, keep, other, "duplicado confirmado")
    out = rights.oppose(uow, OPERATOR, other, ["surveys"], "no desea encuestas telefónicas")
    assert out["number"] == keep and out["added"] == ["surveys"] and out["numbers"] == [keep, other]
    assert [(o["scope"], o["author"], o["reason"]) for o in out["oppositions"]] == [
        ("surveys", "op1", "no desea encuestas telefónicas")]
    # one event per number of the person: number and scopes only
    published = events(uow, "citizen_opposed")
    assert [(e["number"], e["scopes"]) for e in published] == [(keep, ["surveys"]), (other, ["surveys"])]
    assert set(published[0]) == {"number", "scopes", "opposed_at"}
    # again: nothing new; a new scope adds only that scope
    assert rights.oppose(uow, OPERATOR, keep, ["surveys"], "lo repite")["added"] == []
    assert rights.oppose(uow, OPERATOR, keep, ["surveys", "contact"], "tampoco llamadas")["added"] == ["contact"]
    assert len(events(uow, "citizen_opposed")) == 4
    kinds = raw.session.execute(sa.text("SELECT kind, after FROM citizen_changes WHERE kind = 'opposition' "
                                        "ORDER BY id")).all()
    assert kinds == [("opposition", {"opposed_to": ["surveys"]}), ("opposition", {"opposed_to": ["contact"]})]


def test_a_merge_spreads_the_opposition_to_every_number_of_the_person(uow):
    keep = register(uow)
    later = register(uow, phones=["2295550104"])
    rights.oppose(uow, OPERATOR, later, ["contact"], "no desea llamadas")
    handlers.merge_citizens(uow, OPERATOR, keep, later, "duplicado confirmado")
    assert [(e["number"], e["scopes"]) for e in events(uow, "citizen_opposed")] == [
        (later, ["contact"]), (keep, ["contact"]), (later, ["contact"])]
    doc = rights.arco_access(uow, SUPERVISOR, keep, "solicitud ARCO")
    assert [(o["number"], o["scope"]) for o in doc["oppositions"]] == [(later, "contact")]


def test_opposition_input_and_roles(uow):
    number = register(uow)
    for bad in ([], ["sms"], "todo", None):
        with pytest.raises(InvalidInput) as err:
            rights.oppose(uow, OPERATOR, number, bad, WHY)
        assert err.value.code == "oposicion_invalida"
    with pytest.raises(InvalidInput):
        rights.oppose(uow, OPERATOR, number, ["surveys"], " ")
    with pytest.raises(Forbidden):
        rights.oppose(uow, AUDITOR, number, ["surveys"], WHY)
    with pytest.raises(NotFound):
        rights.oppose(uow, OPERATOR, 999999, ["surveys"], WHY)
    assert events(uow, "citizen_opposed") == []


# --------------------------------------------------------------------------- cancellation

def test_cancellation_anonymises_everything_citizens_holds(uow):
    keep = register(uow)
    dup = register(uow, phones=["2295550101"], email="otro@example.mx")
    handlers.update_citizen(uow, OPERATOR, keep, {"first_surname": "Canarioxqz", "phones": ["2295550102"]}, WHY)
    handlers.update_citizen(uow, OPERATOR, keep, {"first_surname": CANARY}, WHY)
    handlers.merge_citizens(uow, OPERATOR, keep, dup, "duplicado confirmado")
    rights.oppose(uow, OPERATOR, keep, ["contact"], "no desea llamadas")
    handlers.search_citizens(uow, OPERATOR, "zacarias canarioxq", WHY)
    assert "canarioxq" in dump(uow) and "2295550199" in dump(uow)

    with pytest.raises(Forbidden):  # operators may not cancel
        rights.cancel_citizen(uow, OPERATOR, keep, "solicitud ARCO escrita")
    out = rights.cancel_citizen(uow, SUPERVISOR, dup, "solicitud ARCO de cancelación, oficio 12/2026")
    assert out["number"] == keep and out["numbers"] == [keep, dup] and out["already_cancelled"] is False

    text = dump(uow)
    for needle in ("canarioxq", "zacar", "2295550199", "2295550101", "2295550102", "zaca@example", "91919",
                   "reforma", "1970-01-02", "ñúñez", "nunez"):
        assert needle not in text, needle
    # both records are anonymised but keep number, channel and dates; history keeps field names only
    got = handlers.get_citizen(uow, SUPERVISOR, keep, WHY)
    assert got["full_name"] == "[cancelado] [cancelado]" and got["phones"] == [] and got["birth_date"] is None
    assert got["cancelled_at"] == out["cancelled_at"] and got["channel"] == "072"
    changes = handlers.citizen_changes(uow, SUPERVISOR, keep, WHY)
    rect = [c for c in changes if c["kind"] == "rectification"]
    assert rect and all(set(c["before"].values()) == {"[suprimido]"} for c in rect)
    assert {"first_surname", "phones"} <= set(rect[0]["before"])
    assert changes[-1]["kind"] == "cancellation" and changes[-1]["after"] == {"cancelled_numbers": [keep, dup]}
    # events: numbers only, one per number, through the outbox
    assert [(e["number"], sorted(e)) for e in events(uow, "citizen_cancelled")] == [
        (keep, ["cancelled_at", "number"]), (dup, ["cancelled_at", "number"])]
    # the access log keeps who, when and why
    log = handlers.list_access_log(uow, AUDITOR, citizen_number=keep)["items"]
    assert [(x["username"], x["reason"]) for x in log if x["action"] == "cancellation"] == [
        ("sup", "solicitud ARCO de cancelación, oficio 12/2026")]
    # nothing finds the person any more; the record cannot be rectified or merged
    assert handlers.search_citizens(uow, OPERATOR, "zacarias canarioxq", WHY)["items"] == []
    assert handlers.search_citizens(uow, OPERATOR, "229 555 0199", WHY)["items"] == []
    assert "created" in handlers.register_citizen(uow, OPERATOR, person(), False)  # not a duplicate any more
    with pytest.raises(Conflict) as err:
        handlers.update_citizen(uow, OPERATOR, keep, {"email": "x@example.mx"}, WHY)
    assert err.value.code == "ciudadano_cancelado"
    with pytest.raises(Conflict):
        rights.oppose(uow, OPERATOR, keep, ["surveys"], WHY)
    # repeating changes nothing and publishes nothing
    again = rights.cancel_citizen(uow, SUPERVISOR, keep, "segunda solicitud")
    assert again["already_cancelled"] is True and again["cancelled_at"] == out["cancelled_at"]
    assert len(events(uow, "citizen_cancelled")) == 2


def test_cancellation_input(uow):
    number = register(uow)
    with pytest.raises(InvalidInput):
        rights.cancel_citizen(uow, SUPERVISOR, number, "")
    with pytest.raises(NotFound):
        rights.cancel_citizen(uow, SUPERVISOR, 424242, "solicitud ARCO")
    with pytest.raises(InvalidInput) as err:  # PostgreSQL text cannot hold NUL: a 422, never a 5xx
        rights.cancel_citizen(uow, SUPERVISOR, number, "solicitud\x00 ARCO")
    assert err.value.code == "motivo_invalido"
    assert events(uow, "citizen_cancelled") == []
    assert handlers.get_citizen(uow, SUPERVISOR, number, WHY)["cancelled_at"] is None


# --------------------------------------------------------------------------- access

def test_arco_access_gathers_everything_and_is_logged(uow):
    keep = register(uow)
    dup = register(uow, phones=["2295550103"])
    handlers.update_citizen(uow, OPERATOR, keep, {"email": "nuevo@example.mx"}, "corrige su correo")
    handlers.merge_citizens(uow, OPERATOR, keep, dup, "duplicado confirmado")
    rights.oppose(uow, OPERATOR, keep, ["surveys"], "no desea encuestas")
    with pytest.raises(Forbidden):
        rights.arco_access(uow, OPERATOR, keep, "solicitud ARCO")
    with pytest.raises(InvalidInput):
        rights.arco_access(uow, SUPERVISOR, keep, None)
    doc = rights.arco_access(uow, SUPERVISOR, dup, "solicitud ARCO de acceso, oficio 3")
    assert doc["number"] == keep and doc["numbers"] == [keep, dup]
    assert doc["record"]["email"] == "nuevo@example.mx" and doc["record"]["merged_numbers"] == [dup]
    assert [r["number"] for r in doc["merged_records"]] == [dup]
    assert [c["kind"] for c in doc["changes"]] == ["rectification", "merge", "opposition"]
    assert doc["changes"][0]["before"] == {"email": "zaca@example.mx"}
    assert len(doc["merges"]) == 1 and [o["scope"] for o in doc["oppositions"]] == ["surveys"]
    assert {"register", "rectification", "merge"} <= {a["action"] for a in doc["access_log"]}
    assert doc["block_leader_roster"] == []
    log = handlers.list_access_log(uow, AUDITOR, citizen_number=keep)["items"]
    assert log[0]["action"] == "arco_access" and log[0]["reason"] == "solicitud ARCO de acceso, oficio 3"
