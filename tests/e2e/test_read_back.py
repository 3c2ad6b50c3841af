"""File and read back at once, under load: a report answered 201 is readable at once.

Routing assigns a report when it processes intake's ``report_created`` event, seconds
after the 201 under load. Every partner app files and reads back, so the gateway's one
read path answers intake's record (status captured, ``assigned: false``; Open311
``open``) until then. 200 times in a tight loop, while 8 threads keep filing in the
background, through REST ``GET /v1/reports/{folio}`` and Open311
``GET /open311/v2/requests/{id}.json``: never a 404."""
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

pytestmark = pytest.mark.e2e

ROUNDS = 200
BACKGROUND_THREADS = 8
KEY = "demo-chatbot-key-2026"  # channel CHATBOT, scopes include open311
REPORT = {"petition_type": "OP-LAMPARA APAGADA", "channel": "072", "description": "Lámpara apagada (lectura inmediata)",
          "location": {"lat": 21.1221, "lon": -101.6824, "colonia": "CENTRO", "street": "MADERO 100"}}
OPEN311 = {"api_key": KEY, "service_code": "OP-LAMPARA APAGADA", "lat": "21.1221", "long": "-101.6824",
           "address_string": "Madero 100, Centro", "description": "Lámpara apagada (Open311, lectura inmediata)"}


def test_filed_reports_read_back_at_once_under_load(platform, login):
    base = platform.gateway_url
    operator = login(base, "operator")
    stop = threading.Event()
    background = {"filed": 0, "errors": 0}
    lock = threading.Lock()

    def keep_filing():
        with requests.Session() as s:
            while not stop.is_set():
                r = s.post(f"{base}/v1/reports", json=REPORT, headers=operator, timeout=30)
                with lock:
                    background["filed" if r.status_code == 201 else "errors"] += 1

    counts = {"rest_read": 0, "rest_unassigned": 0, "open311_read": 0}
    not_found = []
    started = time.monotonic()
    with ThreadPoolExecutor(BACKGROUND_THREADS) as pool:
        for _ in range(BACKGROUND_THREADS):
            pool.submit(keep_filing)
        try:
            with requests.Session() as s:
                for i in range(ROUNDS):
                    if i % 2 == 0:  # REST: file, then read back at once
                        r = s.post(f"{base}/v1/reports", json=REPORT, headers=operator, timeout=30)
                        assert r.status_code == 201, r.text
                        folio = r.json()["folio"]
                        got = s.get(f"{base}/v1/reports/{folio}", headers=operator, timeout=30)
                        if got.status_code == 404:
                            not_found.append(("rest", folio))
                            continue
                        assert got.status_code == 200, got.text
                        body = got.json()
                        assert body["folio"] == folio and body["description"] == REPORT["description"]
                        counts["rest_read"] += 1
                        counts["rest_unassigned"] += not body["assigned"]
                        if not body["assigned"]:
                            assert body["status"] == "captured" and body["history"] == []
                    else:  # Open311: POST, then GET the request at once
                        r = s.post(f"{base}/open311/v2/requests.json", data=OPEN311, timeout=30)
                        assert r.status_code == 201, r.text
                        folio = r.json()[0]["service_request_id"]
                        got = s.get(f"{base}/open311/v2/requests/{folio}.json", timeout=30)
                        if got.status_code == 404:
                            not_found.append(("open311", folio))
                            continue
                        assert got.status_code == 200, got.text
                        (item,) = got.json()
                        assert item["service_request_id"] == folio and item["status"] == "open"
                        assert item["description"] is None  # public fields only
                        counts["open311_read"] += 1
        finally:
            stop.set()
    elapsed = time.monotonic() - started
    print(f"\nread-back: {ROUNDS} rounds in {elapsed:.1f} s; {counts}; background filed {background['filed']} "
          f"({background['errors']} errors); 404s: {len(not_found)}")
    assert not_found == [], f"a report answered 201 was not readable: {not_found[:10]}"
    assert counts["rest_read"] + counts["open311_read"] == ROUNDS
    assert background["filed"] > 0 and background["errors"] == 0
