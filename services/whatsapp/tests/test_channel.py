"""The WhatsApp channel end to end on real servers: catalog, intake and routing as
nameko containers, the channel's webhook over HTTP, the fake Graph API receiving what
the citizen would read. A report is filed from a conversation, the folio delivered, one
notice per status change through to done; duplicates, BAJA, "no se resolvió", the
24-hour window, retries and the interactions for the statistics."""
import base64
import uuid
from datetime import timedelta

import sys
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from sacinfra import testing
from sacinfra.db import UnitOfWork, make_engine
from sacchannel import kit
from sacchannel.store import Store
from whatsapp import handlers
from whatsapp.graph import GraphClient
from whatsapp.service import WhatsappService

sys.path.insert(0, str(Path(__file__).resolve().parent))
from wa_support import (JPEG, PHONE_ID, SUPERVISOR, VERIFY_TOKEN, Phone, free_port, wait_assignment,  # noqa: E402
                        whatsapp_config)

pytestmark = pytest.mark.timeout(180)


@pytest.fixture
def channel(vhost, service_db, container_factory, core, fake_graph):
    url = service_db("whatsapp")
    port = free_port()
    testing.bind_queue(vhost["uri"], "test-interactions", "channels", "channel_interaction_recorded")
    container_factory(WhatsappService, whatsapp_config(vhost["uri"], url, fake_graph.url, port)).start()
    engine = make_engine(url)
    yield {"base": f"http://127.0.0.1:{port}", "url": url, "engine": engine}
    engine.dispose()


def converse(phone: Phone, fake_graph, address="Madero 100, Centro", media_id="media-1") -> int:
    """The whole conversation; returns the folio the citizen was told."""
    for step in ("hola", "1", "La lámpara del poste 12 no prende"):
        assert phone.text(step)[0].status_code == 200
    phone.pin(21.1221, -101.6824)
    phone.text(address)
    phone.photo(media_id)
    text = testing.wait_until(lambda: [t for t in fake_graph.texts(phone.number) if "folio" in t],
                              what="folio message")[0]
    return int(text.split("folio ")[1].split(".")[0])


def test_handshake_and_signature(channel):
    base = channel["base"]
    r = requests.get(base + "/webhook", params={"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN,
                                                "hub.challenge": "1158201444"}, timeout=10)
    assert (r.status_code, r.text) == (200, "1158201444")
    r = requests.get(base + "/webhook", params={"hub.mode": "subscribe", "hub.verify_token": "wrong",
                                                "hub.challenge": "1"}, timeout=10)
    assert r.status_code == 403
    r = requests.post(base + "/webhook", data=b'{"entry": []}', timeout=10,
                      headers={"X-Hub-Signature-256": "sha256=" + "0" * 64})
    assert r.status_code == 401
    r = requests.post(base + "/webhook", data=b'{"entry": []}', timeout=10)
    assert r.status_code == 401


