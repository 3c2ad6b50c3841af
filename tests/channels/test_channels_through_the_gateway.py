"""The channels through the platform as `make up` runs it (its stand-ins: the Graph API
and the inbound SMTP server): a citizen tied to their WhatsApp number and their email
address files a report from each, with a photo and a MIME attachment; the files are the
report's evidence, read back through the gateway byte-identical (who may read the report
may read them, another agency may not), and the ARCO access document shows what each
channel holds about the citizen: address, filings, messages."""
import hashlib
import hmac
import json
import random
import smtplib
import string
import struct
import uuid
import zlib
from email.message import EmailMessage
from email.utils import make_msgid

import pytest
import requests

from sacinfra import testing
from sacinfra.rpcpool import RpcPool

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]
SHARED_PLATFORM = True  # asserts nothing platform-wide: runs on the session's shared platform

APP_SECRET, PHONE_ID, TOKEN = "dev-app-secret", "1000000001", "dev-token"  # the runner's development values
OPERATOR = {"kind": "staff", "username": "operator", "role": "operator"}
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"


def png() -> bytes:
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


@pytest.fixture(scope="module")
def world(platform, login):
    """Staff tokens and a registered citizen."""
    base = platform.gateway_url
    t = {role: login(base, role) for role in ("operator", "supervisor", "admin")}
    surname = "Canalez" + "".join(random.choices(string.ascii_lowercase, k=5))
    r = requests.post(f"{base}/v1/citizens", headers=t["operator"], timeout=10, json={
        "given_names": "Rosaura", "first_surname": surname, "sex": "female", "birth_date": "1980-05-06",
        "phones": ["4775550100"], "address": {"colonia": "Centro", "street": "Madero", "number": "5"},
        "consent": True, "privacy_notice_version": "2026-01", "channel": "072"})
    assert r.status_code == 201, r.text
    return {"base": base, "t": t, "number": r.json()["number"], "login": login}


def link(platform, service: str, address: str, number: int) -> None:
    """Front-desk staff tie the citizen's address on a channel to their number (channel RPC)."""
    pool = RpcPool({"AMQP_URI": platform.amqp_uri}, size=1)
    try:
        with pool.proxy() as rpc:
            getattr(rpc, service).link_citizen(OPERATOR, address, number)
    finally:
        pool.close()


def arco(world, reason="solicitud ARCO de acceso 12/2026") -> dict:
    r = requests.get(f"{world['base']}/v1/citizens/{world['number']}/arco", headers=world["t"]["supervisor"],
                     params={"reason": reason}, timeout=30)
    assert r.status_code == 200, r.text
    return r.json()


def filed_folio(world, channel: str, address: str) -> tuple[int, dict]:
    """Waits until the channel has filed the citizen's report; (folio, the channel's contact)."""
    def check():
        held = arco(world)["services"]["channels"][channel]
        contact = next((c for c in held.get("contacts", []) if c["address"] == address and c["folios"]), None)
        return (contact["folios"][0], contact) if contact else None
    return testing.wait_until(check, timeout=60, interval=1.0, what=f"{channel} filing")


def attachments_of(world, folio: int, headers: dict) -> list[dict]:
    r = requests.get(f"{world['base']}/v1/reports/{folio}/attachments", headers=headers, timeout=10)
    assert r.status_code == 200, r.text
    return r.json()


def signed_delivery(webhook: str, phone: str, message: dict) -> None:
    body = json.dumps({"object": "whatsapp_business_account", "entry": [{"id": "WABA", "changes": [{
        "field": "messages", "value": {"messaging_product": "whatsapp", "metadata": {"phone_number_id": PHONE_ID},
                                       "messages": [{"id": f"wamid.{uuid.uuid4().hex}", "from": phone,
                                                     "timestamp": "1765000000", **message}]}}]}]}).encode()
    signature = "sha256=" + hmac.new(APP_SECRET.encode(), body, hashlib.sha256).hexdigest()
    r = requests.post(webhook, data=body, timeout=30,
                      headers={"Content-Type": "application/json", "X-Hub-Signature-256": signature})
    assert r.status_code == 200, r.text


