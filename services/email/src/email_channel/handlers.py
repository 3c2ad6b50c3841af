"""Use cases of the email channel: plain functions over a sacinfra UnitOfWork (no
nameko imports). Remote services come in as plain callables so tests call these
without a broker.

- ``receive``: one inbound email → a pending filing (idempotency key
  ``email:<Message-ID>``) or the instructions of what is missing.
- ``file_pending``: pending filings → intake's ``create_reports``; the folio, due date and
  tracking link are queued for the citizen.
- ``on_status_changed``: routing's lifecycle → one queued message per event.
- ``relay``: queued messages → SMTP, with backoff on transient failures.
- ``on_citizen_cancelled`` / ``on_citizen_opposed`` / ``arco_access``: ARCO rights.
"""
from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timedelta, timezone

from sacinfra.actor import Actor, ActorInvalid

from . import domain
from .exceptions import Forbidden, InvalidInput, PermanentSendError, TransientSendError
from .store import Store

log = logging.getLogger(__name__)
NAME = "email"
STAFF_LINKERS = ("operator", "supervisor", "admin")


def now_utc() -> datetime:
    return datetime.now(timezone.utc)


def _interaction(store: Store, contact: dict, channel: str, option: str, outcome: str, now: datetime,
                 folio: int | None = None) -> None:
    store.add_interaction({"channel": channel, "option": option, "outcome": outcome,
                           "conversation_id": contact["conversation_id"], "folio": folio,
                           "occurred_at": now.isoformat()})


def _reply(store: Store, contact: dict, cause: str, subject: str, text: str, now: datetime,
           folio: int | None = None) -> None:
    store.queue_message(contact["id"], cause, "reply", {"subject": subject, "text": text}, folio=folio, now=now)


# =========================================================================== inbound

def receive(uow, raw: bytes, default_type: str | None, address: str, max_bytes: int,
            channel: str = domain.CHANNEL, now: datetime | None = None) -> dict:
    """One inbound email (raw MIME). Each Message-ID is handled once. Returns the
    filings to make now and the reopen requests routing has to decide."""
    now = now or now_utc()
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
            _interaction(store, contact, channel, "notifications_stop", "completed", now)
            return {"file": [], "reopen": []}
        folio = domain.folio_in(mail)
        if folio and domain.says_not_solved(mail.text):
            filing = store.filing_of_folio(folio)
            if filing and filing["contact_id"] == contact["id"]:
                reopen.append({"folio": folio, "reason": mail.text[:3900], "contact_id": contact["id"],
                               "cause": cause})
                return {"file": [], "reopen": reopen}
        payload, missing = domain.report_fields(mail, default_type, channel)
        if payload is None:
            _reply(store, contact, cause, "Datos para su reporte", domain.instructions(missing, address), now)
            _interaction(store, contact, channel, "report_create", "failed", now)
            return {"file": [], "reopen": []}
        key = f"email:{message_id}"[:200]
        store.add_filing(key, contact["id"], payload | {"_too_large": mail.too_large})
        to_file.append(key)
    return {"file": to_file, "reopen": reopen}


# =========================================================================== filing

def file_pending(uow, create_reports, public_url: str, channel: str = domain.CHANNEL,
                 keys: list[str] | None = None, now: datetime | None = None, max_mb: float = 5) -> list[int]:
    """Files pending reports through intake (``create_reports``, one call for the batch,
    each with its idempotency key so a retry after a crash files nothing twice) and
    queues the folio, due date and tracking link for each citizen. An RPC failure
    leaves them pending (the timer retries)."""
    now = now or now_utc()
    folios = []
    with uow:
        store = Store(uow)
        pending = store.pending_filings(keys=keys)
        if not pending:
            return []
        answers = create_reports([{"payload": {k: v for k, v in p["payload"].items() if not k.startswith("_")}, "idempotency_key": p["idempotency_key"],
                                   "created_by": f"system:{NAME}", "trace": None} for p in pending])
        for filing, answer in zip(pending, answers):
            contact = store.contact(filing["contact_id"])
            key = filing["idempotency_key"]
            if "report" in answer:
                report = answer["report"]
                store.mark_filed(key, report, now)
                link = domain.tracking_link(public_url, report["folio"], report["tracking_token"])
                text = domain.filed_text(report["folio"], str(report["due_at"]), link,
                                         filing["payload"].get("_too_large") or [], max_mb)
                _reply(store, contact, f"filed:{key}", f"Folio {report['folio']}: reporte registrado", text, now,
                       folio=report["folio"])
                _interaction(store, contact, channel, "report_create", "completed", now, folio=report["folio"])
                folios.append(report["folio"])
            else:
                error = answer.get("error") or {}
                store.mark_refused(key, f"{error.get('code')}: {error.get('message')}")
                _reply(store, contact, f"refused:{key}", "Reporte no registrado", "No pudimos registrar su reporte: "
                       f"{error.get('message') or 'error desconocido'}. Corrija el dato y escriba de nuevo.", now)
                _interaction(store, contact, channel, "report_create", "failed", now)
    return folios


