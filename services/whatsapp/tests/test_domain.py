"""Pure rules of the WhatsApp channel (no I/O)."""
import base64
from datetime import datetime, timedelta, timezone

from whatsapp import domain

MENU = [{"code": "OP-LAMPARA APAGADA", "label": "Lámpara apagada"}, {"code": "OP-BACHEO", "label": "Bache"}]


def msg(kind="text", text="", **kw):
    return domain.Inbound("id", "5214771234567", kind, text=text, **kw)


def test_signature_and_handshake():
    body = b'{"entry": []}'
    import hashlib
    import hmac
    good = "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    assert domain.signature_ok("s3cret", body, good)
    assert not domain.signature_ok("s3cret", body + b" ", good)
    assert not domain.signature_ok("s3cret", body, None) and not domain.signature_ok("", body, good)
    assert domain.verify_challenge({"hub.mode": "subscribe", "hub.verify_token": "t", "hub.challenge": "42"}, "t") == "42"
    assert domain.verify_challenge({"hub.mode": "subscribe", "hub.verify_token": "x", "hub.challenge": "42"}, "t") is None


def test_the_guided_conversation_reaches_a_complete_report():
    s = domain.advance(None, {}, msg(text="hola"), MENU)
    assert s.step == domain.MENU and "1. Lámpara apagada" in s.replies[0]
    s = domain.advance(s.step, s.data, msg(text="7"), MENU)
    assert s.step == domain.MENU and s.replies[0].startswith("No entendí")
    s = domain.advance(s.step, s.data, msg(text="2"), MENU)
    assert (s.step, s.data["petition_type"]) == (domain.DESCRIPTION, "OP-BACHEO")
    s = domain.advance(s.step, s.data, msg(text="Bache enorme frente a la escuela"), MENU)
    assert s.step == domain.LOCATION
    s = domain.advance(s.step, s.data, msg(text="en el centro"), MENU)
    assert s.step == domain.LOCATION  # a pin is needed
    s = domain.advance(s.step, s.data, msg("location", lat=21.12, lon=-101.68), MENU)
    assert s.step == domain.ADDRESS
    s = domain.advance(s.step, s.data, msg(text="Madero 100, Centro"), MENU)
    assert (s.step, s.data["street"], s.data["colonia"]) == (domain.PHOTO, "Madero 100", "Centro")
    s = domain.advance(s.step, s.data, msg(text="no"), MENU)
    assert s.file and s.step == domain.FILING
    payload = domain.report_payload(s.data, "WHATSAPP")
    assert payload["location"] == {"lat": 21.12, "lon": -101.68, "colonia": "Centro", "street": "Madero 100"}
    assert "5214771234567" not in str(payload)  # the phone stays in the channel


def test_commands_texts_window_and_backoff():
    assert domain.is_stop("baja") and domain.is_stop(" Stop ") and not domain.is_stop("bache")
    assert domain.says_not_solved("No se resolvió, sigue apagada") and domain.says_not_solved("no lo arreglaron") is False
    assert domain.says_not_solved("NO SE RESOLVIO") and not domain.says_not_solved("ya se resolvió, gracias")
    text = domain.status_text(7, "finish", None, "Se cambió la lámpara")
    assert "Folio 7" in text and "Nota de cierre: Se cambió la lámpara" in text
    assert "Motivo: fuera de jurisdicción" in domain.status_text(7, "not_viable", "fuera de jurisdicción", None)
    now = datetime(2026, 12, 7, 12, tzinfo=timezone.utc)
    assert domain.in_window(now - timedelta(hours=23), now) and not domain.in_window(now - timedelta(hours=25), now)
    assert not domain.in_window(None, now)
    from sacchannel.kit import backoff
    assert [backoff(n) for n in (1, 2, 3, 20)] == [2.0, 4.0, 8.0, 300.0]


def test_only_front_desk_staff_link_a_number_to_a_citizen():
    import pytest

    from whatsapp.exceptions import Forbidden, InvalidInput
    assert domain.authorize_link({"kind": "staff", "username": "op", "role": "operator"}).role == "operator"
    for actor in ({"kind": "staff", "username": "x", "role": "agency_staff", "agency": "OP"},
                  {"kind": "system", "username": "system:x", "role": "system", "system": "x"},
                  {"kind": "public", "username": "public", "role": "public"}):
        with pytest.raises(Forbidden):
            domain.authorize_link(actor)
    with pytest.raises(InvalidInput):
        domain.authorize_link(None)
    assert domain.wa_address("+52 1477".replace(" ", "") + "1234567") == "5214771234567"
    with pytest.raises(InvalidInput):
        domain.wa_address("correo@example.com")


def test_photos_intake_would_refuse_are_left_out_not_the_report():
    from sacinfra import files
    from whatsapp import handlers
    from whatsapp.exceptions import TransientSendError

    jpeg = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 16
    served = {"ok": jpeg, "html": b"<html>no</html>", "big": jpeg + b"\x00" * 100}

    def download(media_id, max_bytes):
        if media_id not in served:
            raise TransientSendError("el medio ya no existe")
        return served[media_id], "image/jpeg"
    filing = {"idempotency_key": "whatsapp:wamid.1", "payload": {"_media": ["gone", "html", "big", "ok"]}}
    kept = handlers.media_files(filing, download, files.Limits(max_bytes=len(jpeg)))
    assert [(f["filename"], files.sniff(base64.b64decode(f["content"]))) for f in kept] == [
        ("foto-whatsapp-4", "image/jpeg")]
    assert domain.report_payload({"petition_type": "OP-BACHEO", "description": "Bache", "lat": 1.0, "lon": 2.0,
                                  "colonia": "Centro", "street": "Madero", "photo_media_id": "m1"},
                                 "WHATSAPP")["_media"] == ["m1"]
