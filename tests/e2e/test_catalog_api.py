"""The catalog over HTTP against the platform as `make up` runs it: who may change what,
optimistic locking, an SLA change reaching the next report (and not earlier ones),
import with per-line errors, export, and the Open311 GeoReport v2 service list."""
import datetime as dt
from urllib.parse import quote
from xml.etree import ElementTree as ET

import pytest
import requests

pytestmark = pytest.mark.e2e

SLASH = "OP-SOLICIT DE MANTENIN PODA Y/O DESHIERB"      # OP, calendar days, «/» in the code
ENYE = "SIAP- RECOLECCION DE ARBOLES NAVIDEÑOS"          # SIAP, «Ñ» and spaces
SLA_TYPE = "OP-REPARACION DE GUARNICION"                 # OP, calendar days, used only here
REPORT = {"channel": "072", "description": "Guarnición rota",
          "location": {"lat": 21.1221, "lon": -101.6824, "colonia": "CENTRO", "street": "MADERO 100"},
          "citizen_number": None}


def pt_url(base, code, suffix=""):
    return f"{base}/v1/catalog/petition-types/{quote(code, safe='')}{suffix}"


def read(base, code, h):
    r = requests.get(pt_url(base, code), headers=h, timeout=10)
    assert r.status_code == 200, r.text
    assert r.headers["etag"] == f'"{r.json()["version"]}"'
    return r.json()


def test_who_may_change_what(platform, tokens):
    base = platform.gateway_url
    staff, op, admin = tokens["agency_staff"], tokens["operator"], tokens["admin"]
    assert requests.get(f"{base}/v1/catalog/petition-types", timeout=10).status_code == 401
    mine = requests.get(f"{base}/v1/catalog/petition-types", headers=staff, timeout=10).json()
    assert mine["total"] > 5 and {p["agency"] for p in mine["items"]} == {"OP"}
    everything = requests.get(f"{base}/v1/catalog/petition-types", headers=op, timeout=10).json()
    assert {"OP", "SIAP"} <= {p["agency"] for p in everything["items"]}

    # agency staff of OP edits an OP type (code with «/», version in If-Match)
    pt = read(base, SLASH, staff)
    r = requests.patch(pt_url(base, SLASH), json={"description": "Poda y deshierbe en áreas verdes"},
                       headers=staff | {"If-Match": f'"{pt["version"]}"'}, timeout=10)
    assert r.status_code == 200, r.text
    assert r.json()["version"] == pt["version"] + 1 and r.headers["etag"] == f'"{pt["version"] + 1}"'
    history = requests.get(pt_url(base, SLASH, "/history"), headers=op, timeout=10).json()
    assert history[-1]["author"] == "agency_staff" and history[-1]["changed_fields"] == ["description"]

    # …but not another agency's type (code with «Ñ»), and operators edit nothing
    other = read(base, ENYE, staff)
    r = requests.patch(pt_url(base, ENYE), json={"sla_amount": 6, "version": other["version"]},
                       headers=staff, timeout=10)
    assert r.status_code == 403 and r.json()["code"] == "prohibido"
    r = requests.patch(pt_url(base, SLASH), json={"sla_amount": 21, "version": pt["version"] + 1},
                       headers=op, timeout=10)
    assert r.status_code == 403
    assert requests.patch(pt_url(base, SLASH), json={"sla_amount": 21, "version": 1}, timeout=10).status_code == 401
    r = requests.put(f"{base}/v1/catalog/channels/TEST", json={"name": "PRUEBA"}, headers=staff, timeout=10)
    assert r.status_code == 403

    # admins edit anything
    r = requests.patch(pt_url(base, ENYE), json={"sla_amount": 6, "version": other["version"]},
                       headers=admin, timeout=10)
    assert r.status_code == 200 and r.json()["sla_amount"] == 6
    r = requests.put(f"{base}/v1/catalog/channels/TEST", json={"name": "PRUEBA"}, headers=admin, timeout=10)
    assert r.status_code == 200
    assert "TEST" in {c["code"] for c in requests.get(f"{base}/v1/catalog/channels", headers=op, timeout=10).json()}
    audit = requests.get(f"{base}/v1/audit", params={"action": "petition_type.updated"}, headers=admin,
                         timeout=10).json()
    assert {(e["actor"], e["target"]) for e in audit["items"]} >= {
        ("agency_staff", f"petition_type:{SLASH}"), ("admin", f"petition_type:{ENYE}")}


