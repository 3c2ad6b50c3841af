"""The walking skeleton end to end: HTTP → gateway → intake → outbox → routing → stats,
with the platform's processes started as `make up` starts them."""
import time

import pytest
import requests

pytestmark = pytest.mark.e2e

REPORT = {
    "petition_type": "OP-LAMPARA APAGADA", "channel": "072",
    "description": "Lámpara apagada frente al número 100",
    "location": {"lat": 21.1221, "lon": -101.6824, "colonia": "Centro", "street": "Madero 100"},
    "citizen_number": None,
}


@pytest.fixture(scope="module")
def op(tokens):
    """Filing a report needs credentials: the demo operator's."""
    return tokens["operator"]


def wait_routed(base: str, folio: int, headers: dict, timeout: float = 20) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r = requests.get(f"{base}/v1/reports/{folio}", headers=headers, timeout=10)
        assert r.status_code == 200, r.text
        body = r.json()
        if any(h["kind"] == "assigned" for h in body["history"]):
            return body
        time.sleep(0.1)
    raise AssertionError(f"folio {folio} not routed in {timeout}s")


def test_reports_travel_from_the_api_to_the_department(platform, op, subscribe, contracts):
    base = platform.gateway_url
    assigned = subscribe(platform.amqp_uri, "routing.events", "report_assigned")
    created = subscribe(platform.amqp_uri, "intake.events", "report_created")

    folios = []
    for i, pt in enumerate(["OP-LAMPARA APAGADA", "OP-LAMPARA APAGADA", "SIAP- RECOLECCION DE ANIMALES MUERTOS"]):
        r = requests.post(f"{base}/v1/reports", json=REPORT | {"petition_type": pt, "description": f"reporte {i}"},
                          headers=op, timeout=10)
        assert r.status_code == 201, r.text
        body = r.json()
        assert body["folio"] >= 1 and body["due_at"] > body["created_at"]
        assert body["status"] == "captured" and body["tracking_token"]
        folios.append(body["folio"])
    assert folios == sorted(folios) and len(set(folios)) == 3

    lamp = wait_routed(base, folios[0], op)
    assert lamp["status"] == "captured"
    assert lamp["agency"] == "OP" and lamp["department"] == "OP-ALUMBRADO"
    assert lamp["location"]["colonia"] == "CENTRO"
    assert lamp["traffic_light"] == "on_time"  # filed just now, days before its due date
    assert lamp["due_at"]
    for f in folios[1:]:
        wait_routed(base, f, op)

    deadline = time.monotonic() + 15
    while sorted(assigned.folios()) != folios and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.5)  # anything duplicated would arrive by now
    assert sorted(assigned.folios()) == folios, "exactly one report_assigned per report"
    assert sorted(created.folios()) == folios
    for env in assigned.messages + created.messages:
        contracts.validate(env)  # what producers really emit matches contracts/
    assert assigned.messages[0]["data"]["agency"] == "OP"

    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        summary = requests.get(f"{base}/v1/stats/summary", timeout=10).json()
        if summary["total"] == 3:
            break
        time.sleep(0.2)
    assert summary["total"] == 3 and summary["captured"] == 3
    assert summary["in_progress"] == 0 and summary["done"] == 0
    assert summary["most_demanded"] == {"petition_type": "OP-LAMPARA APAGADA", "total": 2}


def test_health_answers_only_when_every_service_answers(platform):
    r = requests.get(platform.gateway_url + "/health", timeout=15)
    assert r.status_code == 200
    assert set(r.json()["services"]) == {"catalog", "citizens", "intake", "routing", "surveys", "directory", "stats",
                                                  "deadletters"}
    platform.kill("surveys")
    try:
        r = requests.get(platform.gateway_url + "/health", timeout=15)
        assert r.status_code == 503
        assert r.json()["services"]["surveys"] != "ok"
    finally:
        platform.start_service("surveys")
        platform.wait_healthy(60)


@pytest.mark.parametrize("payload, code", [
    (REPORT | {"petition_type": "NO-EXISTE"}, "tipo_peticion_no_encontrado"),
    (REPORT | {"channel": "FAX"}, "canal_no_encontrado"),
    ({k: v for k, v in REPORT.items() if k != "location"}, "validacion"),
    (REPORT | {"location": REPORT["location"] | {"lat": 123}}, "validacion"),
    (REPORT | {"description": ""}, "validacion"),
])
def test_bad_input_gets_a_problem_with_a_code_and_changes_nothing(platform, op, payload, code):
    base = platform.gateway_url
    before = requests.get(f"{base}/v1/stats/summary", timeout=10).json()["total"]
    r = requests.post(f"{base}/v1/reports", json=payload, headers=op, timeout=10)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert body["code"] == code and body["status"] == 422 and body["detail"]
    time.sleep(0.3)
    assert requests.get(f"{base}/v1/stats/summary", timeout=10).json()["total"] == before


def test_unknown_folio_is_404_problem_and_reading_a_report_needs_credentials(platform, op):
    r = requests.get(f"{platform.gateway_url}/v1/reports/999999999", headers=op, timeout=10)
    assert r.status_code == 404 and r.json()["code"] == "reporte_no_encontrado"
    r = requests.get(f"{platform.gateway_url}/v1/reports/1", timeout=10)
    assert r.status_code == 401  # folios are sequential: citizens use /v1/track with their token


def test_idempotency_key_retry_returns_the_same_folio(platform, op):
    base = platform.gateway_url
    h = op | {"Idempotency-Key": "retry-abc-123"}
    first = requests.post(f"{base}/v1/reports", json=REPORT, headers=h, timeout=10)
    again = requests.post(f"{base}/v1/reports", json=REPORT, headers=h, timeout=10)
    assert first.status_code == again.status_code == 201
    assert first.json()["folio"] == again.json()["folio"]
    assert again.headers.get("Idempotent-Replayed") == "true"


def test_citizen_tracks_a_report_with_its_token_and_only_with_it(platform, op):
    base = platform.gateway_url
    created = requests.post(f"{base}/v1/reports", json=REPORT | {"citizen_number": 166045}, headers=op,
                            timeout=10).json()
    folio, token = created["folio"], created["tracking_token"]
    r = requests.get(f"{base}/v1/track/{folio}", params={"token": token}, timeout=10)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["folio"] == folio and body["status"] == "captured" and body["due_at"] == created["due_at"]
    assert "citizen_number" not in body and "description" not in body  # no personal data
    for wrong in ({"token": "not-the-token"}, {"token": token[::-1]}):
        r = requests.get(f"{base}/v1/track/{folio}", params=wrong, timeout=10)
        assert r.status_code == 404 and r.json()["code"] == "reporte_no_encontrado"
    other = requests.get(f"{base}/v1/track/{folio - 1}", params={"token": token}, timeout=10)
    assert other.status_code == 404, "a token opens its own folio only"


def test_gateway_serves_prometheus_metrics(platform):
    requests.get(platform.gateway_url + "/v1/stats/summary", timeout=10)
    text = requests.get(platform.gateway_url + "/metrics", timeout=10).text
    assert 'gateway_http_requests_total{method="GET",route="/v1/stats/summary",status="200"}' in text
    assert "gateway_http_request_seconds_bucket" in text
