"""Exports over HTTP against the platform as `make up` runs it: a Consultas query as XLSX
and CSV (agency staff get only their agency's reports; an auditor gets the citizen number,
no name nor phone; the citizen's name comes through citizens' logged reads with the export's
reason), the work order of a report as a PDF (folio, description, interventions and the
link of its QR code to public tracking, which answers), a batch of work orders, and the
audit log of each export."""
import csv
import io
from urllib.parse import parse_qsl, urlsplit

import pypdf
import pytest
import requests
from openpyxl import load_workbook

pytestmark = pytest.mark.e2e
SHARED_PLATFORM = True  # asserts nothing platform-wide: runs on the session's shared platform

CITIZEN = {"given_names": "Rosa Elvira", "first_surname": "Quiñones", "second_surname": "Téllez",
           "sex": "female", "birth_date": "1968-07-02", "phones": ["477 765 4321"],
           "address": {"colonia": "León Moderno", "street": "López Mateos", "number": "200", "postal_code": "37480"},
           "consent": True, "privacy_notice_version": "2026-01", "channel": "072"}
LOCATION = {"lat": 21.1221, "lon": -101.6824, "colonia": "León Moderno", "street": "Blvd. López Mateos 200"}


@pytest.fixture(scope="module")
def filed(platform, tokens, file_report, wait_listed):
    base, op = platform.gateway_url, tokens["operator"]
    r = requests.post(f"{base}/v1/citizens", json=CITIZEN, headers=op, timeout=10)
    assert r.status_code == 201, r.text
    number = r.json()["number"]
    lamp = file_report(base, op, "OP-LAMPARA APAGADA", citizen_number=number, location=LOCATION,
                       description="Lámpara apagada frente al 200")
    trash = file_report(base, op, "SIAP- FALTA DE RECOLECCION DOMICILIARIA", citizen_number=number,
                        location=LOCATION, description="Basura sin recoger")
    folios = [lamp, trash]
    wait_listed(base, folios, tokens["supervisor"])
    r = requests.post(f"{base}/v1/reports/{lamp}/start", json={"version": 1, "text": "Cuadrilla en camino"},
                      headers=tokens["agency_staff"], timeout=10)
    assert r.status_code == 200, r.text
    return {"number": number, "lamp": lamp, "trash": trash, "all": folios}


def test_agency_staff_export_has_only_its_agency_with_citizen_names(platform, tokens, filed):
    base = platform.gateway_url
    params = {"folios": ",".join(map(str, filed["all"])), "reason": "exportación de prueba"}
    r = requests.get(f"{base}/v1/reports/export.xlsx", params=params, headers=tokens["agency_staff"], timeout=30)
    assert r.status_code == 200, r.text
    assert 'filename="consulta-de-reportes-' in r.headers["content-disposition"]
    data = list(load_workbook(io.BytesIO(r.content), read_only=True).active.iter_rows(values_only=True))
    rows = [dict(zip(data[0], d)) for d in data[1:]]
    assert [x["Folio"] for x in rows] == [filed["lamp"]]  # the SIAP report is not OP's
    assert rows[0]["Dependencia"] == "OP" and rows[0]["Estatus"] == "Proceso"
    assert rows[0]["Ciudadano"] == "Rosa Elvira Quiñones Téllez" and rows[0]["Teléfono"] == "4777654321"
    r = requests.get(f"{base}/v1/reports/export.csv", params=params, headers=tokens["agency_staff"], timeout=30)
    assert r.status_code == 200 and r.content.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert [x["Folio"] for x in rows] == [str(filed["lamp"])] and rows[0]["Tipo de petición"] == "OP-LAMPARA APAGADA"
    # the names were read through citizens' access log, with the export's reason
    log = requests.get(f"{base}/v1/citizens/access-log", params={"citizen_number": filed["number"],
                                                                  "username": "agency_staff"},
                       headers=tokens["auditor"], timeout=10).json()
    assert "exportación de prueba" in {e["reason"] for e in log["items"]}


