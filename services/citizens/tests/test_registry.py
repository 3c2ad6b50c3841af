"""The citizen registry on a real PostgreSQL database (handlers over a UnitOfWork):
validation, duplicates, merge, search, access log, rectification, events."""
import json

import pytest
import sqlalchemy as sa

from citizens import handlers, normalize
from citizens.exceptions import Conflict, Forbidden, InvalidInput, NotFound
from sacinfra.db import outbox_table

OPERATOR = {"kind": "staff", "username": "op1", "role": "operator", "agency": None}
AUDITOR = {"kind": "staff", "username": "aud", "role": "auditor", "agency": None}
STAFF = {"kind": "staff", "username": "staff", "role": "agency_staff", "agency": "OP"}
LEADER = {"kind": "staff", "username": "jm", "role": "block_leader", "agency": None}
WHY = "atención de llamada 072"


def person(**kw):
    base = {"given_names": "María Guadalupe", "first_surname": "Hernández", "second_surname": "López",
            "sex": "female", "birth_date": "1980-05-17", "phones": ["477 123 4567"], "email": "lupita@example.mx",
            "address": {"colonia": "Centro", "street": "Madero", "number": "100", "postal_code": "37000",
                        "references": "frente a la plaza"},
            "consent": True, "privacy_notice_version": "2026-01", "channel": "072"}
    return base | kw


def register(uow, force=False, **kw):
    return handlers.register_citizen(uow, OPERATOR, person(**kw), force)


def access_rows(uow):
    return [dict(r) for r in uow.uow.session.execute(sa.text(
        "SELECT username, role, citizen_number, action, reason FROM personal_data_access_log ORDER BY id")).mappings()]


# --------------------------------------------------------------------------- validation

@pytest.mark.parametrize("raw, digits", [("4771234567", "4771234567"), ("477-123-45-67", "4771234567"),
                                         ("+52 477 123 4567", "4771234567"), ("+52 1 477 123 4567", "4771234567"),
                                         ("(477) 123.4567", "4771234567"), ("524771234567", "4771234567"),
                                         ("01 477 123 4567", "4771234567")])
def test_mexican_phones_are_normalised(raw, digits):
    assert normalize.phone(raw) == digits


@pytest.mark.parametrize("raw", ["12345", "477123456", "47712345678", "+1 212 555 0100", "abc4771234567",
                                 "0471234567"])
def test_bad_phones_are_rejected(uow, raw):
    assert normalize.phone(raw) is None
    with pytest.raises(InvalidInput) as err:
        register(uow, phones=[raw])
    assert err.value.code == "datos_invalidos" and "phones" in err.value.message


@pytest.mark.parametrize("cp", ["3700", "370000", "37A00", " "])
def test_postal_codes_have_five_digits(uow, cp):
    with pytest.raises(InvalidInput) as err:
        register(uow, address={"colonia": "Centro", "postal_code": cp})
    assert "postal_code" in err.value.message


def test_other_validation_consent_names_dates(uow):
    for bad in ({"consent": False}, {"given_names": "  "}, {"first_surname": "123"},
                {"birth_date": "2999-01-01"}, {"sex": "x"}, {"email": "no-es-correo"}, {"nickname": "Lupe"}):
        with pytest.raises(InvalidInput):
            register(uow, **bad)
    for missing in ("given_names", "first_surname", "channel", "privacy_notice_version", "consent"):
        data = person()
        del data[missing]
        with pytest.raises(InvalidInput) as err:
            handlers.register_citizen(uow, OPERATOR, data)
        assert missing in err.value.message


def test_registration_stores_normalised_fields(uow, raw):
    out = register(uow, given_names="  maría   GUADALUPE ", phones=["+52 477 123 4567", "477-123-4567", "4779876543"])
    c = out["created"]
    assert c["number"] >= 1 and c["given_names"] == "maría GUADALUPE"
    assert c["phones"] == ["4771234567", "4779876543"]
    assert c["address"]["postal_code"] == "37000" and c["age"] >= 45 and c["consent"] is True
    row = raw.session.execute(sa.text("SELECT name_norm, colonia_norm FROM citizens WHERE number = :n"),
                              {"n": c["number"]}).one()
    assert row == ("maria guadalupe hernandez lopez", "centro")
    second = register(uow, force=True, given_names="Pedro", first_surname="Núñez", phones=[], address={})
    assert second["created"]["number"] == c["number"] + 1  # sequence


# --------------------------------------------------------------------------- duplicates

