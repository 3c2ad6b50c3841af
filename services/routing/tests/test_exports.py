"""Exports rendered by routing on a real PostgreSQL database, with citizens and intake
standing in as they answer over RPC: a CSV page by page (keyset) with the header on the
first page only, an XLSX whole, work orders in the order asked; agency staff get their
agency's reports only; citizens is read with the export's reason only for actors with
personal data (an auditor gets the number, nobody is read); caps answer
``demasiados_reportes`` before any row is read."""
import base64
import csv
import io

import pypdf
import pytest
from openpyxl import load_workbook

from routing import exports, handlers
from sacinfra.errors import InvalidInput, NotFound
from routing_actors import AUDITOR, OP, SUPERVISOR

SHARE = 0.75


class Stand:
    """citizens.get_citizens and intake.get_reports as they answer, recording the calls."""

    def __init__(self):
        self.citizen_reads, self.received = [], []

    def get_citizens(self, actor, numbers, reason):
        assert len(numbers) <= exports.CITIZENS_PER_CALL
        self.citizen_reads.append((actor["username"], list(numbers), reason))
        return {"items": [{"number": n, "full_name": f"Persona {n}", "phones": ["4777654321"]} for n in numbers]}

    def get_reports(self, folios, with_token):
        self.received.append((list(folios), with_token))
        return [{"folio": f, "description": f"Lámpara apagada {f}", "tracking_token": f"tok{f}",
                 "location": {"street": "MADERO", "number": "100", "colonia": "CENTRO", "references": "Esquina"}}
                for f in folios]


@pytest.fixture
def reports(uow, departments, created_event):
    """Folios 1–5: odd ones OP's, even ones SIAP's; citizen 100 + folio."""
    for folio in range(1, 6):
        event = created_event(folio=folio)
        event["data"]["citizen_number"] = 100 + folio
        if folio % 2 == 0:
            event["data"] |= {"agency": "SIAP", "department": "SIAP-RECOLECCION", "petition_type": "SIAP-BASURA"}
        assert handlers.assign_report(uow, event)
    handlers.add_intervention(uow, OP, 3, "Cuadrilla al folio 3")
    return list(range(1, 6))


def decoded(out) -> bytes:
    return base64.b64decode(out["content_b64"])


def csv_pages(uow, actor, stand, options=None, filters=None, page_size=2):
    pages, after = [], None
    while True:
        out = exports.export_csv_page(uow, actor, filters or {}, options, after, get_citizens=stand.get_citizens,
                                      at_risk_share=SHARE, page_size=page_size)
        pages.append(out)
        after = out["next_after"]
        if after is None:
            return pages


def test_csv_pages_follow_the_keyset_with_one_header_and_citizens_read_with_the_reason(uow, reports):
    stand = Stand()
    pages = csv_pages(uow, SUPERVISOR, stand, {"reason": "revisión mensual"})
    assert [p["rows"] for p in pages] == [2, 2, 1] and pages[0]["total"] == 5 and "total" not in pages[1]
    assert pages[0]["media_type"].startswith("text/csv") and pages[0]["filename"].startswith("consulta-de-reportes-")
    body = b"".join(decoded(p) for p in pages)
    assert body.startswith("\ufeff".encode()) and body.count("\ufeff".encode()) == 1
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert [r["Folio"] for r in rows] == ["1", "2", "3", "4", "5"]
    assert rows[0]["Ciudadano"] == "Persona 101" and rows[0]["Teléfono"] == "4777654321"
    assert {r[2] for r in stand.citizen_reads} == {"revisión mensual"} and len(stand.citizen_reads) == 3
    assert "citizen_name" in pages[0]["columns"]


def test_agency_staff_get_their_agency_and_an_auditor_no_names_nor_reads(uow, reports):
    stand = Stand()
    body = b"".join(decoded(p) for p in csv_pages(uow, OP, stand, {"hide_map": True}))
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert [r["Folio"] for r in rows] == ["1", "3", "5"] and "Latitud" not in rows[0]
    stand = Stand()
    [page] = csv_pages(uow, AUDITOR, stand, page_size=100)
    header = next(csv.reader(io.StringIO(decoded(page).decode("utf-8-sig"))))
    assert "Número de ciudadano" in header and not {"Ciudadano", "Teléfono"} & set(header)
    assert stand.citizen_reads == []  # nothing read, nothing logged
    [page] = csv_pages(uow, SUPERVISOR, stand, {"hide_citizen_data": True}, page_size=100)
    assert "Número de ciudadano" not in decoded(page).decode("utf-8-sig") and stand.citizen_reads == []


