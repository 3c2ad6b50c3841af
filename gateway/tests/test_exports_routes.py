"""The export routes over stand-in services (routing, intake, citizens answer as they do;
the gateway's own database keeps users and the audit log): static paths are not taken
for folios, filters and the actor reach routing, keyset pages are followed, citizens are
read with a reason only when allowed, caps give 422, every export is audited. The real
services are exercised in tests/e2e/test_exports_api.py."""
import csv
import io
import json

import pypdf
import pytest
from openpyxl import load_workbook

from gateway.errors import remote_to_api
from gateway.rpc import RemoteCallError


def row(folio, agency="OP", citizen=7):
    return {"folio": folio, "petition_type": "OP-LAMPARA APAGADA", "kind": "Servicio", "channel": "072",
            "citizen_number": citizen, "agency": agency, "department": f"{agency}-ALUMBRADO", "status": "captured",
            "viability": "viable", "reassigned": False, "reassign_count": 0, "created_by": "operator",
            "colonia": "CENTRO", "street": "MADERO 100", "lat": 21.1221, "lon": -101.6824,
            "created_at": "2026-11-30T12:05:00-06:00", "due_at": "2026-12-05T23:59:59-06:00", "closed_at": None,
            "traffic_light": "on_time", "version": 1, "shared_with": []}


class Services:
    """routing, intake and citizens as they answer; routing scopes agency staff."""

    def __init__(self, n=5):
        self.rows = [row(f, "OP" if f % 2 else "SIAP") for f in range(1, n + 1)]
        self.calls = []

    def visible(self, actor, filters):
        rows = self.rows
        if actor and actor["role"] == "agency_staff":
            rows = [r for r in rows if r["agency"] == actor["agency"]]
        if "folios" in filters:
            rows = [r for r in rows if r["folio"] in {int(f) for f in filters["folios"]}]
        if "status" in filters:
            rows = [r for r in rows if r["status"] in filters["status"]]
        return rows

    async def __call__(self, service, method, *args, timeout=None, **kwargs):
        self.calls.append((service, method, args))
        if (service, method) == ("routing", "query_reports"):
            actor, filters, page, per_page, sort = args
            rows = self.visible(actor, filters)
            return {"items": rows[:per_page], "total": len(rows), "page": page, "per_page": per_page}
        if (service, method) == ("routing", "export_reports"):
            actor, filters, after, limit = args
            rows = [r for r in self.visible(actor, filters) if after is None or r["folio"] > after][:limit]
            return {"items": [dict(r) for r in rows], "next_after": rows[-1]["folio"] if len(rows) == limit else None}
        if (service, method) == ("routing", "list_interventions_batch"):
            folios, actor = args
            return [{"folio": f, "interventions": [
                {"id": 1, "folio": f, "author": "agency_staff", "agency": "OP", "department": "OP-ALUMBRADO",
                 "kind": "start", "text": f"Cuadrilla al folio {f}", "at": "2026-11-30T19:00:00+00:00"}]}
                for f in folios]
        if (service, method) == ("intake", "get_reports"):
            folios, include_token = args
            assert include_token is True
            return [{"folio": f, "description": f"Lámpara apagada {f}", "tracking_token": f"tok{f}",
                     "location": {"street": "MADERO 100", "number": None, "colonia": "CENTRO", "references": "Esquina"}}
                    for f in folios]
        if (service, method) == ("citizens", "get_citizens"):
            actor, numbers, reason = args
            assert len(numbers) <= 500
            return {"items": [{"number": n, "citizen_number": n, "full_name": "Rosa Quintero",
                               "phones": ["4777654321"]} for n in numbers]}
        raise AssertionError((service, method))

    def called(self, service, method):
        return [args for s, m, args in self.calls if (s, m) == (service, method)]


@pytest.fixture
def services(client):
    fake = Services()

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


def test_xlsx_export_is_not_a_folio_follows_pages_reads_citizens_with_a_reason_and_is_audited(api, services):
    services.rows = [row(f) for f in range(1, 4502)]  # three keyset pages of 2,000
    r = api.client.get("/v1/reports/export.xlsx", params={"status": "captured", "reason": "revisión mensual"},
                       headers=api.as_("supervisor"))
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert r.headers["content-disposition"].startswith('attachment; filename="consulta-de-reportes-')
    sheet = load_workbook(io.BytesIO(r.content), read_only=True).active
    data = list(sheet.iter_rows(values_only=True))
    assert len(data) == 4502 and data[0][:3] == ("Folio", "Fecha", "Fecha límite")
    first = dict(zip(data[0], data[1]))
    assert first["Ciudadano"] == "Rosa Quintero" and first["Teléfono"] == "4777654321"
    exports = services.called("routing", "export_reports")
    assert [a[2] for a in exports] == [None, 2000, 4000]
    assert exports[0][0]["username"] == "supervisor" and exports[0][1] == {"status": ["captured"]}
    reads = services.called("citizens", "get_citizens")
    assert {a[2] for a in reads} == {"revisión mensual"} and all(len(a[1]) <= 500 for a in reads)
    [entry] = audit(api, "reports.exported")
    assert entry["actor"] == "supervisor"
    assert entry["detail"]["rows"] == 4501 and entry["detail"]["format"] == "xlsx"
    assert entry["detail"]["filters"] == {"status": ["captured"]}