def test_auditor_export_has_no_citizen_columns_and_supervisor_sees_all(platform, tokens, filed):
    base = platform.gateway_url
    params = {"folios": ",".join(map(str, filed["all"]))}
    r = requests.get(f"{base}/v1/reports/export.csv", params=params, headers=tokens["auditor"], timeout=30)
    assert r.status_code == 200, r.text
    body = r.content.decode("utf-8-sig")
    header = next(csv.reader(io.StringIO(body)))
    assert not {"Ciudadano", "Teléfono"} & set(header) and "Número de ciudadano" in header  # the id only
    assert "Quiñones" not in body and "4777654321" not in body
    assert len(body.strip().splitlines()) == 3
    r = requests.get(f"{base}/v1/reports/export.xlsx", params=params | {"hide_citizen_data": "true"},
                     headers=tokens["supervisor"], timeout=30)
    data = list(load_workbook(io.BytesIO(r.content), read_only=True).active.iter_rows(values_only=True))
    assert {d[0] for d in data[1:]} == set(filed["all"]) and "Ciudadano" not in data[0]
    audit = requests.get(f"{base}/v1/audit", params={"action": "reports.exported"}, headers=tokens["admin"],
                         timeout=10).json()["items"]
    mine = [e for e in audit if e["actor"] in ("auditor", "supervisor")]
    assert {(e["actor"], e["detail"]["format"], e["detail"]["rows"]) for e in mine} >= {
        ("auditor", "csv", 2), ("supervisor", "xlsx", 2)}
    assert all(e["detail"]["filters"]["folios"] for e in mine)
    r = requests.get(f"{base}/v1/reports/export.csv", params={"status": "perdido"}, headers=tokens["auditor"],
                     timeout=10)
    assert r.status_code == 422 and r.json()["code"] == "estatus_invalido"


def uri_of(pdf: bytes) -> str:
    page = pypdf.PdfReader(io.BytesIO(pdf)).pages[0]
    [uri] = [a.get_object()["/A"]["/URI"] for a in page.get("/Annots", []) if "/A" in a.get_object()]
    return uri


def test_work_order_pdf_of_a_report_and_its_qr_link_tracks_it(platform, tokens, filed):
    base, lamp = platform.gateway_url, filed["lamp"]
    r = requests.get(f"{base}/v1/reports/{lamp}/work-order.pdf", headers=tokens["agency_staff"], timeout=30)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf"
    assert r.headers["content-disposition"] == f'attachment; filename="orden-de-trabajo-{lamp}.pdf"'
    text = pypdf.PdfReader(io.BytesIO(r.content)).pages[0].extract_text()
    for expected in ("Orden de trabajo", f"Folio {lamp}", "OP-LAMPARA APAGADA", "Lámpara apagada frente al 200",
                     "Cuadrilla en camino", "Rosa Elvira Quiñones Téllez", "Fecha límite", "Proceso"):
        assert expected in text, expected
    # the QR code's link (also a link annotation) opens the public tracking of this report
    link = uri_of(r.content)
    assert link.startswith(f"http://127.0.0.1:8000/v1/track/{lamp}?token=")  # PUBLIC_URL's default
    tracked = requests.get(f"{base}{urlsplit(link).path}", params=dict(parse_qsl(urlsplit(link).query)), timeout=10)
    assert tracked.status_code == 200 and tracked.json()["folio"] == lamp
    # another agency's report is not printed for agency staff
    r = requests.get(f"{base}/v1/reports/{filed['trash']}/work-order.pdf", headers=tokens["agency_staff"], timeout=30)
    assert r.status_code in (403, 404) and r.json()["code"]


def test_batch_of_work_orders_one_page_each_auditor_without_personal_data(platform, tokens, filed):
    base = platform.gateway_url
    r = requests.post(f"{base}/v1/reports/work-orders.pdf", json={"folios": filed["all"]},
                      headers=tokens["auditor"], timeout=60)
    assert r.status_code == 200, r.text
    pages = [p.extract_text() for p in pypdf.PdfReader(io.BytesIO(r.content)).pages]
    assert len(pages) == 2 and f"Folio {filed['lamp']}" in pages[0] and f"Folio {filed['trash']}" in pages[1]
    assert not any("Quiñones" in p or "4777654321" in p for p in pages)
    r = requests.post(f"{base}/v1/reports/work-orders.pdf", json={"folios": list(range(1, 502))},
                      headers=tokens["auditor"], timeout=10)
    assert r.status_code == 422 and r.json()["code"] == "demasiados_reportes"
