"""MODINFO over HTTP against the platform as `make up` runs it: the demo guide loaded by
prepare, search and the tree, a consult and a printed ticket (PDF and text) with their
events valid against contracts/, statistics and their export, maintenance with versions,
import with per-line errors, roles, and the public guide without internal fields."""
import datetime as dt
import io
import json
import re
import time
from zoneinfo import ZoneInfo

import pytest
import requests
from openpyxl import load_workbook

pytestmark = pytest.mark.e2e
SHARED_PLATFORM = True  # asserts nothing platform-wide: MODINFO's demo guide, which no other shared module touches

TODAY = dt.datetime.now(ZoneInfo("America/Mexico_City")).date().isoformat()


def test_demo_guide_search_tree_and_public_view(platform, tokens):
    base, op = platform.gateway_url, tokens["operator"]
    assert requests.get(f"{base}/v1/directory/offices", timeout=10).status_code == 401
    r = requests.get(f"{base}/v1/directory/offices", params={"q": "dif"}, headers=op, timeout=10)
    assert r.status_code == 200, r.text
    ids = [o["id"] for o in r.json()["items"]]
    assert ids[:2] == ["dif-leon", "dif-estatal"] and "sndif" in ids
    everything = requests.get(f"{base}/v1/directory/offices", params={"limit": 1}, headers=op, timeout=10).json()
    assert everything["total"] >= 200
    federal = requests.get(f"{base}/v1/directory/offices", params={"q": "credencial", "level": "FEDERAL"},
                           headers=op, timeout=10).json()
    assert {o["level"] for o in federal["items"]} == {"FEDERAL"} and federal["total"] >= 1
    tree = requests.get(f"{base}/v1/directory/tree", params={"expand": "none"}, headers=op, timeout=10).json()
    pres = next(n for n in tree["roots"] if n["id"] == "presidencia")
    assert pres["children"] == [] and pres["children_count"] > 10
    tree = requests.get(f"{base}/v1/directory/tree", params={"expand": "all"}, headers=op, timeout=10).json()
    assert len(next(n for n in tree["roots"] if n["id"] == "presidencia")["children"]) == pres["children_count"]
    public = requests.get(f"{base}/v1/public/directory/offices", params={"q": "Desarrollo Integral"}, timeout=10)
    assert public.status_code == 200
    dif = next(o for o in public.json()["items"] if o["id"] == "dif-leon")
    assert "person_in_charge" not in dif and "extensions" not in dif
    one = requests.get(f"{base}/v1/public/directory/offices/dif-leon", timeout=10).json()
    assert one["name"].startswith("Desarrollo Integral") and "person_in_charge" not in one
    assert requests.get(f"{base}/v1/directory/offices", params={"q": "dif"}, headers=tokens["block_leader"],
                        timeout=10).status_code == 403


