"""catalog's use cases without I/O: petition-type edits (versioning, agency scope,
history, events), department events, listing, and due-date quotes."""
import pytest

from sacinfra import errors

from catalog import handlers

ADMIN = {"kind": "staff", "username": "admin.catalogo", "role": "admin"}
OP_STAFF = {"kind": "staff", "username": "op.enlace", "role": "agency_staff", "agency": "OP"}
SIAP_STAFF = {"kind": "staff", "username": "siap.enlace", "role": "agency_staff", "agency": "SIAP"}
OPERATOR = {"kind": "staff", "username": "oper", "role": "operator"}
LAMP = "OP-LAMPARA APAGADA"
MONDAY = "2026-03-02T10:00:00-06:00"


def quote(store, code=LAMP, channel="072", at=MONDAY):
    return handlers.quote_reports(store, [{"petition_type": code, "channel": channel, "created_at": at}])[0]


def test_an_edit_makes_a_new_version_with_history_and_one_event(store):
    pt = handlers.update_petition_type(store, OP_STAFF, LAMP, {"sla_amount": 2, "sla_unit": "business_days"}, 1)
    assert (pt["version"], pt["sla_amount"], pt["sla_unit"]) == (2, 2, "business_days")
    [(event, data)] = store.events
    assert event == "petition_type_changed" and data["changed_fields"] == ["sla_amount", "sla_unit"]
    assert (data["version"], data["author"], data["before"]["sla_amount"]) == (2, "op.enlace", 5)
    assert [h["version"] for h in store.history(LAMP)] == [2]


def test_a_stale_version_conflicts_and_changes_nothing(store):
    handlers.update_petition_type(store, OP_STAFF, LAMP, {"sla_amount": 3}, 1)
    with pytest.raises(errors.Conflict) as caught:
        handlers.update_petition_type(store, ADMIN, LAMP, {"sla_amount": 9}, 1)
    assert caught.value.code == "version_desactualizada"
    assert store.petition_type(LAMP)["sla_amount"] == 3 and len(store.events) == 1


def test_a_change_that_changes_nothing_keeps_the_version_and_publishes_nothing(store):
    assert handlers.update_petition_type(store, OP_STAFF, LAMP, {"sla_amount": 5}, 1)["version"] == 1
    assert store.events == [] and store.history_rows == []


def test_agency_staff_edit_only_their_agency_and_cannot_move_a_type_out(store):
    with pytest.raises(errors.Forbidden):
        handlers.update_petition_type(store, SIAP_STAFF, LAMP, {"sla_amount": 1}, 1)
    with pytest.raises(errors.Forbidden):
        handlers.update_petition_type(store, OP_STAFF, LAMP, {"agency": "SIAP", "department": "SIAP-ESPECIALES"}, 1)
    with pytest.raises(errors.Forbidden):
        handlers.update_petition_type(store, OPERATOR, LAMP, {"sla_amount": 1}, 1)
    assert store.petition_type(LAMP)["version"] == 1 and store.events == []
    moved = handlers.update_petition_type(store, ADMIN, LAMP, {"agency": "SIAP", "department": "SIAP-ESPECIALES"}, 1)
    assert (moved["agency"], moved["version"]) == ("SIAP", 2)


def test_staff_create_in_their_agency_and_a_bad_department_rolls_back(store):
    new = {"code": "OP-POSTE CAIDO", "name": "OP-POSTE CAIDO", "kind": "Servicio", "sla_amount": 3,
           "sla_unit": "calendar_days", "department": "OP-ALUMBRADO"}
    created = handlers.create_petition_type(store, OP_STAFF, new)
    assert (created["agency"], created["version"]) == ("OP", 1)
    with pytest.raises(errors.Conflict):
        handlers.create_petition_type(store, OP_STAFF, new)
    with pytest.raises(errors.InvalidInput) as caught:
        handlers.create_petition_type(store, OP_STAFF, new | {"code": "OP-OTRO", "department": "SIAP-ESPECIALES"})
    assert caught.value.code == "dependencia_o_departamento_invalido"
    assert store.petition_type("OP-OTRO") is None and len(store.events) == 1


def test_quotes_follow_the_current_sla_and_report_each_error(store):
    assert quote(store)["quote"]["due_at"] == "2026-03-07T23:59:59-06:00"
    handlers.update_petition_type(store, ADMIN, LAMP, {"sla_amount": 1, "sla_unit": "business_days"}, 1)
    assert quote(store)["quote"]["due_at"] == "2026-03-03T16:00:00-06:00"
    assert quote(store, code="NO EXISTE")["error"]["code"] == "tipo_peticion_no_encontrado"
    assert quote(store, channel="FAX")["error"]["code"] == "canal_no_encontrado"
    assert quote(store, at="2026-03-02T10:00:00")["error"]["code"] == "fecha_invalida"
    handlers.update_petition_type(store, ADMIN, LAMP, {"active": False}, 2)
    assert quote(store)["error"]["code"] == "tipo_peticion_inactivo"


def test_department_upserts_publish_only_real_changes(store):
    handlers.upsert_department(store, ADMIN, {"code": "OP-ALUMBRADO", "agency": "OP", "name": "ALUMBRADO PUBLICO"})
    handlers.upsert_department(store, ADMIN, {"code": "OP-ALUMBRADO", "agency": "OP", "name": "ALUMBRADO PUBLICO",
                                              "active": False})
    [(event, data)] = store.events
    assert event == "department_changed"
    assert {k: data[k] for k in ("agency", "code", "active")} == {"agency": "OP", "code": "OP-ALUMBRADO",
                                                                  "active": False}
    with pytest.raises(errors.Forbidden):
        handlers.upsert_department(store, OP_STAFF, {"code": "OP-X", "agency": "OP", "name": "X"})


def test_seeding_publishes_every_agency_and_department(empty_store):
    from catalog.demo_catalog import AGENCIES, CHANNELS, DEPARTMENTS

    s = empty_store
    handlers.seed(s, AGENCIES, DEPARTMENTS, [], CHANNELS)
    kinds = [e for e, _ in s.events]
    assert kinds.count("agency_changed") == len(AGENCIES) and kinds.count("department_changed") == len(DEPARTMENTS)


def test_listing_defaults_agency_staff_to_their_agency(store):
    page = handlers.list_petition_types(store, {"q": "lampara"}, 1, 10, OP_STAFF)
    assert page["total"] >= 1 and {p["agency"] for p in page["items"]} == {"OP"}
    assert handlers.list_petition_types(store, {"agency": "SIAP"}, 1, 1000, OP_STAFF)["items"][0]["agency"] == "SIAP"


def test_the_fake_store_only_offers_what_the_real_store_has(store):
    from catalog.store import Store
    offered = {m for m in dir(type(store)) if not m.startswith("_") and callable(getattr(type(store), m))}
    assert offered <= set(dir(Store)), offered - set(dir(Store))