def test_duplicate_by_same_phone(uow, raw):
    first = register(uow)["created"]
    out = register(uow, given_names="Juan", first_surname="Pérez", second_surname=None,
                   phones=["+52 (477) 123-4567"], address={"colonia": "San Juan de Dios"})
    assert "created" not in out
    [dup] = out["duplicates"]
    assert dup["number"] == first["number"] and dup["reasons"] == ["same_phone"]
    assert raw.session.execute(sa.text("SELECT count(*) FROM citizens")).scalar() == 1


def test_duplicate_by_same_name_and_colonia(uow):
    first = register(uow)["created"]
    out = register(uow, given_names="MARIA GUADALUPE", first_surname="hernandez", second_surname="LÓPEZ",
                   phones=["4775550000"], address={"colonia": "CENTRO"})
    [dup] = out["duplicates"]
    assert dup["number"] == first["number"] and "same_name_colonia" in dup["reasons"]


def test_duplicate_by_close_name(uow):
    first = register(uow)["created"]
    out = register(uow, given_names="Maria Guadalupe", first_surname="Hernandes", second_surname="Lopes",
                   phones=["4775550000"], address={"colonia": "León Moderno"})
    [dup] = out["duplicates"]
    assert dup["number"] == first["number"] and dup["reasons"] == ["similar_name"]
    assert 0.6 <= dup["similarity"] < 1
    # a different person is not a duplicate
    assert "created" in register(uow, given_names="Pedro", first_surname="Ramírez", second_surname="Soto",
                                 phones=["4775550001"], address={"colonia": "Centro"})


def test_force_creates_anyway_and_duplicates_are_logged(uow):
    first = register(uow)["created"]
    assert "duplicates" in register(uow)
    second = register(uow, force=True)["created"]
    assert second["number"] != first["number"]
    actions = [(r["citizen_number"], r["action"]) for r in access_rows(uow)]
    assert (first["number"], "duplicate_check") in actions and (second["number"], "register") in actions


# --------------------------------------------------------------------------- merge

def test_merge_redirects_the_number_and_keeps_history(uow, raw):
    keep = register(uow)["created"]["number"]
    older = register(uow, force=True)["created"]["number"]
    third = register(uow, force=True, phones=["4770000001"])["created"]["number"]
    handlers.merge_citizens(uow, OPERATOR, older, third, "duplicado confirmado por teléfono")
    out = handlers.merge_citizens(uow, OPERATOR, keep, older, "duplicado confirmado con el ciudadano")
    assert out["number"] == keep and out["merged_numbers"] == [older, third]  # chains re-pointed
    assert handlers.merge_citizens(uow, OPERATOR, keep, older)["number"] == keep  # idempotent
    got = handlers.get_citizen(uow, OPERATOR, third, WHY)
    assert got["number"] == keep and got["redirected_from"] == third
    assert handlers.search_citizens(uow, OPERATOR, str(older), WHY)["items"][0]["number"] == keep
    # merged records are no longer duplicates nor search results
    assert [d["number"] for d in register(uow)["duplicates"]] == [keep]
    assert {i["number"] for i in handlers.search_citizens(uow, OPERATOR, "guadalupe", WHY)["items"]} == {keep}
    with pytest.raises(Conflict):
        handlers.merge_citizens(uow, OPERATOR, older, keep)
    with pytest.raises(Conflict):
        handlers.update_citizen(uow, OPERATOR, older, {"email": "x@example.mx"}, WHY)
    with pytest.raises(InvalidInput):
        handlers.merge_citizens(uow, OPERATOR, keep, keep)
    with pytest.raises(NotFound):
        handlers.merge_citizens(uow, OPERATOR, keep, 999999)
    merges = raw.session.execute(sa.text("SELECT number, after FROM citizen_changes WHERE kind = 'merge' "
                                         "ORDER BY id")).all()
    assert merges == [(third, {"merged_into": older}), (older, {"merged_into": keep})]


# --------------------------------------------------------------------------- search

def seed_people(uow):
    people = [("José Luis", "Núñez", "Peña"), ("Jose", "Nunez", None), ("María José", "Ibáñez", "Núñez"),
              ("Luis", "Ramírez", "Soto"), ("Guadalupe", "Hernández", "Núñez")]
    numbers = {}
    for i, (g, f, s) in enumerate(people):
        numbers[(g, f)] = register(uow, force=True, given_names=g, first_surname=f, second_surname=s,
                                   phones=[f"47755500{i:02d}"], address={"colonia": "Centro"})["created"]["number"]
    return numbers


