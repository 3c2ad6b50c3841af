"""Import and export of the guide as CSV and XLSX: what is exported imports back to the
same offices; a file with any bad line stores nothing and reports every line."""
import base64
import io

import pytest
from openpyxl import Workbook

from directory import handlers as h, transfer
from directory.exceptions import Forbidden, InvalidInput

from directory_actors import ADMIN, AUDITOR, OPERATOR, SUPERVISOR

HEADER = "clave,nombre,siglas,nivel de gobierno,clave superior,calle,número exterior,colonia,teléfonos,extensiones,activa,latitud,longitud,trámites y servicios\r\n"


def b64(content: bytes) -> str:
    return base64.b64encode(content).decode("ascii")


def csv_file(*lines: str) -> str:
    return b64((HEADER + "".join(line + "\r\n" for line in lines)).encode("utf-8"))


GOOD = ('sapal,Sistema de Agua Potable y Alcantarillado de León,SAPAL,PARAMUNICIPAL,,BLVD. MARIANO ESCOBEDO,2103,'
        'SAN JUAN DE DIOS,"477 788 7272; 073",101;102,sí,21.12,-101.67,"Contrato de agua; Reporte de fugas, con foto"',
        'sapal-cobranza,Cobranza,,PARAMUNICIPAL,sapal,,,,,,sí,,,',
        'sapal-conv,Convenios,,PARAMUNICIPAL,sapal-cobranza,,,,,,no,,,')


def test_import_creates_then_updates_and_leaves_identical_rows(store):
    r = h.import_offices(store, SUPERVISOR, "csv", csv_file(*GOOD))
    assert r == {"imported": 3, "created": 3, "updated": 0, "unchanged": 0}
    sapal = h.get_office(store, OPERATOR, "sapal")
    assert sapal["phones"] == ["477 788 7272", "073"] and sapal["extensions"] == ["101", "102"]
    assert sapal["procedures"] == ["Contrato de agua", "Reporte de fugas, con foto"]
    assert sapal["location"] == {"lat": 21.12, "lon": -101.67}
    assert h.get_office(store, OPERATOR, "sapal-conv")["active"] is False
    assert store.get_full("sapal-conv")["ancestors"] == ["sapal", "sapal-cobranza"]
    changed = GOOD[0].replace("2103", "2104")
    r = h.import_offices(store, ADMIN, "csv", csv_file(changed, *GOOD[1:]))
    assert r == {"imported": 3, "created": 0, "updated": 1, "unchanged": 2}
    history = h.office_history(store, ADMIN, "sapal")
    assert history[-1]["change"] == "imported" and history[-1]["changed_fields"] == ["ext_number"]
    assert history[-1]["author"] == "admin.demo"


def test_any_bad_line_stores_nothing_and_every_line_is_reported(store):
    bad = csv_file(GOOD[0],
                   "x,Oficina sin nivel,,GALACTICO,,,,,,,sí,,,",       # line 3
                   "hijo,Hijo,,MUNICIPAL,no-existe,,,,,,talvez,,,",     # line 4
                   "sapal,Repetida,,MUNICIPAL,,,,,,,sí,,,",             # line 5
                   ",Sin clave,,MUNICIPAL,,,,,,,sí,91,,")               # line 6
    with pytest.raises(InvalidInput) as e:
        h.import_offices(store, SUPERVISOR, "csv", bad)
    assert e.value.code == "importacion_invalida"
    by_line = {}
    for err in e.value.errors:
        by_line.setdefault(err["line"], []).append(err["message"])
    assert set(by_line) == {3, 4, 5, 6}
    assert any("nivel de gobierno" in m for m in by_line[3])
    assert any("activa" in m for m in by_line[4])
    assert any("ya aparece en la línea 2" in m for m in by_line[5])
    assert any("latitud" in m for m in by_line[6])
    assert e.value.message.startswith("No se importó nada: 4 líneas con errores.")
    assert store.count({}) == 0