def test_stale_version_is_a_conflict(platform, tokens):
    base, staff = platform.gateway_url, tokens["agency_staff"]
    pt = read(base, SLASH, staff)
    r = requests.patch(pt_url(base, SLASH), json={"sla_amount": pt["sla_amount"] + 1, "version": pt["version"]},
                       headers=staff, timeout=10)
    assert r.status_code == 200
    r = requests.patch(pt_url(base, SLASH), json={"sla_amount": pt["sla_amount"] + 2},
                       headers=staff | {"If-Match": f'"{pt["version"]}"'}, timeout=10)
    assert r.status_code == 409 and r.json()["code"] == "version_desactualizada"
    assert r.headers["content-type"].startswith("application/problem+json")
    assert read(base, SLASH, staff)["sla_amount"] == pt["sla_amount"] + 1


def instant(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value)


def days_given(report: dict) -> int:
    """Calendar days from the creation day to the due day, in the due date's zone."""
    due = dt.datetime.fromisoformat(report["due_at"])
    created = dt.datetime.fromisoformat(report["created_at"]).astimezone(due.tzinfo)
    return (due.date() - created.date()).days


def test_an_sla_change_applies_to_the_next_report_only(platform, tokens):
    base, staff = platform.gateway_url, tokens["agency_staff"]
    pt = read(base, SLA_TYPE, staff)
    assert pt["sla_unit"] == "calendar_days"
    r = requests.post(f"{base}/v1/reports", json=REPORT | {"petition_type": SLA_TYPE}, headers=tokens["operator"],
                      timeout=10)
    assert r.status_code == 201, r.text
    before = r.json()
    assert days_given(before) == pt["sla_amount"]

    r = requests.patch(pt_url(base, SLA_TYPE), json={"sla_amount": pt["sla_amount"] + 10, "version": pt["version"]},
                       headers=staff, timeout=10)
    assert r.status_code == 200 and r.json()["sla_amount"] == pt["sla_amount"] + 10

    r = requests.post(f"{base}/v1/reports", json=REPORT | {"petition_type": SLA_TYPE}, headers=tokens["operator"],
                      timeout=10)
    assert r.status_code == 201, r.text
    after = r.json()
    assert days_given(after) == pt["sla_amount"] + 10

    earlier = requests.get(f"{base}/v1/reports/{before['folio']}", headers=tokens["operator"], timeout=10).json()
    assert instant(earlier["due_at"]) == instant(before["due_at"])  # the same moment, whatever the zone
    for key in ("sla_amount", "sla"):  # when the report exposes the SLA it was quoted
        if key in earlier:
            assert earlier[key] in (pt["sla_amount"], {"amount": pt["sla_amount"], "unit": "calendar_days"})
    later = requests.get(f"{base}/v1/reports/{after['folio']}", headers=tokens["operator"], timeout=10).json()
    assert instant(later["due_at"]) == instant(after["due_at"])


IMPORT_CSV = """código,nombre,tipo,descripción,sla_cantidad,sla_unidad,dependencia,departamento,activo,preguntas_json
OP-PRUEBA IMPORTADA,OP-PRUEBA IMPORTADA,Servicio,,5,días naturales,OP,OP-ALUMBRADO,sí,
OP-PRUEBA MALA 1,OP-PRUEBA MALA 1,Servicio,,5,semanas,OP,OP-ALUMBRADO,sí,
OP-PRUEBA MALA 2,OP-PRUEBA MALA 2,Servicio,,5,días naturales,NOEXISTE,OP-ALUMBRADO,sí,
OP-PRUEBA MALA 3,OP-PRUEBA MALA 3,Servicio,,-4,días naturales,OP,OP-ALUMBRADO,sí,
"""


