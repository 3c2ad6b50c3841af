"""Catalog maintenance rules on real PostgreSQL: who may change what, optimistic locking,
history, outbox events, immediate effect on quotes."""
import json
import time
from pathlib import Path

import eventlet
import pytest
from jsonschema import Draft202012Validator, FormatChecker

from sacinfra import errors
from sacinfra.db import UnitOfWork

from catalog import handlers, store

ADMIN = {"username": "admin.catalogo", "role": "admin", "agency": None, "kind": "staff"}
OP_STAFF = {"username": "op.enlace", "role": "agency_staff", "agency": "OP", "kind": "staff"}
OP_STAFF_2 = {"username": "op.jefatura", "role": "agency_staff", "agency": "OP", "kind": "staff"}
SIAP_STAFF = {"username": "siap.enlace", "role": "agency_staff", "agency": "SIAP", "kind": "staff"}
LAMP = "OP-LAMPARA APAGADA"
MONDAY = "2026-03-02T10:00:00-06:00"
pytestmark = pytest.mark.timeout(60)
CONTRACTS = Path(__file__).resolve().parents[3] / "contracts"

NEW_TYPE = {"code": "OP-LUMINARIA VANDALIZADA", "name": "OP-LUMINARIA VANDALIZADA", "kind": "Servicio",
            "description": "LUMINARIA ROTA POR VANDALISMO", "sla_amount": 7, "sla_unit": "business_days",
            "department": "OP-ALUMBRADO"}


def event_validator():
    schema = json.loads((CONTRACTS / "events" / "catalog.petition_type_changed.v1.schema.json").read_text())
    return Draft202012Validator(schema, format_checker=FormatChecker())


# --------------------------------------------------------------------------- editing

def test_agency_staff_edit_their_type_and_new_reports_get_the_new_sla_at_once(uow, quote):
    assert quote(uow(), LAMP, "072", MONDAY)["due_at"] == "2026-03-07T23:59:59-06:00"
    pt = handlers.update_petition_type(uow(), OP_STAFF, LAMP, {"sla_amount": 2, "sla_unit": "business_days"}, 1)
    assert (pt["sla_amount"], pt["sla_unit"], pt["version"]) == (2, "business_days", 2)
    quote = quote(uow(), LAMP, "072", MONDAY)
    assert (quote["sla_amount"], quote["sla_unit"], quote["version"]) == (2, "business_days", 2)
    assert quote["kind"] == "Servicio"  # intake passes it on in report_created
    assert quote["due_at"] == "2026-03-04T16:00:00-06:00"
    assert handlers.quote_reports(uow(), [{"petition_type": LAMP, "channel": "072", "created_at": MONDAY}]
                                  )[0]["quote"]["due_at"] == "2026-03-04T16:00:00-06:00"


def test_second_writer_with_the_same_version_gets_a_conflict(uow):
    read_by_a = handlers.get_petition_type(uow(), LAMP)["version"]
    read_by_b = handlers.get_petition_type(uow(), LAMP)["version"]
    handlers.update_petition_type(uow(), OP_STAFF, LAMP, {"sla_amount": 3}, read_by_a)
    with pytest.raises(errors.Conflict) as caught:
        handlers.update_petition_type(uow(), OP_STAFF_2, LAMP, {"sla_amount": 9}, read_by_b)
    assert caught.value.code == "version_desactualizada"
    assert "versión 2" in caught.value.message
    pt = handlers.get_petition_type(uow(), LAMP)
    assert (pt["sla_amount"], pt["version"]) == (3, 2)
    assert len(handlers.petition_type_history(uow(), LAMP)) == 1


class SlowCommit(UnitOfWork):
    """A unit of work that lingers before committing (its row lock held meanwhile)."""

    def commit(self):
        eventlet.sleep(0.5)
        super().commit()


def test_concurrent_writers_second_waits_for_the_first_then_conflicts(engine, uow):
    """A and B both read version 1; A locks the row and is slow to commit; B waits on the
    lock and, once A commits, sees version 2 and gets a Conflict."""
    slow = SlowCommit(engine, "catalog")
    a, b = store.Store(slow), uow()
    try:
        writer_a = eventlet.spawn(handlers.update_petition_type, a, OP_STAFF, LAMP, {"sla_amount": 4}, 1)
        eventlet.sleep(0.1)
        started = time.perf_counter()
        writer_b = eventlet.spawn(handlers.update_petition_type, b, OP_STAFF_2, LAMP, {"sla_amount": 9}, 1)
        assert writer_a.wait()["version"] == 2
        with pytest.raises(errors.Conflict) as caught:
            writer_b.wait()
        assert time.perf_counter() - started > 0.25, "B did not wait for A's lock"
    finally:
        slow.close()
    assert caught.value.code == "version_desactualizada"
    pt = handlers.get_petition_type(uow(), LAMP)
    assert (pt["sla_amount"], pt["version"]) == (4, 2)