def test_a_conversation_files_a_report_and_every_status_change_reaches_the_citizen(channel, core, fake_graph, vhost):
    phone = Phone(channel["base"], "5214771234567")
    folio = converse(phone, fake_graph, media_id=fake_graph.add_media(JPEG, "image/jpeg"))
    told = fake_graph.texts(phone.number)
    assert told[0].startswith("Hola") and any("Describa" in t for t in told)
    filed = [t for t in told if "folio" in t][0]
    assert f"https://sac.municipio.example/v1/track/{folio}?token=" in filed and "Fecha compromiso" in filed

    with core.proxy() as rpc:
        report = rpc.intake.get_report(folio, SUPERVISOR)
        assert report["channel"] == "WHATSAPP" and report["citizen_number"] is None
        assert "5214771234567" not in str(report)
        # the photo: downloaded from the Graph API (media id → url → bytes) and stored by intake
        [photo] = rpc.intake.list_attachments(folio, SUPERVISOR)
        assert (photo["filename"], photo["content_type"], photo["size"]) == ("foto-whatsapp-1.jpg", "image/jpeg",
                                                                              len(JPEG))
        got = rpc.intake.get_attachment(folio, photo["id"], SUPERVISOR)
        assert base64.b64decode(got["content"]) == JPEG
    with UnitOfWork(channel["engine"], "whatsapp") as uow:  # the channel does not keep it
        assert "_media" not in uow.session.execute(sa.text("SELECT payload FROM filings")).scalar()
    a = wait_assignment(core, folio)
    before = len(fake_graph.accepted)
    with core.proxy() as rpc:
        a = rpc.routing.start_report(SUPERVISOR, folio, a["version"], "Cuadrilla en camino")
        testing.wait_until(lambda: len(fake_graph.accepted) == before + 1, what="start notice")
        a = rpc.routing.finish_report(SUPERVISOR, folio, a["version"], "Se cambió la lámpara del poste 12")
        testing.wait_until(lambda: len(fake_graph.accepted) == before + 2, what="finish notice")
    notices = fake_graph.texts(phone.number)[-2:]
    assert notices[0] == f"Folio {folio}: La dependencia ya atiende su reporte (en proceso)."
    assert notices[1].startswith(f"Folio {folio}: Su reporte fue atendido")
    assert "Nota de cierre: Se cambió la lámpara del poste 12" in notices[1]

    # "no se resolvió": routing decides (a process may reopen what it filed), and the citizen is told
    phone.text("No se resolvió, sigue apagada")
    # (when routing reopens, its status notice may arrive right after the answer)
    reply = testing.wait_until(lambda: [t for t in fake_graph.texts(phone.number)[-2:]
                                              if t.startswith(("Reabrimos", "No pudimos reabrir", "No se puede reabrir"))],
                               what="reopen answer")[0]
    with core.proxy() as rpc:
        status = rpc.routing.get_assignment(folio, SUPERVISOR)["status"]
    assert status in ("done", "in_progress")
    assert ("Reabrimos" in reply) == (status == "in_progress")

    # the reopening's own status event (when routing reopened) is consumed and its message,
    # if any, sent before counting: else it can land after the count below
    with UnitOfWork(channel["engine"], "whatsapp") as uow:
        testing.wait_until(lambda: uow.session.execute(sa.text(
            "SELECT count(*) FROM processed_messages WHERE consumer = 'whatsapp.report_status_changed'")).scalar()
            == (3 if status == "in_progress" else 2), what="reopen event consumed")
        testing.wait_until(lambda: not uow.session.execute(sa.text(
            "SELECT count(*) FROM messages WHERE state = 'queued'")).scalar(), what="queued messages sent")

    # BAJA: no more notices (a supervisor reopens: nothing reaches the phone)
    count = len(fake_graph.accepted)
    phone.text("BAJA")
    testing.wait_until(lambda: len(fake_graph.accepted) == count + 1, what="BAJA confirmation " + repr(fake_graph.texts()[-4:]))
    with core.proxy() as rpc:
        a = rpc.routing.get_assignment(folio, SUPERVISOR)
        if a["status"] == "done":
            rpc.routing.reopen_report(SUPERVISOR, folio, a["version"], "revisión de supervisión")
    with UnitOfWork(channel["engine"], "whatsapp") as uow:
        testing.wait_until(lambda: uow.session.execute(sa.text(
            "SELECT count(*) FROM processed_messages WHERE consumer = 'whatsapp.report_status_changed'")).scalar() == 3,
            what="reopen event consumed")
        states = dict(uow.session.execute(sa.text("SELECT state, count(*) FROM messages GROUP BY state")).all())
    assert len(fake_graph.accepted) == count + 1, fake_graph.texts()[-3:]
    assert set(states) <= {"sent"}  # the fake sends no delivery statuses

    events = testing.drain(vhost["uri"], "test-interactions", expect=9)
    assert {(e["producer"], e["event_type"], e["version"]) for e in events} == {
        ("channels", "channel_interaction_recorded", 1)}
    steps = [(e["data"]["option"], e["data"]["outcome"], e["data"]["folio"]) for e in events]
    assert steps == [("menu", "completed", None), ("report_create.menu", "completed", None),
                     ("report_create.description", "completed", None), ("report_create.location", "completed", None),
                     ("report_create.address", "completed", None), ("report_create.photo", "completed", None),
                     ("report_create", "completed", folio),
                     ("report_reopen", "handed_off" if status == "done" else "completed", folio),
                     ("notifications_stop", "completed", None)]
    for e in events:  # the shape of channels.channel_interaction_recorded v1 (stats' contract), no phone
        assert set(e["data"]) == {"channel", "option", "outcome", "conversation_id", "folio", "occurred_at"}
        assert e["data"]["channel"] == "WHATSAPP" and len(e["data"]["conversation_id"]) == 24
        assert "5214771234567" not in str(e)