def test_import_reports_bad_lines_then_imports_and_exports(platform, tokens):
    base, staff, admin = platform.gateway_url, tokens["agency_staff"], tokens["admin"]
    r = requests.post(f"{base}/v1/catalog/import", headers=admin, timeout=30,
                      files={"file": ("catálogo.csv", IMPORT_CSV.encode(), "text/csv")})
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["code"] == "importacion_invalida" and r.headers["content-type"].startswith("application/problem+json")
    assert sorted({e["line"] for e in body["errors"]}) == [3, 4, 5]
    assert all(e["message"] for e in body["errors"])
    r = requests.get(pt_url(base, "OP-PRUEBA IMPORTADA"), headers=staff, timeout=10)
    assert r.status_code == 404  # all or nothing

    good = "\n".join(IMPORT_CSV.splitlines()[:2]) + "\n"
    r = requests.post(f"{base}/v1/catalog/import", params={"format": "csv"}, data=good.encode(),
                      headers=staff | {"Content-Type": "text/csv"}, timeout=30)
    assert r.status_code == 200, r.text
    assert r.json() == {"imported": 1, "created": 1, "updated": 0, "unchanged": 0}
    assert read(base, "OP-PRUEBA IMPORTADA", staff)["version"] == 1

    r = requests.get(f"{base}/v1/catalog/export", params={"format": "csv"}, headers=staff, timeout=30)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"] and ".csv" in r.headers["content-disposition"]
    text = r.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("código,nombre") and "OP-PRUEBA IMPORTADA" in text
    assert "SIAP-" not in text  # agency staff export their own agency by default
    r = requests.get(f"{base}/v1/catalog/export", params={"format": "xlsx"}, headers=admin, timeout=30)
    assert r.status_code == 200 and r.content[:2] == b"PK"
    assert r.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "filename*=UTF-8''cat%C3%A1logo-de-peticiones-" in r.headers["content-disposition"]


def test_open311_services_and_definition(platform):
    base = platform.gateway_url
    r = requests.get(f"{base}/open311/v2/services.json", timeout=10)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    services = {s["service_code"]: s for s in r.json()}
    lamp = services["OP-LAMPARA APAGADA"]
    assert set(lamp) == {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
    assert lamp["type"] == "realtime" and lamp["metadata"] is True

    r = requests.get(f"{base}/open311/v2/services.xml", timeout=10)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/xml")
    root = ET.fromstring(r.content)
    assert root.tag == "services"
    assert {s.findtext("service_code") for s in root.findall("service")} == set(services)

    code = "SIAP- RECOLECCION DE ANIMALES MUERTOS"
    r = requests.get(f"{base}/open311/v2/services/{quote(code, safe='')}.json", timeout=10)
    assert r.status_code == 200, r.text
    attr = {a["code"]: a for a in r.json()["attributes"]}["tipo_animal"]
    assert attr["datatype"] == "singlevaluelist" and attr["required"] is True
    assert {"key": "PERRO", "name": "PERRO"} in attr["values"]
    root = ET.fromstring(requests.get(f"{base}/open311/v2/services/{quote(code, safe='')}.xml", timeout=10).content)
    assert root.tag == "service_definition" and root.findtext("service_code") == code
    assert "PERRO" in [v.findtext("key") for v in root.findall("attributes/attribute/values/value")]

    r = requests.get(f"{base}/open311/v2/services/NO%20EXISTE.json", timeout=10)
    assert r.status_code == 404 and r.json()[0]["code"] == 404 and r.json()[0]["description"]
