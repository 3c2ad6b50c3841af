"""Surveys over HTTP against the platform as `make up` runs it, with every finished report
sampled (SURVEY_RATE=1, so the flow is deterministic; the rule's share at 10 % is measured
in services/surveys/tests) and two attempts at most: the sample is decided from routing's
events, an opted-out citizen is never queued, callers see the phone through citizens'
logged read, attempts end in «no localizado», a «no» to «¿Se resolvió su reporte?» reopens
the report through routing, the app rating works once and refuses a wrong token, follow-up
calls are counted, the export has no personal data, and the events match contracts/."""
import datetime as dt
import subprocess
import sys
import time
from zoneinfo import ZoneInfo

import pytest
import requests

pytestmark = pytest.mark.e2e

#: the platform of this module (tests/conftest.py): every finished report sampled, two attempts, no wait
PLATFORM_ENV = {"SURVEY_RATE": "1", "SURVEY_MAX_ATTEMPTS": "2", "SURVEY_RETRY_HOURS": "0"}


def citizen(base, headers, phone):
    r = requests.post(f"{base}/v1/citizens", params={"force": "true"}, headers=headers, timeout=10, json={
        "given_names": "María", "first_surname": "López", "phones": [phone], "consent": True,
        "privacy_notice_version": "2026-01", "channel": "072"})
    assert r.status_code == 201, r.text
    return r.json()["number"]


def file(base, headers, number, channel="072"):
    r = requests.post(f"{base}/v1/reports", headers=headers, timeout=10, json={
        "petition_type": "OP-LAMPARA APAGADA", "channel": channel, "description": "Lámpara apagada",
        "location": {"lat": 21.1221, "lon": -101.6824, "colonia": "CENTRO", "street": "MADERO 100"},
        "citizen_number": number})
    assert r.status_code == 201, r.text
    return r.json()["folio"], r.json()["tracking_token"]


def finish(base, staff, folio, wait_assigned):
    wait_assigned(base, folio, staff)
    r = requests.post(f"{base}/v1/reports/{folio}/start", json={"version": 1}, headers=staff, timeout=10)
    assert r.status_code == 200, r.text
    r = requests.post(f"{base}/v1/reports/{folio}/finish", json={"version": 2, "text": "Se cambió la lámpara"},
                      headers=staff, timeout=10)
    assert r.status_code == 200, r.text


def until(check, what, timeout=30):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        assert time.monotonic() < deadline, what
        time.sleep(0.2)


ANSWERS = {"calidad_informacion": 4, "tiempo_atencion": 3, "confianza": 4, "satisfaccion": 5,
           "medio_preferido": "Línea 072", "comentarios": "Atendieron rápido"}


