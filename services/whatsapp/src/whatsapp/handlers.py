"""Use cases of the WhatsApp channel: plain functions over a sacinfra UnitOfWork (no
nameko imports). ``receive`` is WhatsApp's own (the guided conversation); filing,
notices, reopening, delivery and ARCO are the channel kit's (``sacchannel.kit``) with
WhatsApp's wording (``channel``) and its policy for linking a contact (``link_citizen``).

- ``receive``: one webhook delivery → conversations advance, answers queued, complete
  conversations become pending filings (idempotency key ``whatsapp:<message id>``).
"""
from __future__ import annotations

import logging
from datetime import datetime

from sacchannel import kit
from sacinfra import files
from sacchannel.store import Store

from . import domain

NAME = "whatsapp"
log = logging.getLogger(__name__)


def channel(code: str = domain.CHANNEL, download=None, limits: files.Limits | None = None) -> kit.Channel:
    """WhatsApp as the kit sees it: its name, catalog code and wording; ``download``
    (media id → (bytes, type)) fetches the citizen's photo for intake (``media_files``)."""
    return kit.Channel(
        NAME, code,
        filed=lambda report, link, filing: {"text": domain.filed_text(report["folio"], str(report["due_at"]), link)},
        refused=lambda error: {"text": "No pudimos registrar su reporte: "
                               f"{error.get('message') or 'error desconocido'}. Escriba MENU para intentarlo de nuevo."},
        status=lambda d, note: {"text": domain.status_text(d["folio"], d["action"], d.get("reason"), note),
                                "template": domain.template_params(d["folio"], d["action"])},
        reopen_answer=lambda folio, outcome, detail: {"text": domain.reopen_text(folio, outcome, detail)},
        attachments=(lambda filing: media_files(filing, download, limits)) if download else None)


def media_files(filing: dict, download, limits: files.Limits | None = None) -> list[dict]:
    """The photos of a filing (``_media`` ids) as intake takes them. One that cannot be
    fetched, or that intake would refuse (type by content, size: ``sacinfra.files``), is
    left out and logged: the report is filed without it rather than not at all."""
    limits = limits or files.Limits()
    out = []
    for n, media_id in enumerate(filing["payload"].get("_media") or [], 1):
        try:
            content, _declared = download(media_id, limits.max_bytes)
        except Exception as exc:  # TransientSendError, or anything the provider answered
            log.warning("foto %s de %s no descargada: %s", n, filing["idempotency_key"], exc)
            continue
        problem = files.check(content, limits)
        if problem:
            log.warning("foto %s de %s no guardada: %s", n, filing["idempotency_key"], problem)
            continue
        out.append(files.payload_item(f"foto-whatsapp-{n}", content))
    return out[:limits.max_files]


def _say(store: Store, contact: dict, cause: str, text: str, now: datetime) -> None:
    kit.reply(store, contact, cause, {"text": text}, now)


# =========================================================================== inbound

def receive(uow, payload: dict, menu: list[dict], code: str = domain.CHANNEL,
            now: datetime | None = None) -> dict:
    """A webhook delivery. Each message id is handled once (Meta redelivers until it gets
    a 200). Returns the idempotency keys of the filings to make now, and the reopen
    requests (folio, reason, contact) routing has to decide."""
    now = now or kit.now_utc()
    inbound, statuses = domain.parse_delivery(payload)
    to_file, reopen = [], []
    with uow:
        store = Store(uow)
        for s in statuses:
            store.mark_delivery(s.provider_id, s.status, now)
        for msg in inbound:
            if not uow.claim("whatsapp.inbound", msg.message_id):
                continue  # duplicate delivery
            contact = store.contact_for(msg.sender, now)
            store.update_contact(contact["id"], last_inbound_at=now)
            cause = f"in:{msg.message_id}"
            if domain.is_stop(msg.text):
                store.update_contact(contact["id"], opted_out_at=now)
                _say(store, contact, cause, "Listo: ya no le enviaremos avisos por este medio. "
                     "Escriba ALTA si quiere volver a recibirlos.", now)
                kit.interaction(store, contact, code, "notifications_stop", "completed", now)
                continue
            if domain.is_resume(msg.text):
                store.update_contact(contact["id"], opted_out_at=None)
                _say(store, contact, cause, "Listo: volverá a recibir avisos de sus reportes.", now)
                kit.interaction(store, contact, code, "notifications_resume", "completed", now)
                continue
            closed = store.last_closed_filing(contact["id"]) if msg.kind == "text" else None
            if closed and domain.says_not_solved(msg.text):
                reopen.append({"folio": closed["folio"], "reason": msg.text.strip()[:3900],
                               "contact_id": contact["id"], "cause": cause})
                continue
            step = domain.advance(contact["step"], contact["data"], msg, menu)
            for i, text in enumerate(step.replies):
                _say(store, contact, f"{cause}:{i}", text, now)
            option = step.option if step.option == "menu" else f"{step.option}.{contact['step'] or 'start'}"
            understood = step.step != contact["step"] or step.file
            kit.interaction(store, contact, code, option, step.outcome or ("completed" if understood else "failed"),
                            now)
            if step.file:
                key = f"whatsapp:{msg.message_id}"
                payload = domain.report_payload(step.data, code) | {"citizen_number": contact["citizen_number"]}
                store.add_filing(key, contact["id"], payload)
                store.update_contact(contact["id"], step=None, data={})
                to_file.append(key)
            else:
                store.update_contact(contact["id"], step=step.step, data=step.data)
    return {"file": to_file, "reopen": reopen}


def link_citizen(uow, actor, address, citizen_number, now: datetime | None = None) -> dict:
    """Ties a WhatsApp number to a citizen number (who may: ``domain.authorize_link``)."""
    domain.authorize_link(actor)
    return kit.link_citizen(uow, domain.wa_address(address), citizen_number, now)