# =========================================================================== lifecycle

def on_status_changed(uow, envelope: dict, closing_note, now: datetime | None = None) -> bool:
    """routing's ``report_status_changed`` → one message to the citizen who filed the
    folio here (none if it was not filed here, or they said BAJA, or were erased).
    ``closing_note(folio)`` fetches the closing note (the event carries no free text
    but the reason). Idempotent by ``event_id`` and by the message's cause."""
    now = now or now_utc()
    d = envelope["data"]
    with uow:
        store = Store(uow)
        if not uow.claim("email.report_status_changed", envelope["event_id"]):
            return False
        filing = store.filing_of_folio(d["folio"])
        if filing is None:
            return False
        closed = d["to"] in ("done", "not_viable")
        store.set_closed(d["folio"], datetime.fromisoformat(d["at"]) if closed else None)
        contact = store.contact(filing["contact_id"])
        if contact["opted_out_at"] is not None or contact["address"] is None:
            return False
        note = closing_note(d["folio"]) if d["action"] == "finish" else None
        body = {"subject": f"Folio {d['folio']}: {domain.STATUS_TEXT.get(d['action'], 'cambio de estado')}",
                "text": domain.status_text(d["folio"], d["action"], d.get("reason"), note)}
        return store.queue_message(contact["id"], f"event:{envelope['event_id']}", "status", body,
                                   folio=d["folio"], now=now)


def request_reopen(uow, routing, request: dict, now: datetime | None = None) -> str:
    """"no se resolvió" on a closed report: routing reopens it (as ``system:email``)
    with the citizen's words as reason; routing decides (window, permission). The
    citizen is told the outcome. Returns ``reopened``, ``refused`` or ``forbidden``."""
    now = now or now_utc()
    actor = Actor.system_process(NAME).to_dict()
    folio = request["folio"]
    try:
        current = routing.get_assignment(folio, actor)
        routing.reopen_report(actor, folio, current["version"], request["reason"])
        outcome, text = "reopened", (f"Reabrimos su reporte con folio {folio}; la dependencia lo revisará de nuevo.")
    except Exception as exc:  # a remote error: its code says why
        code = getattr(exc, "exc_type", type(exc).__name__)
        value = getattr(exc, "value", str(exc))
        log.info("reopen of %s refused: %s %s", folio, code, value)
        outcome = "forbidden" if "Forbidden" in code or "prohibido" in str(value) else "refused"
        text = (f"No pudimos reabrir el folio {folio} automáticamente. Su mensaje quedó registrado; "
                "comuníquese al 072 para reabrirlo." if outcome == "forbidden" else
                f"No se puede reabrir el folio {folio}: {value}")
    with uow:
        store = Store(uow)
        contact = store.contact(request["contact_id"])
        _reply(store, contact, request["cause"], f"Folio {folio}: reapertura", text, now, folio=folio)
        _interaction(store, contact, domain.CHANNEL, "report_reopen",
                     "completed" if outcome == "reopened" else "handed_off", now, folio=folio)
    return outcome


# =========================================================================== delivery

def relay(uow_factory, sender, now=None, batch: int = 20, max_attempts: int = 8) -> dict:
    """Sends due queued messages, each in its own transaction (row locked, SKIP LOCKED):
    sent → ``sent`` with the provider's id; a transient failure → retried after
    ``domain.backoff``; a permanent one, or ``max_attempts`` reached → ``failed``.
    The SMTP Message-ID is kept as the provider's id."""
    counts = {"sent": 0, "retry": 0, "failed": 0}
    for _ in range(batch):
        current = now or now_utc()
        with uow_factory() as uow:
            store = Store(uow)
            rows = store.due_messages(current, limit=1)
            if not rows:
                break
            m = rows[0]
            attempts = m["attempts"] + 1
            if m["address"] is None or m["body"].get("erased"):
                store.update_message(m["id"], state="failed", attempts=attempts, last_error="contacto suprimido")
                counts["failed"] += 1
                continue
            try:
                provider_id = sender.send(m["address"], m["body"]["subject"], m["body"]["text"])
            except TransientSendError as exc:
                final = attempts >= max_attempts
                store.update_message(m["id"], attempts=attempts, last_error=str(exc)[:500],
                                     state="failed" if final else "queued",
                                     next_attempt_at=current + timedelta(seconds=domain.backoff(attempts)))
                counts["failed" if final else "retry"] += 1
                continue
            except PermanentSendError as exc:
                store.update_message(m["id"], attempts=attempts, state="failed", last_error=str(exc)[:500])
                counts["failed"] += 1
                continue
            store.update_message(m["id"], attempts=attempts, state="sent", provider_id=provider_id,
                                 sent_at=current, last_error=None)
            counts["sent"] += 1
    return counts


