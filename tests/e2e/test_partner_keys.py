"""Partner API keys through the platform: an admin makes a channel key (secret shown
once), the key files reports of its own channel only, the demo department key reads and
writes back its department's reports and nothing else, and revocation is immediate."""
import time

import pytest
import requests

pytestmark = pytest.mark.e2e
SHARED_PLATFORM = True  # asserts nothing platform-wide

REPORT = {"description": "Lámpara apagada en la esquina",
          "location": {"lat": 21.1221, "lon": -101.6824, "colonia": "CENTRO", "street": "MADERO 100"}}
DEPT_KEY = {"X-API-Key": "demo-op-alumbrado-key-2026"}  # README's demo table


def file(base, headers, petition_type="OP-LAMPARA APAGADA", channel="072") -> requests.Response:
    return requests.post(f"{base}/v1/reports", json=REPORT | {"petition_type": petition_type, "channel": channel},
                         headers=headers, timeout=10)


def wait_assigned(base, folio, headers, timeout=30) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r = requests.get(f"{base}/v1/reports/{folio}/assignment", headers=headers, timeout=10)
        if r.status_code == 200:
            return r.json()
        time.sleep(0.2)
    raise AssertionError(f"folio {folio} not assigned in {timeout}s")


def test_a_channel_key_files_only_its_channel(platform, tokens):
    base = platform.gateway_url
    r = requests.post(f"{base}/v1/admin/api-keys", headers=tokens["admin"], timeout=10, json={
        "name": "app-vecinal", "kind": "channel", "channel": "NO-EXISTE", "scopes": ["reports:create"]})
    assert r.status_code == 422 and r.json()["code"] == "canal_no_encontrado", r.text
    r = requests.post(f"{base}/v1/admin/api-keys", headers=tokens["admin"], timeout=10, json={
        "name": "app-vecinal", "kind": "channel", "channel": "POR MI BARRIO", "scopes": ["reports:create"],
        "rate_limit": 100})
    assert r.status_code == 201, r.text
    created = r.json()
    key = {"X-API-Key": created["secret"]}
    assert created["secret"].startswith(created["key_prefix"]) and created["active"] is True
    listed = requests.get(f"{base}/v1/admin/api-keys", headers=tokens["admin"], timeout=10)
    assert created["secret"] not in listed.text

    r = file(base, key, channel="072")
    assert r.status_code == 403 and r.json()["code"] == "canal_no_permitido", r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    r = file(base, key, channel="POR MI BARRIO")
    assert r.status_code == 201, r.text
    folio = r.json()["folio"]
    row = wait_assigned(base, folio, tokens["supervisor"])
    assert row["agency"] == "OP"
    r = requests.get(f"{base}/v1/reports", params={"folios": folio}, headers=tokens["supervisor"], timeout=10)
    assert r.status_code == 200, r.text
    assert [i["created_by"] for i in r.json()["items"]] == ["api-key:app-vecinal"]
    assert file(base, {}, channel="072").status_code == 401

    r = requests.delete(f"{base}/v1/admin/api-keys/{created['id']}", headers=tokens["admin"], timeout=10)
    assert r.status_code == 200 and r.json()["active"] is False
    r = file(base, key, channel="POR MI BARRIO")
    assert r.status_code == 401 and r.json()["code"] == "clave_invalida"
    audit = requests.get(f"{base}/v1/audit", params={"target": "api-key:app-vecinal"}, headers=tokens["admin"],
                         timeout=10).json()["items"]
    assert sorted(a["action"] for a in audit) == ["api_key.created", "api_key.revoked"]


def test_a_department_key_reads_and_writes_back_only_its_department(platform, tokens):
    base = platform.gateway_url
    op = tokens["operator"]
    lamp = file(base, op).json()["folio"]  # OP / OP-ALUMBRADO
    siap = file(base, op, "SIAP- RECOLECCION DE ANIMALES MUERTOS").json()["folio"]
    for f in (lamp, siap):
        wait_assigned(base, f, tokens["supervisor"])

    # reads: its department's report; another department's is not there for it
    r = requests.get(f"{base}/v1/reports/{lamp}", headers=DEPT_KEY, timeout=10)
    assert r.status_code == 200 and r.json()["department"] == "OP-ALUMBRADO", r.text
    r = requests.get(f"{base}/v1/reports/{siap}", headers=DEPT_KEY, timeout=10)
    assert r.status_code == 404 and r.json()["code"] == "reporte_no_encontrado", r.text
    assert requests.get(f"{base}/v1/reports/{siap}/assignment", headers=DEPT_KEY, timeout=10).status_code == 404
    r = requests.get(f"{base}/v1/reports/{lamp}", headers={"X-API-Key": "sac_nope"}, timeout=10)
    assert r.status_code == 401

    # write back: start, an intervention, finish — on its own report only
    r = requests.post(f"{base}/v1/reports/{lamp}/start", json={"text": "Recibido en el sistema de alumbrado"},
                      headers=DEPT_KEY | {"If-Match": '"1"'}, timeout=10)
    assert r.status_code == 200 and r.json()["status"] == "in_progress", r.text
    r = requests.post(f"{base}/v1/reports/{lamp}/interventions", json={"text": "Cuadrilla 3 asignada"},
                      headers=DEPT_KEY, timeout=10)
    assert r.status_code == 201 and r.json()["author"] == "api-key:op-alumbrado-demo", r.text
    r = requests.post(f"{base}/v1/reports/{lamp}/finish", json={"version": 2, "text": "Lámpara sustituida"},
                      headers=DEPT_KEY, timeout=10)
    assert r.status_code == 200 and r.json()["status"] == "done", r.text
    r = requests.post(f"{base}/v1/reports/{siap}/start", json={"version": 1}, headers=DEPT_KEY, timeout=10)
    assert r.status_code == 404 and r.json()["code"] == "reporte_no_encontrado", r.text
    # what a department key may not do at all: reassign (a staff decision)
    r = requests.post(f"{base}/v1/reports/{siap}/reassign", headers=DEPT_KEY, timeout=10,
                      json={"version": 1, "agency": "OP", "department": "OP-ALUMBRADO", "reason": "mío"})
    assert r.status_code == 401  # the route takes staff tokens only
    # and it cannot file reports
    assert file(base, DEPT_KEY).status_code == 403

    audit = requests.get(f"{base}/v1/audit", params={"actor": "api-key:op-alumbrado-demo"},
                         headers=tokens["admin"], timeout=10).json()["items"]
    assert {a["action"] for a in audit if a["target"] == f"report:{lamp}"} == {
        "report.started", "report.intervention_added", "report.finished"}
