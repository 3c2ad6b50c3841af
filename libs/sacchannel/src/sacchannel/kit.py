"""Use cases every channel shares, plain functions over a sacinfra UnitOfWork (no nameko
imports). Remote services come in as plain callables or proxies, so tests call these
without a broker. What the citizen reads comes from the channel's ``Channel`` renderers.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Callable
from urllib.parse import quote

from sacinfra.actor import Actor
from sacinfra.errors import InvalidInput

from .errors import PermanentSendError, TransientSendError
from .store import Store

log = logging.getLogger(__name__)


#: what a status change means to the citizen, by routing's action (channels word around it)
STATUS_TEXT = {
    "start": "La dependencia ya atiende su reporte (en proceso).",
    "finish": "Su reporte fue atendido y se dio por terminado.",
    "not_viable": "Su reporte no es viable.",
    "reopen": "Su reporte se reabrió y vuelve a estar en proceso.",
    "reassign": "Su reporte se turnó a otra área para atenderlo.",
}


@dataclass(frozen=True)
class Channel:
    """A channel service as the kit sees it: its name (``system:<name>``, the consumer
    names), its catalog code, and how it words each message (each renderer returns the
    message body its sender understands, with at least ``text``)."""
    name: str
    code: str
    filed: Callable[[dict, str, dict], dict]          # (report, tracking link, filing) → body
    refused: Callable[[dict], dict]                    # (intake's error) → body
    status: Callable[[dict, str | None], dict]         # (routing event data, closing note) → body
    reopen_answer: Callable[[int, str, str], dict]     # (folio, reopened|forbidden|refused, detail) → body
    #: (filing) → the citizen's files for intake, ``[{"filename", "content" (base64)}]``;
    #: by default the ``_attachments`` the channel kept in the filing's payload
    attachments: Callable[[dict], list[dict]] | None = None

    def files_of(self, filing: dict) -> list[dict]:
        if self.attachments is not None:
            return self.attachments(filing)
        return list(filing["payload"].get("_attachments") or [])


def now_utc() -> datetime:
    return datetime.now(timezone.utc)


def tracking_link(public_url: str, folio: int, token: str) -> str:
    """The public tracking page of a report (the gateway's ``/v1/track``)."""
    return f"{public_url.rstrip('/')}/v1/track/{int(folio)}?token={quote(str(token), safe='')}"


def backoff(attempts: int, base: float = 2.0, cap: float = 300.0) -> float:
    """Seconds before the next try after ``attempts`` failed ones (exponential, capped)."""
    return min(cap, base * (2 ** max(0, attempts - 1)))


def interaction(store: Store, contact: dict, code: str, option: str, outcome: str, now: datetime,
                folio: int | None = None) -> None:
    """``channel_interaction_recorded``: no personal data, an opaque conversation id."""
    store.add_interaction({"channel": code, "option": option[:60], "outcome": outcome,
                           "conversation_id": contact["conversation_id"], "folio": folio,
                           "occurred_at": now.isoformat()})


def reply(store: Store, contact: dict, cause: str, body: dict, now: datetime, folio: int | None = None) -> bool:
    return store.queue_message(contact["id"], cause, "reply", body, folio=folio, now=now)


# =========================================================================== filing

def file_pending(uow, ch: Channel, create_reports, public_url: str, keys: list[str] | None = None,
                 now: datetime | None = None) -> list[int]:
    """Files pending reports through intake (``create_reports``, one call for the batch,
    each with its idempotency key so a retry after a crash files nothing twice, and the
    citizen's files as ``attachments``: intake stores them with the report) and queues
    the folio, due date and tracking link for each citizen. An RPC failure leaves them
    pending (the caller's timer retries); once filed, the files leave the channel."""
    now = now or now_utc()
    folios = []
    with uow:
        store = Store(uow)
        pending = store.pending_filings(keys=keys)
        if not pending:
            return []
        answers = create_reports([{"payload": {k: v for k, v in p["payload"].items() if not k.startswith("_")},
                                   "idempotency_key": p["idempotency_key"],
                                   "actor": Actor.system_process(ch.name).to_dict(),
                                   "trace": None, "attachments": ch.files_of(p)} for p in pending])
        for filing, answer in zip(pending, answers):
            contact = store.contact(filing["contact_id"])
            key = filing["idempotency_key"]
            if "report" in answer:
                report = answer["report"]
                store.mark_filed(key, report, now)
                link = tracking_link(public_url, report["folio"], report["tracking_token"])
                reply(store, contact, f"filed:{key}", ch.filed(report, link, filing), now, folio=report["folio"])
                interaction(store, contact, ch.code, "report_create", "completed", now, folio=report["folio"])
                folios.append(report["folio"])
            else:
                error = answer.get("error") or {}
                store.mark_refused(key, f"{error.get('code')}: {error.get('message')}")
                reply(store, contact, f"refused:{key}", ch.refused(error), now)
                interaction(store, contact, ch.code, "report_create", "failed", now)
    return folios


# =========================================================================== lifecycle

def on_status_changed(uow, ch: Channel, envelope: dict, closing_note, now: datetime | None = None) -> bool:
    """routing's ``report_status_changed`` → one message to the citizen who filed the
    folio through this channel (none if it was not filed here, or they said BAJA, or were
    erased), and one to the citizen of each of its duplicates filed here
    (``duplicate_folios``: see ``duplicate_notice``). ``closing_note(folio)`` fetches the
    closing note of a finish (the event carries no free text but the reason), once.
    Idempotent by ``event_id`` and by each message's cause; the messages are committed
    with the claim and sent by the relay. True if any message was queued."""
    now = now or now_utc()
    d = envelope["data"]
    with uow:
        store = Store(uow)
        if not uow.claim(f"{ch.name}.report_status_changed", envelope["event_id"]):
            return False
        note = _NoteOnce(closing_note, d)
        queued = False
        closed_at = datetime.fromisoformat(d["at"]) if d["to"] in ("done", "not_viable") else None
        filing = store.filing_of_folio(d["folio"])
        if filing is not None:
            store.set_closed(d["folio"], closed_at)
            contact = store.contact(filing["contact_id"])
            if contact["opted_out_at"] is None and contact["address"] is not None:
                queued = store.queue_message(contact["id"], f"event:{envelope['event_id']}", "status",
                                             ch.status(d, note()), folio=d["folio"], now=now)
        for dup in d.get("duplicate_folios") or ():
            filing = store.filing_of_folio(dup)
            if filing is None:
                continue  # filed through another channel (or at a desk): that one tells its citizen
            store.set_closed(dup, closed_at)  # "no se resolvió" then reopens the original (request_reopen)
            contact = store.contact(filing["contact_id"])
            if contact["opted_out_at"] is not None or contact["address"] is None:
                continue
            body = duplicate_notice(ch.status(d | {"folio": dup, "original_folio": d["folio"]}, note()),
                                    dup, d["folio"])
            queued |= store.queue_message(contact["id"], f"event:{envelope['event_id']}:{dup}", "status", body,
                                          folio=dup, now=now)
        return queued


class _NoteOnce:
    """The closing note of a finish, fetched at most once per event (None otherwise)."""

    def __init__(self, fetch, data: dict):
        self._fetch, self._data, self._done, self._note = fetch, data, False, None

    def __call__(self):
        if self._data["action"] != "finish":
            return None
        if not self._done:
            self._note, self._done = self._fetch(self._data["folio"]), True
        return self._note


def duplicate_notice(body: dict, folio: int, original: int) -> dict:
    """The channel's status message for the original, told to the citizen of a duplicate:
    their own folio, and a sentence saying whose change it is (every channel's text)."""
    line = (f"Su reporte (folio {folio}) se unió al folio {original}, que atiende el mismo problema; "
            f"este aviso es del folio {original}.")
    out = dict(body)
    out["text"] = f"{line}\n{body.get('text') or ''}".strip()
    return out


def request_reopen(uow, ch: Channel, routing, request: dict, now: datetime | None = None) -> str:
    """A citizen says a closed report was not solved: routing reopens it (as
    ``system:<channel>``) with the citizen's words as reason; routing decides (window,
    permission). The citizen is told the outcome: ``reopened``, ``refused`` (routing
    said no, e.g. out of the window) or ``forbidden`` (routing does not let this channel
    reopen). A duplicate's citizen answering the original's closure reopens the original."""
    now = now or now_utc()
    actor = Actor.system_process(ch.name).to_dict()
    folio = request["folio"]
    try:
        current = routing.get_assignment(folio, actor)
        if current.get("duplicate_of"):
            folio = current["duplicate_of"]
            current = routing.get_assignment(folio, actor)
        routing.reopen_report(actor, folio, current["version"], request["reason"])
        outcome, detail = "reopened", ""
    except Exception as exc:  # a remote error: its type and message say why
        kind, detail = getattr(exc, "exc_type", type(exc).__name__), str(getattr(exc, "value", exc))
        log.info("reopen of %s refused: %s %s", folio, kind, detail)
        outcome = "forbidden" if "Forbidden" in kind or "prohibido" in detail else "refused"
    with uow:
        store = Store(uow)
        contact = store.contact(request["contact_id"])
        reply(store, contact, request["cause"], ch.reopen_answer(folio, outcome, detail), now, folio=folio)
        interaction(store, contact, ch.code, "report_reopen", "completed" if outcome == "reopened" else "handed_off",
                    now, folio=folio)
    return outcome


# =========================================================================== delivery

def relay(uow_factory, send, now=None, batch: int = 20, max_attempts: int = 8) -> dict:
    """Sends due queued messages, each in its own transaction (row locked, SKIP LOCKED,
    so replicas share the work): ``send(message)`` (the row with ``address``, ``body``,
    ``last_inbound_at``) returns the provider's id → ``sent``; ``TransientSendError`` →
    retried after ``backoff``; ``PermanentSendError`` or ``max_attempts`` → ``failed``."""
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
                provider_id = send(m, current)
            except TransientSendError as exc:
                final = attempts >= max_attempts
                store.update_message(m["id"], attempts=attempts, last_error=str(exc)[:500],
                                     state="failed" if final else "queued",
                                     next_attempt_at=current + timedelta(seconds=backoff(attempts)))
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

def numbers(values) -> list[int]:
    values = values if isinstance(values, (list, tuple)) else [values]
    if not values or any(isinstance(v, bool) or not isinstance(v, int) or v < 1 for v in values):
        raise InvalidInput("Los números de ciudadano deben ser enteros positivos.", "numero_invalido")
    return list(values)


def _iso(value):
    return value.isoformat() if value else None


def arco_access(uow, ch: Channel, citizen_numbers, actor=None, reason=None) -> dict:
    """What this channel holds about the citizen: their addresses on this medium, whether
    they stopped notices, the conversation in progress, the reports filed (with what is
    kept of each filing) and every message sent to them with its delivery state. The
    read is logged (``access_log``: actor, numbers, reason), as citizens logs its own."""
    wanted = numbers(citizen_numbers)
    who = _reader(actor)
    if reason is not None and (not isinstance(reason, str) or not 3 <= len(reason.strip()) <= 500):
        raise InvalidInput("Indique el motivo de la consulta (de 3 a 500 caracteres).", "motivo_invalido")
    with uow:
        store = Store(uow)
        found = store.contacts_of_citizens(wanted)
        ids = [c["id"] for c in found]
        filed = store.filings_of_contacts(ids) if ids else []
        sent = store.messages_of(ids) if ids else []
        store.log_access(who, "arco_access", wanted, reason.strip() if reason else None, len(found))
    return {"channel": ch.code, "service": ch.name, "citizen_numbers": wanted, "contacts": [
        {"channel": ch.code, "address": c["address"], "citizen_number": c["citizen_number"],
         "notifications_stopped_at": _iso(c["opted_out_at"]), "erased_at": _iso(c["erased_at"]),
         "created_at": _iso(c["created_at"]), "last_message_at": _iso(c["last_inbound_at"]),
         "conversation": {"step": c["step"], "data": c["data"]} if c["step"] else None,
         "folios": [f["folio"] for f in filed if f["contact_id"] == c["id"] and f["folio"]],
         "filings": [_filing(f) for f in filed if f["contact_id"] == c["id"]],
         "messages": [{"folio": m["folio"], "kind": m["kind"], "state": m["state"], "text": m["body"].get("text"),
                       "created_at": _iso(m["created_at"]), "sent_at": _iso(m["sent_at"]),
                       "delivered_at": _iso(m["delivered_at"])}
                      for m in sent if m["contact_id"] == c["id"]]} for c in found]}


def _reader(actor) -> dict:
    """The actor who reads (``contracts/actor``); a blocking tool may omit it (logged as such)."""
    if actor is None:
        return {"kind": "system", "username": "system:unknown"}
    try:
        return Actor.load(actor).to_dict()
    except Exception as exc:  # ActorInvalid: its message says what is wrong
        raise InvalidInput(str(exc), getattr(exc, "code", "actor_invalido")) from None


def _filing(f: dict) -> dict:
    payload = f["payload"] or {}
    return {"folio": f["folio"], "status": f["status"], "created_at": _iso(f["created_at"]),
            "filed_at": _iso(f["filed_at"]), "closed_at": _iso(f["closed_at"]), "error": f["error"],
            "description": payload.get("description"), "location": payload.get("location"),
            "files_pending": len(payload.get("_attachments") or payload.get("_media") or [])}


def on_citizen_cancelled(uow, ch: Channel, envelope: dict, now: datetime | None = None) -> int:
    """ARCO cancellation: the contacts linked to the number lose their address, their
    conversation in progress and the text of every message to them."""
    with uow:
        if not uow.claim(f"{ch.name}.citizen_cancelled", envelope["event_id"]):
            return 0
        store = Store(uow)
        ids = [c["id"] for c in store.contacts_of_citizens([envelope["data"]["number"]])]
        return store.erase_contacts(ids, now or now_utc())


def on_citizen_opposed(uow, ch: Channel, envelope: dict, now: datetime | None = None) -> int:
    """Opposition to contact: no more notices to the number's contacts."""
    d = envelope["data"]
    with uow:
        if not uow.claim(f"{ch.name}.citizen_opposed", envelope["event_id"]):
            return 0
        if "contact" not in (d.get("scopes") or []):
            return 0
        store = Store(uow)
        found = [c for c in store.contacts_of_citizens([d["number"]]) if c["opted_out_at"] is None]
        for c in found:
            store.update_contact(c["id"], opted_out_at=now or now_utc())
        return len(found)


def link_citizen(uow, address: str, citizen_number, now: datetime | None = None) -> dict:
    """Ties the contact of ``address`` (already normalised and authorised by the channel)
    to ``citizen_number``, so ARCO rights reach it."""
    number = numbers([citizen_number])[0]
    with uow:
        store = Store(uow)
        contact = store.contact_for(address, now or now_utc())
        store.update_contact(contact["id"], citizen_number=number)
    return {"contact_id": contact["id"], "citizen_number": number}
