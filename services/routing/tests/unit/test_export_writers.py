"""Routing's export writers on synthetic rows (no I/O but temporary files): the XLSX opens in
openpyxl with Spanish headings and typed cells in the municipality's time; the CSV has a
BOM and parses back; the hide flags and roles drop citizen columns; the work-order PDF
opens and carries the folio, the headings and the tracking link its QR code holds."""
import csv
import datetime as dt
import io
import os

import pypdf
import pytest
import segno
from openpyxl import load_workbook

from routing.exports import COLUMNS, columns_for
from routing.workorder import WorkOrder, qr_matrix, tracking_url, work_orders_pdf
from sacinfra.tables import headings, iter_csv, iter_file, safe_text, write_xlsx

CITIZEN_HEADINGS = {"Número de ciudadano", "Ciudadano", "Teléfono"}


def row(folio=1, **kw):
    return {"folio": folio, "petition_type": "OP-LAMPARA APAGADA", "kind": "Servicio", "channel": "072",
            "citizen_number": 166045, "agency": "OP", "department": "OP-ALUMBRADO", "status": "in_progress",
            "viability": "viable", "reassigned": True, "reassign_count": 1, "created_by": "operator",
            "colonia": "CENTRO", "street": "MADERO 100", "lat": 21.1221, "lon": -101.6824,
            "created_at": "2026-11-30T18:05:00+00:00", "due_at": "2026-12-05T23:59:59-06:00", "closed_at": None,
            "traffic_light": "at_risk", "version": 2, "shared_with": [{"agency": "SIAP", "department": "SIAP-X"}],
            "citizen_name": "María Guadalupe Hernández López", "citizen_phone": "4771234567"} | kw


def test_columns_follow_personal_data_and_hide_flags():
    everything = headings(columns_for(True))
    assert everything[:6] == ["Folio", "Fecha", "Fecha límite", "Fecha de cierre", "Estatus", "Semáforo"]
    for h in ("Origen", "Tipo de petición", "Dependencia", "Departamento", "Colonia", "Calle", "Usuario",
              "Reasignado", *CITIZEN_HEADINGS):
        assert h in everything
    assert not CITIZEN_HEADINGS & set(headings(columns_for(True, hide_citizen_data=True)))
    no_name = set(headings(columns_for(True, hide_citizen_name=True)))
    assert "Ciudadano" not in no_name and {"Número de ciudadano", "Teléfono"} <= no_name
    # e.g. an auditor: the citizen number (an id), never the name or the phone
    assert CITIZEN_HEADINGS & set(headings(columns_for(False))) == {"Número de ciudadano"}
    assert not {"Latitud", "Longitud"} & set(headings(columns_for(True, hide_map=True)))
    assert len(columns_for(True)) == len(COLUMNS)


def test_xlsx_opens_with_spanish_headings_typed_cells_and_local_times(tmp_path):
    cols = columns_for(True)
    rows = [row(1), row(2, status="done", closed_at="2026-12-01T02:00:00+00:00", traffic_light="on_time",
                    reassigned=False, citizen_name=None, street="=HYPERLINK(\"http://x\")")]
    path = write_xlsx(cols, [rows[:1], [], rows[1:]], tmpdir=str(tmp_path))
    sheet = load_workbook(path, read_only=True).active
    data = list(sheet.iter_rows(values_only=True))
    assert list(data[0]) == headings(cols) and len(data) == 3
    first = dict(zip(data[0], data[1]))
    assert first["Folio"] == 1 and first["Número de ciudadano"] == 166045
    assert first["Fecha"] == dt.datetime(2026, 11, 30, 12, 5)  # 18:05 UTC is 12:05 in León
    assert first["Fecha límite"] == dt.datetime(2026, 12, 5, 23, 59, 59)
    assert first["Fecha de cierre"] is None
    assert (first["Estatus"], first["Semáforo"], first["Reasignado"]) == ("Proceso", "En riesgo", "Sí")
    assert first["Ciudadano"] == "María Guadalupe Hernández López" and first["Teléfono"] == "4771234567"
    assert first["Longitud"] == pytest.approx(-101.6824) and first["Compartido con"] == "SIAP/SIAP-X"
    second = dict(zip(data[0], data[2]))
    assert (second["Estatus"], second["Semáforo"], second["Reasignado"]) == ("Terminado", "A tiempo", "No")
    assert second["Fecha de cierre"] == dt.datetime(2026, 11, 30, 20, 0)
    assert second["Calle"] == "=HYPERLINK(\"http://x\")" and second["Ciudadano"] is None  # text, not a formula
    chunks = list(iter_file(path, chunk=1024))
    assert b"".join(chunks)[:2] == b"PK" and len(chunks) > 1 and not os.path.exists(path)


def test_xlsx_without_citizen_data_has_no_citizen_columns(tmp_path):
    path = write_xlsx(columns_for(True, hide_citizen_data=True), [[row(7)]], tmpdir=str(tmp_path))
    data = list(load_workbook(path, read_only=True).active.iter_rows(values_only=True))
    os.unlink(path)
    assert not CITIZEN_HEADINGS & set(data[0])
    assert "María Guadalupe Hernández López" not in data[1] and 166045 not in data[1]


