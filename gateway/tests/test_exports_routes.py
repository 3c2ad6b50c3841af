"""The export routes over a stand-in routing (it renders: tests in
services/routing/tests/test_exports.py; the gateway's own database keeps users and the
audit log): static paths are not taken for folios, the query's filters, the actor and the
options reach routing, CSV pages are streamed as routing answers them, routing's errors
are mapped before any byte, every export is audited. The real services are exercised in
tests/e2e/test_exports_api.py."""
import base64
import json

import pytest

from gateway.errors import remote_to_api
from gateway.rpc import RemoteCallError

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def refused(code: str, message: str, kind: str) -> RemoteCallError:
    value = json.dumps({"code": code, "message": message, "kind": kind})
    return RemoteCallError(kind, value, f"routing.exceptions.{kind}")


class Routing:
    """routing's export RPCs as they answer (3 CSV pages), and its refusals."""

    def __init__(self):
        self.calls = []
        self.refuse = None

    async def __call__(self, service, method, *args, timeout=None, **kwargs):
        self.calls.append((service, method, args))
        if self.refuse:
            raise self.refuse
        if method == "export_xlsx":
            return {"content_b64": b64(b"PK-xlsx"), "media_type": XLSX_TYPE, "rows": 4501,
                    "filename": "consulta-de-reportes-20261130-1205.xlsx", "columns": ["folio", "citizen_name"]}
        if method == "export_csv_page":
            after = args[3]
            page = {None: (b"\xef\xbb\xbfFolio\r\n1\r\n", 2), 2: (b"2\r\n", 4), 4: (b"3\r\n", None)}[after]
            first = {"total": 3, "columns": ["folio"]} if after is None else {}
            if after is None and "citizen" in args[1]:  # routing resolved the citizen criteria
                first["filters"] = {k: v for k, v in args[1].items() if k != "citizen"} | {"citizen_numbers": [7, 8]}
            return {"content_b64": b64(page[0]), "next_after": page[1], "rows": 1, "media_type": CSV_TYPE,
                    "filename": "consulta-de-reportes-20261130-1205.csv"} | first
        if method == "work_orders":
            return {"content_b64": b64(b"%PDF-1.4"), "media_type": "application/pdf", "rows": 2,
                    "filename": "ordenes-de-trabajo-20261130-1205.pdf", "citizen_data": False}
        raise AssertionError((service, method))

    def called(self, method):
        return [args for _, m, args in self.calls if m == method]


@pytest.fixture
def routing(client):
    fake = Routing()

    async def call(service, method, *args, timeout=None, **kwargs):
        try:
            return await fake(service, method, *args, timeout=timeout, **kwargs)
        except RemoteCallError as exc:
            raise remote_to_api(exc) from None

    client.app.state.call = call
    return fake


def audit(api, action):
    r = api.client.get("/v1/audit", params={"action": action}, headers=api.as_("admin"))
    assert r.status_code == 200, r.text
    return r.json()["items"]


def test_xlsx_export_passes_actor_filters_and_options_streams_routing_file_and_is_audited(api, routing):
    r = api.client.get("/v1/reports/export.xlsx", params={"status": "captured", "reason": "revisión mensual",
                                                          "hide_map": "true"}, headers=api.as_("supervisor"))
    assert r.status_code == 200, r.text
    assert r.content == b"PK-xlsx" and r.headers["content-type"] == XLSX_TYPE
    assert r.headers["content-disposition"] == 'attachment; filename="consulta-de-reportes-20261130-1205.xlsx"'
    assert r.headers["cache-control"] == "no-store" and r.headers["x-content-type-options"] == "nosniff"
    [(actor, filters, options)] = routing.called("export_xlsx")
    assert actor["username"] == "supervisor" and filters == {"status": ["captured"]}
    assert options == {"hide_citizen_data": False, "hide_citizen_name": False, "hide_map": True,
                       "reason": "revisión mensual"}
    [entry] = audit(api, "reports.exported")
    assert entry["actor"] == "supervisor" and entry["detail"]["rows"] == 4501
    assert entry["detail"]["format"] == "xlsx" and entry["detail"]["filters"] == {"status": ["captured"]}
    assert entry["detail"]["columns"] == ["folio", "citizen_name"]


def test_csv_export_streams_every_page_routing_renders_and_audits_the_total(api, routing):
    r = api.client.get("/v1/reports/export.csv", headers=api.as_("agency_staff"))
    assert r.status_code == 200, r.text
    assert r.content == b"\xef\xbb\xbfFolio\r\n1\r\n2\r\n3\r\n" and r.headers["content-type"] == CSV_TYPE
    assert [a[3] for a in routing.called("export_csv_page")] == [None, 2, 4]
    assert routing.called("export_csv_page")[0][2]["reason"] == "Exportación de Consultas y reportes"
    [entry] = audit(api, "reports.exported")
    assert entry["actor"] == "agency_staff" and entry["detail"]["rows"] == 3 and entry["detail"]["format"] == "csv"


