"""Object-level authorization over HTTP against the platform as `make up` runs it.

1. Another agency: staff of agency SIAP get 403 or 404 on every read, write and export of
   agency OP's report — every operation of the OpenAPI document whose path names a folio
   (a new one without a row here fails the test), the lists, the exports and the batch
   work orders — and the report is unchanged afterwards.
2. Personal data: which roles get a citizen's name and phone from each place that can
   show them (the citizen record, Consultas, Asuntos del día, the export, the work order,
   the ARCO document, the citizen history), and that the others get no trace of them.
3. A department key reads and writes back only its own department's reports."""
import csv
import io
import time

import pytest
import requests

pytestmark = pytest.mark.e2e

NAME, PHONE = "Filemón Autorizadoz", "4775550199"
CITIZEN = {"given_names": "Filemón", "first_surname": "Autorizadoz", "sex": "male", "birth_date": "1975-03-04",
           "phones": [PHONE], "address": {"colonia": "Centro", "street": "Madero", "number": "12"},
           "consent": True, "privacy_notice_version": "2026-01", "channel": "072"}
LOCATION = {"lat": 21.1221, "lon": -101.6824, "colonia": "CENTRO", "street": "MADERO 100"}
ROLES = ("operator", "agency_staff", "supervisor", "auditor", "admin", "block_leader")
# 1x1 PNG, for an evidence file on the OP report
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


@pytest.fixture(scope="module")
def world(platform, login):
    """Tokens of every role plus SIAP staff (created by the admin), a citizen, a report of
    OP filed for them (with an intervention and evidence) and an anonymous one of SIAP."""
    base = platform.gateway_url
    t = {role: login(base, role) for role in ROLES}
    r = requests.post(f"{base}/v1/users", headers=t["admin"], timeout=10, json={
        "username": "siap_staff", "password": "siap-staff-2026-segura", "role": "agency_staff", "agency": "SIAP",
        "full_name": "Personal de SIAP"})
    assert r.status_code == 201, r.text
    t["siap"] = login(base, "siap_staff", "siap-staff-2026-segura")
    deps = requests.get(f"{base}/v1/catalog/departments", params={"agency": "SIAP"}, headers=t["admin"], timeout=10)
    assert deps.status_code == 200, deps.text
    items = deps.json()["items"] if isinstance(deps.json(), dict) else deps.json()
    siap_department = next(d["code"] for d in items if d["agency"] == "SIAP")

    r = requests.post(f"{base}/v1/citizens", json=CITIZEN, headers=t["operator"], timeout=10)
    assert r.status_code == 201, r.text
    number = r.json()["number"]

    def file(petition_type, citizen_number=None):
        r = requests.post(f"{base}/v1/reports", headers=t["operator"], timeout=10, json={
            "petition_type": petition_type, "channel": "072", "description": "Prueba de autorización",
            "location": LOCATION, "citizen_number": citizen_number})
        assert r.status_code == 201, r.text
        return r.json()["folio"]

    # the citizen has a report of OP only: SIAP's staff have no reason to know who they are
    op, siap = file("OP-LAMPARA APAGADA", number), file("SIAP- RECOLECCION DE ANIMALES MUERTOS")
    deadline = time.monotonic() + 30
    while True:
        r = requests.get(f"{base}/v1/reports", params={"folios": f"{op},{siap}"}, headers=t["supervisor"], timeout=10)
        assert r.status_code == 200, r.text
        if r.json()["total"] == 2:
            break
        assert time.monotonic() < deadline, r.text
        time.sleep(0.2)
    r = requests.post(f"{base}/v1/reports/{op}/interventions", headers=t["agency_staff"], timeout=10,
                      data={"text": "Cuadrilla revisó la lámpara"}, files={"files": ("foto.png", PNG, "image/png")})
    assert r.status_code == 201, r.text
    evidence_id = r.json()["evidence"][0]["id"]
    return {"base": base, "t": t, "number": number, "op": op, "siap": siap, "evidence": evidence_id,
            "siap_department": siap_department}


def state_of(world, folio):
    base, sup = world["base"], world["t"]["supervisor"]
    a = requests.get(f"{base}/v1/reports/{folio}/assignment", headers=sup, timeout=10).json()
    i = requests.get(f"{base}/v1/reports/{folio}/interventions", headers=sup, timeout=10).json()
    return a["version"], a["status"], a["agency"], len(i), [s["department"] for s in a["shares"]]