def test_csv_export_for_agency_staff_only_its_agency_and_for_an_auditor_no_citizen_columns(api, services):
    r = api.client.get("/v1/reports/export.csv", headers=api.as_("agency_staff"))
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv") and r.content.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert {x["Dependencia"] for x in rows} == {"OP"} and [x["Folio"] for x in rows] == ["1", "3", "5"]
    assert rows[0]["Ciudadano"] == "Rosa Quintero"
    services.calls.clear()
    r = api.client.get("/v1/reports/export.csv", params={"hide_map": "true"}, headers=api.as_("auditor"))
    assert r.status_code == 200, r.text
    header = r.content.decode("utf-8-sig").splitlines()[0].split(",")
    assert not {"Ciudadano", "Teléfono", "Latitud", "Longitud"} & set(header) and "Número de ciudadano" in header
    assert services.called("citizens", "get_citizens") == []  # nothing read, nothing logged
    assert [e["actor"] for e in audit(api, "reports.exported")] == ["auditor", "agency_staff"]


def test_bad_parameters_and_too_many_rows_are_4xx_before_any_byte(api, services):
    h = api.as_("supervisor")
    r = api.client.get("/v1/reports/export.csv", params={"colour": "red"}, headers=h)
    assert r.status_code == 422 and r.json()["code"] == "parametro_desconocido"
    assert api.client.get("/v1/reports/export.xlsx").status_code == 401
    from dataclasses import replace
    auth = api.client.app.state.auth
    auth.settings = replace(auth.settings, export_max_rows=3)  # EXPORT_MAX_ROWS=3
    r = api.client.get("/v1/reports/export.xlsx", headers=h)
    assert r.status_code == 422 and r.json()["code"] == "demasiados_reportes" and "5" in r.json()["detail"]
    assert services.called("routing", "export_reports") == []
    assert audit(api, "reports.exported") == []


def test_work_order_of_one_report(api, services):
    r = api.client.get("/v1/reports/3/work-order.pdf", params={"hide_citizen_name": "true"},
                       headers=api.as_("agency_staff"))
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf"
    assert r.headers["content-disposition"] == 'attachment; filename="orden-de-trabajo-3.pdf"'
    text = pypdf.PdfReader(io.BytesIO(r.content)).pages[0].extract_text()
    for expected in ("Orden de trabajo", "Folio 3", "Lámpara apagada 3", "Cuadrilla al folio 3", "4777654321",
                     "Esquina", "http://127.0.0.1:8000/v1/trac"):
        assert expected in text, expected
    assert "Rosa" not in text  # the name hidden on request
    assert services.called("routing", "list_interventions_batch") == [([3], services.calls[0][2][0])]
    assert services.calls[0][2][0]["username"] == "agency_staff" and services.calls[0][2][0]["kind"] == "staff"
    assert services.called("citizens", "get_citizens")[0][2] == "Orden de trabajo"
    [entry] = audit(api, "reports.work_orders_printed")
    assert entry["detail"]["folios"] == [3] and entry["detail"]["rows"] == 1
    # another agency's report (routing leaves it out) or a folio that does not exist: 404
    r = api.client.get("/v1/reports/2/work-order.pdf", headers=api.as_("agency_staff"))
    assert r.status_code == 404 and r.json()["code"] == "reporte_no_encontrado"
    r = api.client.get("/v1/reports/99/work-order.pdf", headers=api.as_("agency_staff"))
    assert r.status_code == 404


def test_batch_of_work_orders_by_folios_or_filters_capped(api, services):
    h = api.as_("auditor")
    r = api.client.post("/v1/reports/work-orders.pdf", json={"folios": [4, 2]}, headers=h)
    assert r.status_code == 200, r.text
    pages = [p.extract_text() for p in pypdf.PdfReader(io.BytesIO(r.content)).pages]
    assert len(pages) == 2 and "Folio 4" in pages[0] and "Folio 2" in pages[1]  # the order asked
    assert not any("Rosa" in p or "4777654321" in p for p in pages)  # an auditor: no personal data
    assert services.called("citizens", "get_citizens") == []
    r = api.client.post("/v1/reports/work-orders.pdf", json={"filters": {"status": ["captured"]}}, headers=h)
    assert r.status_code == 200 and len(pypdf.PdfReader(io.BytesIO(r.content)).pages) == 5
    r = api.client.post("/v1/reports/work-orders.pdf", json={"folios": [1, 2]}, headers=api.as_("agency_staff"))
    assert r.status_code == 404 and r.json()["code"] == "reportes_no_encontrados" and "2" in r.json()["detail"]
    r = api.client.post("/v1/reports/work-orders.pdf", json={"folios": list(range(1, 502))}, headers=h)
    assert r.status_code == 422 and r.json()["code"] == "demasiados_reportes"
    services.rows = [row(f) for f in range(1, 502)]
    r = api.client.post("/v1/reports/work-orders.pdf", json={"filters": {}}, headers=h)
    assert r.status_code == 422 and r.json()["code"] == "demasiados_reportes"
    for body in ({}, {"folios": [1], "filters": {}}, {"folios": []}, {"filters": {"status": {"a": 1}}},
                 {"filters": {"colour": "red"}}):
        r = api.client.post("/v1/reports/work-orders.pdf", json=body, headers=h)
        assert r.status_code == 422, (body, r.text)
    assert [e["detail"]["rows"] for e in audit(api, "reports.work_orders_printed")] == [5, 2]