def test_consult_print_events_statistics_and_export(platform, tokens, subscribe, contracts):
    base, op, sup = platform.gateway_url, tokens["operator"], tokens["supervisor"]
    events = subscribe(platform.amqp_uri, "directory.events", "#")
    r = requests.post(f"{base}/v1/directory/offices/sapal/consultations", json={"channel": "072"}, headers=op,
                      timeout=10)
    assert r.status_code == 200 and r.json()["acronym"] == "SAPAL"
    r = requests.post(f"{base}/v1/directory/offices/sapal/tickets", json={"channel": "VENTANILLA"}, headers=op,
                      timeout=20)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf" and r.content.startswith(b"%PDF")
    number = r.headers["x-numero-atencion"]
    assert len(number) == 10 and number.isdigit()
    r = requests.post(f"{base}/v1/directory/offices/sapal/tickets", json={"channel": "072", "format": "text"},
                      headers=op, timeout=20)
    assert r.headers["content-type"].startswith("text/plain")
    assert int(r.headers["x-numero-atencion"]) == int(number) + 1 and "NÚMERO DE ATENCIÓN" in r.text
    assert requests.post(f"{base}/v1/directory/offices/sapal/tickets", json={"channel": "072"},
                         headers=tokens["auditor"], timeout=10).status_code == 403

    deadline = time.monotonic() + 30
    while len(events.messages) < 3 and time.monotonic() < deadline:
        time.sleep(0.2)
    got = list(events.messages)
    kinds = sorted(m["event_type"] for m in got)
    assert kinds == ["directory_consulted", "ticket_printed", "ticket_printed"]
    for m in got:
        contracts.validate(m)
    assert "operator" not in json.dumps(got)

    stats = requests.get(f"{base}/v1/directory/statistics", headers=sup, timeout=10,
                         params={"date_from": TODAY, "date_to": TODAY, "group": "detail"}).json()
    sapal = next(row for row in stats["rows"] if row["office_id"] == "sapal")
    assert sapal["consulted"] == 1 and sapal["printed"] == 2 and sapal["level"] == "PARAMUNICIPAL"
    channel = requests.get(f"{base}/v1/directory/statistics", headers=tokens["auditor"], timeout=10,
                           params={"date_from": TODAY, "date_to": TODAY, "group": "channel"}).json()
    assert {r["channel"] for r in channel["rows"]} >= {"072", "VENTANILLA"}
    assert requests.get(f"{base}/v1/directory/statistics", headers=op, timeout=10,
                        params={"date_from": TODAY, "date_to": TODAY}).status_code == 403
    x = requests.get(f"{base}/v1/directory/statistics/export", headers=sup, timeout=30,
                     params={"date_from": TODAY, "date_to": TODAY, "format": "xlsx"})
    assert x.status_code == 200, x.text
    sheet = load_workbook(io.BytesIO(x.content), read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Nombre", "Nivel Gobierno", "Consultado", "Impreso")
    assert any(r[0].startswith("Sistema de Agua Potable") and r[2] == 1 and r[3] == 2 for r in rows[1:])
    c = requests.get(f"{base}/v1/directory/statistics/export", headers=sup, timeout=30,
                     params={"date_from": TODAY, "date_to": TODAY, "format": "csv", "group": "total"})
    assert c.text.lstrip("\ufeff").splitlines()[0] == "Oficinas,Consultado,Impreso"
    assert requests.get(f"{base}/v1/directory/statistics/export", headers=tokens["auditor"], timeout=30,
                        params={"date_from": TODAY, "date_to": TODAY}).status_code == 403
    log = requests.get(f"{base}/v1/directory/log", headers=sup, timeout=10,
                       params={"date_from": TODAY, "date_to": TODAY, "office_id": "sapal"}).json()
    assert {(e["kind"], e["channel"], e["user"]) for e in log["items"]} >= {
        ("consulted", "072", "operator"), ("printed", "VENTANILLA", "operator")}


def test_maintenance_versions_import_and_roles(platform, tokens):
    base, sup, admin, op = platform.gateway_url, tokens["supervisor"], tokens["admin"], tokens["operator"]
    body = {"id": "e2e-oficina", "name": "Oficina de Prueba E2E", "level": "MUNICIPAL", "parent_id": "presidencia",
            "phones": ["477 000 0000"], "person_in_charge": "JEFE(A) DE OFICINA"}
    assert requests.post(f"{base}/v1/directory/offices", json=body, headers=op, timeout=10).status_code == 403
    r = requests.post(f"{base}/v1/directory/offices", json=body, headers=sup, timeout=10)
    assert r.status_code == 201, r.text
    assert r.headers["location"] == "/v1/directory/offices/e2e-oficina" and r.headers["etag"] == '"1"'
    r = requests.patch(f"{base}/v1/directory/offices/e2e-oficina", json={"hours": "9 a 14"},
                       headers=admin | {"If-Match": '"1"'}, timeout=10)
    assert r.status_code == 200 and r.json()["version"] == 2
    r = requests.patch(f"{base}/v1/directory/offices/e2e-oficina", json={"version": 1, "hours": "10 a 12"},
                       headers=admin, timeout=10)
    assert r.status_code == 409 and r.json()["code"] == "version_desactualizada"
    bad = requests.post(f"{base}/v1/directory/offices", json=body | {"id": "e2e-mala", "postal_code": "123",
                                                                    "email": "no"}, headers=sup, timeout=10)
    assert bad.status_code == 422 and "código postal" in bad.json()["detail"]
    history = requests.get(f"{base}/v1/directory/offices/e2e-oficina/history", headers=tokens["auditor"], timeout=10)
    assert [(h["version"], h["author"]) for h in history.json()] == [(1, "supervisor"), (2, "admin")]
    assert history.json()[1]["before"]["hours"] == "" and history.json()[1]["after"]["hours"] == "9 a 14"

    csv = ("clave,nombre,nivel de gobierno,clave superior\r\n"
           "e2e-hijo,Área hija,MUNICIPAL,e2e-oficina\r\n"
           "e2e-malo,Área mala,MUNDIAL,\r\n")
    r = requests.post(f"{base}/v1/directory/import?format=csv", data=csv.encode(), headers=sup | {
        "Content-Type": "text/csv"}, timeout=60)
    assert r.status_code == 422 and r.json()["code"] == "importacion_invalida"
    problem = r.json()  # the bad lines: as ``errors`` where the gateway passes them on, always in the detail
    lines = ([e["line"] for e in problem.get("errors", [])]
             or [int(n) for n in re.findall(r"línea (\d+)", problem["detail"])])
    assert lines == [3]
    assert requests.get(f"{base}/v1/directory/offices/e2e-hijo", headers=op, timeout=10).status_code == 404
    r = requests.post(f"{base}/v1/directory/import", files={"file": ("dir.csv", csv.splitlines(True)[0] +
                                                                     csv.splitlines(True)[1])}, headers=sup, timeout=60)
    assert r.status_code == 200, r.text
    assert r.json()["created"] == 1
    x = requests.get(f"{base}/v1/directory/export", params={"format": "csv"}, headers=admin, timeout=60)
    assert x.status_code == 200 and "e2e-hijo" in x.text
    assert requests.get(f"{base}/v1/directory/export", headers=op, timeout=10).status_code == 403
