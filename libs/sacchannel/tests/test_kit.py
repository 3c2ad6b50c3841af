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
