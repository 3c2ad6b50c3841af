"""Pure rules of the email channel: reading an inbound MIME message (the new text only,
HTML-only mail, attachments within limits), the fields a report needs, and what the
citizen reads. No I/O, no clock.

An email becomes a report when it says what and where: the petition type (a line
``Tipo: <código>``, else ``EMAIL_DEFAULT_PETITION_TYPE``), the point (``Ubicación: lat,
lon`` or a map link with ``@lat,lon`` / ``q=lat,lon``) and ``Calle:`` / ``Colonia:``
lines (intake needs lat/lon, street and colonia). Otherwise the sender gets the
instructions and nothing is filed."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parseaddr
from html.parser import HTMLParser

from sacchannel.kit import STATUS_TEXT  # one wording of the lifecycle

CHANNEL = "CORREO"
STOP_SUBJECTS = ("BAJA", "STOP")
#: where a reply's quoted thread starts (Gmail/Outlook/Apple Mail, Spanish and English)
QUOTE_START = [re.compile(p, re.I) for p in (
    r"^\s*(El|On)\s.*(escribi[oó]|wrote)\s*:?\s*$",
    r"^\s*-{2,}\s*(Mensaje original|Original Message|Forwarded message|Mensaje reenviado)\s*-{2,}",
    r"^\s*(De|From)\s*:\s.*@",
    r"^_{20,}\s*$",
    r"^\s*>",
)]
#: a "El lun, 7 dic 2026 a las 10:00, X <x@y>" header wrapped over two lines
WRAPPED_HEADER = re.compile(r"^\s*(El|On)\s.*\d", re.I)
LATLON = re.compile(r"(-?\d{1,2}\.\d{3,})\s*,\s*(-?\d{1,3}\.\d{3,})")
NOT_SOLVED = re.compile(r"\bno\s+(se\s+)?(resolvi[oó]|solucion[oó]|qued[oó]|arreglaron|atendieron)\b", re.I)


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "head"):
            self.skip += 1
        elif tag in ("br", "p", "div", "li", "tr", "blockquote"):
            self.parts.append("\n")
        if tag == "blockquote":
            self.parts.append("\n> ")  # a quoted thread in HTML mail

    def handle_endtag(self, tag):
        if tag in ("script", "style", "head") and self.skip:
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    p = _Text()
    p.feed(html)
    lines = [" ".join(line.split()) for line in "".join(p.parts).splitlines()]
    return "\n".join(line for line in lines if line)


def new_text(body: str) -> str:
    """Only what the citizen wrote now: the quoted thread of a reply is cut off."""
    lines = body.replace("\r\n", "\n").split("\n")
    out = []
    for i, line in enumerate(lines):
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if any(p.search(line) for p in QUOTE_START) or \
                (WRAPPED_HEADER.search(line) and re.search(r"(escribi[oó]|wrote)\s*:?\s*$", nxt, re.I)):
            break
        out.append(line)
    return "\n".join(out).strip()


@dataclass
class Attachment:
    filename: str
    content_type: str
    size: int
    content: bytes = field(repr=False)


@dataclass
class Inbound:
    message_id: str
    sender: str
    subject: str
    text: str
    in_reply_to: str | None
    attachments: list[Attachment]
    too_large: list[str]


def parse_mail(raw: bytes, max_attachment_bytes: int, max_attachments: int = 5) -> Inbound:
    """A MIME message as the channel reads it: plain text preferred, HTML converted when
    it is the only body; attachments over the limit are listed, not kept."""
    msg: EmailMessage = BytesParser(policy=policy.default).parsebytes(raw)
    sender = parseaddr(str(msg.get("From", "")))[1].strip().lower()
    part = msg.get_body(preferencelist=("plain", "html"))
    body = ""
    if part is not None:
        body = part.get_content()
        if part.get_content_type() == "text/html":
            body = html_to_text(body)
    kept, too_large = [], []
    for att in msg.iter_attachments():
        data = att.get_payload(decode=True) or b""
        name = att.get_filename() or "adjunto"
        if len(data) > max_attachment_bytes or len(kept) >= max_attachments:
            too_large.append(name)
        else:
            kept.append(Attachment(name, att.get_content_type(), len(data), data))
    message_id = str(msg.get("Message-ID", "")).strip() or None
    return Inbound(message_id=message_id, sender=sender, subject=str(msg.get("Subject", "")).strip(),
                   text=new_text(body), in_reply_to=str(msg.get("In-Reply-To", "")).strip() or None,
                   attachments=kept, too_large=too_large)


def _field(text: str, *names: str) -> str | None:
    for name in names:
        m = re.search(rf"^\s*{name}\s*:\s*(.+)$", text, re.I | re.M)
        if m:
            return m.group(1).strip()
    return None


def report_fields(mail: Inbound, default_type: str | None, channel: str) -> tuple[dict | None, list[str]]:
    """(intake payload, []) or (None, what is missing, in Spanish)."""
    text = mail.text
    petition = _field(text, "Tipo", "Tipo de reporte") or default_type
    where = _field(text, "Ubicaci[oó]n", "Coordenadas") or ""
    point = LATLON.search(where) or LATLON.search(text)
    street = _field(text, "Calle", "Direcci[oó]n")
    colonia = _field(text, "Colonia")
    missing = [what for what, value in (("Tipo: (el tipo de reporte)", petition),
                                        ("Ubicación: latitud, longitud", point),
                                        ("Calle: calle y número", street), ("Colonia: su colonia", colonia))
               if not value]
    if missing:
        return None, missing
    body = "\n".join(line for line in text.splitlines()
                     if not re.match(r"^\s*(Tipo|Tipo de reporte|Ubicaci[oó]n|Coordenadas|Calle|Direcci[oó]n|Colonia)"
                                     r"\s*:", line, re.I)).strip()
    description = (f"{mail.subject}\n{body}" if mail.subject else body).strip() or "(sin descripción)"
    if mail.attachments:
        description += f"\n[{len(mail.attachments)} archivo(s) adjunto(s) recibidos por correo.]"
    return {"petition_type": petition[:120], "channel": channel, "description": description[:4000],
            "location": {"lat": float(point.group(1)), "lon": float(point.group(2)),
                         "colonia": colonia[:200], "street": street[:200]},
            "citizen_number": None}, []


def is_stop(mail: Inbound) -> bool:
    words = (mail.subject.strip().upper(), (mail.text.strip().splitlines() or [""])[0].strip().upper())
    return any(w in STOP_SUBJECTS for w in words)


def says_not_solved(text: str) -> bool:
    return NOT_SOLVED.search(text or "") is not None


def folio_in(mail: Inbound) -> int | None:
    """The folio a reply is about: "Folio 12" in the subject (our replies carry it)."""
    m = re.search(r"\bfolio\s*(\d+)", mail.subject, re.I)
    return int(m.group(1)) if m else None


def instructions(missing: list[str], address: str) -> str:
    return ("Gracias por escribirnos. Para registrar su reporte necesitamos que el correo incluya "
            "estas líneas:\n" + "\n".join(f"  {m}" for m in missing) +
            f"\nEjemplo:\n  Tipo: OP-LAMPARA APAGADA\n  Ubicación: 21.1221, -101.6824\n  Calle: Madero 100\n"
            f"  Colonia: Centro\nEscriba de nuevo a {address}. Para no recibir avisos, responda BAJA.")


def filed_text(folio: int, due_at: str, link: str, too_large: list[str], max_mb: float,
               not_evidence: list[str] = ()) -> str:
    text = (f"Su reporte quedó registrado con el folio {folio}.\nFecha compromiso de atención: {due_at[:10]}.\n"
            f"Consulte su avance en {link}\nLe avisaremos por este medio de cada cambio; responda BAJA para "
            "dejar de recibir avisos.")
    if too_large:
        text += (f"\nNo pudimos guardar estos adjuntos porque pasan de {max_mb:g} MB: " + ", ".join(too_large))
    if not_evidence:
        text += ("\nNo guardamos estos adjuntos porque no son fotos (JPEG, PNG, WebP, HEIC) ni PDF: "
                 + ", ".join(not_evidence))
    return text


def status_text(folio: int, action: str, reason: str | None, note: str | None) -> str:
    text = f"Folio {folio}: {STATUS_TEXT.get(action, 'Su reporte cambió de estado.')}"
    if action == "finish":
        if note:
            text += f"\nNota de cierre: {note}"
        text += "\nSi no se resolvió, responda a este correo con «no se resolvió» y lo que falta."
    elif action in ("not_viable", "reopen", "reassign") and reason and action != "reassign":
        text += f"\nMotivo: {reason}"
    return text


def reopen_text(folio: int, outcome: str, detail: str) -> str:
    """The answer to "no se resolvió" once routing decided."""
    return {"reopened": f"Reabrimos su reporte con folio {folio}; la dependencia lo revisará de nuevo.",
            "forbidden": f"No pudimos reabrir el folio {folio} automáticamente. Su correo quedó registrado; "
                         "llame al 072 para reabrirlo."}.get(outcome, f"No se puede reabrir el folio {folio}: {detail}")


def authorize_link(actor):
    """Email's policy for ``link_citizen``: only front-desk staff who checked the
    person's identity (operator, supervisor, admin) tie an address to a citizen."""
    from sacinfra.actor import Actor, ActorInvalid

    from .exceptions import Forbidden, InvalidInput
    try:
        who = Actor.load(actor)
    except ActorInvalid as exc:
        raise InvalidInput(str(exc), exc.code) from exc
    if who.kind != "staff" or who.role not in ("operator", "supervisor", "admin"):
        raise Forbidden("Solo personal de atención puede vincular un correo con un ciudadano.", "prohibido")
    return who


def mail_address(value) -> str:
    from .exceptions import InvalidInput
    address = parseaddr(value)[1].strip().lower() if isinstance(value, str) else ""
    if "@" not in address or len(address) > 254:
        raise InvalidInput("Indique el correo electrónico del ciudadano.", "contacto_invalido")
    return address