def test_duplicate_deliveries_are_ignored_and_statuses_recorded(channel, fake_graph):
    phone = Phone(channel["base"], "5214770000001")
    r1, mid = phone.text("hola")
    r2, _ = phone.text("hola", message_id=mid)  # Meta redelivers the same message id
    assert r1.status_code == r2.status_code == 200
    testing.wait_until(lambda: len(fake_graph.texts(phone.number)) == 1, what="menu")
    with UnitOfWork(channel["engine"], "whatsapp") as uow:
        provider_id = uow.session.execute(sa.text("SELECT provider_id FROM messages")).scalar()
    assert len(fake_graph.texts(phone.number)) == 1
    phone.deliver_status = None
    payload_status = {"entry": [{"changes": [{"value": {"statuses": [{"id": provider_id, "status": "delivered"}]}}]}]}
    import json as _json

    from wa_support import sign
    body = _json.dumps(payload_status).encode()
    assert requests.post(channel["base"] + "/webhook", data=body, headers={"X-Hub-Signature-256": sign(body)},
                         timeout=10).status_code == 200
    with UnitOfWork(channel["engine"], "whatsapp") as uow:
        assert uow.session.execute(sa.text("SELECT state FROM messages")).scalar() == "delivered"


def test_relay_retries_with_backoff_and_uses_the_template_outside_the_window(service_uow, fake_graph):
    uow = service_uow("whatsapp")
    client = GraphClient(fake_graph.url, "v21.0", PHONE_ID, "test-token", "sac_cambio_estado", "es_MX")
    now = kit.now_utc()
    ch = handlers.channel()
    send = client.send_message
    env = {"event_id": str(uuid.uuid4()), "data": {"folio": 1, "from": "captured", "to": "in_progress",
                                                     "action": "start", "reason": None, "at": now.isoformat()}}
    with uow:
        store = Store(uow)
        contact = store.contact_for("5214779999999", now)
        store.update_contact(contact["id"], last_inbound_at=now - timedelta(hours=30))
        store.add_filing("k1", contact["id"], {})
        store.mark_filed("k1", {"folio": 1, "tracking_token": "t", "due_at": "2026-12-12"}, now)
    assert kit.on_status_changed(uow, ch, env, lambda f: None, now=now) is True
    assert kit.on_status_changed(uow, ch, env, lambda f: None, now=now) is False  # redelivered
    fake_graph.fail_next(2, 503)
    assert kit.relay(lambda: uow, send, now=now) == {"sent": 0, "retry": 1, "failed": 0}
    assert kit.relay(lambda: uow, send, now=now) == {"sent": 0, "retry": 0, "failed": 0}  # backing off
    later = now + timedelta(seconds=3)
    assert kit.relay(lambda: uow, send, now=later)["retry"] == 1
    assert kit.relay(lambda: uow, send, now=later + timedelta(seconds=5))["sent"] == 1
    assert fake_graph.attempts == 3 and len(fake_graph.accepted) == 1
    sent = fake_graph.accepted[0]
    assert sent["type"] == "template" and sent["template"]["name"] == "sac_cambio_estado"
    assert sent["template"]["components"][0]["parameters"][0] == {"type": "text", "text": "1"}
    with uow:
        row = uow.session.execute(sa.text("SELECT state, attempts FROM messages")).one()
    assert tuple(row) == ("sent", 3)
    # a permanent refusal is not retried
    env2 = dict(env, event_id=str(uuid.uuid4()))
    kit.on_status_changed(uow, ch, env2, lambda f: None, now=now)
    fake_graph.fail_next(1, 400)
    assert kit.relay(lambda: uow, send, now=later)["failed"] == 1
    client.close()
