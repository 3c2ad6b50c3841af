"""Statistics as files (no I/O but a temporary workbook): any table's rows as CSV or XLSX
with Spanish headings and typed columns, named after the table; open data as CSV pages
with one header; unknown tables, arguments and formats refused."""
import base64
import csv
import io
import json

import pytest
from openpyxl import load_workbook

from sacinfra.errors import InvalidInput
from stats import files

COMPLIANCE = {"group_by": "department", "rows": [
    {"key": "OP-ALUMBRADO", "finished": 120, "share_on_time": 0.8, "met": True, "extra": {"nested": 1}},
    {"key": "=SIAP", "finished": 3, "share_on_time": None, "met": False, "extra": []}]}


def content(out):
    return base64.b64decode(out["content_b64"])


def test_a_table_as_csv_and_xlsx_with_spanish_headings_typed_and_named():
    out = files.table_file("compliance", [{"group_by": "department"}], COMPLIANCE, "csv")
    assert out["filename"] == "cumplimiento.csv" and out["media_type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(content(out).decode("utf-8-sig"))))
    assert rows[0] == ["Clave", "Terminados", "Cumplimiento", "Meta cumplida"]  # nested values left out
    assert rows[1] == ["OP-ALUMBRADO", "120", "0.8", "True"] and rows[2][0] == "'=SIAP"  # no formula
    out = files.table_file("indicator_values", ["atendidas", 2026, None], COMPLIANCE, "xlsx")
    assert out["filename"] == "indicador-atendidas.xlsx"
    data = list(load_workbook(io.BytesIO(content(out)), read_only=True).active.iter_rows(values_only=True))
    assert data[0] == ("Clave", "Terminados", "Cumplimiento", "Meta cumplida")
    assert data[1][:3] == ("OP-ALUMBRADO", 120, 0.8) and data[2][0] == "=SIAP"  # a string cell, not a formula


ROW = {"folio": 12, "created_date": "2026-11-10", "petition_type": "OP-LAMPARA APAGADA", "kind": "Servicio",
       "channel": "072", "agency": "OP", "department": "OP-ALUMBRADO", "colonia": "CENTRO", "zone": None,
       "lat": 21.122, "lon": -101.682, "status": "done", "closed_date": "2026-11-12", "on_time": True}


def test_open_data_csv_pages_have_one_header():
    first = files.open_data_file({"rows": [ROW], "next_after": 12}, first=True)
    second = files.open_data_file({"rows": [ROW | {"folio": 13}], "next_after": None}, first=False)
    assert first["next_after"] == 12 and second["next_after"] is None
    text = (content(first) + content(second)).decode("utf-8-sig")
    parsed = list(csv.reader(io.StringIO(text)))
    assert parsed[0][:3] == ["Folio", "Fecha", "Tipo de petición"] and [r[0] for r in parsed[1:]] == ["12", "13"]


def test_open_data_json_pages_make_one_array():
    pages = [({"rows": [ROW], "next_after": 12}, True), ({"rows": [ROW | {"folio": 13}], "next_after": 13}, False),
             ({"rows": [], "next_after": None}, False)]
    whole = b"".join(content(files.open_data_file(page, first, "json")) for page, first in pages)
    assert [r["folio"] for r in json.loads(whole)] == [12, 13] and json.loads(whole)[0] == ROW
    assert content(files.open_data_file({"rows": [], "next_after": None}, True, "json")) == b"[]"
    assert "Pérez" in content(files.open_data_file({"rows": [ROW | {"colonia": "Pérez"}], "next_after": None},
                                                   True, "json")).decode()  # UTF-8, not \u escapes
    with pytest.raises(InvalidInput):
        files.open_data_file({"rows": [], "next_after": None}, True, "xml")


@pytest.mark.parametrize("table,args,fmt", [("summary", [], "csv"), ("totals", {}, "csv"), ("totals", [], "pdf")])
def test_what_is_not_a_table_file_is_refused(table, args, fmt):
    with pytest.raises(InvalidInput):
        files.check(table, args, fmt)
