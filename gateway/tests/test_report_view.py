"""The one read path for a report, over stand-in services (no I/O): routing's view first,
intake's record while routing has not seen the report, the services' refusals untouched."""
import asyncio

import pytest

from gateway.errors import ApiError
from gateway.report_view import open311_row, read_report, tracking_view

RECEIVED = {"folio": 7, "petition_type": "OP-LAMPARA APAGADA", "channel": "072", "description": "Lámpara",
            "citizen_number": 3, "agency": "OP", "department": "OP-ALUMBRADO", "created_at": "2026-12-07T10:00:00-06:00",
            "due_at": "2026-12-10T23:59:59-06:00",
            "location": {"lat": 21.1, "lon": -101.6, "colonia": "CENTRO", "street": "MADERO 100"}}
ASSIGNED = {"folio": 7, "status": "in_progress", "agency": "SIAP", "department": "SIAP-ESPECIALES", "version": 3,
            "traffic_light": "on_time", "closed_at": None,
            "history": [{"kind": "start", "to_status": "in_progress", "at": "2026-12-07T17:00:00+00:00",
                         "author": "agency_staff", "text": "en camino"}]}
ACTOR = {"kind": "staff", "username": "operator", "role": "operator"}


class Services:
    def __init__(self, routed=True, intake_refuses=False):
        self.routed, self.intake_refuses, self.calls = routed, intake_refuses, []

    async def __call__(self, service, method, *args):
        self.calls.append((service, method, args))
        if (service, method) == ("routing", "get_assignment"):
            if not self.routed:
                raise ApiError(404, "reporte_no_encontrado", "No existe.")
            return ASSIGNED
        if (service, method) == ("intake", "get_report"):
            if self.intake_refuses:
                raise ApiError(404, "reporte_no_encontrado", "No existe.")
            return RECEIVED
        if (service, method) == ("intake", "get_reports"):
            return [RECEIVED]
        raise AssertionError((service, method))


def test_routing_view_first_with_intake_text():
    services = Services()
    report = asyncio.run(read_report(services, 7, ACTOR))
    assert (report["status"], report["agency"], report["assigned"], report["description"]) == (
        "in_progress", "SIAP", True, "Lámpara")
    assert services.calls[0] == ("routing", "get_assignment", (7, ACTOR))
    assert ("intake", "get_reports", ([7],)) in services.calls  # intake is not asked to decide again


def test_not_routed_yet_is_intakes_record_as_captured_and_not_assigned():
    services = Services(routed=False)
    report = asyncio.run(read_report(services, 7, ACTOR))
    assert (report["status"], report["assigned"], report["history"], report["agency"]) == (
        "captured", False, [], "OP")
    assert ("intake", "get_report", (7, ACTOR)) in services.calls  # intake decides for its record
    assert open311_row(report)["status"] == "captured" and open311_row(report)["street"] == "MADERO 100"
    view = tracking_view(report)
    assert "description" not in view and view["colonia"] == "CENTRO" and view["assigned"] is False


def test_neither_service_shows_it_is_a_404():
    with pytest.raises(ApiError) as caught:
        asyncio.run(read_report(Services(routed=False, intake_refuses=True), 7, ACTOR))
    assert caught.value.status == 404


def test_tracking_view_drops_authors_and_texts():
    view = tracking_view(asyncio.run(read_report(Services(), 7, ACTOR)))
    assert view["history"] == [{"status": "in_progress", "kind": "start", "at": "2026-12-07T17:00:00+00:00"}]

