"""The email channel on real servers: mail sent by SMTP to the municipality's address
(aiosmtpd) becomes a report through intake; the folio, and one notice per status change
through to done, arrive by SMTP in the citizen's mailbox. Replies quoting the thread,
HTML-only mail, an attachment that is too large, BAJA and ARCO cancellation."""
import base64
import sys
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from sacinfra import testing
from sacinfra.db import UnitOfWork, make_engine
from email_channel.service import EmailService

sys.path.insert(0, str(Path(__file__).resolve().parent))
from conftest import MAX_BYTES, email_config  # noqa: E402
from mail_support import CITIZEN, mail, send  # noqa: E402

pytestmark = pytest.mark.timeout(180)
SUPERVISOR = {"kind": "staff", "username": "supervisora", "role": "supervisor"}
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
FIELDS = "Tipo: OP-LAMPARA APAGADA\nUbicación: 21.1221, -101.6824\nCalle: Madero 100\nColonia: Centro\n"


@pytest.fixture
def channel(vhost, service_db, container_factory, core_services, inbox, citizen_mailbox):
    url = service_db("email")
    container_factory(EmailService, email_config(vhost["uri"], url, inbox.maildir, citizen_mailbox.port)).start()
    engine = make_engine(url)
    yield {"engine": engine}
    engine.dispose()


def arrived(mailbox, n, what):
    return testing.wait_until(lambda: mailbox.texts() if len(mailbox.texts()) >= n else None, timeout=30, what=what)


def test_mail_files_a_report_and_every_status_change_reaches_the_mailbox(channel, core_services, inbox,
                                                                          citizen_mailbox):
    big = b"\xff\xd8\xff" + b"0" * (MAX_BYTES + 10)
    send(inbox.port, mail("Lámpara apagada", html="<p>La lámpara del poste 12 no prende</p>" + "".join(
        f"<div>{line}</div>" for line in FIELDS.splitlines()), attachments=[
            ("foto.jpg", "image/jpeg", big), ("poste 12.jpg", "image/jpeg", JPEG),
            ("oficio.pdf", "application/pdf", PDF), ("notas.txt", "text/plain", b"llamar al vecino")]))
    subject, text = arrived(citizen_mailbox, 1, "folio mail")[0]
    folio = int(subject.split()[1].rstrip(":"))
    assert "registrado con el folio" in text and f"/v1/track/{folio}?token=" in text
    assert "foto.jpg" in text  # the attachment over the limit is named in the reply
    assert "no son fotos (JPEG, PNG, WebP, HEIC) ni PDF: notas.txt" in text  # and the one intake would refuse
    with core_services.proxy() as rpc:
        report = rpc.intake.get_report(folio, SUPERVISOR)
        assert report["channel"] == "CORREO" and report["description"].startswith("Lámpara apagada\nLa lámpara")
        assert CITIZEN not in str(report)
        # the MIME attachments intake accepts are the report's evidence, readable back
        kept = rpc.intake.list_attachments(folio, SUPERVISOR)
        assert [(a["filename"], a["content_type"]) for a in kept] == [("poste 12.jpg", "image/jpeg"),
                                                                      ("oficio.pdf", "application/pdf")]
        assert base64.b64decode(rpc.intake.get_attachment(folio, kept[0]["id"], SUPERVISOR)["content"]) == JPEG
        a = testing.wait_until(lambda: _assignment(rpc, folio), what="assignment")
        a = rpc.routing.start_report(SUPERVISOR, folio, a["version"], "Cuadrilla en camino")
        arrived(citizen_mailbox, 2, "start notice")
        rpc.routing.finish_report(SUPERVISOR, folio, a["version"], "Se cambió el foco")
        notices = arrived(citizen_mailbox, 3, "finish notice")
    assert notices[1][1].startswith(f"Folio {folio}: La dependencia ya atiende")
    assert "Nota de cierre: Se cambió el foco" in notices[2][1]

    # a reply quoting the whole thread: only the new text counts ("no se resolvió")
    send(inbox.port, mail(f"Re: {notices[2][0]}", "No se resolvió, sigue apagada.\n\nEl lun, 7 dic 2026 a las "
                          "10:00, Atención Ciudadana <reportes@municipio.example> escribió:\n> " +
                          notices[2][1].replace("\n", "\n> ")))
    reply = arrived(citizen_mailbox, 4, "reopen answer")[3][1]
    assert "reabrir" in reply.lower() or "Reabrimos" in reply

    # BAJA: nothing more is sent
    send(inbox.port, mail("BAJA", "BAJA"))
    arrived(citizen_mailbox, 5, "BAJA confirmation")
    with core_services.proxy() as rpc:
        a = rpc.routing.get_assignment(folio, SUPERVISOR)
        if a["status"] == "done":
            rpc.routing.reopen_report(SUPERVISOR, folio, a["version"], "revisión de supervisión")
    with UnitOfWork(channel["engine"], "email") as uow:
        testing.wait_until(lambda: uow.session.execute(sa.text(
            "SELECT count(*) FROM processed_messages WHERE consumer = 'email.report_status_changed'")).scalar() == 3,
            what="third status event consumed")
    assert len(citizen_mailbox.texts()) == 5


def _assignment(rpc, folio):
    try:
        return rpc.routing.get_assignment(folio, SUPERVISOR)
    except Exception:
        return None


def test_incomplete_mail_gets_instructions_and_duplicates_are_ignored(channel, inbox, citizen_mailbox):
    m = mail("Bache", "Hay un bache enorme")
    send(inbox.port, m)
    send(inbox.port, m)  # the same Message-ID again
    subject, text = arrived(citizen_mailbox, 1, "instructions")[0]
    assert subject == "Datos para su reporte" and "Ubicación: latitud, longitud" in text
    with UnitOfWork(channel["engine"], "email") as uow:
        testing.wait_until(lambda: uow.session.execute(sa.text(
            "SELECT count(*) FROM processed_messages WHERE consumer = 'email.inbound'")).scalar() == 1, what="claim")
        assert uow.session.execute(sa.text("SELECT count(*) FROM filings")).scalar() == 0
    assert len(citizen_mailbox.texts()) == 1


def test_arco_cancellation_erases_the_address(channel, vhost, service_uow):
    from email_channel import handlers
    from sacchannel import kit
    from sacchannel.store import Store
    uow = UnitOfWork(channel["engine"], "email")
    ch = handlers.channel()
    handlers.link_citizen(uow, SUPERVISOR | {"role": "operator"}, "Vecina <Vecina@Correo.example>", 41)
    doc = kit.arco_access(uow, ch, [41])
    assert [c["address"] for c in doc["contacts"]] == ["vecina@correo.example"]
    envelope = {"event_id": str(uuid.uuid4()), "event_type": "citizen_cancelled", "version": 1,
                "occurred_at": "2026-12-07T10:00:00+00:00", "producer": "citizens", "trace": {},
                "data": {"number": 41, "cancelled_at": "2026-12-07T10:00:00+00:00"}}
    testing.publish_event(vhost["uri"], "citizens", "citizen_cancelled", envelope)
    testing.wait_until(lambda: kit.arco_access(uow, ch, [41])["contacts"][0]["address"] is None, what="erased")
    with uow:
        assert Store(uow).contact_for("vecina@correo.example", kit.now_utc())["citizen_number"] is None
