"""The lifecycle of a report over HTTP against the platform as `make up` runs it: agency
staff start and finish a report with its closing intervention; another agency's staff
get 403; a stale version gets 409; routing's events match contracts/; the citizen
reopens a closure with the folio's token."""
import time

import pytest
import requests

pytestmark = pytest.mark.e2e


def etag_is_version(r) -> None:
    """The assignment's ETag is its version."""
    assert r.headers["etag"] == f'"{r.json()["version"]}"'


def test_agency_staff_start_and_finish_with_a_closing_intervention(platform, tokens, subscribe, contracts, file_report,
                                                                   wait_assigned):
    base, staff = platform.gateway_url, tokens["agency_staff"]
    changed = subscribe(platform.amqp_uri, "routing.events", "report_status_changed")
    added = subscribe(platform.amqp_uri, "routing.events", "intervention_added")
    folio = file_report(base, tokens["operator"], "OP-LAMPARA APAGADA")
    a = wait_assigned(base, folio, staff, check=etag_is_version)
    assert (a["status"], a["agency"], a["version"]) == ("captured", "OP", 1)

    r = requests.post(f"{base}/v1/reports/{folio}/start", json={"text": "Cuadrilla en camino"},
                      headers=staff | {"If-Match": '"1"'}, timeout=10)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "in_progress" and r.headers["etag"] == '"2"'

    r = requests.post(f"{base}/v1/reports/{folio}/finish", json={"version": 2}, headers=staff, timeout=10)
    assert r.status_code == 422 and r.json()["code"] == "cierre_requerido"  # no closing text, no closure
    r = requests.post(f"{base}/v1/reports/{folio}/finish", json={"version": 2, "text": "Se cambió la lámpara"},
                      headers=staff, timeout=10)
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["version"]) == ("done", 3)

    report = requests.get(f"{base}/v1/reports/{folio}", headers=tokens["auditor"], timeout=10).json()
    assert report["status"] == "done"
    assert [h["kind"] for h in report["history"]] == ["assigned", "started", "finished"]
    assert report["history"][-1]["author"] == "agency_staff"

    r = requests.get(f"{base}/v1/reports/{folio}/interventions", headers=tokens["auditor"], timeout=10)
    assert r.status_code == 200
    assert [(i["kind"], i["text"]) for i in r.json()] == [("start", "Cuadrilla en camino"),
                                                           ("closing", "Se cambió la lámpara")]

    r = requests.post(f"{base}/v1/reports/{folio}/reopen", json={"version": 3, "reason": "Sigue apagada"},
                      headers=staff, timeout=10)
    assert r.status_code == 403  # only supervisors and admins reopen
    r = requests.post(f"{base}/v1/reports/{folio}/reopen", json={"version": 3, "reason": "Sigue apagada"},
                      headers=tokens["supervisor"], timeout=10)
    assert r.status_code == 200 and r.json()["status"] == "in_progress"

    audit = requests.get(f"{base}/v1/audit", params={"target": f"report:{folio}"},
                         headers=tokens["auditor"], timeout=10).json()
    assert {e["action"] for e in audit["items"]} >= {"report.started", "report.finished", "report.reopened"}

    deadline = time.monotonic() + 15
    while (len(changed.messages) < 3 or len(added.messages) < 2) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [(m["data"]["from"], m["data"]["to"]) for m in changed.messages] == [
        ("captured", "in_progress"), ("in_progress", "done"), ("done", "in_progress")]
    assert [m["data"]["kind"] for m in added.messages] == ["start", "closing"]
    for env in changed.messages + added.messages:
        contracts.validate(env)

    # stats follows the lifecycle: the reopened report counts as in progress, once
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        summary = requests.get(f"{base}/v1/stats/summary", timeout=10).json()
        if summary["in_progress"] == 1:
            break
        time.sleep(0.2)
    assert summary["in_progress"] == 1 and summary["done"] == 0
    assert summary["total"] == summary["captured"] + summary["in_progress"] + summary["done"] + summary["not_viable"]


