"""/v1/stats over HTTP against the platform as `make up` runs it: figures follow the
lifecycle through the events; roles decide (agency staff: their agency; the public:
transparency and open data only); exports in CSV/XLSX; the monthly closure as PDF; a
partner channel reports interactions with its key; open data carries no personal field."""
import csv
import io
import time

import pytest
import requests

pytestmark = pytest.mark.e2e

CHATBOT_KEY = {"X-API-Key": "demo-chatbot-key-2026"}
#: what must never leave through open data (citizen, staff user, free text, street)
PERSONAL = {"citizen_number", "citizen_name", "citizen_phone", "name", "phone", "email", "address", "street",
            "description", "created_by", "birth_date", "age", "sex"}


def wait_for(check, timeout=20.0):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def test_statistics_follow_the_lifecycle_and_roles_decide(platform, tokens, file_report, wait_assigned):
    base, staff, sup = platform.gateway_url, tokens["agency_staff"], tokens["supervisor"]
    folios = [file_report(base, tokens["operator"], "OP-LAMPARA APAGADA") for _ in range(2)]
    file_report(base, tokens["operator"], "OP-LAMPARA APAGADA", channel="CHATBOT")
    a = wait_assigned(base, folios[0], staff)
    r = requests.post(f"{base}/v1/reports/{folios[0]}/start", json={"text": "En camino"},
                      headers=staff | {"If-Match": f'"{a["version"]}"'}, timeout=10)
    assert r.status_code == 200, r.text
    r = requests.post(f"{base}/v1/reports/{folios[0]}/finish", json={"version": r.json()["version"],
                                                                      "text": "Lámpara cambiada"}, headers=staff,
                      timeout=10)
    assert r.status_code == 200, r.text

    def totals():
        r = requests.get(f"{base}/v1/stats/totals", params={"group_by": "status"}, headers=sup, timeout=10)
        assert r.status_code == 200, r.text
        rows = {x["key"]: x["total"] for x in r.json()["rows"]}
        return rows if rows["done"] == 1 and r.json()["total"] == 3 else None
    assert wait_for(totals) == {"captured": 2, "in_progress": 0, "done": 1, "not_viable": 0}

    shares = requests.get(f"{base}/v1/stats/shares", headers=sup, timeout=10).json()
    assert {(x["key"], x["total"]) for x in shares["rows"]} == {("072", 2), ("CHATBOT", 1)}
    assert sum(x["share"] for x in shares["rows"]) == pytest.approx(1.0)
    matrix = requests.get(f"{base}/v1/stats/status-by-agency", headers=tokens["auditor"], timeout=10).json()
    assert [(x["key"], x["done"], x["captured"]) for x in matrix["rows"]] == [("OP", 1, 2)]
    comp = requests.get(f"{base}/v1/stats/compliance", params={"group_by": "department"}, headers=staff,
                        timeout=10).json()
    assert [(x["key"], x["finished"], x["on_time"]) for x in comp["rows"]] == [("OP-ALUMBRADO", 1, 1)]
    series = requests.get(f"{base}/v1/stats/time-series", params={"interval": "day"}, headers=sup, timeout=10)
    assert sum(x["total"] for x in series.json()["rows"]) == 3
    prod = requests.get(f"{base}/v1/stats/productivity", headers=sup, timeout=10).json()
    users = {x["key"]: x for x in prod["rows"]}
    assert users["operator"]["captured"] == 3 and users["agency_staff"]["finished"] == 1
    geo = requests.get(f"{base}/v1/stats/geography.geojson", headers=sup, timeout=10)
    assert geo.headers["content-type"].startswith("application/geo+json")
    assert geo.json()["features"][0]["properties"]["key"] == "CENTRO"

    # roles: agency staff only their agency; block leaders and the public nothing here
    r = requests.get(f"{base}/v1/stats/totals", params={"agency": "SIAP"}, headers=staff, timeout=10)
    assert r.status_code == 403 and r.headers["content-type"].startswith("application/problem+json")
    assert requests.get(f"{base}/v1/stats/totals", headers=tokens["block_leader"], timeout=10).status_code == 403
    assert requests.get(f"{base}/v1/stats/totals", timeout=10).status_code == 401
    assert requests.get(f"{base}/v1/stats/totals", params={"group_by": "nada"}, headers=sup,
                        timeout=10).status_code == 422

    # exports of any table
    r = requests.get(f"{base}/v1/stats/totals", params={"group_by": "channel", "format": "csv"}, headers=sup,
                     timeout=10)
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Clave", "Total", "Capturado"] and len(rows) == 3
    r = requests.get(f"{base}/v1/stats/compliance", params={"format": "xlsx"}, headers=sup, timeout=10)
    assert r.status_code == 200 and r.content[:2] == b"PK"

    # monthly closure now (admin endpoint), immutable, a PDF
    r = requests.post(f"{base}/v1/stats/closures", json={"agency": "OP", "month": "2026-01"}, headers=sup,
                      timeout=10)
    assert r.status_code == 201, r.text
    assert requests.post(f"{base}/v1/stats/closures", json={"agency": "OP", "month": "2026-01"}, headers=sup,
                         timeout=10).status_code == 409
    pdf = requests.get(f"{base}/v1/stats/closures/OP/2026-01", params={"format": "pdf"}, headers=staff, timeout=10)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert requests.get(f"{base}/v1/stats/closures/SIAP/2026-01", headers=staff, timeout=10).status_code == 403
    ind = requests.get(f"{base}/v1/stats/indicators/atendidas_recibidas/values", params={"year": 2026},
                       headers=sup, timeout=10)
    assert ind.status_code == 200 and ind.json()["rows"]