def folio_operations(base) -> set[tuple[str, str]]:
    doc = requests.get(f"{base}/openapi.json", timeout=10).json()
    return {(method.upper(), path) for path, ops in doc["paths"].items() for method in ops if "{folio}" in path}


def test_another_agency_gets_403_or_404_on_every_report_operation(world):
    base, siap, op = world["base"], world["t"]["siap"], world["op"]
    before = state_of(world, op)
    version = before[0]
    body = {
        ("GET", "/v1/reports/{folio}"): None,
        ("GET", "/v1/reports/{folio}/assignment"): None,
        ("GET", "/v1/reports/{folio}/interventions"): None,
        ("GET", "/v1/reports/{folio}/work-order.pdf"): None,
        ("GET", "/v1/reports/{folio}/evidence/{evidence_id}"): None,
        ("GET", "/v1/reports/{folio}/attachments"): None,  # the citizen's files (none here: the answer is 404)
        ("GET", "/v1/reports/{folio}/attachments/{attachment_id}"): None,
        ("GET", "/v1/track/{folio}"): None,  # public, by token: a wrong token is a 404
        ("POST", "/v1/track/{folio}/reopen"): {"token": "ABCDEFGH", "reason": "No quedó resuelto"},
        ("POST", "/v1/reports/{folio}/interventions"): {"text": "Intento de otra dependencia"},
        ("POST", "/v1/reports/{folio}/start"): {"version": version},
        ("POST", "/v1/reports/{folio}/finish"): {"version": version, "text": "Cierre ajeno"},
        ("POST", "/v1/reports/{folio}/not-viable"): {"version": version, "reason": "No procede"},
        ("POST", "/v1/reports/{folio}/reopen"): {"version": version, "reason": "Reabrir"},
        ("POST", "/v1/reports/{folio}/reassign"): {"version": version, "agency": "SIAP",
                                                   "department": world["siap_department"], "reason": "Es nuestro"},
        ("POST", "/v1/reports/{folio}/share"): {"version": version, "agency": "SIAP",
                                                "department": world["siap_department"]},
        ("POST", "/v1/reports/{folio}/duplicate"): {"version": version, "original": world["siap"]},
        # surveys: agency staff make no calls; a rating needs the folio's token
        ("POST", "/v1/surveys/cases/{folio}/attempts"): {"outcome": "no_answer"},
        ("POST", "/v1/surveys/cases/{folio}/answers"): {"answers": {"resuelto": False}},
        ("POST", "/v1/surveys/ratings/{folio}"): {"token": "ABCDEFGH", "score": 1},
    }
    operations = folio_operations(base)
    assert operations <= set(body), f"operations without a row in this matrix: {operations - set(body)}"
    answers = {}
    for (method, path), payload in body.items():
        if (method, path) not in operations:
            continue
        url = base + path.format(folio=op, evidence_id=world["evidence"], attachment_id=1)
        params = {"token": "ABCDEFGH"} if path.startswith("/v1/track") else None
        r = requests.request(method, url, json=payload, params=params, headers=siap, timeout=30)
        answers[f"{method} {path}"] = r.status_code
        assert r.status_code in (403, 404), f"{method} {path}: {r.status_code} {r.text[:300]}"
        if r.headers.get("content-type", "").startswith("application/"):
            assert NAME.split()[0] not in r.text and PHONE not in r.text
    assert len(answers) >= 12, answers
    assert state_of(world, op) == before  # nothing changed


def test_another_agency_lists_and_exports_leave_the_report_out(world):
    base, siap, op, own = world["base"], world["t"]["siap"], world["op"], world["siap"]
    r = requests.get(f"{base}/v1/reports", params={"folios": f"{op},{own}"}, headers=siap, timeout=10)
    assert r.status_code == 200 and [i["folio"] for i in r.json()["items"]] == [own]
    r = requests.get(f"{base}/v1/reports", params={"agency": "OP"}, headers=siap, timeout=10)
    assert r.status_code in (403, 422) or r.json()["items"] == []
    r = requests.get(f"{base}/v1/reports/today", headers=siap, timeout=10)
    assert r.status_code == 200 and op not in {i["folio"] for i in r.json()["items"]}
    r = requests.get(f"{base}/v1/citizens/{world['number']}/reports", headers=siap, timeout=10)
    assert r.status_code in (403, 404) or op not in {i["folio"] for i in r.json()["items"]}
    for fmt in ("csv", "xlsx"):
        r = requests.get(f"{base}/v1/reports/export.{fmt}", params={"folios": f"{op},{own}", "reason": "prueba"},
                         headers=siap, timeout=30)
        assert r.status_code == 200, r.text
        if fmt == "csv":
            folios = [row["Folio"] for row in csv.DictReader(io.StringIO(r.content.decode("utf-8-sig")))]
            assert folios == [str(own)]
    r = requests.post(f"{base}/v1/reports/work-orders.pdf", json={"folios": [op]}, headers=siap, timeout=30)
    assert r.status_code in (403, 404), r.text