def test_a_whatsapp_photo_is_the_reports_evidence_and_arco_shows_the_number(platform, world):
    phone = "52147755" + "".join(random.choices(string.digits, k=5))
    link(platform, "whatsapp", phone, world["number"])
    graph = f"http://127.0.0.1:{platform.ports['graph_api']}"
    # the citizen's photo, where the Cloud API keeps it (the stand-in takes uploads as the real one)
    r = requests.post(f"{graph}/v21.0/{PHONE_ID}/media", headers={"Authorization": f"Bearer {TOKEN}"},
                      data={"messaging_product": "whatsapp", "type": "image/jpeg"},
                      files={"file": ("IMG-0001.jpg", JPEG, "image/jpeg")}, timeout=10)
    assert r.status_code == 200, r.text
    webhook = f"http://127.0.0.1:{platform.ports['whatsapp_webhook']}/webhook"
    for message in ({"type": "text", "text": {"body": "hola"}}, {"type": "text", "text": {"body": "1"}},
                    {"type": "text", "text": {"body": "La lámpara frente a la tienda no prende"}},
                    {"type": "location", "location": {"latitude": 21.1221, "longitude": -101.6824,
                                                      "address": "Madero 100, Centro"}},
                    {"type": "image", "image": {"id": r.json()["id"], "mime_type": "image/jpeg"}}):
        signed_delivery(webhook, phone, message)
    folio, contact = filed_folio(world, "whatsapp", phone)

    # the ARCO document: what the channel holds (the number, the filing, the messages) beside intake's record
    doc = arco(world)
    assert doc["incomplete_sources"] == []
    held = doc["services"]["channels"]["whatsapp"]
    assert held["status"] == "ok" and held["channel"] == "WHATSAPP"
    assert contact["citizen_number"] == world["number"] and contact["filings"][0]["folio"] == folio
    assert contact["filings"][0]["description"] == "La lámpara frente a la tienda no prende"
    assert any(f"folio {folio}" in (m["text"] or "") for m in contact["messages"])
    [report] = [x for x in doc["services"]["intake"]["reports"] if x["folio"] == folio]
    assert [a["content_type"] for a in report["attachments"]] == ["image/jpeg"]

    # the photo, through the gateway: byte-identical, for who may read the report
    [photo] = attachments_of(world, folio, world["t"]["supervisor"])
    r = requests.get(f"{world['base']}/v1/reports/{folio}/attachments/{photo['id']}",
                     headers=world["t"]["operator"], timeout=10)
    assert r.status_code == 200 and r.content == JPEG, r.text
    assert r.headers["content-type"] == "image/jpeg" and r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["etag"] == f'"{hashlib.sha256(JPEG).hexdigest()}"'
    r = requests.get(f"{world['base']}/v1/reports/{folio}/attachments/{photo['id'] + 1000}",
                     headers=world["t"]["supervisor"], timeout=10)
    assert r.status_code == 404 and r.json()["code"] == "adjunto_no_encontrado"
    r = requests.get(f"{world['base']}/v1/reports/{folio}/attachments/{photo['id']}", timeout=10)
    assert r.status_code == 401


def test_an_email_attachment_is_the_reports_evidence_and_arco_shows_the_address(platform, world):
    address = f"vecina.{uuid.uuid4().hex[:8]}@correo.example"
    link(platform, "email", address, world["number"])
    picture = png()
    m = EmailMessage()
    m["From"], m["To"], m["Subject"] = f"Vecina <{address}>", "reportes@municipio.example", "Bache en Madero"
    m["Message-ID"] = make_msgid(domain="correo.example")
    m.set_content("Hay un bache hondo.\nTipo: OP-BACHEO\nUbicación: 21.1221, -101.6824\nCalle: Madero 100\n"
                  "Colonia: Centro\n")
    m.add_attachment(picture, maintype="image", subtype="png", filename="bache.png")
    with smtplib.SMTP("127.0.0.1", platform.ports["smtp_inbound"], timeout=10) as smtp:
        smtp.send_message(m, to_addrs=["reportes@municipio.example"])
    folio, contact = filed_folio(world, "email", address)
    assert contact["filings"][0]["description"].startswith("Bache en Madero\nHay un bache hondo.")

    [kept] = attachments_of(world, folio, world["t"]["supervisor"])
    assert (kept["filename"], kept["content_type"], kept["size"]) == ("bache.png", "image/png", len(picture))
    r = requests.get(f"{world['base']}/v1/reports/{folio}/attachments/{kept['id']}",
                     headers=world["t"]["supervisor"], timeout=10)
    assert r.status_code == 200 and r.content == picture and r.headers["content-type"] == "image/png"
    # staff of another agency do not learn the report exists
    r = requests.post(f"{world['base']}/v1/users", headers=world["t"]["admin"], timeout=10, json={
        "username": f"siap_{uuid.uuid4().hex[:6]}", "password": "adjuntos-siap-2026", "role": "agency_staff",
        "agency": "SIAP", "full_name": "Personal de SIAP"})
    assert r.status_code == 201, r.text
    siap = world["login"](world["base"], r.json()["username"], "adjuntos-siap-2026")
    for path in (f"/v1/reports/{folio}/attachments", f"/v1/reports/{folio}/attachments/{kept['id']}"):
        assert requests.get(world["base"] + path, headers=siap, timeout=10).status_code in (403, 404)
