"""The MODINFO ticket: what León prints for a citizen — the municipality's header, the
office's data, the date and the Número de Atención — as a PDF for an 80 mm thermal
printer, as an A4 PDF, or as plain text for receipt printers (42 columns). Spanish.
reportlab draws the PDFs (a well-kept library: wrapping and fonts with accents)."""
from __future__ import annotations

import datetime as dt
import io
import os
import textwrap

FORMATS = ("thermal", "a4", "text")
MEDIA = {"thermal": "application/pdf", "a4": "application/pdf", "text": "text/plain; charset=utf-8"}
#: the municipality's header, one line each (DIRECTORY_TICKET_HEADER, lines separated by «|»)
HEADER = tuple(os.environ.get(
    "DIRECTORY_TICKET_HEADER", "LEÓN, GUANAJUATO|Presidencia Municipal de León|Atención Ciudadana").split("|"))
FOOTER = ("Esta información puede ser contabilizada con el fin de conocer qué información es la más "
          "requerida por la ciudadanía y mantenerla al día.")
TEXT_WIDTH = 42
MONTHS = ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
          "noviembre", "diciembre")


def fields_of(office: dict) -> list[tuple[str, str]]:
    """(label, value) in the order of León's ticket; empty values are left blank."""
    street = " ".join(p for p in [office.get("street") or "",
                                  f"Núm. Ext. {office['ext_number']}" if office.get("ext_number") else "",
                                  f"Int. {office['int_number']}" if office.get("int_number") else ""] if p)
    colonia = office.get("colonia") or ""
    if office.get("postal_code"):
        colonia = f"{colonia}, C.P. {office['postal_code']}" if colonia else f"C.P. {office['postal_code']}"
    if office.get("city"):
        colonia = f"{colonia}, {office['city']}" if colonia else office["city"]
    name = office["name"] + (f" ({office['acronym']})" if office.get("acronym")
                             and office["acronym"].lower() not in office["name"].lower() else "")
    return [("Dirección, Área o Departamento", name), ("Calle y núm.", street), ("Colonia", colonia),
            ("Teléfono(s)", ", ".join(office.get("phones") or [])),
            ("Extensión(es)", ", ".join(office.get("extensions") or [])),
            ("Correo electrónico", office.get("email") or ""), ("Sitio web", office.get("website") or ""),
            ("Horarios", office.get("hours") or ""), ("Encargado o Responsable", office.get("person_in_charge") or "")]


def long_date(moment: dt.datetime) -> str:
    return f"{moment.day} de {MONTHS[moment.month - 1]} de {moment.year}, {moment:%H:%M} h"


def render(fmt: str, office: dict, number: str, moment: dt.datetime, header=HEADER) -> tuple[bytes, str]:
    """(content, media type) of the ticket; ``moment`` in the municipality's time."""
    if fmt == "text":
        return text_ticket(office, number, moment, header).encode("utf-8"), MEDIA[fmt]
    return pdf_ticket(office, number, moment, header, thermal=(fmt == "thermal")), MEDIA[fmt]


def text_ticket(office: dict, number: str, moment: dt.datetime, header=HEADER, width: int = TEXT_WIDTH) -> str:
    lines = [h.upper().center(width).rstrip() for h in header] + ["=" * width]
    for label, value in fields_of(office):
        lines.append(f"{label}:")
        lines += wrap(value, lambda line: len(line) <= width, ", " if label in LISTED else " ") if value else [""]
    lines += ["-" * width, f"Fecha: {long_date(moment)}", "", "NÚMERO DE ATENCIÓN:".center(width).rstrip(),
              number.center(width).rstrip(), "=" * width]
    lines += textwrap.wrap(FOOTER, width)
    return "\n".join(lines) + "\n"


#: fields whose value is a list: a line breaks between items, not inside a phone number
LISTED = ("Teléfono(s)", "Extensión(es)")


def wrap(text: str, fits, sep: str = " ") -> list[str]:
    """Lines of ``text`` for which ``fits(line)`` holds: greedy over ``sep``-separated
    pieces; a piece too long for a line (a long web address) is cut by characters."""
    pieces = text.split(sep)
    pieces = [p + (sep.rstrip() if i < len(pieces) - 1 else "") for i, p in enumerate(pieces)]
    lines, current = [], ""
    for piece in pieces:
        candidate = f"{current} {piece}" if current else piece
        if fits(candidate):
            current = candidate
            continue
        if current:
            lines.append(current)
        while not fits(piece):  # hard break
            n = len(piece) - 1
            while n > 1 and not fits(piece[:n]):
                n -= 1
            lines.append(piece[:n])
            piece = piece[n:]
        current = piece
    if current or not lines:
        lines.append(current)
    return lines


def pdf_ticket(office: dict, number: str, moment: dt.datetime, header=HEADER, thermal: bool = True) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen import canvas

    if thermal:
        page_w, margin, base, title, big = 80 * mm, 4 * mm, 8.0, 9.5, 16.0
    else:
        page_w, margin, base, title, big = A4[0], 25 * mm, 11.0, 14.0, 26.0
    width = page_w - 2 * margin
    lead = base * 1.3

    # lay out first (the thermal page is as long as its content), then draw
    ops: list[tuple] = []  # (kind, text, font, size, height)

    def add(kind, text, font, size, gap=0.0, sep=" "):
        for piece in wrap(text, lambda line: stringWidth(line, font, size) <= width, sep):
            ops.append((kind, piece, font, size, size * 1.3))
        if gap:
            ops.append(("gap", "", font, size, gap))

    for i, h in enumerate(header):
        add("center", h, "Helvetica-Bold" if i == 0 else "Helvetica", title if i == 0 else base)
    ops.append(("rule", "", "Helvetica", base, lead))
    for label, value in fields_of(office):
        add("left", f"{label}:", "Helvetica-Bold", base)
        add("left", value or "—", "Helvetica", base, gap=lead * 0.35, sep=", " if label in LISTED else " ")
    ops.append(("rule", "", "Helvetica", base, lead))
    add("left", f"Fecha: {long_date(moment)}", "Helvetica", base, gap=lead * 0.5)
    add("center", "Número de Atención:", "Helvetica-Bold", base * 1.1)
    add("center", number, "Courier-Bold", big, gap=lead * 0.5)
    ops.append(("rule", "", "Helvetica", base, lead))
    add("center", FOOTER, "Helvetica-Oblique", base * 0.8)

    content_h = sum(op[4] for op in ops)
    page_h = content_h + 2 * margin if thermal else A4[1]
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(page_w, page_h))
    c.setTitle(f"Ticket de atención {number}")
    c.setAuthor(header[1] if len(header) > 1 else header[0])
    c.setSubject(office["name"])
    y = page_h - margin
    if not thermal:  # a framed ticket at the top of the sheet
        c.setLineWidth(0.8)
        c.roundRect(margin - 8, page_h - margin - content_h - 8, width + 16, content_h + 12, 6)
        y -= 2
    for kind, text, font, size, height in ops:
        y -= height
        if kind == "rule":
            c.setLineWidth(0.5)
            c.line(margin, y + height / 2, margin + width, y + height / 2)
            continue
        if kind == "gap":
            continue
        c.setFont(font, size)
        baseline = y + (height - size) / 2 + size * 0.2
        if kind == "center":
            c.drawCentredString(page_w / 2, baseline, text)
        else:
            c.drawString(margin, baseline, text)
    c.showPage()
    c.save()
    return buf.getvalue()