def test_search_is_accent_and_case_insensitive_partial_and_ranked(uow):
    n = seed_people(uow)
    out = handlers.search_citizens(uow, OPERATOR, "JOSE NUNEZ", WHY)
    assert out["mode"] == "name"
    numbers = [i["number"] for i in out["items"]]
    assert numbers[0] == n[("Jose", "Nunez")]  # the closest name first
    assert set(numbers) >= {n[("José Luis", "Núñez")], n[("María José", "Ibáñez")]}
    assert n[("Luis", "Ramírez")] not in numbers
    scores = [i["score"] for i in out["items"]]
    assert scores == sorted(scores, reverse=True)
    partial = handlers.search_citizens(uow, OPERATOR, "guadal hernan", WHY)["items"]
    assert [i["number"] for i in partial] == [n[("Guadalupe", "Hernández")]]
    assert handlers.search_citizens(uow, OPERATOR, "núñez peña", WHY)["items"][0]["number"] == n[("José Luis", "Núñez")]
    # a typo still finds the person (trigram similarity)
    typo = handlers.search_citizens(uow, OPERATOR, "Guadalupe Hernandes Nunes", WHY)["items"]
    assert typo and typo[0]["number"] == n[("Guadalupe", "Hernández")]
    assert handlers.search_citizens(uow, OPERATOR, "zzzqqq", WHY)["items"] == []
    assert len(handlers.search_citizens(uow, OPERATOR, "nunez", WHY, limit=2)["items"]) == 2


def test_search_by_phone_and_number(uow):
    n = seed_people(uow)
    by_phone = handlers.search_citizens(uow, OPERATOR, "+52 477 555 0003", WHY)
    assert by_phone["mode"] == "phone" and [i["number"] for i in by_phone["items"]] == [n[("Luis", "Ramírez")]]
    by_number = handlers.search_citizens(uow, OPERATOR, f"#{n[('Jose', 'Nunez')]}", WHY)
    assert by_number["mode"] == "number" and by_number["items"][0]["full_name"] == "Jose Nunez"
    with pytest.raises(InvalidInput) as err:
        handlers.search_citizens(uow, OPERATOR, "jo", WHY)
    assert err.value.code == "busqueda_muy_corta"


# --------------------------------------------------------------------------- access log and authorization

def test_reads_write_access_log_rows(uow, raw):
    n = seed_people(uow)
    raw.session.execute(sa.text("DELETE FROM personal_data_access_log"))
    raw.commit()
    handlers.get_citizen(uow, OPERATOR, n[("Jose", "Nunez")], "  seguimiento del folio 123 ")
    handlers.get_citizen(uow, STAFF, n[("Jose", "Nunez")], "atender reporte de alumbrado", lambda a, ns: True)
    found = handlers.search_citizens(uow, OPERATOR, "nunez", "llamada 072 del ciudadano")["items"]
    handlers.search_citizens(uow, OPERATOR, "nadie se llama así", "llamada 072")
    rows = access_rows(uow)
    assert rows[0] == {"username": "op1", "role": "operator", "citizen_number": n[("Jose", "Nunez")],
                       "action": "read", "reason": "seguimiento del folio 123"}
    assert rows[1]["username"] == "staff" and rows[1]["role"] == "agency_staff"
    assert [r["citizen_number"] for r in rows[2:2 + len(found)]] == [i["number"] for i in found]
    assert rows[-1] == {"username": "op1", "role": "operator", "citizen_number": None, "action": "search",
                        "reason": "llamada 072"}
    log = handlers.list_access_log(uow, AUDITOR, citizen_number=n[("Jose", "Nunez")])
    assert log["total"] >= 3 and {i["action"] for i in log["items"]} == {"read", "search"}
    assert handlers.list_access_log(uow, AUDITOR, username="staff")["total"] == 1


def test_reason_is_required_and_roles_are_enforced(uow):
    number = register(uow)["created"]["number"]
    for reason in (None, "", "  ", "x"):
        with pytest.raises(InvalidInput) as err:
            handlers.get_citizen(uow, OPERATOR, number, reason)
        assert err.value.code == "motivo_requerido"
        with pytest.raises(InvalidInput):
            handlers.search_citizens(uow, OPERATOR, "guadalupe", reason)
    for actor, call in ((LEADER, lambda a: handlers.get_citizen(uow, a, number, WHY)),
                        (AUDITOR, lambda a: handlers.get_citizen(uow, a, number, WHY)),
                        (STAFF, lambda a: handlers.search_citizens(uow, a, "guadalupe", WHY)),
                        (STAFF, lambda a: handlers.register_citizen(uow, a, person())),
                        (STAFF, lambda a: handlers.update_citizen(uow, a, number, {"email": "a@b.mx"}, WHY)),
                        (OPERATOR, lambda a: handlers.list_access_log(uow, a)),
                        ({"kind": "public", "username": "public", "role": "public"},
                         lambda a: handlers.get_citizen(uow, a, number, WHY)),
                        ({"kind": "system", "username": "system:x", "role": "system", "system": "x"},
                         lambda a: handlers.get_citizen(uow, a, number, WHY)),
                        ({"kind": "staff", "username": "nueva", "role": "capturista"},  # unknown role
                         lambda a: handlers.get_citizen(uow, a, number, WHY))):
        with pytest.raises(Forbidden):
            call(actor)
    for broken in ({}, None, {"username": "op1", "role": "operator"}):  # not the actor contract
        with pytest.raises(InvalidInput) as err:
            handlers.get_citizen(uow, broken, number, WHY)
        assert err.value.code == "actor_invalido"
    with pytest.raises(NotFound):
        handlers.get_citizen(uow, OPERATOR, 424242, WHY)