def test_the_survey_flow(platform, tokens, wait_assigned, subscribe, contracts):
    base = platform.gateway_url
    op, sup, aud, staff = tokens["operator"], tokens["supervisor"], tokens["auditor"], tokens["agency_staff"]
    completed = subscribe(platform.amqp_uri, "surveys.events", "survey_completed")
    logged = subscribe(platform.amqp_uri, "surveys.events", "follow_up_call_logged")
    maria, opposed = citizen(base, op, "477 123 4567"), citizen(base, op, "477 765 4321")
    r = requests.post(f"{base}/v1/citizens/{opposed}/opposition", headers=op, timeout=10,
                      json={"scopes": ["surveys"], "reason": "no desea recibir encuestas"})
    assert r.status_code == 200, r.text
    (f1, t1), (f2, _), (f3, _), (f4, t4) = (file(base, op, maria), file(base, op, maria), file(base, op, opposed),
                                            file(base, op, maria, "ANDROID"))
    for folio in (f1, f2, f3, f4):
        finish(base, staff, folio, wait_assigned)

    period = dt.datetime.now(ZoneInfo("America/Mexico_City")).strftime("%Y-%m")
    doc = until(lambda: (lambda d: d if len(d.get("decisions", [])) == 4 else None)(
        requests.get(f"{base}/v1/surveys/periods/{period}/decisions", headers=aud, timeout=10).json()),
        "four decisions")
    assert {d["folio"]: (d["sampled"], d["exclusion"]) for d in doc["decisions"]} == {
        f1: (True, None), f2: (True, None), f3: (True, "opposed"), f4: (True, None)}
    assert requests.get(f"{base}/v1/surveys/periods/{period}/decisions", headers=op, timeout=10).status_code == 403
    public = requests.get(f"{base}/v1/surveys/periods", timeout=10).json()
    mine = next(p for p in public if p["period"] == period)
    assert len(mine["commitment"]) == 64 and mine["secret"] is None and mine["rates"] == {"*": "1"}
    r = requests.post(f"{base}/v1/surveys/periods/{period}/audit", headers=aud, timeout=10)
    assert r.status_code == 409 and r.json()["code"] == "periodo_en_curso"
    # the auditor's CLI downloads the decisions; the running period's secret is not revealed,
    # and a guessed one does not match the published commitment
    cli = [sys.executable, "-m", "surveys.audit", "--period", period, "--gateway", base,
           "--token", aud["Authorization"].split()[1]]
    run = subprocess.run(cli, capture_output=True, text=True, timeout=60)
    assert run.returncode == 2 and "aún no se revela" in run.stderr
    run = subprocess.run(cli + ["--secret", "00" * 32], capture_output=True, text=True, timeout=60)
    assert run.returncode == 1 and "corresponde al compromiso: NO" in run.stdout

    # the queue: the opposed citizen's report never comes; the phone comes from citizens
    def take():
        r = requests.post(f"{base}/v1/surveys/queue/next", headers=op, timeout=10)
        assert r.status_code == 200, r.text
        return r.json()["case"]

    first = take()
    assert first["folio"] == f1 and first["citizen"]["phones"] == ["4771234567"]
    assert requests.post(f"{base}/v1/surveys/queue/next", headers=aud, timeout=10).status_code == 403
    r = requests.post(f"{base}/v1/surveys/cases/{f1}/attempts", json={"outcome": "no_answer"}, headers=op, timeout=10)
    assert r.status_code == 200 and r.json()["status"] == "pending"
    second = take()
    assert second["folio"] == f2 and second["questionnaire"]["code"] == "percepcion-ciudadana"
    r = requests.post(f"{base}/v1/surveys/cases/{f2}/answers", headers=op, timeout=10,
                      json={"questionnaire_version": 1, "answers": ANSWERS | {"resuelto": False}})
    assert r.status_code == 200, r.text
    survey = r.json()
    assert survey["resolved"] is False and survey["score"] == 4.0
    third = take()
    assert third["folio"] == f4
    r = requests.post(f"{base}/v1/surveys/cases/{f4}/attempts", json={"outcome": "refused"}, headers=op, timeout=10)
    assert r.json()["status"] == "refused"
    assert take()["folio"] == f1
    r = requests.post(f"{base}/v1/surveys/cases/{f1}/attempts", json={"outcome": "no_answer"}, headers=op, timeout=10)
    assert (r.json()["status"], r.json()["attempts"]) == ("not_located", 2)
    assert take() is None
    log = requests.get(f"{base}/v1/citizens/access-log", params={"citizen_number": maria}, headers=aud, timeout=10)
    assert log.status_code == 200, log.text  # citizens logged each read for the calls with the reason «encuesta»
    assert [(e["username"], e["reason"]) for e in log.json()["items"] if e["reason"] == "encuesta"] == [
        ("operator", "encuesta")] * 4

    # app self-rating: once, with the folio's token, only for app/web reports
    r = requests.post(f"{base}/v1/surveys/ratings/{f4}", json={"token": "WRONGTOKEN", "score": 5}, timeout=10)
    assert r.status_code == 404
    r = requests.post(f"{base}/v1/surveys/ratings/{f4}", json={"token": t4, "score": 5, "comment": "Rápido"},
                      timeout=10)
    assert r.status_code == 201, r.text
    r = requests.post(f"{base}/v1/surveys/ratings/{f4}", json={"token": t4, "score": 1}, timeout=10)
    assert r.status_code == 409 and r.json()["code"] == "ya_calificado"
    r = requests.post(f"{base}/v1/surveys/ratings/{f1}", json={"token": t1, "score": 4}, timeout=10)
    assert r.status_code == 409 and r.json()["code"] == "canal_sin_autoevaluacion"

    # follow-up calls outside the sample, counted per month
    r = requests.post(f"{base}/v1/surveys/follow-up-calls", headers=op, timeout=10,
                      json={"folio": f1, "kind": "follow_up", "note": "Se confirmó la reparación"})
    assert r.status_code == 201, r.text
    months = requests.get(f"{base}/v1/surveys/follow-up-calls/monthly", params={"year": int(period[:4])},
                          headers=sup, timeout=10).json()["months"]
    month = next(m for m in months if m["month"] == period)
    assert month["follow_up"] == 1 and month["survey_attempts"] == 4

    # questionnaires: supervisors edit (a new version), operators do not
    q = requests.get(f"{base}/v1/surveys/questionnaires/percepcion-ciudadana", headers=op, timeout=10).json()
    assert [x["id"] for x in q["questions"]][:5] == ["calidad_informacion", "tiempo_atencion", "confianza",
                                                      "satisfaccion", "resuelto"]
    body = {"title": q["title"], "questions": q["questions"][:5]}
    assert requests.put(f"{base}/v1/surveys/questionnaires/percepcion-ciudadana", json=body, headers=op,
                        timeout=10).status_code == 403
    r = requests.put(f"{base}/v1/surveys/questionnaires/percepcion-ciudadana", json=body, headers=sup, timeout=10)
    assert r.status_code == 200 and r.json()["version"] == 2

    # results: agency staff see their agency without personal data; the export has none
    mine = requests.get(f"{base}/v1/surveys/answers", headers=staff, timeout=10).json()["items"]
    assert {a["folio"] for a in mine} == {f2, f4} and all("citizen_number" not in a for a in mine)
    summary = requests.get(f"{base}/v1/surveys/summary", params={"period": period}, headers=aud, timeout=10).json()
    assert {(r_["source"], r_["surveys"], r_["resolved_no"]) for r_ in summary["rows"]} == {("phone", 1, 1),
                                                                                          ("app", 1, 0)}
    r = requests.get(f"{base}/v1/surveys/answers.xlsx", headers=sup, timeout=30)
    assert r.status_code == 200 and r.content[:2] == b"PK"
    import io

    import openpyxl
    sheet = openpyxl.load_workbook(io.BytesIO(r.content)).active
    cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    headings = [str(c.value) for c in next(sheet.iter_rows(max_row=1))]
    assert "Folio" in headings and not any("iudadano" in h for h in headings)  # no citizen number column
    assert not any("Atendieron" in c or "Rápido" in c for c in cells)  # no free text

    # ARCO access includes the survey data
    arco = requests.get(f"{base}/v1/citizens/{maria}/arco", params={"reason": "solicitud ARCO 12/2026"},
                        headers=sup, timeout=10).json()
    assert {a["folio"] for a in arco["services"]["surveys"]["answers"]} == {f2, f4}

    until(lambda: len(completed.messages) >= 2 and len(logged.messages) >= 1, "surveys' events", timeout=15)
    for env in completed.messages + logged.messages:
        contracts.validate(env)
    assert [(m["data"]["folio"], m["data"]["source"]) for m in completed.messages] == [(f2, "phone"), (f4, "app")]

    # verification, last: «no se resolvió» reopened the report through routing, as the system process
    # surveys (routing grants it read and reopen; without that grant the survey says «forbidden»)
    assert survey["reopen_status"] == "reopened", survey
    report = requests.get(f"{base}/v1/reports/{f2}", headers=aud, timeout=10).json()
    assert report["status"] == "in_progress"
    assert "Encuesta de verificación" in report["history"][-1]["text"]
