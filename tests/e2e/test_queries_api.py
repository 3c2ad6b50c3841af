"""Report lists over HTTP against the platform as `make up` runs it: reports filed with
staff tokens, then "Asuntos del día", "Consultas" (filters, hide_citizen_data /
hide_citizen_name / hide_map, grouped counts, citizen filters), the citizen history, who
sees what (agency staff scoped, block leader its own, auditor without personal data),
the personal-data access log of those reads, and bad input as 422 problems."""

import pytest
import requests

pytestmark = pytest.mark.e2e

CITIZEN = {"given_names": "Rosa Elvira", "first_surname": "Quiñones", "second_surname": "Téllez",
           "sex": "female", "birth_date": "1968-07-02", "phones": ["477 765 4321"],
           "address": {"colonia": "León Moderno", "street": "López Mateos", "number": "200", "postal_code": "37480"},
           "consent": True, "privacy_notice_version": "2026-01", "channel": "072"}
LOCATION = {"lat": 21.1221, "lon": -101.6824, "colonia": "León Moderno", "street": "Blvd. López Mateos 200"}


def get(base, path, headers, **params):
    return requests.get(f"{base}{path}", params=params, headers=headers, timeout=10)


@pytest.fixture(scope="module")
def filed(platform, tokens, file_report, wait_listed):
    base, op = platform.gateway_url, tokens["operator"]

    def file(headers, petition_type, **fields) -> int:
        return file_report(base, headers, petition_type,
                           **({"description": "Reporte de prueba de consultas", "location": LOCATION} | fields))

    r = requests.post(f"{base}/v1/citizens", json=CITIZEN, headers=op, timeout=10)
    assert r.status_code == 201, r.text
    number = r.json()["number"]
    lamp = file(op, "OP-LAMPARA APAGADA", citizen_number=number)
    trash = file(op, "SIAP- FALTA DE RECOLECCION DOMICILIARIA", citizen_number=number,
                 location=LOCATION | {"colonia": "Centro", "street": "Madero 100"})
    anon = file(op, "OP-LAMPARA APAGADA", location=LOCATION | {"colonia": "Obregón"})
    leader = file(tokens["block_leader"], "OP-LAMPARA APAGADA", channel="JEFE DE MANZANA")
    folios = [lamp, trash, anon, leader]
    wait_listed(base, folios, tokens["supervisor"])
    return {"number": number, "lamp": lamp, "trash": trash, "anon": anon, "leader": leader, "all": folios}


def folios_of(r) -> set[int]:
    assert r.status_code == 200, r.text
    return {i["folio"] for i in r.json()["items"]}


def test_asuntos_del_dia_scoped_with_citizen_columns(platform, tokens, filed):
    base = platform.gateway_url
    r = get(base, "/v1/reports/today", tokens["supervisor"])
    assert set(filed["all"]) <= folios_of(r)
    page = r.json()
    assert page["per_page"] == 50 and page["page"] == 1 and page["total"] >= 4 and "links" in page
    by = {i["folio"]: i for i in page["items"]}
    lamp = by[filed["lamp"]]
    assert (lamp["citizen_number"], lamp["citizen_name"], lamp["citizen_phone"]) == (
        filed["number"], "Rosa Elvira Quiñones Téllez", "4777654321")
    assert (lamp["status"], lamp["channel"], lamp["agency"], lamp["kind"]) == ("captured", "072", "OP", "Servicio")
    assert lamp["reassigned"] is False and lamp["due_at"] and lamp["petition_type"] == "OP-LAMPARA APAGADA"
    assert lamp["created_by"] == "operator" and by[filed["leader"]]["created_by"] == "block_leader"
    assert by[filed["anon"]]["citizen_name"] is None

    staff = get(base, "/v1/reports/today", tokens["agency_staff"])
    assert {filed["lamp"], filed["anon"], filed["leader"]} <= folios_of(staff)
    assert filed["trash"] not in folios_of(staff)  # another agency's
    assert all(i["agency"] == "OP" or i["shared_with"] for i in staff.json()["items"])
    assert folios_of(get(base, "/v1/reports/today", tokens["agency_staff"], channel="JEFE DE MANZANA")) \
        == {filed["leader"]}
    assert folios_of(get(base, "/v1/reports/today", tokens["block_leader"])) == {filed["leader"]}