def test_partner_channel_interactions_are_counted(platform, tokens):
    base = platform.gateway_url
    for outcome in ("completed", "completed", "abandoned"):
        r = requests.post(f"{base}/v1/stats/channel-interactions", headers=CHATBOT_KEY, timeout=10,
                          json={"option": "report_status", "outcome": outcome, "conversation_id": "conv-0001"})
        assert r.status_code == 202, r.text
    r = requests.post(f"{base}/v1/stats/channel-interactions", headers=CHATBOT_KEY, timeout=10,
                      json={"option": "report_status", "outcome": "completed", "phone": "4771234567"})
    assert r.status_code == 422  # nothing else travels, a phone least of all

    def counted():
        rows = requests.get(f"{base}/v1/stats/channel-interactions", headers=tokens["supervisor"],
                            timeout=10).json()["rows"]
        return rows if sum(x["total"] for x in rows) == 3 else None
    rows = wait_for(counted)
    assert {(x["channel"], x["outcome"], x["total"]) for x in rows} == {("CHATBOT", "completed", 2),
                                                                         ("CHATBOT", "abandoned", 1)}


def test_transparency_and_open_data_without_login_and_without_personal_data(platform, tokens, file_report):
    base = platform.gateway_url

    def total():
        return requests.get(f"{base}/v1/stats/totals", headers=tokens["supervisor"], timeout=10).json()["total"]
    before = total()
    folio = file_report(base, tokens["operator"], "OP-LAMPARA APAGADA", citizen_number=None,
                        description="Juan Pérez, tel. 4771234567, vive en MADERO 100",
                        location={"lat": 21.123456, "lon": -101.682345, "colonia": "CENTRO",
                                  "street": "MADERO 100"})

    wait_for(lambda: total() > before)  # stats has it (the public download is cached and rate limited)
    r = requests.get(f"{base}/v1/stats/open-data.json", timeout=10)
    assert r.status_code == 200, r.text
    row, = [x for x in r.json() if x["folio"] == folio]
    assert not PERSONAL & set(row)
    assert (row["lat"], row["lon"]) == (21.123, -101.682)  # about 100 m
    text = requests.get(f"{base}/v1/stats/open-data.csv", timeout=10).content.decode("utf-8-sig")
    assert "Juan" not in text and "4771234567" not in text and "MADERO" not in text and "operator" not in text
    header = next(csv.reader(io.StringIO(text)))
    assert "Folio" in header and "Calle" not in header and "Usuario" not in header
    t = requests.get(f"{base}/v1/stats/transparency", timeout=10)
    assert t.status_code == 200 and t.json()["total"] >= 1 and "max-age" in t.headers["cache-control"]
    assert requests.get(f"{base}/v1/stats/summary", timeout=10).json()["total"] >= 1
    # rate limited: the open data download allows 10 a minute per address
    codes = [requests.get(f"{base}/v1/stats/open-data.json", timeout=10).status_code for _ in range(12)]
    assert 429 in codes
