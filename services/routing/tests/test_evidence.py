"""Evidence files of interventions on a real PostgreSQL database: type by magic bytes,
size and count limits, filename sanitising, one transaction with the intervention (a bad
file stores nothing), append-only rows, reading back byte-identical, authorization."""
import base64
import hashlib
import json
import os
import struct
import zlib
from pathlib import Path

import pytest
import sqlalchemy as sa
from jsonschema import Draft202012Validator, FormatChecker

from routing import evidence, handlers
from routing.evidence import Limits, prepare, safe_filename, sniff
from routing.handlers import get_evidence
from sacinfra.actor import Actor
from routing.exceptions import PayloadTooLarge
from sacinfra.db import outbox_table
from sacinfra.errors import Forbidden, InvalidInput, NotFound
from routing_actors import AUDITOR, OP, OPERATOR, SIAP, SUPERVISOR

CONTRACTS = Path(__file__).resolve().parents[3] / "contracts"


def png(width=1, height=1) -> bytes:
    """A real (tiny) PNG image."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


PNG = png()
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
       b"trailer<</Root 1 0 R>>\n%%EOF\n")
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 \x18\x00\x00\x00" + b"\x00" * 24
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 16
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"This program cannot be run"


def item(content: bytes, filename="archivo", content_type="image/jpeg") -> dict:
    """A file as it travels in the RPC payload (the declared type is ignored)."""
    return {"filename": filename, "content_type": content_type, "content": base64.b64encode(content).decode()}


def routing_events(uow, event_type):
    o = outbox_table
    return [r.payload for r in uow.session.execute(sa.select(o).where(o.c.exchange == "routing.events")
                                                   .order_by(o.c.id))
            if r.payload["event_type"] == event_type]


def counts(uow) -> tuple[int, int, int]:
    """(interventions, evidence rows, outbox rows)."""
    return tuple(uow.session.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar_one()
                 for t in ("interventions", "evidence", "outbox"))


# --------------------------------------------------------------------------- pure checks

@pytest.mark.parametrize("content, expected", [
    (JPEG, "image/jpeg"), (PNG, "image/png"), (WEBP, "image/webp"), (HEIC, "image/heic"),
    (b"\x00\x00\x00\x1cftypmif1\x00\x00\x00\x00mif1heic", "image/heif"), (PDF, "application/pdf"),
    (EXE, None), (b"<html><script>alert(1)</script>", None), (b'<svg xmlns="http://www.w3.org/2000/svg"/>', None),
    (b"PK\x03\x04zip", None), (b"GIF89a\x01\x00", None), (b"\x00\x00\x00\x18ftypavif", None),
    (b"RIFF\x00\x00\x00\x00WAVEfmt ", None), (b"\xff\xd8", None), (b"%PD", None), (b"", None),
])
def test_the_type_is_what_the_magic_bytes_say(content, expected):
    assert sniff(content) == expected


@pytest.mark.parametrize("name, content_type, expected", [
    ("foto.jpg", "image/jpeg", "foto.jpg"),
    ("Foto Calle.JPEG", "image/jpeg", "Foto Calle.jpeg"),
    ("foto.jpg", "image/png", "foto.png"),                 # the extension follows the content
    ("escaneo", "application/pdf", "escaneo.pdf"),
    ("../../etc/passwd", "image/png", "passwd.png"),
    ("C:\\Users\\ana\\Lámpara ñ.png", "image/png", "Lámpara ñ.png"),
    ("reporte\u202egpj.exe", "image/jpeg", "reportegpj.jpg"),  # bidi override removed
    ('a"b<c>|d?*:;.pdf', "application/pdf", "a_b_c__d____.pdf"),
    ("línea\r\nContent-Type: texto.png", "image/png", "líneaContent-Type_ texto.png"),
    ("   ...  ", "image/webp", "evidencia.webp"),
    (None, "application/pdf", "evidencia.pdf"),
    ("CON.pdf", "application/pdf", "_CON.pdf"),
    ("x" * 300 + ".png", "image/png", "x" * 100 + ".png"),
])
def test_the_declared_filename_is_sanitised(name, content_type, expected):
    assert safe_filename(name, content_type) == expected


def test_prepare_checks_count_size_type_and_encoding():
    limits = Limits(max_files=2, max_bytes=len(PNG))
    files = prepare([item(PNG, "a.png"), item(PDF[:len(PNG)], "b.pdf")], limits)
    assert [(f.filename, f.content_type, f.size) for f in files] == [
        ("a.png", "image/png", len(PNG)), ("b.pdf", "application/pdf", len(PNG))]
    assert files[0].sha256 == hashlib.sha256(PNG).hexdigest()
    assert prepare(None, limits) == [] and prepare([], limits) == []

    cases = [
        ([item(PNG)] * 3, InvalidInput, "demasiadas_evidencias"),
        ([item(PNG + b"\x00", "grande.png")], PayloadTooLarge, "evidencia_muy_grande"),
        ([item(EXE[:len(PNG)], "photo.jpg", "image/jpeg")], InvalidInput, "tipo_de_evidencia_no_permitido"),
        ([item(b"", "vacio.png")], InvalidInput, "evidencia_vacia"),
        ([{"filename": "x.png", "content": "no es base64!"}], InvalidInput, "evidencia_invalida"),
        ([{"filename": "x.png"}], InvalidInput, "evidencia_invalida"),
        ("un archivo", InvalidInput, "evidencia_invalida"),
    ]
    for raw, exc, code in cases:
        with pytest.raises(exc) as err:
            prepare(raw, limits)
        assert err.value.code == code, raw
    # too large is refused before decoding, whatever the text holds
    with pytest.raises(PayloadTooLarge):
        prepare([{"filename": "x", "content": "A" * (4 * len(PNG))}], limits)


def test_messages_are_spanish_and_name_the_file():
    with pytest.raises(InvalidInput) as err:
        prepare([item(PNG, "ok.png"), item(EXE, "photo.jpg")])
    assert "«photo.jpg»" in err.value.message and "no es una imagen JPEG, PNG, WebP o HEIC" in err.value.message
    with pytest.raises(PayloadTooLarge) as err:
        prepare([item(PNG + b"\x00" * (2 * 1024 * 1024), "plano.png")], Limits(max_bytes=1024 * 1024))
    assert err.value.message == "El archivo «plano.png» pesa 2 MB; el máximo es 1 MB."
    assert isinstance(err.value, InvalidInput)  # a subclass: callers that catch InvalidInput still do


# --------------------------------------------------------------------------- on PostgreSQL

def test_an_intervention_carries_a_png_and_a_pdf_read_back_byte_identical(uow, folio):
    note = handlers.add_intervention(uow, OP, folio, "Se tomó foto y se adjunta el oficio",
                                     [item(PNG, "../lampara.jpg", "image/jpeg"), item(PDF, "oficio", "text/plain")])
    assert [(e["filename"], e["content_type"], e["size"]) for e in note["evidence"]] == [
        ("lampara.png", "image/png", len(PNG)), ("oficio.pdf", "application/pdf", len(PDF))]
    assert [e["sha256"] for e in note["evidence"]] == [hashlib.sha256(PNG).hexdigest(),
                                                       hashlib.sha256(PDF).hexdigest()]
    png_id, pdf_id = (e["id"] for e in note["evidence"])

    (listed,) = handlers.list_interventions(uow, folio, AUDITOR)
    assert listed["evidence"] == note["evidence"] and "content" not in listed["evidence"][0]

    got = get_evidence(uow, OP, folio, png_id)
    assert base64.b64decode(got["content"]) == PNG
    assert (got["filename"], got["content_type"], got["uploaded_by"], got["intervention_id"]) == (
        "lampara.png", "image/png", "agency_staff", note["id"])
    assert base64.b64decode(get_evidence(uow, AUDITOR, folio, str(pdf_id))["content"]) == PDF

    (added,) = routing_events(uow, "intervention_added")
    assert added["data"]["evidence_ids"] == [png_id, pdf_id]
    assert "lampara" not in json.dumps(added)  # ids only: no names, no content
    for name in ("envelope.schema.json", "events/routing.intervention_added.v1.schema.json"):
        schema = Draft202012Validator(json.loads((CONTRACTS / name).read_text()), format_checker=FormatChecker())
        schema.validate(added if name.startswith("envelope") else added["data"])
    # the departments' integration feed carries the ids too, within its own contract
    o = outbox_table
    (feed,) = [r.payload for r in uow.session.execute(sa.select(o).where(o.c.exchange != "routing.events"))
               if r.payload["event_type"] == "intervention_added"]
    assert feed["data"]["evidence_ids"] == [png_id, pdf_id]
    Draft202012Validator(json.loads((CONTRACTS / "integration/routing.intervention_added.v1.schema.json").read_text()),
                         format_checker=FormatChecker()).validate(feed["data"])


def test_an_intervention_without_files_is_as_before(uow, folio):
    note = handlers.add_intervention(uow, OP, folio, "Sin archivos")
    assert note["evidence"] == []
    assert "evidence_ids" not in routing_events(uow, "intervention_added")[0]["data"]


def test_the_closing_intervention_carries_evidence_in_the_same_transaction(uow, folio):
    handlers.start_report(uow, OP, folio, 1)
    before = counts(uow)
    with pytest.raises(InvalidInput) as err:  # a bad file: no closure, no intervention, no event
        handlers.finish_report(uow, OP, folio, 2, "Se cambió la lámpara", [item(JPEG, "antes.jpg"),
                                                                           item(EXE, "despues.jpg")])
    assert err.value.code == "tipo_de_evidencia_no_permitido"
    a = handlers.get_assignment(uow, folio, SUPERVISOR)
    assert (a["status"], a["version"]) == ("in_progress", 2) and counts(uow) == before

    a = handlers.finish_report(uow, OP, folio, 2, "Se cambió la lámpara", [item(JPEG, "antes.jpg"),
                                                                          item(WEBP, "despues.webp")])
    assert (a["status"], a["version"]) == ("done", 3)
    closing = handlers.list_interventions(uow, folio, SUPERVISOR)[-1]
    assert closing["kind"] == "closing"
    assert [(e["filename"], e["content_type"]) for e in closing["evidence"]] == [
        ("antes.jpg", "image/jpeg"), ("despues.webp", "image/webp")]
    assert routing_events(uow, "intervention_added")[-1]["data"]["evidence_ids"] == [
        e["id"] for e in closing["evidence"]]


@pytest.mark.parametrize("files, exc, code", [
    ([item(PNG, "bien.png"), item(EXE, "photo.jpg", "image/jpeg")], InvalidInput, "tipo_de_evidencia_no_permitido"),
    ([item(PNG)] * 6, InvalidInput, "demasiadas_evidencias"),
    ([item(PNG, "bien.png"), item(PNG + b"\x00" * (5 * 1024 * 1024), "enorme.png")], PayloadTooLarge,
     "evidencia_muy_grande"),
])
def test_a_refused_file_stores_no_intervention_at_all(uow, folio, files, exc, code):
    before = counts(uow)
    with pytest.raises(exc) as err:
        handlers.add_intervention(uow, OP, folio, "Con un archivo malo", files)
    assert err.value.code == code
    assert counts(uow) == before
    assert handlers.list_interventions(uow, folio, SUPERVISOR) == []
    assert [h["kind"] for h in handlers.get_assignment(uow, folio, SUPERVISOR)["history"]] == ["assigned"]


def test_a_file_at_the_maximum_size_is_accepted_and_one_byte_more_is_not(uow, folio):
    limit = evidence.DEFAULT_MAX_BYTES
    big = PNG + os.urandom(limit - len(PNG))
    assert len(big) == limit
    note = handlers.add_intervention(uow, OP, folio, "Foto de alta resolución", [item(big, "grande.png")] * 5)
    assert [e["size"] for e in note["evidence"]] == [limit] * 5
    assert base64.b64decode(get_evidence(uow, OP, folio, note["evidence"][4]["id"])["content"]) == big
    with pytest.raises(PayloadTooLarge):
        handlers.add_intervention(uow, OP, folio, "Un byte de más", [item(big + b"\x00", "grande.png")])
    # the limit is configuration
    small = Limits(max_files=1, max_bytes=len(PNG))
    assert handlers.add_intervention(uow, OP, folio, "ok", [item(PNG)], limits=small)["evidence"][0]["size"] == len(PNG)
    with pytest.raises(InvalidInput) as err:
        handlers.add_intervention(uow, OP, folio, "dos", [item(PNG), item(PNG)], limits=small)
    assert err.value.code == "demasiadas_evidencias"


def test_evidence_is_append_only(uow, folio):
    note = handlers.add_intervention(uow, OP, folio, "Foto", [item(PNG, "a.png")])
    eid = note["evidence"][0]["id"]
    for sql in ("UPDATE evidence SET content = '\\x00'::bytea WHERE id = :id",
                "UPDATE evidence SET filename = 'otro.png' WHERE id = :id",
                "DELETE FROM evidence WHERE id = :id"):
        with pytest.raises(sa.exc.DBAPIError) as err:
            uow.session.execute(sa.text(sql), {"id": eid})
        assert "solo agregar" in str(err.value)
        uow.rollback()
    assert base64.b64decode(get_evidence(uow, OP, folio, eid)["content"]) == PNG


def test_who_may_read_and_attach_evidence(uow, folio, created_event):
    note = handlers.add_intervention(uow, OP, folio, "Foto", [item(PNG, "a.png")])
    eid = note["evidence"][0]["id"]
    with pytest.raises(NotFound) as err:  # another agency does not see the report
        get_evidence(uow, SIAP, folio, eid)
    assert err.value.code == "reporte_no_encontrado"
    with pytest.raises(Forbidden) as err:  # the public sees the report's public view, not its files
        get_evidence(uow, Actor.public().to_dict(), folio, eid)
    assert err.value.code == "prohibido"
    with pytest.raises(InvalidInput) as err:
        get_evidence(uow, None, folio, eid)
    assert err.value.code == "actor_invalido"
    with pytest.raises(Forbidden) as err:  # operators read every report, not its work record (READ_WORK)
        get_evidence(uow, OPERATOR, folio, eid)
    assert err.value.code == "prohibido"
    before = counts(uow)
    with pytest.raises(NotFound):  # another agency cannot attach files either; nothing stored
        handlers.add_intervention(uow, SIAP, folio, "Foto ajena", [item(PNG, "b.png")])
    assert counts(uow) == before
    for actor in (AUDITOR, SUPERVISOR):
        assert base64.b64decode(get_evidence(uow, actor, folio, eid)["content"]) == PNG

    # shared with SIAP: SIAP reads it and documents with files of its own
    handlers.share_report(uow, OP, folio, 1, "SIAP", "SIAP-RECOLECCION")
    assert get_evidence(uow, SIAP, folio, eid)["id"] == eid
    assert handlers.add_intervention(uow, SIAP, folio, "Revisado", [item(PDF, "acta.pdf")])["evidence"][0][
        "filename"] == "acta.pdf"

    # an evidence id of another report, an unknown one, a bad one, an unknown folio
    assert handlers.assign_report(uow, created_event(folio=8))
    with pytest.raises(NotFound) as err:
        get_evidence(uow, OP, 8, eid)
    assert err.value.code == "evidencia_no_encontrada"
    with pytest.raises(NotFound):
        get_evidence(uow, OP, folio, 999_999)
    with pytest.raises(InvalidInput):
        get_evidence(uow, OP, folio, "uno")
    with pytest.raises(NotFound) as err:
        get_evidence(uow, OP, 404, eid)
    assert err.value.code == "reporte_no_encontrado"
