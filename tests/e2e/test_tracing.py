"""One trace spans gateway, intake and routing: HTTP → RPC → event.

Everything runs in this process so that one in-memory exporter sees every span: the
gateway app through its ASGI interface, the services as nameko containers on a real
vhost and real databases."""
import time

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

EXPORTER = InMemorySpanExporter()


@pytest.fixture(scope="module", autouse=True)
def tracer_provider():
    provider = trace.get_tracer_provider()
    if not isinstance(provider, TracerProvider):
        provider = TracerProvider()
        trace.set_tracer_provider(provider)
    provider.add_span_processor(SimpleSpanProcessor(EXPORTER))
    yield


@pytest.fixture
def gateway_db():
    """The gateway's own database with the demo users (filing a report needs credentials)."""
    import asyncio
    import secrets
    from pathlib import Path

    from gateway.cli import load_demo_users
    from gateway.settings import Settings
    from sacinfra import testing

    name = testing.unique("t_gateway")
    url = testing.create_database(name)
    try:
        testing.migrate(Path(__file__).resolve().parents[2] / "gateway", url)
        asyncio.run(load_demo_users(Settings(database_url=url, environment="development")))
        yield Settings(database_url=url, jwt_secret=secrets.token_urlsafe(48), environment="production")
    finally:
        testing.drop_database(name)


def test_one_trace_spans_gateway_intake_and_routing(vhost, service_db, container_factory, gateway_db):
    import dataclasses

    from catalog.seed import seed_demo
    from catalog.service import CatalogService
    from fastapi.testclient import TestClient
    from gateway.app import create_app
    from intake.service import IntakeService
    from routing.service import RoutingService

    from sacinfra.db import make_engine

    urls = {s: service_db(s) for s in ("catalog", "intake", "routing")}
    engine = make_engine(urls["catalog"])
    seed_demo(engine)
    engine.dispose()
    for cls, s in ((CatalogService, "catalog"), (IntakeService, "intake"), (RoutingService, "routing")):
        container_factory(cls, {"AMQP_URI": vhost["uri"], "DATABASE_URL": urls[s], "METRICS_PORT": 0,
                                "OUTBOX_POLL_SECONDS": 0.1}).start()

    EXPORTER.clear()
    app = create_app(dataclasses.replace(gateway_db, amqp_uri=vhost["uri"]))
    with TestClient(app) as client:
        login = client.post("/v1/auth/login", json={"username": "operator", "password": "demo-operator-2026"})
        assert login.status_code == 200, login.text
        r = client.post("/v1/reports", headers={"Authorization": f"Bearer {login.json()['access_token']}"}, json={
            "petition_type": "OP-LAMPARA APAGADA", "channel": "072", "description": "traza",
            "location": {"lat": 21.1, "lon": -101.6, "colonia": "CENTRO", "street": "MADERO"}})
        assert r.status_code == 201, r.text

    deadline = time.monotonic() + 15
    names = set()
    while time.monotonic() < deadline:
        spans = EXPORTER.get_finished_spans()
        names = {s.name for s in spans}
        if "routing.handle_report_created" in names:
            break
        time.sleep(0.1)
    spans = EXPORTER.get_finished_spans()
    by_name = {s.name: s for s in spans}
    # intake.create_reports and catalog.quote_reports serve a batch of reports (the
    # gateway batches concurrent POSTs), so they join the first report's trace; each
    # report's own trace context rides on its event to routing.
    for expected in ("HTTP POST /v1/reports", "intake.create_reports", "catalog.quote_reports",
                     "routing.handle_report_created"):
        assert expected in by_name, f"{expected} missing from {sorted(names)}"
    trace_ids = {by_name[n].context.trace_id for n in ("HTTP POST /v1/reports", "intake.create_reports",
                                                        "catalog.quote_reports", "routing.handle_report_created")}
    assert len(trace_ids) == 1, "one trace from HTTP to the event consumer"
    gateway_span = by_name["HTTP POST /v1/reports"]
    assert by_name["intake.create_reports"].parent.span_id == gateway_span.context.span_id
    assert by_name["catalog.quote_reports"].parent.span_id == by_name["intake.create_reports"].context.span_id
    assert by_name["routing.handle_report_created"].parent.span_id == gateway_span.context.span_id
