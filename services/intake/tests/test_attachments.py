"""A citizen's files filed with the report on a real PostgreSQL database: checked by
content with routing's rules (sacinfra.files), stored in the report's transaction, a
refused file refuses that report only, read back by those who may read the report, and
deleted by an ARCO cancellation."""
import base64
import uuid

import pytest
import sqlalchemy as sa

from intake import attachments, handlers, rights
from sacinfra.errors import InvalidInput, NotFound

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"
PDF = b"%PDF-1.4\n%%EOF\n"
SUPERVISOR = {"kind": "staff", "username": "supervisora", "role": "supervisor"}
AGENCY = {"kind": "staff", "username": "op", "role": "agency_staff", "agency": "OP", "department": "OP-ALUMBRADO"}


def request(files, citizen=None, key=None):
    return {"payload": {"petition_type": "OP-LAMPARA APAGADA", "channel": "WHATSAPP", "description": "Poste 12",
                        "location": {"lat": 21.12, "lon": -101.68, "colonia": "Centro", "street": "Madero"},
                        "citizen_number": citizen},
            "idempotency_key": key or f"whatsapp:{uuid.uuid4().hex}", "trace": None,
            "actor": {"kind": "system", "username": "system:whatsapp", "role": "system", "system": "whatsapp"},
            "attachments": [{"filename": n, "content": base64.b64encode(c).decode()} for n, c in files]}


def test_files_are_stored_with_the_report_and_read_back(uow, catalog, raw):
    ok, bad = handlers.file_requests(uow, catalog, [
        request([("foto del poste.jpg", JPEG), ("../../oficio", PDF)]),
        request([("virus.jpg", b"MZ\x90\x00 not an image")])])
    folio = ok["report"]["folio"]
    assert bad["error"]["code"] == "tipo_de_evidencia_no_permitido" and "reporte" not in bad
    listed = attachments.list_attachments(uow, folio, SUPERVISOR)
    assert [(a["filename"], a["content_type"], a["size"]) for a in listed] == [
        ("foto del poste.jpg", "image/jpeg", len(JPEG)), ("oficio.pdf", "application/pdf", len(PDF))]
    got = attachments.get_attachment(uow, folio, listed[0]["id"], SUPERVISOR)
    assert base64.b64decode(got["content"]) == JPEG and got["sha256"] == listed[0]["sha256"]
    assert attachments.get_attachment(uow, folio, listed[1]["id"])["filename"] == "oficio.pdf"  # caller checked
    with pytest.raises(NotFound):  # agency staff read through routing (the gateway asks it first)
        attachments.list_attachments(uow, folio, AGENCY)
    with pytest.raises(NotFound):
        attachments.get_attachment(uow, folio, listed[0]["id"] + 100, SUPERVISOR)
    with raw:
        assert raw.session.execute(sa.text("SELECT count(*) FROM attachments")).scalar() == 2
        assert raw.session.execute(sa.text("SELECT count(*) FROM reports")).scalar() == 1  # the refused one: nothing


def test_limits_are_routings(uow, catalog, monkeypatch):
    monkeypatch.setenv("EVIDENCE_MAX_BYTES", "100")
    [answer] = handlers.file_requests(uow, catalog, [request([("grande.jpg", JPEG + b"\x00" * 100)])])
    assert answer["error"]["code"] == "evidencia_muy_grande"
    [answer] = handlers.file_requests(uow, catalog, [request([("f.jpg", JPEG)] * 6)])
    assert answer["error"]["code"] == "demasiadas_evidencias" and "por reporte" in answer["error"]["message"]
    with pytest.raises(InvalidInput):
        attachments.prepare([{"filename": "x"}])


def test_a_replayed_key_stores_the_files_once_and_cancellation_deletes_them(uow, catalog, raw):
    r = request([("foto.jpg", JPEG)], citizen=77, key="email:<m1@correo.example>")
    first, again = handlers.file_requests(uow, catalog, [r]), handlers.file_requests(uow, catalog, [r])
    assert first[0]["report"]["folio"] == again[0]["report"]["folio"] and again[0]["report"]["created"] is False
    assert len(attachments.list_attachments(uow, first[0]["report"]["folio"])) == 1
    [report] = rights.arco_access(uow, [77])["reports"]
    assert [a["filename"] for a in report["attachments"]] == ["foto.jpg"]
    event = {"event_id": str(uuid.uuid4()), "data": {"number": 77, "cancelled_at": "2026-12-07T10:00:00+00:00"}}
    assert rights.erase_citizen_reports(uow, event) == 1
    assert attachments.list_attachments(uow, first[0]["report"]["folio"]) == []