def test_consultas_filters_and_hidden_data(platform, tokens, filed):
    base, sup = platform.gateway_url, tokens["supervisor"]
    q = {"colonia": "leon moderno", "status": "captured", "agency": "OP", "street": "lopez mat"}
    assert folios_of(get(base, "/v1/reports", sup, **q)) >= {filed["lamp"], filed["leader"]}
    assert filed["anon"] not in folios_of(get(base, "/v1/reports", sup, **q))

    [row] = get(base, "/v1/reports", sup, folios=filed["lamp"], hide_citizen_name="true").json()["items"]
    assert "citizen_name" not in row and row["citizen_phone"] == "4777654321" and row["lat"] == 21.1221
    [row] = get(base, "/v1/reports", sup, folios=filed["lamp"], hide_citizen_data="true",
                hide_map="true").json()["items"]
    assert not {"citizen_number", "citizen_name", "citizen_phone", "lat", "lon"} & set(row) and row["folio"]

    # auditors: the citizen number only, and no filtering by personal data
    [row] = get(base, "/v1/reports", tokens["auditor"], folios=filed["lamp"]).json()["items"]
    assert row["citizen_number"] == filed["number"] and "citizen_name" not in row and "citizen_phone" not in row
    r = get(base, "/v1/reports", tokens["auditor"], citizen_name="quinones")
    assert r.status_code == 403 and r.json()["code"] == "prohibido"

    # citizen filters resolved through the citizens service
    both = {filed["lamp"], filed["trash"]}
    assert folios_of(get(base, "/v1/reports", sup, citizen_name="QUIÑONES tellez")) == both
    assert folios_of(get(base, "/v1/reports", sup, citizen_name="quinones", sex="female", age_min=50)) == both
    assert folios_of(get(base, "/v1/reports", sup, citizen_name="quinones", age_max=30)) == set()
    assert folios_of(get(base, "/v1/reports", tokens["agency_staff"], citizen_name="quinones")) == {filed["lamp"]}

    # paging metadata; grouped counts
    r = get(base, "/v1/reports", sup, folios=",".join(map(str, filed["all"])), per_page=1, sort="folio")
    assert r.json()["total"] == 4 and r.json()["pages"] == 4 and "page=2" in r.json()["links"]["next"]
    assert [i["folio"] for i in r.json()["items"]] == [min(filed["all"])]
    g = get(base, "/v1/reports", sup, folios=",".join(map(str, filed["all"])), grouped="general").json()
    assert {x["agency"]: x["count"] for x in g["groups"]} == {"OP": 3, "SIAP": 1} and g["total"] == 4
    g = get(base, "/v1/reports", sup, folios=",".join(map(str, filed["all"])), grouped="detail").json()
    assert g["by"] == ["agency", "department", "petition_type"] and sum(x["count"] for x in g["groups"]) == 4

    # scoping: agency staff never see another agency's reports, block leaders only theirs
    assert folios_of(get(base, "/v1/reports", tokens["agency_staff"], agency="SIAP")) == set()
    assert folios_of(get(base, "/v1/reports", tokens["block_leader"])) == {filed["leader"]}


@pytest.mark.parametrize("params, code", [
    ({"status": "closed"}, "estatus_invalido"), ({"colour": "red"}, "parametro_desconocido"),
    ({"per_page": 500}, "por_pagina_invalido"), ({"date_from": "31/12/2026"}, "fecha_invalida"),
    ({"sort": "description"}, "orden_invalido"), ({"grouped": "mucho"}, "agrupacion_invalida"),
    ({"reassigned_only": "quizá"}, "parametro_invalido"),
])
def test_bad_input_is_a_422_problem(platform, tokens, params, code):
    r = get(platform.gateway_url, "/v1/reports", tokens["supervisor"], **params)
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json"), r.text
    assert r.json()["code"] == code and r.json()["detail"]


def test_citizen_history_and_the_access_log(platform, tokens, filed):
    base, number = platform.gateway_url, filed["number"]
    r = get(base, f"/v1/citizens/{number}/reports", tokens["operator"])
    assert folios_of(r) == {filed["lamp"], filed["trash"]}
    body = r.json()
    assert body["citizen"]["full_name"] == "Rosa Elvira Quiñones Téllez" and body["citizen"]["numbers"] == [number]
    assert set(body["items"][0]) >= {"folio", "created_at", "petition_type", "status", "agency"}
    assert folios_of(get(base, f"/v1/citizens/{number}/reports", tokens["agency_staff"])) == {filed["lamp"]}
    audited = get(base, f"/v1/citizens/{number}/reports", tokens["auditor"])
    assert folios_of(audited) == {filed["lamp"], filed["trash"]} and "full_name" not in audited.json()["citizen"]
    by_name = get(base, "/v1/citizens/reports", tokens["supervisor"], name="rosa quinones")
    assert folios_of(by_name) == {filed["lamp"], filed["trash"]} and by_name.json()["citizen_numbers"] == [number]
    assert get(base, "/v1/citizens/999999/reports", tokens["operator"]).status_code == 404

    # every list that showed the name or phone wrote the read to citizens' access log
    log = get(base, "/v1/citizens/access-log", tokens["auditor"], citizen_number=number, limit=1000).json()["items"]
    reads = {(e["username"], e["reason"]) for e in log if e["action"] == "read"}
    assert {("supervisor", "Asuntos del día"), ("agency_staff", "Asuntos del día"),
            ("supervisor", "Consultas y reportes"), ("operator", "Historial del ciudadano")} <= reads
    assert not any(e["username"] == "auditor" and e["action"] == "read" for e in log)
