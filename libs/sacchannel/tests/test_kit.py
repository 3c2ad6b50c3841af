"""The channel kit's pure parts, and its tables on a real PostgreSQL database: one
message per cause, erasure keeps what counts and drops what identifies."""
import uuid

import pytest
import sqlalchemy as sa

from sacchannel import kit
from sacchannel.store import Store
from sacchannel.tables import metadata
from sacinfra.db import UnitOfWork, make_engine
from sacinfra.errors import InvalidInput


def test_backoff_link_and_numbers():
    assert [kit.backoff(n) for n in (1, 2, 5, 30)] == [2.0, 4.0, 32.0, 300.0]
    assert kit.tracking_link("https://sac.example/", 7, "a b") == "https://sac.example/v1/track/7?token=a%20b"
    assert kit.numbers(3) == [3]
    for bad in ([], [0], ["3"], [True]):
        with pytest.raises(InvalidInput):
            kit.numbers(bad)


def test_one_message_per_cause_and_erasure(empty_db):
    engine = make_engine(empty_db)
    metadata.create_all(engine)
    uow = UnitOfWork(engine, "pigeon")
    now = kit.now_utc()
    with uow:
        store = Store(uow)
        contact = store.contact_for("palomar 7", now)
        store.update_contact(contact["id"], citizen_number=41)
        assert store.queue_message(contact["id"], "event:1", "status", {"text": "Folio 1"}) is True
        assert store.queue_message(contact["id"], "event:1", "status", {"text": "Folio 1"}) is False
    ch = kit.Channel("pigeon", "CHAT CIUDADANO", None, None, None, None)
    env = {"event_id": str(uuid.uuid4()), "data": {"number": 41, "cancelled_at": now.isoformat()}}
    assert kit.on_citizen_cancelled(uow, ch, env) == 1 and kit.on_citizen_cancelled(uow, ch, env) == 0
    doc = kit.arco_access(uow, ch, [41])
    assert doc["contacts"][0]["address"] is None and doc["contacts"][0]["messages"][0]["text"] is None
    with uow:
        assert uow.session.execute(sa.text("SELECT state FROM messages")).scalar() == "failed"
    engine.dispose()


def test_files_travel_to_intake_and_leave_the_channel_and_arco_reads_are_logged(empty_db):
    engine = make_engine(empty_db)
    metadata.create_all(engine)
    uow = UnitOfWork(engine, "pigeon")
    now = kit.now_utc()
    files = [{"filename": "foto.jpg", "content": "/9j/4AAQ"}]
    with uow:
        store = Store(uow)
        contact = store.contact_for("palomar 9", now)
        store.update_contact(contact["id"], citizen_number=43)
        store.add_filing("pigeon:1", contact["id"], {"description": "Bache", "_attachments": files})
    ch = kit.Channel("pigeon", "CHAT CIUDADANO", lambda r, link, f: {"text": f"Folio {r['folio']}"},
                     None, None, None)
    sent = []

    def create_reports(requests):
        sent.extend(requests)
        return [{"report": {"folio": 5, "tracking_token": "t", "due_at": "2026-12-12"}}]
    assert kit.file_pending(uow, ch, create_reports, "https://sac.example") == [5]
    assert sent[0]["attachments"] == files and "_attachments" not in sent[0]["payload"]
    doc = kit.arco_access(uow, ch, [43], {"kind": "staff", "username": "sup", "role": "supervisor"},
                          "solicitud ARCO 1/2026")
    contact_doc = doc["contacts"][0]
    assert (doc["service"], contact_doc["address"], contact_doc["folios"]) == ("pigeon", "palomar 9", [5])
    assert contact_doc["filings"][0]["description"] == "Bache" and contact_doc["filings"][0]["files_pending"] == 0
    assert [m["text"] for m in contact_doc["messages"]] == ["Folio 5"]
    with uow:
        payload = uow.session.execute(sa.text("SELECT payload FROM filings")).scalar()
        log = uow.session.execute(sa.text("SELECT actor, citizen_numbers, reason, contacts FROM access_log")).one()
    assert "_attachments" not in payload  # intake keeps the files now
    assert (log[0]["username"], log[1], log[2], log[3]) == ("sup", [43], "solicitud ARCO 1/2026", 1)
    with pytest.raises(InvalidInput):
        kit.arco_access(uow, ch, [43], {"kind": "staff"}, "motivo")
    engine.dispose()