def test_staff_of_another_agency_cannot_edit_nor_create(uow, peek):
    with pytest.raises(errors.Forbidden) as caught:
        handlers.update_petition_type(uow(), SIAP_STAFF, LAMP, {"sla_amount": 1}, 1)
    assert caught.value.code == "prohibido" and "dependencia" in caught.value.message
    with pytest.raises(errors.Forbidden):
        handlers.create_petition_type(uow(), SIAP_STAFF, NEW_TYPE | {"agency": "OP"})
    pt = handlers.get_petition_type(uow(), LAMP)
    assert (pt["sla_amount"], pt["version"]) == (5, 1)
    assert peek.count(store.petition_type_changes) == 0 and peek.events() == []


def test_staff_cannot_move_a_type_to_another_agency_but_admin_can(uow):
    with pytest.raises(errors.Forbidden):
        handlers.update_petition_type(uow(), OP_STAFF, LAMP, {"agency": "SIAP", "department": "SIAP-ESPECIALES"}, 1)
    with pytest.raises(errors.InvalidInput) as caught:
        handlers.update_petition_type(uow(), ADMIN, LAMP, {"agency": "SIAP"}, 1)  # department stays OP's
    assert "no pertenece" in caught.value.message
    pt = handlers.update_petition_type(uow(), ADMIN, LAMP, {"agency": "SIAP", "department": "SIAP-ESPECIALES"}, 1)
    assert (pt["agency"], pt["department"], pt["version"]) == ("SIAP", "SIAP-ESPECIALES", 2)
    with pytest.raises(errors.Forbidden):  # no longer OP's
        handlers.update_petition_type(uow(), OP_STAFF, LAMP, {"sla_amount": 1}, 2)


@pytest.mark.parametrize("actor", [
    {"kind": "staff", "username": "sup", "role": "supervisor"},
    {"kind": "staff", "username": "oper", "role": "operator"},
    {"kind": "staff", "username": "nueva", "role": "capturista"},  # a role catalog does not know
    {"kind": "key", "username": "api-key:op", "role": "department_key", "agency": "OP", "department": "OP-ALUMBRADO"},
    {"kind": "public", "username": "public", "role": "public"},
])
def test_other_roles_cannot_change_the_catalog(uow, actor):
    for call in (lambda: handlers.update_petition_type(uow(), actor, LAMP, {"sla_amount": 1}, 1),
                 lambda: handlers.create_petition_type(uow(), actor, NEW_TYPE | {"agency": "OP"}),
                 lambda: handlers.import_catalog(uow(), actor, "csv", ""),
                 lambda: handlers.upsert_channel(uow(), actor, {"code": "X", "name": "X"})):
        with pytest.raises(errors.Forbidden) as caught:
            call()
        assert caught.value.code == "prohibido"


@pytest.mark.parametrize("actor", [
    {"username": "op.sin.area", "role": "agency_staff", "kind": "staff"},  # agency staff need an agency
    {"role": "admin", "kind": "staff"},  # nobody in particular
    {"username": "admin", "role": "admin"},  # no kind
    None,
    "admin",
])
def test_actors_that_break_the_contract_are_invalid_input(uow, actor):
    for call in (lambda: handlers.update_petition_type(uow(), actor, LAMP, {"sla_amount": 1}, 1),
                 lambda: handlers.upsert_channel(uow(), actor, {"code": "X", "name": "X"}),
                 lambda: handlers.list_petition_types(uow(), {}, 1, 10, actor)):
        with pytest.raises(errors.InvalidInput) as caught:
            call()
        assert caught.value.code == "actor_invalido"


def test_history_keeps_author_time_before_and_after(uow):
    handlers.create_petition_type(uow(), OP_STAFF, NEW_TYPE)
    handlers.update_petition_type(uow(), OP_STAFF, NEW_TYPE["code"], {"sla_amount": 3}, 1)
    handlers.update_petition_type(uow(), ADMIN, NEW_TYPE["code"], {"active": False, "description": "OTRA"}, 2)
    h = handlers.petition_type_history(uow(), NEW_TYPE["code"])
    assert [(c["version"], c["author"]) for c in h] == [(1, "op.enlace"), (2, "op.enlace"), (3, "admin.catalogo")]
    assert h[0]["before"] is None and h[0]["after"]["sla_amount"] == 7 and h[0]["after"]["agency"] == "OP"
    assert (h[1]["before"]["sla_amount"], h[1]["after"]["sla_amount"]) == (7, 3)
    assert h[1]["changed_fields"] == ["sla_amount"]
    assert h[2]["changed_fields"] == ["description", "active"]
    assert h[2]["before"]["active"] is True and h[2]["after"]["active"] is False
    assert h[0]["at"] <= h[1]["at"] <= h[2]["at"]
    with pytest.raises(errors.NotFound):
        handlers.petition_type_history(uow(), "NO EXISTE")


