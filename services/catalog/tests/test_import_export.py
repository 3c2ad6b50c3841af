"""Import and export of the catalog as CSV and XLSX: all or nothing, errors by line,
round trips."""
import base64
import csv
import io
import json

import pytest
import sqlalchemy as sa

from sacinfra import errors

from catalog import handlers, store, transfer
from catalog.demo_catalog import AGENCIES, DEPARTMENTS

pytestmark = pytest.mark.timeout(60)

ADMIN = {"username": "admin.catalogo", "role": "admin", "agency": None, "kind": "staff"}
OP_STAFF = {"username": "op.enlace", "role": "agency_staff", "agency": "OP", "kind": "staff"}
HEADER = ["código", "nombre", "tipo", "descripción", "sla_cantidad", "sla_unidad", "dependencia", "departamento",
          "activo", "preguntas_json"]


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def csv_bytes(rows, header=HEADER, delimiter=",", encoding="utf-8") -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue().encode(encoding)


def municipal_rows(n: int) -> list[list]:
    """``n`` new petition types spread over the demo agencies' departments."""
    rows = []
    for i in range(n):
        d = DEPARTMENTS[i % len(DEPARTMENTS)]
        unit = ("días naturales", "días hábiles", "horas hábiles")[i % 3]
        rows.append([f"{d['agency']}-TIPO {i:03d}", f"{d['agency']}-TIPO {i:03d}", ("Servicio", "Trámite")[i % 2],
                     f"DESCRIPCION {i}", 10 + i % 20, unit, d["agency"], d["code"], "sí", ""])
    return rows


def catalog_without_history(uow, all_types):
    return [{k: v for k, v in p.items() if k != "version"} for p in all_types(uow())]


def test_300_types_with_3_bad_rows_report_exactly_those_lines_and_import_nothing(uow, peek):
    rows = municipal_rows(300)
    rows[15][5] = "semanas"                 # line 17: unknown unit
    rows[148][7] = "SIAP-BARRIDO"           # line 150: department of another agency
    rows[297][0] = rows[8][0]               # line 299: code repeated from line 10
    before = peek.petition_types()
    with pytest.raises(errors.InvalidInput) as caught:
        handlers.import_catalog(uow(), ADMIN, "csv", b64(csv_bytes(rows)))
    exc = caught.value
    assert exc.code == "importacion_invalida"
    assert [e["line"] for e in exc.errors] == [17, 150, 299]
    lines = exc.message.split("\n")
    assert lines[0] == "No se importó nada: 3 líneas con errores."
    assert lines[1].startswith("línea 17: «sla_unidad»: Debe ser uno de")
    assert lines[2].startswith("línea 150: «departamento»: «SIAP-BARRIDO» no pertenece a la dependencia")
    assert lines[3] == f"línea 299: «código»: «{rows[8][0]}» ya aparece en la línea 10"
    assert json.loads(str(exc))["errors"][0] == {"line": 17, "message": lines[1].removeprefix("línea 17: ")}
    assert peek.petition_types() == before
    assert peek.count(store.petition_type_changes) == 0 and peek.events() == []


def test_a_good_file_is_imported_in_one_go_with_history_and_events(uow, peek):
    before = peek.petition_types()
    result = handlers.import_catalog(uow(), ADMIN, "csv", b64(csv_bytes(municipal_rows(300))))
    assert result == {"imported": 300, "created": 300, "updated": 0, "unchanged": 0}
    assert peek.petition_types() == before + 300
    assert peek.count(store.petition_type_changes) == 300
    events = peek.events()
    assert len(events) == 300 and {e["data"]["change"] for e in events} == {"created"}
    pt = handlers.get_petition_type(uow(), "OP-TIPO 001")
    assert (pt["kind"], pt["sla_amount"], pt["sla_unit"], pt["version"]) == ("Trámite", 11, "business_days", 1)
    # the same file again changes nothing
    again = handlers.import_catalog(uow(), ADMIN, "csv", b64(csv_bytes(municipal_rows(300))))
    assert again == {"imported": 300, "created": 0, "updated": 0, "unchanged": 300}
    assert len(peek.events()) == 300


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_round_trips_through_import_into_an_empty_catalog(fmt, uow, service_db, all_types):
    from sacinfra.db import UnitOfWork, make_engine

    handlers.update_petition_type(uow(), OP_STAFF, "OP-LAMPARA APAGADA", {
        "description": "=HIPERVINCULO(\"x\"); -2 +3 @4, «comillas» \"dobles\"\nsegunda línea", "active": False}, 1)
    exported = handlers.export_catalog(uow(), fmt)
    content = base64.b64decode(exported)
    if fmt == "csv":
        assert content.startswith(b"\xef\xbb\xbf" + "código,nombre".encode())
    else:
        assert content[:2] == b"PK"

    engine = make_engine(service_db("catalog"))  # another municipality: same agencies, no types yet
    try:
        other = store.Store(UnitOfWork(engine, "catalog"))
        handlers.seed(other, AGENCIES, DEPARTMENTS, [], [])
        result = handlers.import_catalog(other, ADMIN, fmt, exported)
        assert result["created"] == result["imported"] == len(all_types(uow()))
        mine = catalog_without_history(uow, all_types)
        theirs = [{k: v for k, v in p.items() if k != "version"} for p in all_types(other)]
        assert theirs == mine
        # and exporting there gives the same file
        assert base64.b64decode(handlers.export_catalog(other, "csv")) == \
            base64.b64decode(handlers.export_catalog(uow(), "csv"))
    finally:
        engine.dispose()
    # importing one's own export changes nothing
    again = handlers.import_catalog(uow(), ADMIN, fmt, exported)
    assert again["updated"] == again["created"] == 0