def test_a_failed_xlsx_leaves_no_file(tmp_path):
    def pages():
        yield [row(1)]
        raise RuntimeError("routing se cayó")

    with pytest.raises(RuntimeError):
        write_xlsx(columns_for(True), pages(), tmpdir=str(tmp_path))
    assert os.listdir(tmp_path) == [] or all(not f.endswith(".xlsx") for f in os.listdir(tmp_path))


def test_csv_has_a_bom_spanish_headings_and_parses_back():
    cols = columns_for(True, hide_citizen_name=True)
    body = b"".join(iter_csv(cols, [[row(1)], [row(2, street="-1+1", colonia="Ñuñoa, \"la\"")]]))
    assert body.startswith("\ufeff".encode())
    parsed = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert parsed[0] == headings(cols) and "Ciudadano" not in parsed[0] and len(parsed) == 3
    first = dict(zip(parsed[0], parsed[1]))
    assert first["Folio"] == "1" and first["Fecha"] == "2026-11-30 12:05" and first["Estatus"] == "Proceso"
    assert first["Teléfono"] == "4771234567" and first["Longitud"] == "-101.6824"  # numbers stay numbers
    second = dict(zip(parsed[0], parsed[2]))
    assert second["Colonia"] == "Ñuñoa, \"la\"" and second["Calle"] == "'-1+1"  # no formula injection
    assert safe_text("=1+1") == "'=1+1" and safe_text("MADERO") == "MADERO"


def test_csv_without_citizen_data_for_an_auditor():
    body = b"".join(iter_csv(columns_for(False), [[row(1)]])).decode("utf-8-sig")
    assert "María" not in body and "4771234567" not in body and "166045" in body
    assert body.splitlines()[0].startswith("Folio,Fecha,Fecha límite")


def order(folio, **kw):
    return WorkOrder(**{"folio": folio, "petition_type": "OP-LAMPARA APAGADA", "status": "captured",
                        "kind": "Servicio", "channel": "072", "agency": "OP", "department": "OP-ALUMBRADO",
                        "traffic_light": "on_time", "created_at": "2026-11-30T18:05:00+00:00",
                        "due_at": "2026-12-05T23:59:59-06:00", "street": "MADERO", "number": "100",
                        "colonia": "CENTRO", "lat": 21.1221, "lon": -101.6824,
                        "description": "Lámpara apagada <frente> & a un lado\nsegunda línea",
                        "citizen": {"number": 166045, "name": "María Hernández", "phone": "4771234567"},
                        "interventions": [{"at": "2026-11-30T19:00:00+00:00", "author": "agency_staff",
                                           "department": "OP-ALUMBRADO", "kind": "start", "text": "Cuadrilla"}],
                        "tracking_url": tracking_url("https://sac.leon.gob.mx/", folio, "a-b_c/d")} | kw)


def test_tracking_url_and_its_qr_code():
    url = tracking_url("https://sac.leon.gob.mx/", 42, "a-b_c/d")
    assert url == "https://sac.leon.gob.mx/v1/track/42?token=a-b_c%2Fd"
    matrix = qr_matrix(url)
    expected = segno.make_qr(url, error="m", boost_error=False)
    assert len(matrix) == expected.symbol_size(border=0)[0]
    assert matrix == tuple(tuple(bool(v) for v in r) for r in expected.matrix)


def test_work_order_pdf_has_folio_headings_citizen_and_the_tracking_link():
    reader = pypdf.PdfReader(io.BytesIO(work_orders_pdf([order(42)])))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    for expected in ("Orden de trabajo", "Folio 42", "Tipo de petición", "OP-LAMPARA APAGADA", "Fecha límite",
                     "2026-12-05 23:59", "Estatus", "Capturado", "MADERO 100, Col. CENTRO", "21.122100, -101.682400",
                     "Descripción", "Lámpara apagada <frente> & a un lado", "Intervenciones", "Cuadrilla",
                     "María Hernández", "4771234567", "https://sac.leon.gob.mx/v1/trac"):
        assert expected in text, expected
    assert reader.metadata.title == "Orden de trabajo"
    links = [a.get_object()["/A"]["/URI"] for a in reader.pages[0]["/Annots"]]
    assert links == ["https://sac.leon.gob.mx/v1/track/42?token=a-b_c%2Fd"]  # the QR code is a link too


def test_work_orders_without_personal_data_and_one_page_per_report():
    reader = pypdf.PdfReader(io.BytesIO(work_orders_pdf([order(1, citizen=None), order(2, citizen=None),
                                                         order(3, citizen={"number": 9, "phone": None})])))
    assert len(reader.pages) == 3
    texts = [p.extract_text() for p in reader.pages]
    assert ["Folio 1" in texts[0], "Folio 2" in texts[1], "Folio 3" in texts[2]] == [True] * 3
    assert not any("María" in t or "4771234567" in t or "166045" in t for t in texts)
    assert "Número de" in texts[2] and "Ciudadano\n" not in texts[2]  # number only: name hidden


def test_a_long_report_flows_onto_more_pages_and_the_next_starts_on_its_own():
    long = order(1, description="Texto largo. " * 900)
    reader = pypdf.PdfReader(io.BytesIO(work_orders_pdf([long, order(2)])))
    texts = [p.extract_text() for p in reader.pages]
    assert len(texts) >= 3 and "Folio 2" in texts[-1] and all("Folio 2" not in t for t in texts[:-1])
