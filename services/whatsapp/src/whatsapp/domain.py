"""Pure rules of the WhatsApp channel: the guided conversation, what the citizen reads,
the webhook signature, the 24-hour window and the relay's backoff. No I/O, no clock.

The conversation is a small state machine: ``menu`` (petition type by number) →
``description`` → ``location`` (a WhatsApp location pin; its address, or a typed
"calle, colonia", gives street and colonia) → ``photo`` (optional: an image or "NO")
→ filed. Each step returns what to store, what to answer and which interaction it was
(``channel_interaction_recorded``)."""
from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sacchannel.kit import STATUS_TEXT  # one wording of the lifecycle

CHANNEL = "WHATSAPP"
WINDOW = timedelta(hours=24)

# conversation steps
MENU, DESCRIPTION, LOCATION, ADDRESS, PHOTO, FILING = "menu", "description", "location", "address", "photo", "filing"


STOP_WORDS = {"BAJA", "STOP", "ALTO", "CANCELAR NOTIFICACIONES"}
RESUME_WORDS = {"ALTA", "START"}
RESET_WORDS = {"MENU", "MENÚ", "INICIO", "HOLA"}
NOT_SOLVED = re.compile(r"\bno\s+(se\s+)?(resolvi[oó]|soluciono|solucionó|quedo|quedó|arreglaron|atendieron)\b")


def normalize(text: str) -> str:
    """Upper case, no accents, single spaces: what commands are compared against."""
    t = unicodedata.normalize("NFKD", text or "")
    t = "".join(ch for ch in t if not unicodedata.combining(ch))
    return " ".join(t.upper().split())


def is_stop(text: str) -> bool:
    return normalize(text) in {normalize(w) for w in STOP_WORDS}


def is_resume(text: str) -> bool:
    return normalize(text) in RESUME_WORDS


def says_not_solved(text: str) -> bool:
    """The citizen disputes the closure ("no se resolvió", "no lo arreglaron"…)."""
    t = unicodedata.normalize("NFKD", (text or "").lower())
    t = "".join(ch for ch in t if not unicodedata.combining(ch))
    return NOT_SOLVED.search(t) is not None


# --------------------------------------------------------------------------- webhook

def signature_ok(app_secret: str, body: bytes, header: str | None) -> bool:
    """Meta signs each delivery with the app secret: ``X-Hub-Signature-256: sha256=<hex>``."""
    if not app_secret or not header or not header.startswith("sha256="):
        return False
    expected = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header[len("sha256="):].strip().lower())


def verify_challenge(params: dict, verify_token: str) -> str | None:
    """The GET handshake: the challenge to echo back, or None (answer 403)."""
    if params.get("hub.mode") == "subscribe" and verify_token and \
            hmac.compare_digest(params.get("hub.verify_token") or "", verify_token):
        return params.get("hub.challenge") or ""
    return None


@dataclass(frozen=True)
class Inbound:
    """One citizen message of a webhook delivery, as the conversation needs it."""
    message_id: str
    sender: str            # the citizen's WhatsApp id (phone number): personal data
    kind: str              # text | location | image | other
    text: str = ""
    lat: float | None = None
    lon: float | None = None
    address: str | None = None
    media_id: str | None = None


@dataclass(frozen=True)
class StatusUpdate:
    provider_id: str
    status: str  # sent | delivered | read | failed


def parse_delivery(payload: dict) -> tuple[list[Inbound], list[StatusUpdate]]:
    """The messages and delivery statuses of one Cloud API webhook delivery (unknown
    fields ignored; entries that are not messages are skipped)."""
    messages, statuses = [], []
    for entry in payload.get("entry") or []:
        for change in entry.get("changes") or []:
            value = change.get("value") or {}
            for m in value.get("messages") or []:
                kind = m.get("type")
                if kind == "text":
                    messages.append(Inbound(m["id"], m["from"], "text", text=(m.get("text") or {}).get("body", "")))
                elif kind == "location":
                    loc = m.get("location") or {}
                    address = ", ".join(x for x in (loc.get("name"), loc.get("address")) if x) or None
                    messages.append(Inbound(m["id"], m["from"], "location", lat=loc.get("latitude"),
                                            lon=loc.get("longitude"), address=address))
                elif kind == "image":
                    img = m.get("image") or {}
                    messages.append(Inbound(m["id"], m["from"], "image", text=img.get("caption") or "",
                                            media_id=img.get("id")))
                elif kind == "interactive":
                    reply = (m.get("interactive") or {})
                    chosen = (reply.get("list_reply") or reply.get("button_reply") or {}).get("id", "")
                    messages.append(Inbound(m["id"], m["from"], "text", text=chosen))
                elif m.get("id") and m.get("from"):
                    messages.append(Inbound(m["id"], m["from"], "other"))
            for s in value.get("statuses") or []:
                if s.get("id") and s.get("status"):
                    statuses.append(StatusUpdate(s["id"], s["status"]))
    return messages, statuses


