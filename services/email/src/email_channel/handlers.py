"""Use cases of the email channel: plain functions over a sacinfra UnitOfWork (no nameko
imports). ``receive`` is email's own (reading a MIME message); filing, notices,
reopening, delivery and ARCO are the channel kit's (``sacchannel.kit``) with email's
wording (``channel``) and its policy for linking a contact (``link_citizen``).

- ``receive``: one inbound email → a pending filing (idempotency key
  ``email:<Message-ID>``) or the instructions of what is missing.
"""
from __future__ import annotations

import hashlib
from datetime import datetime

from sacchannel import kit
from sacchannel.store import Store
from sacinfra import files

from . import domain

NAME = "email"


def channel(code: str = domain.CHANNEL, max_mb: float = 5) -> kit.Channel:
    """Email as the kit sees it: its name, catalog code and wording (subject and text)."""
    return kit.Channel(
        NAME, code,
        filed=lambda report, link, filing: {
            "subject": f"Folio {report['folio']}: reporte registrado",
            "text": domain.filed_text(report["folio"], str(report["due_at"]), link,
                                      filing["payload"].get("_too_large") or [], max_mb,
                                      filing["payload"].get("_not_evidence") or [])},
        refused=lambda error: {"subject": "Reporte no registrado", "text": "No pudimos registrar su reporte: "
                               f"{error.get('message') or 'error desconocido'}. Corrija el dato y escriba de nuevo."},
        status=lambda d, note: {"subject": f"Folio {d['folio']}: {domain.STATUS_TEXT.get(d['action'], 'cambio')}",
                                "text": domain.status_text(d["folio"], d["action"], d.get("reason"), note)},
        reopen_answer=lambda folio, outcome, detail: {"subject": f"Folio {folio}: reapertura",
                                                      "text": domain.reopen_text(folio, outcome, detail)})


def _reply(store: Store, contact: dict, cause: str, subject: str, text: str, now: datetime) -> None:
    kit.reply(store, contact, cause, {"subject": subject, "text": text}, now)


# =========================================================================== inbound

def receive(uow, raw: bytes, default_type: str | None, address: str, max_bytes: int,
            code: str = domain.CHANNEL, now: datetime | None = None) -> dict:
    """One inbound email (raw MIME). Each Message-ID is handled once. Returns the
    filings to make now and the reopen requests routing has to decide."""
    now = now or kit.now_utc()
    mail = domain.parse_mail(raw, max_bytes)
    to_file, reopen = [], []
    if not mail.sender or "@" not in mail.sender:
        return {"file": [], "reopen": [], "ignored": "sin remitente"}
    message_id = mail.message_id or hashlib.sha256(raw).hexdigest()
    with uow:
        store = Store(uow)
        if not uow.claim("email.inbound", message_id):
            return {"file": [], "reopen": [], "ignored": "duplicado"}
        contact = store.contact_for(mail.sender, now)
        store.update_contact(contact["id"], last_inbound_at=now)
        cause = f"in:{message_id}"
        if domain.is_stop(mail):
            store.update_contact(contact["id"], opted_out_at=now)
            _reply(store, contact, cause, "Baja de avisos", "Ya no le enviaremos avisos de sus reportes por correo.", now)
            kit.interaction(store, contact, code, "notifications_stop", "completed", now)
            return {"file": [], "reopen": []}
        folio = domain.folio_in(mail)
        if folio and domain.says_not_solved(mail.text):
            filing = store.filing_of_folio(folio)
            if filing and filing["contact_id"] == contact["id"]:
                reopen.append({"folio": folio, "reason": mail.text[:3900], "contact_id": contact["id"],
                               "cause": cause})
                return {"file": [], "reopen": reopen}
        payload, missing = domain.report_fields(mail, default_type, code)
        if payload is None:
            _reply(store, contact, cause, "Datos para su reporte", domain.instructions(missing, address), now)
            kit.interaction(store, contact, code, "report_create", "failed", now)
            return {"file": [], "reopen": []}
        key = f"email:{message_id}"[:200]
        kept, not_evidence = evidence(mail, max_bytes)
        store.add_filing(key, contact["id"], payload | {"_too_large": mail.too_large, "_not_evidence": not_evidence,
                                                        "_attachments": kept,
                                                        "citizen_number": contact["citizen_number"]})
        to_file.append(key)
    return {"file": to_file, "reopen": reopen}


def evidence(mail: domain.Inbound, max_bytes: int) -> tuple[list[dict], list[str]]:
    """The attachments intake will keep with the report (``sacinfra.files``: type by
    content, size), as it takes them, and the names of those it would refuse (named in
    the reply; the report is filed without them)."""
    limits = files.Limits(max_bytes=max_bytes)
    kept, refused = [], []
    for a in mail.attachments:
        if files.check(a.content, limits) is None and len(kept) < limits.max_files:
            kept.append(files.payload_item(a.filename, a.content))
        else:
            refused.append(a.filename)
    return kept, refused


def link_citizen(uow, actor, address, citizen_number, now: datetime | None = None) -> dict:
    """Ties an email address to a citizen number (who may: ``domain.authorize_link``)."""
    domain.authorize_link(actor)
    return kit.link_citizen(uow, domain.mail_address(address), citizen_number, now)