def names_in(text: str) -> bool:
    return "Filemón" in text or "Autorizadoz" in text or PHONE in text


def test_personal_data_reaches_only_the_roles_that_need_it(world):
    base, t, number, op = world["base"], world["t"], world["number"], world["op"]
    reason = {"reason": "matriz de autorización"}
    places = {
        "citizen record": lambda h: requests.get(f"{base}/v1/citizens/{number}", params=reason, headers=h, timeout=10),
        "consultas": lambda h: requests.get(f"{base}/v1/reports", params={"folios": op} | reason, headers=h,
                                            timeout=10),
        "asuntos del día": lambda h: requests.get(f"{base}/v1/reports/today", params=reason, headers=h, timeout=10),
        "export": lambda h: requests.get(f"{base}/v1/reports/export.csv", params={"folios": op} | reason,
                                         headers=h, timeout=30),
        "arco": lambda h: requests.get(f"{base}/v1/citizens/{number}/arco", params=reason, headers=h, timeout=30),
    }
    # who gets the name or phone from where (everyone else: no trace of them)
    allowed = {
        "citizen record": {"operator", "agency_staff", "supervisor", "admin"},
        "consultas": {"operator", "agency_staff", "supervisor", "admin"},
        "asuntos del día": {"operator", "agency_staff", "supervisor", "admin"},
        "export": {"operator", "agency_staff", "supervisor", "admin"},
        "arco": {"supervisor", "admin"},
    }
    seen = {}
    for place, call in places.items():
        for role in (*ROLES, "siap"):
            r = call(t[role])
            assert r.status_code < 500, f"{place} as {role}: {r.status_code}"
            seen[(place, role)] = names_in(r.text)
            if role in allowed[place]:
                assert r.status_code == 200 and names_in(r.text), f"{place} as {role}: {r.status_code} {r.text[:200]}"
            else:
                assert not names_in(r.text), f"{place} as {role} shows personal data"
    # the auditor gets the citizen number, not who they are
    r = places["consultas"](t["auditor"])
    assert r.status_code == 200 and r.json()["items"][0]["citizen_number"] == number
    # the work order: a citizen appears only for roles allowed personal data
    for role, shown in (("agency_staff", True), ("auditor", False)):
        r = requests.get(f"{base}/v1/reports/{op}/work-order.pdf", params=reason, headers=t[role], timeout=30)
        assert r.status_code == 200, r.text
        from pypdf import PdfReader
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(r.content)).pages)
        assert names_in(text) is shown, (role, text[:300])


@pytest.mark.parametrize("role, channel, status, code", [
    ("operator", "072", 201, None), ("supervisor", "PRESENCIAL", 201, None), ("admin", "072", 201, None),
    ("block_leader", "JEFE DE MANZANA", 201, None), ("block_leader", "072", 403, "canal_no_permitido"),
    ("agency_staff", "072", 403, "prohibido"), ("auditor", "072", 403, "prohibido")])
def test_intake_decides_who_files_with_which_channel(world, role, channel, status, code):
    """The gateway passes any staff user on; intake answers who may file, and with which
    channel (its ``domain.filing_rights``); a report filed is readable at once."""
    base, t = world["base"], world["t"]
    r = requests.post(f"{base}/v1/reports", headers=t[role], timeout=10, json={
        "petition_type": "OP-LAMPARA APAGADA", "channel": channel, "description": "¿Quién registra?",
        "location": LOCATION})
    assert r.status_code == status and (code is None or r.json()["code"] == code), r.text
    if status == 201:
        back = requests.get(f"{base}/v1/reports/{r.json()['folio']}", headers=t["supervisor"], timeout=10)
        assert back.status_code == 200 and back.json()["channel"] == channel, back.text