def test_bad_parameters_and_routing_refusals_are_4xx_before_any_byte_and_not_audited(api, routing):
    h = api.as_("supervisor")
    r = api.client.get("/v1/reports/export.csv", params={"colour": "red"}, headers=h)
    assert r.status_code == 422 and r.json()["code"] == "parametro_desconocido"
    assert api.client.get("/v1/reports/export.xlsx").status_code == 401
    assert routing.calls == []
    routing.refuse = refused("demasiados_reportes", "La consulta tiene 5 reportes y una exportación admite hasta 3",
                             "InvalidInput")
    for path in ("/v1/reports/export.xlsx", "/v1/reports/export.csv"):
        r = api.client.get(path, headers=h)
        assert r.status_code == 422 and r.json()["code"] == "demasiados_reportes" and "5" in r.json()["detail"]
    assert audit(api, "reports.exported") == []


def test_work_order_of_one_report_and_routing_404(api, routing):
    r = api.client.get("/v1/reports/3/work-order.pdf", params={"hide_citizen_name": "true"},
                       headers=api.as_("agency_staff"))
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf" and r.content == b"%PDF-1.4"
    assert r.headers["content-disposition"] == 'attachment; filename="orden-de-trabajo-3.pdf"'
    [(actor, selection, options)] = routing.called("work_orders")
    assert actor["username"] == "agency_staff" and actor["kind"] == "staff" and selection == {"folios": [3]}
    assert options == {"hide_citizen_data": False, "hide_citizen_name": True, "reason": None}
    [entry] = audit(api, "reports.work_orders_printed")
    assert entry["detail"]["folios"] == [3] and entry["detail"]["rows"] == 2
    assert entry["detail"]["citizen_data"] is False
    routing.refuse = refused("reporte_no_encontrado", "No existe el reporte con folio 2.", "NotFound")
    r = api.client.get("/v1/reports/2/work-order.pdf", headers=api.as_("agency_staff"))
    assert r.status_code == 404 and r.json()["code"] == "reporte_no_encontrado"


def test_batch_of_work_orders_by_folios_or_filters_and_bad_bodies(api, routing):
    h = api.as_("auditor")
    r = api.client.post("/v1/reports/work-orders.pdf", json={"folios": [4, 2, 4]}, headers=h)
    assert r.status_code == 200, r.text
    assert r.headers["content-disposition"] == 'attachment; filename="ordenes-de-trabajo-20261130-1205.pdf"'
    r = api.client.post("/v1/reports/work-orders.pdf", json={"filters": {"status": ["captured"], "folio": 7}},
                        headers=h)
    assert r.status_code == 200, r.text
    assert [a[1] for a in routing.called("work_orders")] == [
        {"folios": [4, 2]}, {"filters": {"status": ["captured"], "folios": ["7"]}}]
    for body in ({}, {"folios": [1], "filters": {}}, {"folios": []}, {"filters": {"status": {"a": 1}}},
                 {"filters": {"colour": "red"}}):
        r = api.client.post("/v1/reports/work-orders.pdf", json=body, headers=h)
        assert r.status_code == 422, (body, r.text)
    assert len(routing.called("work_orders")) == 2
    assert [e["detail"] for e in audit(api, "reports.work_orders_printed")][1]["folios"] == [4, 2]


def test_citizen_criteria_go_to_routing_as_its_filter_and_the_audit_keeps_which_not_the_values(api, routing):
    r = api.client.get("/v1/reports/export.csv", params={"citizen_name": "Rosa Quiñones", "age_min": "30",
                                                         "status": "done"}, headers=api.as_("operator"))
    assert r.status_code == 200, r.text
    pages = routing.called("export_csv_page")
    assert pages[0][1] == {"status": ["done"], "citizen": {"name": "Rosa Quiñones", "age_min": 30}}
    # the next pages with the numbers routing resolved on the first: citizens is searched once
    assert [p[1] for p in pages[1:]] == [{"status": ["done"], "citizen_numbers": [7, 8]}] * 2
    [entry] = audit(api, "reports.exported")
    assert entry["detail"]["filters"] == {"status": ["done"], "citizen_criteria": ["age_min", "name"]}
    assert "Quiñones" not in json.dumps(entry)
    r = api.client.post("/v1/reports/work-orders.pdf", json={"filters": {"sex": "female"}},
                        headers=api.as_("operator"))
    assert r.status_code == 200, r.text
    assert routing.called("work_orders")[0][1] == {"filters": {"citizen": {"sex": "female"}}}
    r = api.client.get("/v1/reports/export.xlsx", params={"age_max": "viejo"}, headers=api.as_("operator"))
    assert r.status_code == 422 and r.json()["code"] == "parametro_invalido"
