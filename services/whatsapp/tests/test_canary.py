"""The canary on the channel's own datastore: a citizen with a unique phone talks to the
channel, files a report (with the phone in the text), is linked to their citizen number
and then cancelled (ARCO). Afterwards no table of the whatsapp database holds the
phone, as text, anywhere; the folio and the delivery states stay countable."""
import random
import uuid

import sqlalchemy as sa

from sacchannel import kit
from sacchannel.store import Store
from whatsapp import handlers

MENU = [{"code": "OP-LAMPARA APAGADA", "label": "Lámpara apagada"}]
OPERATOR = {"kind": "staff", "username": "operadora", "role": "operator"}


def delivery(phone, message):
    return {"entry": [{"changes": [{"value": {"messages": [
        {"id": f"wamid.{uuid.uuid4().hex}", "from": phone, **message}]}}]}]}


def test_cancellation_leaves_no_trace_of_the_phone(service_uow):
    uow = service_uow("whatsapp")
    phone = "52147" + "".join(random.choice("0123456789") for _ in range(8))
    handlers.link_citizen(uow, OPERATOR, "+" + phone, 77)
    for m in ({"type": "text", "text": {"body": "hola"}}, {"type": "text", "text": {"body": "1"}},
              {"type": "text", "text": {"body": f"No hay luz, llámenme al {phone}"}},
              {"type": "location", "location": {"latitude": 21.1, "longitude": -101.6, "address": "Madero 1, Centro"}}):
        handlers.receive(uow, delivery(phone, m), MENU)
    result = handlers.receive(uow, delivery(phone, {"type": "text", "text": {"body": "no"}}), MENU)
    ch = handlers.channel()
    sent = []

    def create_reports(requests):
        sent.extend(requests)
        return [{"report": {"folio": 9, "tracking_token": "tok", "due_at": "2026-12-12T23:59:59-06:00"}}]
    assert kit.file_pending(uow, ch, create_reports, "https://sac.example", keys=result["file"]) == [9]
    assert sent[0]["payload"]["citizen_number"] == 77  # intake's own ARCO erasure reaches the report
    doc = kit.arco_access(uow, ch, [77])
    assert doc["contacts"][0]["address"] == phone and doc["contacts"][0]["folios"] == [9]

    envelope = {"event_id": str(uuid.uuid4()), "data": {"number": 77, "cancelled_at": "2026-12-07T10:00:00+00:00"}}
    assert kit.on_citizen_cancelled(uow, ch, envelope) == 1
    with uow:
        s = uow.session
        tables = s.execute(sa.text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).scalars().all()
        found = {t: s.execute(sa.text(f'SELECT count(*) FROM "{t}" x WHERE x::text LIKE :p'),
                              {"p": f"%{phone}%"}).scalar() for t in tables}
        assert set(tables) >= {"contacts", "filings", "messages", "outbox", "processed_messages"}
        assert {t: n for t, n in found.items() if n} == {}
        assert Store(uow).filing_of_folio(9)["status"] == "filed"
        states = dict(s.execute(sa.text("SELECT state, count(*) FROM messages GROUP BY state")).all())
    assert states == {"failed": 5}  # four answers and the folio: queued, so never to go out now