# --------------------------------------------------------------------------- rectification

def test_rectification_is_audited_with_before_and_after(uow, raw):
    number = register(uow)["created"]["number"]
    out = handlers.update_citizen(uow, OPERATOR, number, {"second_surname": "Lópes", "phones": ["477 765 4321"],
                                                          "address": {"postal_code": "37500"}},
                                  "el ciudadano corrige sus datos (derecho de rectificación)")
    assert out["second_surname"] == "Lópes" and out["phones"] == ["4777654321"]
    assert out["address"] == {"colonia": "Centro", "street": "Madero", "number": "100", "postal_code": "37500",
                              "references": "frente a la plaza"}
    assert sorted(out["changed_fields"]) == ["phones", "postal_code", "second_surname"]
    [change] = handlers.citizen_changes(uow, OPERATOR, number, WHY)
    assert change["kind"] == "rectification" and change["author"] == "op1"
    assert change["before"] == {"second_surname": "López", "phones": ["4771234567"], "postal_code": "37000"}
    assert change["after"] == {"second_surname": "Lópes", "phones": ["4777654321"], "postal_code": "37500"}
    assert "derecho de rectificación" in change["reason"]
    # the normalised name follows: the old spelling is now a similar name, the new one exact
    name_norm = raw.session.execute(sa.text("SELECT name_norm FROM citizens")).scalar()
    assert name_norm == "maria guadalupe hernandez lopes"
    with pytest.raises(InvalidInput):
        handlers.update_citizen(uow, OPERATOR, number, {"phones": ["123"]}, WHY)
    with pytest.raises(InvalidInput):
        handlers.update_citizen(uow, OPERATOR, number, {}, WHY)
    assert ("rectification", number) in [(r["action"], r["citizen_number"]) for r in access_rows(uow)]


# --------------------------------------------------------------------------- events

def test_events_carry_the_number_only(uow, raw):
    a = register(uow)["created"]["number"]
    b = register(uow, force=True)["created"]["number"]
    handlers.update_citizen(uow, OPERATOR, a, {"email": "otra@example.mx"}, WHY)
    handlers.merge_citizens(uow, OPERATOR, a, b)
    payloads = [r.payload for r in raw.session.execute(sa.select(outbox_table).order_by(outbox_table.c.id))]
    assert [(p["event_type"], p["producer"]) for p in payloads] == [
        ("citizen_registered", "citizens"), ("citizen_registered", "citizens"), ("citizens_merged", "citizens")]
    assert payloads[0]["data"].keys() == {"number", "channel", "registered_at"}
    assert payloads[2]["data"]["kept"] == a and payloads[2]["data"]["merged"] == b
    text = json.dumps(payloads, ensure_ascii=False).lower()
    for personal in ("maría", "maria", "guadalupe", "hernández", "hernandez", "4771234567", "madero",
                     "centro", "37000", "lupita", "otra@example"):
        assert personal not in text, personal


def test_agency_staff_read_only_a_citizen_behind_a_report_they_see(uow):
    """Citizens decides, asking routing (here a stand-in for its answer) with the actor and
    the person's kept and merged numbers; not seen is as if the number did not exist."""
    kept = register(uow)["created"]["number"]
    merged = register(uow, force=True, phones=["4770001122"])["created"]["number"]
    handlers.merge_citizens(uow, OPERATOR, kept, merged, "registro duplicado")
    asked = []

    def sees(actor, numbers, answer):
        asked.append((actor["username"], sorted(numbers)))
        return answer

    assert handlers.get_citizen(uow, STAFF, merged, WHY, lambda a, ns: sees(a, ns, True))["number"] == kept
    assert asked == [("staff", sorted([kept, merged]))]
    for sees_reports in (lambda a, ns: sees(a, ns, False), None):
        with pytest.raises(NotFound) as err:
            handlers.get_citizen(uow, STAFF, kept, WHY, sees_reports)
        assert err.value.code == "ciudadano_no_encontrado"
    asked.clear()
    handlers.get_citizen(uow, OPERATOR, kept, WHY, lambda a, ns: sees(a, ns, False))  # the whole registry
    assert asked == []