# --------------------------------------------------------------------------- conversation

@dataclass
class Step:
    """What one inbound message did: the new state, the answers, the interaction."""
    step: str
    data: dict
    replies: list[str] = field(default_factory=list)
    option: str = "report_create"
    outcome: str | None = None   # set when the interaction ends (completed, abandoned, failed)
    file: bool = False           # the report is complete: file it


def menu_text(menu: list[dict]) -> str:
    lines = [f"{i}. {item['label']}" for i, item in enumerate(menu, 1)]
    return ("Hola, este es el canal de reportes ciudadanos del municipio. ¿Qué desea reportar? "
            "Responda con el número:\n" + "\n".join(lines) +
            "\nEscriba BAJA en cualquier momento para no recibir más avisos.")


def parse_address(text: str) -> tuple[str, str] | None:
    """"calle y número, colonia" → (street, colonia); None when it has no comma."""
    parts = [p.strip() for p in (text or "").split(",") if p.strip()]
    if len(parts) < 2:
        return None
    return ", ".join(parts[:-1])[:200], parts[-1][:200]


def advance(step: str | None, data: dict, msg: Inbound, menu: list[dict]) -> Step:
    """The conversation after ``msg``; ``step`` None: no conversation yet."""
    data = dict(data or {})
    text = (msg.text or "").strip()
    if step is None or step == FILING or normalize(text) in RESET_WORDS:
        abandoned = step not in (None, FILING, MENU)
        return Step(MENU, {}, [menu_text(menu)], option="menu", outcome="abandoned" if abandoned else None)
    if step == MENU:
        if text.isdigit() and 1 <= int(text) <= len(menu):
            item = menu[int(text) - 1]
            return Step(DESCRIPTION, {"petition_type": item["code"], "label": item["label"]},
                        [f"Eligió: {item['label']}. Describa brevemente el problema."])
        return Step(MENU, data, ["No entendí la opción. " + menu_text(menu)], option="menu")
    if step == DESCRIPTION:
        if msg.kind != "text" or len(text) < 5:
            return Step(DESCRIPTION, data, ["Escriba una descripción del problema (al menos 5 letras)."])
        return Step(LOCATION, data | {"description": text[:3900]},
                    ["Envíe la ubicación: toque el clip 📎 → Ubicación y comparta el punto exacto del problema."])
    if step == LOCATION:
        if msg.kind != "location" or msg.lat is None or msg.lon is None:
            return Step(LOCATION, data, ["Necesitamos la ubicación como punto de WhatsApp (📎 → Ubicación)."])
        data |= {"lat": float(msg.lat), "lon": float(msg.lon)}
        parsed = parse_address(msg.address or "")
        if parsed is None:
            return Step(ADDRESS, data, ["Escriba la calle y número, y la colonia, separadas por coma "
                                        "(ejemplo: Madero 100, Centro)."])
        return _ask_photo(data, parsed)
    if step == ADDRESS:
        parsed = parse_address(text)
        if parsed is None:
            return Step(ADDRESS, data, ["Escriba la calle y la colonia separadas por coma (ejemplo: Madero 100, Centro)."])
        return _ask_photo(data, parsed)
    if step == PHOTO:
        if msg.kind == "image" and msg.media_id:
            return Step(FILING, data | {"photo_media_id": msg.media_id}, [], file=True)
        if normalize(text) in {"NO", "SIN FOTO", "LISTO"}:
            return Step(FILING, data, [], file=True)
        return Step(PHOTO, data, ["Envíe una foto del problema o escriba NO para continuar sin foto."])
    return Step(MENU, {}, [menu_text(menu)], option="menu")


