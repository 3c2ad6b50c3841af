"""Tickets: the Número de Atención from an atomic counter (unique and consecutive across
concurrent prints, surviving a restart of the server), the PDFs (80 mm and A4) and the
plain-text variant, in Spanish with the header, the office, the date and the number."""
import base64
import datetime as dt
import io
import threading

import pytest
import secantus
from pymongo import MongoClient
from pypdf import PdfReader

from directory import handlers as h, tickets
from directory.exceptions import Conflict, Forbidden, InvalidInput, NotFound
from directory.store import Store

from directory_actors import ADMIN, AGENCY_STAFF, AUDITOR, OPERATOR, PUBLIC, SUPERVISOR

DIF = {"id": "dif-leon", "name": "DESARROLLO INTEGRAL DE LA FAMILIA (DIF)", "level": "PARAMUNICIPAL",
       "street": "PLAZA REVOLUCION", "ext_number": "107", "colonia": "SAN JUAN DE DIOS",
       "phones": ["477-215-63-00", "477-215-63-01"], "extensions": ["1024"], "website": "https://dif.leon.gob.mx/",
       "hours": "8:00 AM A 3:00 PM", "person_in_charge": "DIRECTORA GENERAL"}


@pytest.fixture
def dif(store):
    h.create_office(store, ADMIN, DIF)
    return store


def _pdf_text(ticket) -> str:
    reader = PdfReader(io.BytesIO(base64.b64decode(ticket["content_b64"])))
    return "\n".join(p.extract_text() for p in reader.pages)


def test_thermal_ticket_is_an_80mm_pdf_with_header_office_date_and_number(dif):
    t = h.print_ticket(dif, OPERATOR, "dif-leon", "072", "thermal")
    assert t["attention_number"] == "0000000001" and t["media_type"] == "application/pdf"
    assert t["filename"] == "ticket-0000000001.pdf"
    reader = PdfReader(io.BytesIO(base64.b64decode(t["content_b64"])))
    page = reader.pages[0]
    assert round(float(page.mediabox.width) / 72 * 25.4) == 80
    text = _pdf_text(t)
    for part in ("LEÓN, GUANAJUATO", "Presidencia Municipal de León", "Atención Ciudadana",
                 "DESARROLLO INTEGRAL DE LA FAMILIA (DIF)", "PLAZA REVOLUCION Núm. Ext. 107", "SAN JUAN DE DIOS",
                 "477-215-63-00, 477-215-63-01", "1024", "https://dif.leon.gob.mx/", "8:00 AM A 3:00 PM",
                 "DIRECTORA GENERAL", "Número de Atención", "0000000001", "Fecha:"):
        assert part in text, part


def test_a4_ticket(dif):
    t = h.print_ticket(dif, SUPERVISOR, "dif-leon", "VENTANILLA", "a4")
    page = PdfReader(io.BytesIO(base64.b64decode(t["content_b64"]))).pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)
    assert "0000000001" in _pdf_text(t) and "Encargado o Responsable" in _pdf_text(t)


def test_text_ticket_fits_a_receipt_printer(dif):
    t = h.print_ticket(dif, AGENCY_STAFF, "dif-leon", "ventanilla", "text")
    assert t["media_type"].startswith("text/plain") and t["channel"] == "VENTANILLA"
    text = base64.b64decode(t["content_b64"]).decode("utf-8")
    assert all(len(line) <= tickets.TEXT_WIDTH for line in text.splitlines())
    for part in ("LEÓN, GUANAJUATO", "NÚMERO DE ATENCIÓN", "0000000001", "PLAZA REVOLUCION Núm. Ext. 107",
                 "Encargado o Responsable:", "Fecha: "):
        assert part in text, part


def test_fifty_concurrent_prints_get_fifty_distinct_consecutive_numbers(dif):
    h.print_ticket(dif, OPERATOR, "dif-leon", "072", "text")  # 1
    numbers, errors = [], []
    barrier = threading.Barrier(50)

    def print_one():
        try:
            barrier.wait()
            numbers.append(h.print_ticket(dif, OPERATOR, "dif-leon", "072", "text")["attention_number"])
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=print_one) for _ in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert sorted(numbers) == [str(n).zfill(10) for n in range(2, 52)]
    assert dif.log.count_documents({"kind": "printed"}) == 51


def test_the_counter_survives_a_server_restart(tmp_path):
    path = str(tmp_path / "mongo")
    with secantus.SecantusDBServer(port=0, storage_path=path) as server:
        client = MongoClient(server.host, server.port, directConnection=True, tz_aware=True)
        store = Store(client["directory_restart"])
        store.ensure_indexes()
        h.create_office(store, ADMIN, DIF)
        first = [h.print_ticket(store, OPERATOR, "dif-leon", "072", "text")["attention_number"] for _ in range(3)]
        client.close()
    with secantus.SecantusDBServer(port=0, storage_path=path) as server:
        client = MongoClient(server.host, server.port, directConnection=True, tz_aware=True)
        store = Store(client["directory_restart"])
        store.ensure_indexes()  # at every start: must not reset the counter
        after = h.print_ticket(store, OPERATOR, "dif-leon", "072", "text")["attention_number"]
        client.close()
    assert first == ["0000000001", "0000000002", "0000000003"] and after == "0000000004"


def test_print_rules(dif):
    with pytest.raises(Forbidden):
        h.print_ticket(dif, AUDITOR, "dif-leon", "072")
    with pytest.raises(Forbidden):
        h.print_ticket(dif, PUBLIC, "dif-leon", "WEB")
    with pytest.raises(NotFound):
        h.print_ticket(dif, OPERATOR, "nada", "072")
    with pytest.raises(InvalidInput):
        h.print_ticket(dif, OPERATOR, "dif-leon", "072", "docx")
    with pytest.raises(InvalidInput):
        h.print_ticket(dif, OPERATOR, "dif-leon", "")
    h.update_office(dif, ADMIN, "dif-leon", {"active": False}, 1)
    with pytest.raises(Conflict) as e:
        h.print_ticket(dif, OPERATOR, "dif-leon", "072")
    assert e.value.code == "oficina_inactiva"
    assert dif.log.count_documents({}) == 0  # refused prints record nothing
    assert dif.counters.find_one({"_id": "attention_number"})["value"] == 0


def test_lines_break_between_phone_numbers_and_long_addresses_are_cut():
    fits = lambda line: len(line) <= 30  # noqa: E731
    assert tickets.wrap("477 215 6300, 477 215 6301, 477 215 6302", fits, ", ") == [
        "477 215 6300, 477 215 6301,", "477 215 6302"]
    url = "https://portalsocial.guanajuato.gob.mx/sitio/asesoria-juridica-gratuita"
    lines = tickets.wrap(url, fits)
    assert "".join(lines) == url and all(fits(line) for line in lines)
    office = dict(DIF, website=url, phones=[f"477 215 63{n:02d}" for n in range(8)])
    text = tickets.text_ticket(office, "0000000007", dt.datetime(2026, 9, 26, 10, 5))
    assert all(len(line) <= tickets.TEXT_WIDTH for line in text.splitlines())
    assert "477 215 6307" in text  # never cut inside a number
