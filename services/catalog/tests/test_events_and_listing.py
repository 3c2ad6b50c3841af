"""catalog publishes its agencies and departments (for consumers' projections) and pages
its own petition types, on real PostgreSQL."""
import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from sacinfra import errors

from catalog import handlers
from catalog.demo_catalog import AGENCIES, DEPARTMENTS

CONTRACTS = Path(__file__).resolve().parents[3] / "contracts"
ADMIN = {"kind": "staff", "username": "admin.catalogo", "role": "admin"}
OP_STAFF = {"kind": "staff", "username": "op.enlace", "role": "agency_staff", "agency": "OP"}
OPERATOR = {"kind": "staff", "username": "oper", "role": "operator"}
pytestmark = pytest.mark.timeout(60)


def validator(event: str) -> Draft202012Validator:
    schema = json.loads((CONTRACTS / "events" / f"catalog.{event}.v1.schema.json").read_text())
    return Draft202012Validator(schema, format_checker=FormatChecker())


def test_seeding_publishes_every_agency_and_department(peek):
    departments = [e["data"] for e in peek.events("department_changed")]
    agencies = [e["data"] for e in peek.events("agency_changed")]
    assert {d["code"] for d in departments} == {d["code"] for d in DEPARTMENTS}
    assert {a["code"] for a in agencies} == {a["code"] for a in AGENCIES}
    for d in departments:
        validator("department_changed").validate(d)
    for a in agencies:
        validator("agency_changed").validate(a)
    lighting = next(d for d in departments if d["code"] == "OP-ALUMBRADO")
    assert (lighting["agency"], lighting["active"]) == ("OP", True)


def test_department_created_edited_and_deactivated_are_published_once_each(uow, peek):
    before = len(peek.events("department_changed"))
    handlers.upsert_department(uow(), ADMIN, {"code": "OP-PUENTES", "agency": "OP", "name": "PUENTES"})
    handlers.upsert_department(uow(), ADMIN, {"code": "OP-PUENTES", "agency": "OP", "name": "PUENTES"})  # same
    handlers.upsert_department(uow(), ADMIN, {"code": "OP-PUENTES", "agency": "OP", "name": "PUENTES Y PASOS"})
    handlers.upsert_department(uow(), ADMIN, {"code": "OP-PUENTES", "agency": "OP", "name": "PUENTES Y PASOS",
                                              "active": False})
    events = [e["data"] for e in peek.events("department_changed")[before:]]
    assert [(e["code"], e["name"], e["active"]) for e in events] == [
        ("OP-PUENTES", "PUENTES", True), ("OP-PUENTES", "PUENTES Y PASOS", True),
        ("OP-PUENTES", "PUENTES Y PASOS", False)]
    for e in events:
        validator("department_changed").validate(e)


def test_agency_changes_are_published_and_refused_ones_are_not(uow, peek):
    before = len(peek.events("agency_changed")), len(peek.events("department_changed"))
    handlers.upsert_agency(uow(), ADMIN, {"code": "OP", "name": "OBRA PUBLICA", "active": False})
    with pytest.raises(errors.Forbidden):
        handlers.upsert_agency(uow(), OP_STAFF, {"code": "OP", "name": "OTRA"})
    with pytest.raises(errors.InvalidInput):
        handlers.upsert_department(uow(), ADMIN, {"code": "XX-NADA", "agency": "XX", "name": "NADA"})
    [event] = [e["data"] for e in peek.events("agency_changed")[before[0]:]]
    assert (event["code"], event["name"], event["active"]) == ("OP", "OBRA PUBLICA", False)
    assert len(peek.events("department_changed")) == before[1]


def test_petition_types_are_filtered_and_paged_by_catalog(uow):
    everything = handlers.list_petition_types(uow(), {}, 1, 1000, OPERATOR)
    assert everything["total"] == len(everything["items"]) > 100
    page = handlers.list_petition_types(uow(), {"agency": "OP"}, 2, 5, OPERATOR)
    op = [p for p in everything["items"] if p["agency"] == "OP"]
    assert (page["total"], page["page"], page["per_page"]) == (len(op), 2, 5)
    assert [p["code"] for p in page["items"]] == [p["code"] for p in op[5:10]]
    text = handlers.list_petition_types(uow(), {"q": "lampara", "kind": "servicio"}, 1, 50, OPERATOR)["items"]
    assert text and all("LAMPARA" in p["code"] or "LAMPARA" in p["name"] for p in text)
    dept = handlers.list_petition_types(uow(), {"department": "OP-ALUMBRADO", "sla_unit": "calendar_days"},
                                        1, 50, ADMIN)["items"]
    assert dept and {(p["department"], p["sla_unit"]) for p in dept} == {("OP-ALUMBRADO", "calendar_days")}
    # «%» and «_» are text, not wildcards
    assert handlers.list_petition_types(uow(), {"q": "%"}, 1, 50, ADMIN)["total"] == 0


def test_agency_staff_list_their_agency_unless_they_ask_for_another(uow):
    handlers.update_petition_type(uow(), OP_STAFF, "OP-LAMPARA APAGADA", {"active": False}, 1)
    mine = handlers.list_petition_types(uow(), {}, 1, 1000, OP_STAFF)["items"]
    assert mine and {p["agency"] for p in mine} == {"OP"}
    inactive = handlers.list_petition_types(uow(), {"active": False}, 1, 1000, OP_STAFF)["items"]
    assert [p["code"] for p in inactive] == ["OP-LAMPARA APAGADA"]
    siap = handlers.list_petition_types(uow(), {"agency": "SIAP"}, 1, 1000, OP_STAFF)["items"]
    assert siap and {p["agency"] for p in siap} == {"SIAP"}


@pytest.mark.parametrize("filters, page, per_page, code", [
    ({"color": "rojo"}, 1, 10, "filtro_invalido"),
    ({"active": "sí"}, 1, 10, "filtro_invalido"),
    ({"q": ""}, 1, 10, "filtro_invalido"),
    ("OP", 1, 10, "filtro_invalido"),
    ({}, 0, 10, "pagina_invalida"),
    ({}, 1, 1001, "pagina_invalida"),
    ({}, True, 10, "pagina_invalida"),
])
def test_bad_filters_and_pages_are_invalid_input(uow, filters, page, per_page, code):
    with pytest.raises(errors.InvalidInput) as caught:
        handlers.list_petition_types(uow(), filters, page, per_page, OPERATOR)
    assert caught.value.code == code