def test_xlsx_whole_with_names_and_caps_before_any_row(uow, reports):
    stand = Stand()
    out = exports.export_xlsx(uow, SUPERVISOR, {"status": ["captured"]}, {"hide_citizen_name": True},
                              get_citizens=stand.get_citizens, at_risk_share=SHARE, page_size=2)
    assert out["rows"] == 5 and out["filename"].endswith(".xlsx") and out["media_type"].endswith(".sheet")
    data = list(load_workbook(io.BytesIO(decoded(out)), read_only=True).active.iter_rows(values_only=True))
    first = dict(zip(data[0], data[1]))
    assert len(data) == 6 and first["Folio"] == 1 and first["Teléfono"] == "4777654321" and "Ciudadano" not in first
    stand = Stand()
    with pytest.raises(InvalidInput) as caught:
        exports.export_xlsx(uow, SUPERVISOR, {}, None, get_citizens=stand.get_citizens, at_risk_share=SHARE,
                            max_rows=3)
    assert caught.value.code == "demasiados_reportes" and "5" in caught.value.message
    with pytest.raises(InvalidInput) as caught:
        exports.export_csv_page(uow, SUPERVISOR, {}, None, None, get_citizens=stand.get_citizens,
                                at_risk_share=SHARE, max_rows=3)
    assert caught.value.code == "demasiados_reportes" and stand.citizen_reads == []
    for options in ({"hide_map": "sí"}, {"colour": True}, {"reason": "x"}):
        with pytest.raises(InvalidInput):
            exports.export_xlsx(uow, SUPERVISOR, {}, options, get_citizens=stand.get_citizens, at_risk_share=SHARE)


def work_orders(uow, actor, selection, stand, options=None):
    return exports.work_orders(uow, actor, selection, options, get_citizens=stand.get_citizens,
                               get_received=stand.get_reports, public_url="https://sac.example/",
                               at_risk_share=SHARE)


def test_work_orders_in_the_order_asked_with_intake_text_interventions_and_the_tracking_link(uow, reports):
    stand = Stand()
    out = work_orders(uow, OP, {"folios": [3]}, stand, {"hide_citizen_name": True})
    page = pypdf.PdfReader(io.BytesIO(decoded(out))).pages[0]
    text = page.extract_text()
    for expected in ("Orden de trabajo", "Folio 3", "Lámpara apagada 3", "Cuadrilla al folio 3", "4777654321",
                     "Esquina", "https://sac.example/v1/trac"):
        assert expected in text, expected
    assert [a.get_object()["/A"]["/URI"] for a in page["/Annots"]] == ["https://sac.example/v1/track/3?token=tok3"]
    assert "Persona" not in text and out["rows"] == 1 and out["citizen_data"] is True
    assert stand.received == [([3], True)] and stand.citizen_reads[0][2] == "Orden de trabajo"
    out = work_orders(uow, AUDITOR, {"folios": [4, 2]}, stand)
    pages = [p.extract_text() for p in pypdf.PdfReader(io.BytesIO(decoded(out))).pages]
    assert len(pages) == 2 and "Folio 4" in pages[0] and "Folio 2" in pages[1] and out["citizen_data"] is False
    assert not any("Persona" in p for p in pages) and len(stand.citizen_reads) == 1
    out = work_orders(uow, AUDITOR, {"filters": {"status": ["captured"]}}, stand)
    assert out["rows"] == 5 and len(pypdf.PdfReader(io.BytesIO(decoded(out))).pages) == 5


def test_work_orders_refuse_what_the_actor_may_not_see_too_many_and_bad_selections(uow, reports):
    stand = Stand()
    with pytest.raises(NotFound) as caught:
        work_orders(uow, OP, {"folios": [2]}, stand)  # SIAP's: as if it did not exist
    assert caught.value.code == "reporte_no_encontrado"
    with pytest.raises(NotFound) as caught:
        work_orders(uow, OP, {"folios": [1, 2, 99]}, stand)
    assert caught.value.code == "reportes_no_encontrados" and "2, 99" in caught.value.message
    with pytest.raises(InvalidInput) as caught:
        work_orders(uow, AUDITOR, {"folios": list(range(1, 502))}, stand)
    assert caught.value.code == "demasiados_reportes"
    for selection in ({}, {"folios": [1], "filters": {}}, {"folios": []}, {"folios": [0]}, {"folios": [True]}):
        with pytest.raises(InvalidInput):
            work_orders(uow, AUDITOR, selection, stand)
    assert stand.received == [] and stand.citizen_reads == []


def test_list_pages_get_the_citizen_columns_as_exports_do(uow, reports):
    from routing import queries

    stand = Stand()
    page = exports.list_page(queries.query_reports(uow, OP, {}, at_risk_share=SHARE), OP,
                             {"reason": "Asuntos del día", "hide_citizen_name": True}, stand.get_citizens)
    assert [r["folio"] for r in sorted(page["items"], key=lambda r: r["folio"])] == [1, 3, 5]
    assert all(r["citizen_phone"] == "4777654321" and "citizen_name" not in r for r in page["items"])
    assert stand.citizen_reads == [("agency_staff", [101, 103, 105], "Asuntos del día")]
    for actor, options in ((AUDITOR, {"reason": "Consultas y reportes"}),
                           (SUPERVISOR, {"reason": "Consultas y reportes", "hide_citizen_data": True,
                                         "hide_map": True})):
        page = exports.list_page(queries.query_reports(uow, actor, {}, at_risk_share=SHARE), actor, options,
                                 stand.get_citizens)
        assert not {"citizen_name", "citizen_phone"} & set(page["items"][0])
    assert not {"citizen_number", "lat", "lon"} & set(page["items"][0]) and len(stand.citizen_reads) == 1