def test_an_edit_writes_a_petition_type_changed_event_to_the_outbox(uow, peek):
    handlers.update_petition_type(uow(), OP_STAFF, LAMP, {"sla_amount": 2}, 1)
    [event] = peek.events()
    assert event["producer"] == "catalog" and event["event_type"] == "petition_type_changed"
    data = event["data"]
    assert (data["code"], data["version"], data["change"], data["author"]) == (LAMP, 2, "updated", "op.enlace")
    assert data["changed_fields"] == ["sla_amount"]
    assert (data["before"]["sla_amount"], data["after"]["sla_amount"]) == (5, 2)
    event_validator().validate(data)
    handlers.create_petition_type(uow(), OP_STAFF, NEW_TYPE)
    created = peek.events()[-1]["data"]
    assert created["change"] == "created" and created["before"] is None and created["version"] == 1
    event_validator().validate(created)


def test_a_change_that_changes_nothing_keeps_the_version(uow, peek):
    pt = handlers.update_petition_type(uow(), OP_STAFF, LAMP, {"sla_amount": 5}, 1)
    assert pt["version"] == 1 and peek.events() == []
    with pytest.raises(errors.Conflict):  # but a stale version is still stale
        handlers.update_petition_type(uow(), OP_STAFF, LAMP, {}, 7)


def test_deactivating_a_type_stops_new_reports(uow, quote):
    handlers.update_petition_type(uow(), OP_STAFF, LAMP, {"active": False}, 1)
    with pytest.raises(errors.InvalidInput) as caught:
        quote(uow(), LAMP, "072", MONDAY)
    assert caught.value.code == "tipo_peticion_inactivo"


def test_staff_create_types_in_their_own_agency(uow, quote):
    pt = handlers.create_petition_type(uow(), OP_STAFF, NEW_TYPE)
    assert (pt["agency"], pt["version"], pt["active"], pt["attributes"]) == ("OP", 1, True, [])
    assert quote(uow(), NEW_TYPE["code"], "072", MONDAY)["due_at"] == "2026-03-11T16:00:00-06:00"
    with pytest.raises(errors.Conflict) as caught:
        handlers.create_petition_type(uow(), OP_STAFF, NEW_TYPE)
    assert caught.value.code == "tipo_peticion_duplicado"
    with pytest.raises(errors.InvalidInput) as caught:
        handlers.create_petition_type(uow(), OP_STAFF, NEW_TYPE | {"code": "OP-OTRO", "department": "SIAP-BARRIDO"})
    assert caught.value.code == "dependencia_o_departamento_invalido"
    with pytest.raises(errors.InvalidInput):
        handlers.create_petition_type(uow(), ADMIN, NEW_TYPE | {"code": "OP-OTRO"})  # admin must say the agency


@pytest.mark.parametrize("changes, expected", [
    ({"sla_unit": "weeks"}, "«sla_unit»: Debe ser uno de: calendar_days, business_days, business_hours."),
    ({"sla_amount": -1}, "«sla_amount»: No puede ser negativo."),
    ({"sla_amount": "5"}, "«sla_amount»: Debe ser un número entero."),
    ({"sla_amount": 900, "sla_unit": "business_days"}, "no puede pasar de 500"),
    ({"code": "OTRO"}, "«code»: Campo desconocido."),
    ({"name": "  "}, "«name»: Debe tener entre 1 y 200 caracteres."),
    ({"kind": "Otro"}, "«kind»: Debe ser uno de: Servicio, Trámite."),
    ({"attributes": [{"code": "tipo", "description": "TIPO", "datatype": "singlevaluelist"}]},
     "Una pregunta de lista necesita valores."),
])
def test_invalid_changes_are_rejected_in_spanish(uow, changes, expected):
    with pytest.raises(errors.InvalidInput) as caught:
        handlers.update_petition_type(uow(), OP_STAFF, LAMP, changes, 1)
    assert expected in caught.value.message
    assert json.loads(str(caught.value))["code"] == "datos_invalidos"


def test_sla_bound_applies_to_the_resulting_unit(uow):
    handlers.update_petition_type(uow(), OP_STAFF, LAMP, {"sla_amount": 600}, 1)  # calendar days: fine
    with pytest.raises(errors.InvalidInput):
        handlers.update_petition_type(uow(), OP_STAFF, LAMP, {"sla_unit": "business_days"}, 2)