def test_another_agency_gets_404_and_a_stale_version_409(platform, tokens, file_report, wait_assigned):
    """Another agency's report is not there for its staff (routing answers NotFound, as for a
    folio that does not exist); a role that may not act at all is 403 at the gateway."""
    base, staff = platform.gateway_url, tokens["agency_staff"]
    siap = file_report(base, tokens["operator"], "SIAP- RECOLECCION DE ANIMALES MUERTOS")
    lamp = file_report(base, tokens["operator"], "OP-LAMPARA APAGADA")
    a = wait_assigned(base, siap, tokens["supervisor"], check=etag_is_version)
    assert a["agency"] == "SIAP"

    r = requests.post(f"{base}/v1/reports/{siap}/start", json={"version": 1}, headers=staff, timeout=10)
    assert r.status_code == 404 and r.json()["code"] == "reporte_no_encontrado"
    assert r.headers["content-type"].startswith("application/problem+json")
    assert requests.get(f"{base}/v1/reports/{siap}/interventions", headers=staff, timeout=10).status_code == 404
    r = requests.post(f"{base}/v1/reports/{siap}/start", json={"version": 1}, headers=tokens["operator"], timeout=10)
    assert r.status_code == 403
    r = requests.post(f"{base}/v1/reports/{siap}/start", json={"version": 1}, timeout=10)
    assert r.status_code == 401

    wait_assigned(base, lamp, staff, check=etag_is_version)
    r = requests.post(f"{base}/v1/reports/{lamp}/start", json={}, headers=staff, timeout=10)
    assert r.status_code == 428 and r.json()["code"] == "version_requerida"
    assert requests.post(f"{base}/v1/reports/{lamp}/start", json={"version": 1}, headers=staff,
                         timeout=10).status_code == 200
    r = requests.post(f"{base}/v1/reports/{lamp}/not-viable", json={"version": 1, "reason": "Duplicado"},
                      headers=tokens["supervisor"], timeout=10)
    assert r.status_code == 409 and r.json()["code"] == "version_desactualizada"
    assert r.headers["content-type"].startswith("application/problem+json")
    r = requests.post(f"{base}/v1/reports/{lamp}/start", json={"version": 2}, headers=staff, timeout=10)
    assert r.status_code == 409 and r.json()["code"] == "transicion_invalida"

    # sharing with SIAP-ESPECIALES lets SIAP document it; reassigning to an unknown department is 422
    r = requests.post(f"{base}/v1/reports/{lamp}/share", json={"version": 2, "agency": "SIAP",
                                                               "department": "SIAP-ESPECIALES"},
                      headers=staff, timeout=10)
    assert r.status_code == 200 and r.json()["shares"][0]["department"] == "SIAP-ESPECIALES"
    r = requests.post(f"{base}/v1/reports/{lamp}/reassign", json={"version": 3, "agency": "SIAP",
                                                                  "department": "NO-EXISTE", "reason": "x"},
                      headers=staff, timeout=10)
    assert r.status_code == 422 and r.json()["code"] == "departamento_no_encontrado"
    r = requests.post(f"{base}/v1/reports/{lamp}/interventions", json={"text": "Revisado"}, headers=staff,
                      timeout=10)
    assert r.status_code == 201 and r.json()["kind"] == "note"


def test_the_citizen_reopens_a_closure_with_the_folio_token(platform, tokens, wait_assigned):
    base, staff = platform.gateway_url, tokens["agency_staff"]
    r = requests.post(f"{base}/v1/reports", headers=tokens["operator"], timeout=10, json={
        "petition_type": "OP-LAMPARA APAGADA", "channel": "072", "description": "Lámpara apagada",
        "location": {"lat": 21.1221, "lon": -101.6824, "colonia": "CENTRO", "street": "MADERO 100"}})
    assert r.status_code == 201, r.text
    folio, token = r.json()["folio"], r.json()["tracking_token"]
    wait_assigned(base, folio, staff)
    why = {"reason": "La lámpara se volvió a apagar"}
    r = requests.post(f"{base}/v1/track/{folio}/reopen", json={"token": token} | why, timeout=10)
    assert r.status_code == 409 and r.json()["code"] == "transicion_invalida"  # not closed yet
    assert requests.post(f"{base}/v1/reports/{folio}/start", json={"version": 1}, headers=staff,
                         timeout=10).status_code == 200
    assert requests.post(f"{base}/v1/reports/{folio}/finish", json={"version": 2, "text": "Lámpara cambiada"},
                         headers=staff, timeout=10).status_code == 200

    r = requests.post(f"{base}/v1/track/{folio}/reopen", json={"token": "ZZZZZZZZ"} | why, timeout=10)
    assert r.status_code == 404  # another person's folio: as if it did not exist
    r = requests.post(f"{base}/v1/track/{folio}/reopen", json={"token": token}, timeout=10)
    assert r.status_code == 422  # a reason is required
    r = requests.post(f"{base}/v1/track/{folio}/reopen", json={"token": token} | why, timeout=10)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "in_progress" and body["history"][-1]["kind"] == "reopened"
    assert "text" not in body["history"][-1] and "author" not in body["history"][-1]  # nothing personal out

    a = requests.get(f"{base}/v1/reports/{folio}/assignment", headers=staff, timeout=10).json()
    assert (a["status"], a["version"], a["history"][-1]["text"]) == ("in_progress", 4, why["reason"])
    audit = requests.get(f"{base}/v1/audit", params={"target": f"report:{folio}", "action": "report.reopened"},
                         headers=tokens["auditor"], timeout=10).json()
    assert [e["actor"] for e in audit["items"]] == [f"ciudadano:folio-{folio}"]