def test_unknown_parent_and_cycles_are_line_errors(store):
    h.import_offices(store, ADMIN, "csv", csv_file(*GOOD))
    with pytest.raises(InvalidInput) as e:
        h.import_offices(store, ADMIN, "csv", csv_file("nuevo,Nuevo,,MUNICIPAL,fantasma,,,,,,sí,,,"))
    assert "fantasma" in e.value.errors[0]["message"]
    cycle = GOOD[0].replace(",PARAMUNICIPAL,,", ",PARAMUNICIPAL,sapal-conv,")
    with pytest.raises(InvalidInput) as e:
        h.import_offices(store, ADMIN, "csv", csv_file(cycle))
    assert "ciclo" in e.value.errors[0]["message"]
    assert store.get_full("sapal")["parent_id"] is None


def test_bad_files(store):
    with pytest.raises(InvalidInput) as e:
        h.import_offices(store, ADMIN, "csv", b64(b"nombre,calle\r\nX,Y\r\n"))
    assert e.value.errors[0]["line"] == 1 and "clave" in e.value.errors[0]["message"]
    with pytest.raises(InvalidInput):
        h.import_offices(store, ADMIN, "xlsx", b64(b"no soy un libro"))
    with pytest.raises(InvalidInput):
        h.import_offices(store, ADMIN, "pdf", b64(b"x"))
    with pytest.raises(InvalidInput):
        h.import_offices(store, ADMIN, "csv", "no es base64!")
    with pytest.raises(Forbidden):
        h.import_offices(store, OPERATOR, "csv", csv_file(*GOOD))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_reads_back_to_the_same_offices(store, fmt):
    h.import_offices(store, ADMIN, "csv", csv_file(*GOOD))
    h.create_office(store, ADMIN, {"id": "formula", "name": "=HYPERLINK(\"x\")", "level": "OTROS ORGANISMOS",
                                   "keywords": ["uno", "dos"], "email": "a@b.mx", "hours": "L-V 8 a 15"})
    before = {o["id"]: o for o in h.search_offices(store, ADMIN, None, include_inactive=True, limit=50)["items"]}
    exported = h.export_offices(store, SUPERVISOR, fmt)
    assert exported["rows"] == 4 and exported["filename"] == f"directorio.{fmt}"
    content = base64.b64decode(exported["content_b64"])
    if fmt == "csv":
        assert content.startswith("\ufeff".encode()) and b"'=HYPERLINK" in content
    store.offices.delete_many({})
    r = h.import_offices(store, ADMIN, fmt, exported["content_b64"])
    assert r["created"] == 4
    after = {o["id"]: o for o in h.search_offices(store, ADMIN, None, include_inactive=True, limit=50)["items"]}
    strip = lambda o: {k: v for k, v in o.items() if k not in ("version", "created_at", "updated_at")}  # noqa: E731
    assert {k: strip(v) for k, v in after.items()} == {k: strip(v) for k, v in before.items()}
    with pytest.raises(Forbidden):
        h.export_offices(store, AUDITOR, fmt)


def test_xlsx_from_a_person_with_spanish_headers(store):
    wb = Workbook()
    ws = wb.active
    ws.append(["Clave", "Nombre", "Nivel", "Teléfonos", "Activa"])
    ws.append(["imss", "Instituto Mexicano del Seguro Social", "FEDERAL", "477 717 0000", "Sí"])
    ws.append(["sat", "Servicio de Administración Tributaria", "FEDERAL", None, None])
    buf = io.BytesIO()
    wb.save(buf)
    r = h.import_offices(store, ADMIN, "xlsx", b64(buf.getvalue()))
    assert r["created"] == 2
    assert h.get_office(store, OPERATOR, "imss")["phones"] == ["477 717 0000"]


def test_columns_round_trip_is_complete():
    assert {f for f, _ in transfer.COLUMNS} - {"lat", "lon"} == {"id"} | set(h.domain.FIELDS) - {"location"}
