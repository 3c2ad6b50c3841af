"""sacinfra.spreadsheet: the import plumbing services share (no I/O)."""
import base64

import pytest

from sacinfra import spreadsheet


def test_header_keys_ignore_case_accents_and_spacing():
    assert spreadsheet.header_key("  Código Postal ") == "codigo_postal"
    assert spreadsheet.header_key("TELÉFONO(S)") == "telefono_s"


def test_formula_guard_round_trip():
    assert spreadsheet.guard_formula("=HYPERLINK()") == "'=HYPERLINK()"
    assert spreadsheet.cell_text("'=HYPERLINK()") == "=HYPERLINK()"
    assert spreadsheet.cell_text(12.0) == "12" and spreadsheet.cell_text(" x ") == "x"


def test_read_reports_problems_by_line_and_headers_once():
    content = "Clave;NOMBRE;edad\r\na;Uno;1\r\n;;\r\nb;Dos;x\r\n".encode("cp1252")
    convert = lambda f, v: int(v) if f == "age" else spreadsheet.cell_text(v)  # noqa: E731
    rows, errors = spreadsheet.read("csv", content, aliases={"clave": "id", "nombre": "name", "edad": "age"},
                                    headers={"id": "clave", "name": "nombre", "age": "edad"}, required=("id",),
                                    convert=convert)
    assert errors == []
    assert rows[0] == (2, {"id": "a", "name": "Uno", "age": 1}, [])
    assert rows[1][0] == 4 and rows[1][2] and "«edad»" in rows[1][2][0]
    _, errors = spreadsheet.read("csv", b"nombre\r\nx\r\n", aliases={"nombre": "name"}, headers={"id": "clave",
                                 "name": "nombre"}, required=("id",), convert=convert)
    assert errors == [(1, "faltan las columnas «clave»")]


def test_bad_uploads_and_rejections():
    assert spreadsheet.decode_upload("csv", base64.b64encode(b"a").decode()) == b"a"
    for fmt, b64 in (("pdf", "YQ=="), ("csv", None), ("csv", "no base64!")):
        with pytest.raises(spreadsheet.FileError):
            spreadsheet.decode_upload(fmt, b64)
    with pytest.raises(spreadsheet.FileError):
        spreadsheet.read("xlsx", b"not a workbook", aliases={}, headers={}, required=(), convert=str)
    message, lines = spreadsheet.rejection([(4, "b"), (3, "a"), (3, "c")], max_listed=2)
    assert message.splitlines() == ["No se importó nada: 2 líneas con errores.", "línea 3: a", "línea 3: c",
                                    "… y 1 errores más"]
    assert lines[0] == {"line": 3, "message": "a"}


def test_csv_export_reads_back_through_the_importer():
    content = spreadsheet.csv_bytes(["Clave", "Nombre"], [["1", spreadsheet.guard_formula("=SUMA(A1)")], ["2", None]])
    assert content.startswith("\ufeff".encode()) and b"\r\n" in content
    rows, errors = spreadsheet.read("csv", content, aliases={"clave": "id", "nombre": "name"},
                                    headers={"id": "clave", "name": "nombre"}, required=("id",),
                                    convert=lambda field, v: spreadsheet.cell_text(v))
    assert errors == [] and [values for _, values, _ in rows] == [{"id": "1", "name": "=SUMA(A1)"}, {"id": "2"}]