def test_xlsx_cells_are_text_never_formulas(uow):
    handlers.update_petition_type(uow(), OP_STAFF, "OP-LAMPARA APAGADA", {"description": "=1+1"}, 1)
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(base64.b64decode(handlers.export_catalog(uow(), "xlsx", "OP"))))
    ws = wb[transfer.SHEET_TITLE]
    assert [c.value for c in ws[1]] == HEADER
    cell = next(r[3] for r in ws.iter_rows(min_row=2) if r[0].value == "OP-LAMPARA APAGADA")
    assert cell.value == "=1+1" and cell.data_type == "s"
    assert {r[6].value for r in ws.iter_rows(min_row=2)} == {"OP"}


def test_import_updates_existing_types_as_edits(uow, peek):
    rows = [["OP-LAMPARA APAGADA", "OP-LAMPARA APAGADA", "Servicio", "SE CONSIDERA SOLAMENTE LA CANTIDAD DE 1 "
             "LAMPARA CON FALLA", 3, "dias habiles", "OP", "OP-ALUMBRADO", "si"]]
    result = handlers.import_catalog(uow(), OP_STAFF, "csv", b64(csv_bytes(rows, HEADER[:-1])))
    assert result == {"imported": 1, "created": 0, "updated": 1, "unchanged": 0}
    pt = handlers.get_petition_type(uow(), "OP-LAMPARA APAGADA")
    assert (pt["sla_amount"], pt["sla_unit"], pt["version"]) == (3, "business_days", 2)
    assert pt["attributes"], "no «preguntas_json» column: the questions are kept"
    [change] = handlers.petition_type_history(uow(), "OP-LAMPARA APAGADA")
    assert change["author"] == "op.enlace" and change["changed_fields"] == ["sla_amount", "sla_unit"]
    assert peek.events()[0]["data"]["version"] == 2


def test_agency_staff_import_only_their_agency(uow, peek):
    rows = municipal_rows(6)  # four of OP's departments, then two of SIAP's
    rows.append(["SIAP- RECOLECCION DE ANIMALES MUERTOS", "X", "Servicio", "", 1, "días naturales", "OP",
                 "OP-ALUMBRADO", "sí", ""])  # SIAP's type taken over by OP
    with pytest.raises(errors.InvalidInput) as caught:
        handlers.import_catalog(uow(), OP_STAFF, "csv", b64(csv_bytes(rows)))
    assert [e["line"] for e in caught.value.errors] == [6, 7, 8]
    assert "solo puede importar tipos de petición de su dependencia (OP)" in caught.value.errors[0]["message"]
    assert "pertenece a la dependencia «SIAP»" in caught.value.message
    assert peek.count(store.petition_type_changes) == 0


def test_lenient_spreadsheet_input(uow):
    """Semicolons, Windows-1252, headers without accents, «Tramite», «no», 5.0, notes column."""
    header = ["CODIGO", "Nombre", "Tipo", "Descripcion", "SLA cantidad", "SLA unidad", "Dependencia",
              "Departamento", "Activo", "Notas"]
    rows = [["OP-PUENTE PEATONAL DAÑADO", "OP-PUENTE PEATONAL DAÑADO", "Tramite", "PUENTE CON DAÑOS", "5",
             "Horas hábiles", "OP", "OP-MANTENIMIENTO", "No", "revisar"], [""] * 10]
    content = csv_bytes(rows, header, delimiter=";", encoding="cp1252")
    assert handlers.import_catalog(uow(), OP_STAFF, "csv", b64(content))["created"] == 1
    pt = handlers.get_petition_type(uow(), "OP-PUENTE PEATONAL DAÑADO")
    assert (pt["kind"], pt["sla_unit"], pt["active"], pt["description"]) == (
        "Trámite", "business_hours", False, "PUENTE CON DAÑOS")