def test_version_must_be_an_integer_and_the_type_must_exist(uow):
    with pytest.raises(errors.InvalidInput) as caught:
        handlers.update_petition_type(uow(), OP_STAFF, LAMP, {"sla_amount": 1}, "1")
    assert caught.value.code == "version_invalida"
    with pytest.raises(errors.NotFound) as caught:
        handlers.update_petition_type(uow(), OP_STAFF, "NO EXISTE", {"sla_amount": 1}, 1)
    assert caught.value.code == "tipo_peticion_no_encontrado"


# --------------------------------------------------------------------------- admin only

def test_only_admins_maintain_agencies_departments_channels_and_calendar(uow):
    for call in (lambda a: handlers.upsert_agency(uow(), a, {"code": "IMPLAN", "name": "INSTITUTO DE PLANEACION"}),
                 lambda a: handlers.upsert_department(uow(), a, {"code": "OP-NUEVO", "agency": "OP", "name": "NUEVO"}),
                 lambda a: handlers.upsert_channel(uow(), a, {"code": "TELEGRAM", "name": "TELEGRAM"}),
                 lambda a: handlers.update_calendar(uow(), a, {"extra_days_off": ["2026-03-03"]})):
        with pytest.raises(errors.Forbidden):
            call(OP_STAFF)
        call(ADMIN)
    assert {"code": "IMPLAN", "name": "INSTITUTO DE PLANEACION", "active": True} in handlers.list_agencies(uow())
    assert [d["code"] for d in handlers.list_departments(uow(), "OP")] == [
        "OP-ALUMBRADO", "OP-BACHEO", "OP-MANTENIMIENTO", "OP-NUEVO", "OP-PLUVIAL"]
    assert {"code": "TELEGRAM", "name": "TELEGRAM", "active": True} in handlers.list_channels(uow())
    assert handlers.get_calendar(uow())["extra_days_off"] == ["2026-03-03"]


def test_agency_and_department_upserts_validate(uow):
    with pytest.raises(errors.InvalidInput) as caught:
        handlers.upsert_agency(uow(), ADMIN, {"code": "op", "name": "X"})
    assert "Código inválido" in caught.value.message
    with pytest.raises(errors.InvalidInput):
        handlers.upsert_department(uow(), ADMIN, {"code": "XX-NUEVO", "agency": "XX", "name": "NUEVO"})
    with pytest.raises(errors.Conflict) as caught:  # OP's lamps use it
        handlers.upsert_department(uow(), ADMIN, {"code": "OP-ALUMBRADO", "agency": "SIAP", "name": "ALUMBRADO"})
    assert caught.value.code == "departamento_en_uso"
    d = handlers.upsert_department(uow(), ADMIN, {"code": "OP-ALUMBRADO", "agency": "OP", "name": "ALUMBRADO",
                                                  "active": False})
    assert d == {"code": "OP-ALUMBRADO", "agency": "OP", "name": "ALUMBRADO", "active": False}
    a = handlers.upsert_agency(uow(), ADMIN, {"code": "OP", "name": "OBRA PUBLICA"})
    assert a["name"] == "OBRA PUBLICA"


def test_a_channel_can_be_deactivated(uow, quote):
    handlers.upsert_channel(uow(), ADMIN, {"code": "072", "name": "LÍNEA 072", "active": False})
    with pytest.raises(errors.NotFound) as caught:
        quote(uow(), LAMP, "072", MONDAY)
    assert caught.value.code == "canal_no_encontrado"


def test_calendar_changes_apply_to_new_quotes_and_are_validated(uow, quote):
    handlers.update_petition_type(uow(), OP_STAFF, LAMP, {"sla_amount": 2, "sla_unit": "business_days"}, 1)
    assert quote(uow(), LAMP, "072", MONDAY)["due_at"] == "2026-03-04T16:00:00-06:00"
    before = handlers.get_calendar(uow())
    cal = handlers.update_calendar(uow(), ADMIN, {"extra_days_off": ["2026-03-03"], "workday_end": "15:00"})
    assert cal["workday_end"] == "15:00" and cal["workday_start"] == before["workday_start"]
    assert quote(uow(), LAMP, "072", MONDAY)["due_at"] == "2026-03-05T15:00:00-06:00"
    for bad in ({"workday_end": "07:00"}, {"weekend_days": [0, 1, 2, 3, 4, 5, 6]}, {"tz": "Marte/Olympus"},
                {"extra_days_off": ["2026-02-30"]}, {"workday_start": "8am"}, {"holidays": []}):
        with pytest.raises(errors.InvalidInput) as caught:
            handlers.update_calendar(uow(), ADMIN, bad)
        assert caught.value.code == "calendario_invalido"
    assert handlers.get_calendar(uow()) == cal
