"""Open311 GeoReport v2 service requests through the platform: POST (form-encoded per the
spec, and JSON) with the demo channel key, GET one / many / by token in JSON and XML with
only public fields, the open → closed mapping with status notes, and the spec's errors."""
import time
from xml.etree import ElementTree as ET

import pytest
import requests

pytestmark = pytest.mark.e2e
SHARED_PLATFORM = True  # asserts nothing platform-wide: runs on the session's shared platform

KEY = "demo-chatbot-key-2026"  # README's demo table: channel CHATBOT, scopes include open311
CITIZEN = {"email": "rosa.quinones@example.mx", "first_name": "Rosa", "last_name": "Quiñones",
           "phone": "4771234567", "device_id": "dispositivo-7", "account_id": "cuenta-9"}


def v2(platform, path):
    return f"{platform.gateway_url}/open311/v2/{path}"


def post_form(platform, fields, fmt="json"):
    return requests.post(v2(platform, f"requests.{fmt}"), data=fields, timeout=10)


def wait_public(platform, folio, timeout=30) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r = requests.get(v2(platform, f"requests/{folio}.json"), timeout=10)
        if r.status_code == 200:
            return r.json()[0]
        assert r.status_code == 404, r.text
        time.sleep(0.2)
    raise AssertionError(f"request {folio} not visible in {timeout}s")


def errors_json(r, status):
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json")
    (err,) = r.json()
    assert err["code"] == status and err["description"]
    return err


def test_post_form_then_get_json_and_xml_round_trip(platform):
    r = post_form(platform, {"api_key": KEY, "service_code": "OP-LAMPARA APAGADA", "lat": "21.1221",
                             "long": "-101.6824", "address_string": "Madero 100, Centro",
                             "description": "Lámpara apagada frente al número 100",
                             "media_url": "https://fotos.example.mx/1.jpg"} | CITIZEN)
    assert r.status_code == 201, r.text
    assert r.headers["content-type"].startswith("application/json")
    (created,) = r.json()
    assert set(created) == {"service_request_id", "service_notice", "account_id"}
    folio = created["service_request_id"]
    assert isinstance(folio, str) and folio.isdigit() and created["account_id"] is None  # a string in JSON
    assert f"Folio {folio}" in created["service_notice"]
    for value in CITIZEN.values():
        assert value not in r.text  # accepted, never echoed

    one = wait_public(platform, folio)
    assert one["service_request_id"] == folio and one["status"] == "open" and one["status_notes"] is None
    assert one["service_code"] == "OP-LAMPARA APAGADA" and one["service_name"]
    assert one["agency_responsible"] and one["agency_responsible"] != "OP"  # the agency's name
    assert one["address"] == "MADERO 100, CENTRO"
    assert (one["lat"], one["long"]) == (21.1221, -101.6824)
    assert one["requested_datetime"] and one["expected_datetime"] > one["requested_datetime"]
    assert one["updated_datetime"]
    assert one["description"] is None  # free text may hold personal data: not published
    everything = requests.get(v2(platform, f"requests.json?service_request_id={folio}"), timeout=10).text
    for value in CITIZEN.values():
        assert value not in everything

    # XML: the same request, the spec's element names
    r = requests.get(v2(platform, f"requests/{folio}.xml"), timeout=10)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/xml")
    root = ET.fromstring(r.content)
    assert root.tag == "service_requests"
    (req,) = root.findall("request")
    assert req.findtext("service_request_id") == str(folio) and req.findtext("status") == "open"
    assert req.findtext("address") == "MADERO 100, CENTRO" and req.findtext("long") == "-101.6824"

    # tokens: requests are created synchronously, the folio is its own token
    r = requests.get(v2(platform, f"tokens/{folio}.json"), timeout=10)
    assert r.status_code == 200 and r.json() == [{"service_request_id": folio, "token": folio}]
    errors_json(requests.get(v2(platform, "tokens/999999999.json"), timeout=10), 404)