@pytest.mark.parametrize("fmt, content, expected", [
    ("csv", b64(csv_bytes([], ["código", "nombre"])),
     "línea 1: faltan las columnas «tipo», «sla_cantidad», «sla_unidad», «dependencia», «departamento»"),
    ("csv", "esto no es base64!", "El contenido no está en base64."),
    ("xlsx", b64(b"no soy un libro"), "El archivo no es un libro XLSX válido."),
    ("csv", b64(b""), "línea 1: falta la fila de encabezados."),
    ("pdf", b64(b"%PDF"), "Formato desconocido «pdf»"),
])
def test_unreadable_files_are_rejected_whole(uow, fmt, content, expected):
    with pytest.raises(errors.InvalidInput) as caught:
        handlers.import_catalog(uow(), ADMIN, fmt, content)
    assert expected in caught.value.message


def test_row_problems_are_all_reported_together(uow):
    rows = [["OP-X", "", "Servicio", "", "cinco", "días naturales", "OP", "OP-ALUMBRADO", "quizá", "[{"]]
    with pytest.raises(errors.InvalidInput) as caught:
        handlers.import_catalog(uow(), ADMIN, "csv", b64(csv_bytes(rows)))
    [error] = caught.value.errors
    assert error["line"] == 2
    for part in ("«sla_cantidad»: debe ser un número entero", "«activo»: debe ser «sí» o «no»",
                 "«preguntas_json»: no es JSON válido", "«nombre»: Es obligatorio."):
        assert part in error["message"]


def test_bad_questions_are_reported_by_column(uow):
    attrs = json.dumps([{"code": "tipo", "description": "TIPO", "datatype": "singlevaluelist"}])
    rows = [["OP-X", "OP-X", "Servicio", "", 5, "días naturales", "OP", "OP-ALUMBRADO", "sí", attrs]]
    with pytest.raises(errors.InvalidInput) as caught:
        handlers.import_catalog(uow(), ADMIN, "csv", b64(csv_bytes(rows)))
    assert "«preguntas_json[1].values»: Una pregunta de lista necesita valores." in caught.value.message


def test_export_of_one_agency_and_unknown_format(uow, engine):
    text = base64.b64decode(handlers.export_catalog(uow(), "csv", "SIAP")).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == HEADER and {r[6] for r in rows[1:]} == {"SIAP"}
    with engine.connect() as c:
        assert len(rows) - 1 == c.execute(sa.select(sa.func.count()).select_from(store.petition_types)
                                          .where(store.petition_types.c.agency == "SIAP")).scalar()
    with pytest.raises(errors.InvalidInput) as caught:
        handlers.export_catalog(uow(), "ods")
    assert caught.value.code == "formato_invalido"


def test_the_export_file_is_scoped_like_a_listing_and_named_by_catalog(uow):
    from datetime import datetime, timezone

    now = datetime(2026, 12, 8, 3, 0, tzinfo=timezone.utc)  # still the 7th in the municipality
    own = handlers.export_file(uow(), OP_STAFF, "csv", now=now)
    assert own["filename"] == "catálogo-de-peticiones-OP-2026-12-07.csv"
    assert own["media_type"].startswith("text/csv")
    assert {r["dependencia"] for r in csv.DictReader(io.StringIO(
        base64.b64decode(own["content_b64"]).decode("utf-8-sig")))} == {"OP"}
    every = handlers.export_file(uow(), ADMIN, "xlsx", now=now)
    assert every["filename"] == "catálogo-de-peticiones-2026-12-07.xlsx"
    assert base64.b64decode(every["content_b64"])[:2] == b"PK"
    other = handlers.export_file(uow(), OP_STAFF, "csv", "SIAP", now=now)  # they may name another agency
    assert other["filename"].startswith("catálogo-de-peticiones-SIAP-")
    with pytest.raises(errors.InvalidInput):
        handlers.export_file(uow(), ADMIN, "pdf")
    with pytest.raises(errors.InvalidInput):  # no actor is no back door
        handlers.export_file(uow(), None, "csv")
