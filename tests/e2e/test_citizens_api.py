"""The citizen registry over HTTP against the platform as `make up` runs it: register,
duplicates on a second registration, search without accents, reason required, the
access log for auditors, and who may do what."""
import pytest
import requests

pytestmark = pytest.mark.e2e
SHARED_PLATFORM = True  # asserts nothing platform-wide: runs on the session's shared platform

CITIZEN = {"given_names": "José Ángel", "first_surname": "Muñoz", "second_surname": "Ibáñez",
           "sex": "male", "birth_date": "1975-03-09", "phones": ["+52 477-555-1234"],
           "address": {"colonia": "León Moderno", "street": "Hidalgo", "number": "12", "postal_code": "37480"},
           "consent": True, "privacy_notice_version": "2026-01", "channel": "072"}
WHY = {"reason": "llamada al 072 para levantar un reporte"}


def test_register_duplicates_search_and_access_log(platform, tokens, file_report, wait_assigned):
    base, op = platform.gateway_url, tokens["operator"]
    r = requests.post(f"{base}/v1/citizens", json=CITIZEN, headers=op, timeout=10)
    assert r.status_code == 201, r.text
    citizen = r.json()
    number = citizen["number"]
    assert citizen["phones"] == ["4775551234"] and citizen["age"] >= 50
    assert r.headers["location"] == f"/v1/citizens/{number}"

    # the same person again: likely duplicates, nothing created
    again = CITIZEN | {"given_names": "JOSE ANGEL", "second_surname": "Ibanez", "phones": ["477 555 1234"]}
    r = requests.post(f"{base}/v1/citizens", json=again, headers=op, timeout=10)
    assert r.status_code == 409 and r.headers["content-type"].startswith("application/problem+json"), r.text
    assert r.json()["code"] == "posibles_duplicados"
    [dup] = r.json()["duplicates"]
    assert dup["number"] == number and "same_phone" in dup["reasons"]

    # search without accents, other case, partial
    r = requests.get(f"{base}/v1/citizens", params={"q": "jose angel munoz"} | WHY, headers=op, timeout=10)
    assert r.status_code == 200, r.text
    assert r.json()["items"][0]["number"] == number
    r = requests.get(f"{base}/v1/citizens", params={"q": "MUNO IBA"} | WHY, headers=op, timeout=10)
    assert [i["number"] for i in r.json()["items"]] == [number]

    # reason required (422 problem); validation of phones and postal codes by citizens
    r = requests.get(f"{base}/v1/citizens/{number}", headers=op, timeout=10)
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")
    bad = CITIZEN | {"phones": ["12345"], "address": {"postal_code": "3748"}}
    r = requests.post(f"{base}/v1/citizens", json=bad, headers=op, timeout=10)
    assert r.status_code == 422 and r.json()["code"] == "datos_invalidos", r.text

    # agency staff may read, with a reason, a citizen of a report of their agency only;
    # they do not register; block leaders nothing
    why_staff = {"reason": "reporte de alumbrado"}
    r = requests.get(f"{base}/v1/citizens/{number}", params=why_staff, headers=tokens["agency_staff"], timeout=10)
    assert r.status_code == 404 and r.json()["code"] == "ciudadano_no_encontrado"  # no report of theirs yet
    folio = file_report(base, op, "OP-LAMPARA APAGADA", citizen_number=number)
    wait_assigned(base, folio, tokens["supervisor"])
    r = requests.get(f"{base}/v1/citizens/{number}", params=why_staff, headers=tokens["agency_staff"], timeout=10)
    assert r.status_code == 200 and r.json()["full_name"] == "José Ángel Muñoz Ibáñez"
    r = requests.post(f"{base}/v1/citizens", json=CITIZEN, headers=tokens["agency_staff"], timeout=10)
    assert r.status_code == 403
    assert requests.get(f"{base}/v1/citizens/{number}", params=WHY, headers=tokens["block_leader"],
                        timeout=10).status_code == 403

    # rectification
    r = requests.patch(f"{base}/v1/citizens/{number}", json={"reason": "corrige su colonia",
                                                             "address": {"colonia": "Centro"}}, headers=op, timeout=10)
    assert r.status_code == 200 and r.json()["changed_fields"] == ["colonia"], r.text

    # the auditor reads the access log; the operator may not
    r = requests.get(f"{base}/v1/citizens/access-log", params={"citizen_number": number},
                     headers=tokens["auditor"], timeout=10)
    assert r.status_code == 200, r.text
    rows = r.json()["items"]
    assert {("operator", "search"), ("agency_staff", "read"), ("operator", "rectification")} <= {
        (x["username"], x["action"]) for x in rows}
    assert any(x["reason"] == "reporte de alumbrado" for x in rows)
    assert requests.get(f"{base}/v1/citizens/access-log", headers=op, timeout=10).status_code == 403

    # merge: a second record forced, then merged; its number redirects
    r = requests.post(f"{base}/v1/citizens", params={"force": "true"}, json=again, headers=op, timeout=10)
    assert r.status_code == 201
    other = r.json()["number"]
    r = requests.post(f"{base}/v1/citizens/merge", json={"keep": number, "merge": other}, headers=op, timeout=10)
    assert r.status_code == 200 and r.json()["merged_numbers"] == [other], r.text
    r = requests.get(f"{base}/v1/citizens/{other}", params=WHY, headers=op, timeout=10)
    assert r.json()["number"] == number and r.json()["redirected_from"] == other