def _ask_photo(data: dict, parsed: tuple[str, str]) -> Step:
    street, colonia = parsed
    return Step(PHOTO, data | {"street": street, "colonia": colonia},
                ["Si quiere, envíe una foto del problema; si no, escriba NO."])


def report_payload(data: dict, channel: str) -> dict:
    """intake's report from a finished conversation (no phone: the contact stays here);
    the photo's media id travels as ``_media`` (kept by the channel, never sent to intake
    as such: the service downloads the photo and passes it as an attachment)."""
    payload = {"petition_type": data["petition_type"], "channel": channel, "description": data["description"],
               "location": {"lat": data["lat"], "lon": data["lon"], "colonia": data["colonia"],
                            "street": data["street"]},
               "citizen_number": None}
    if data.get("photo_media_id"):
        payload["_media"] = [data["photo_media_id"]]
    return payload


def filed_text(folio: int, due_at: str, link: str) -> str:
    due = due_at[:10]
    return (f"Su reporte quedó registrado con el folio {folio}. Fecha compromiso de atención: {due}. "
            f"Consulte su avance en {link}\nLe avisaremos aquí de cada cambio. Escriba BAJA para dejar de recibir avisos.")


def status_text(folio: int, action: str, reason: str | None, note: str | None) -> str:
    """What the citizen reads when their report changes (start, finish with the closing
    note, not viable with its reason, reassign, reopen)."""
    text = f"Folio {folio}: {STATUS_TEXT.get(action, 'Su reporte cambió de estado.')}"
    if action == "finish":
        if note:
            text += f" Nota de cierre: {note}"
        text += " Si no se resolvió, responda «no se resolvió» y lo que falta para reabrirlo."
    elif action == "not_viable" and reason:
        text += f" Motivo: {reason}"
    elif action == "reopen" and reason:
        text += f" Motivo: {reason}"
    return text[:4000]


def template_params(folio: int, action: str) -> list[str]:
    """Parameters of the approved template (outside the 24-hour window): folio and status."""
    return [str(folio), STATUS_TEXT.get(action, "Su reporte cambió de estado.")]


def in_window(last_inbound_at: datetime | None, now: datetime) -> bool:
    """Free-form messages only within 24 hours of the citizen's last message."""
    return last_inbound_at is not None and now - last_inbound_at < WINDOW


def reopen_text(folio: int, outcome: str, detail: str) -> str:
    """The answer to "no se resolvió" once routing decided."""
    if outcome == "reopened":
        return f"Reabrimos su reporte con folio {folio}; la dependencia lo revisará de nuevo."
    if outcome == "forbidden":
        return (f"No pudimos reabrir el folio {folio} automáticamente. Su mensaje quedó registrado; "
                "comuníquese al 072 para reabrirlo.")
    return f"No se puede reabrir el folio {folio}: {detail}"


#: who may tie a WhatsApp number to a citizen number: front-desk staff who checked the
#: person's identity; nobody else
LINKERS = ("operator", "supervisor", "admin")


def authorize_link(actor):
    """WhatsApp's policy for ``link_citizen``: the actor contract read, staff of LINKERS."""
    from sacinfra.actor import Actor, ActorInvalid

    from .exceptions import Forbidden, InvalidInput
    try:
        who = Actor.load(actor)
    except ActorInvalid as exc:
        raise InvalidInput(str(exc), exc.code) from exc
    if who.kind != "staff" or who.role not in LINKERS:
        raise Forbidden("Solo personal de atención puede vincular un contacto con un ciudadano.", "prohibido")
    return who


def wa_address(value) -> str:
    """A WhatsApp id: digits with country code (a leading + is dropped)."""
    from .exceptions import InvalidInput
    digits = value.strip().lstrip("+") if isinstance(value, str) else ""
    if not digits.isdigit() or not 8 <= len(digits) <= 20:
        raise InvalidInput("Indique el número de WhatsApp (solo dígitos, con lada).", "contacto_invalido")
    return digits