def test_post_json_body_xml_answer_and_closing_maps_to_closed(platform):
    r = requests.post(v2(platform, "requests.xml"), timeout=10, json={
        "api_key": KEY, "service_code": "OP-LAMPARA APAGADA", "lat": 21.13, "long": -101.69,
        "description": "Poste sin luz"})
    assert r.status_code == 201, r.text
    assert r.headers["content-type"].startswith("text/xml")
    req = ET.fromstring(r.content).find("request")
    folio = req.findtext("service_request_id")
    assert folio.isdigit()  # XML: the folio as text, as before
    assert req.findtext("account_id") == ""
    one = wait_public(platform, folio)
    assert one["address"] == "SIN ESPECIFICAR, SIN ESPECIFICAR"

    staff = requests.post(f"{platform.gateway_url}/v1/auth/login", timeout=10,
                          json={"username": "agency_staff", "password": "demo-agency_staff-2026"}).json()
    h = {"Authorization": f"Bearer {staff['access_token']}"}
    base = platform.gateway_url
    assert requests.post(f"{base}/v1/reports/{folio}/start", json={"version": 1}, headers=h,
                         timeout=10).status_code == 200
    assert requests.post(f"{base}/v1/reports/{folio}/finish", json={"version": 2, "text": "Se cambió la lámpara"},
                         headers=h, timeout=10).status_code == 200

    r = requests.get(v2(platform, "requests.xml"), params={"service_request_id": f"{folio},999999999"}, timeout=10)
    assert r.status_code == 200, r.text
    (req,) = ET.fromstring(r.content).findall("request")
    assert req.findtext("status") == "closed" and req.findtext("status_notes") == "Se cambió la lámpara"

    closed = requests.get(v2(platform, "requests.json"), params={"status": "closed",
                                                                 "service_code": "OP-LAMPARA APAGADA"}, timeout=10)
    assert closed.status_code == 200 and folio in [x["service_request_id"] for x in closed.json()]
    assert all(x["status"] == "closed" for x in closed.json())
    opened = requests.get(v2(platform, "requests.json"), params={"status": "open"}, timeout=10).json()
    assert folio not in [x["service_request_id"] for x in opened]
    later = requests.get(v2(platform, "requests.json"), params={"start_date": "2099-01-01T00:00:00Z"}, timeout=10)
    assert later.status_code == 200 and later.json() == []


def test_errors_in_the_spec_format(platform):
    good = {"api_key": KEY, "service_code": "OP-LAMPARA APAGADA", "lat": "21.1", "long": "-101.6"}
    errors_json(post_form(platform, {k: v for k, v in good.items() if k != "api_key"}), 403)  # the spec: 403
    errors_json(post_form(platform, good | {"api_key": "sac_desconocida"}), 403)
    errors_json(post_form(platform, good | {"api_key": "demo-op-alumbrado-key-2026"}), 403)  # a department key
    errors_json(post_form(platform, {k: v for k, v in good.items() if k != "lat"}), 400)
    err = errors_json(post_form(platform, good | {"service_code": "NO-EXISTE"}), 400)
    assert "NO-EXISTE" in err["description"]
    err = errors_json(post_form(platform, good | {"lat": "123"}), 400)
    assert err["description"] == "Datos inválidos: lat: Debe ser menor o igual a 90."  # Spanish, Open311 names
    err = errors_json(post_form(platform, good | {"service_code": "X" * 200, "description": "d" * 5000}), 400)
    assert "service_code: Debe tener como máximo 120 caracteres" in err["description"]
    assert "description: Debe tener como máximo 4000 caracteres" in err["description"]
    assert "should" not in err["description"] and "Input" not in err["description"]
    errors_json(requests.get(v2(platform, "requests.json"), params={"status": "pendiente"}, timeout=10), 400)
    errors_json(requests.get(v2(platform, "requests.json"), params={"start_date": "ayer"}, timeout=10), 400)
    errors_json(requests.get(v2(platform, "requests/999999999.json"), timeout=10), 404)
    r = requests.get(v2(platform, "requests/999999999.xml"), timeout=10)
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/xml")
    root = ET.fromstring(r.content)
    assert root.tag == "errors" and root.find("error").findtext("code") == "404"
    assert root.find("error").findtext("description")
    r = post_form(platform, good | {"api_key": "x"}, fmt="xml")
    assert r.status_code == 403 and ET.fromstring(r.content).find("error").findtext("code") == "403"