# =========================================================================== ARCO

def _numbers(values) -> list[int]:
    values = values if isinstance(values, (list, tuple)) else [values]
    if not values or any(isinstance(v, bool) or not isinstance(v, int) or v < 1 for v in values):
        raise InvalidInput("Los números de ciudadano deben ser enteros positivos.", "numero_invalido")
    return list(values)


def arco_access(uow, citizen_numbers) -> dict:
    """What this channel holds about the citizen: their email addresses, whether they
    stopped notifications, the folios filed and every message sent to them."""
    numbers = _numbers(citizen_numbers)
    with uow:
        store = Store(uow)
        found = store.contacts_of_citizens(numbers)
        ids = [c["id"] for c in found]
        filed = store.filings_of_contacts(ids) if ids else []
        sent = store.messages_of(ids) if ids else []
    iso = lambda v: v.isoformat() if v else None  # noqa: E731
    return {"citizen_numbers": numbers, "contacts": [
        {"channel": domain.CHANNEL, "address": c["address"], "citizen_number": c["citizen_number"],
         "notifications_stopped_at": iso(c["opted_out_at"]), "erased_at": iso(c["erased_at"]),
         "created_at": iso(c["created_at"]),
         "folios": [f["folio"] for f in filed if f["contact_id"] == c["id"] and f["folio"]],
         "messages": [{"folio": m["folio"], "kind": m["kind"], "state": m["state"],
                       "text": m["body"].get("text"), "created_at": iso(m["created_at"])}
                      for m in sent if True]} for c in found]}


def on_citizen_cancelled(uow, envelope: dict, now: datetime | None = None) -> int:
    """ARCO cancellation: the contact addresses linked to the number are erased."""
    with uow:
        if not uow.claim("email.citizen_cancelled", envelope["event_id"]):
            return 0
        store = Store(uow)
        ids = [c["id"] for c in store.contacts_of_citizens([envelope["data"]["number"]])]
        return store.erase_contacts(ids, now or now_utc())


def on_citizen_opposed(uow, envelope: dict, now: datetime | None = None) -> int:
    """Opposition to contact: no more notices to the number's contacts."""
    d = envelope["data"]
    with uow:
        if not uow.claim("email.citizen_opposed", envelope["event_id"]):
            return 0
        if "contact" not in (d.get("scopes") or []):
            return 0
        store = Store(uow)
        found = [c for c in store.contacts_of_citizens([d["number"]]) if c["opted_out_at"] is None]
        for c in found:
            store.update_contact(c["id"], opted_out_at=now or now_utc())
        return len(found)


def authorize_link(actor) -> Actor:
    """Who may tie an email address to a citizen number: front-desk staff who checked
    the person's identity (operator, supervisor, admin). Nobody else."""
    try:
        who = Actor.load(actor)
    except ActorInvalid as exc:
        raise InvalidInput(str(exc), exc.code) from exc
    if who.kind != "staff" or who.role not in STAFF_LINKERS:
        raise Forbidden("Solo personal de atención puede vincular un contacto con un ciudadano.", "prohibido")
    return who


def link_citizen(uow, actor, address: str, citizen_number: int, now: datetime | None = None) -> dict:
    """Ties the contact of the email ``address`` to ``citizen_number`` (so ARCO rights reach it)."""
    authorize_link(actor)
    number = _numbers([citizen_number])[0]
    if not isinstance(address, str) or "@" not in address or len(address) > 254:
        raise InvalidInput("Indique el correo electrónico del ciudadano.", "contacto_invalido")
    with uow:
        store = Store(uow)
        contact = store.contact_for(address.strip().lower(), now or now_utc())
        store.update_contact(contact["id"], citizen_number=number)
    return {"contact_id": contact["id"], "citizen_number": number}
