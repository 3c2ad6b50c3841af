"""The work order (orden de trabajo): a printable PDF of a report for field crews, one
report per page (a long description or many interventions flow onto more pages, and the
next report always starts on a new page).

ReportLab (platypus) lays out the pages: paragraphs wrap and break across pages, tables,
a footer per page, the standard Helvetica fonts cover Spanish (WinAnsi), and it has been
the reference PDF library for Python for two decades. The QR code is made by segno (pure
Python, no dependencies, ISO/IEC 18004 conformant) and drawn as vector rectangles, so
no raster image is embedded and it prints sharp at any size; it links to the public
tracking page (``{PUBLIC_URL}/v1/track/{folio}?token=…``), printed under it as text too."""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any, BinaryIO, Iterable
from urllib.parse import quote
from xml.sax.saxutils import escape

import segno
from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import (Flowable, KeepTogether, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table,
                                TableStyle)

from sacinfra.tables import format_datetime

#: a batch of work orders is one PDF of at most this many reports (a 4xx above it)
MAX_BATCH = 500
TITLE = "Orden de trabajo"

#: what people read of routing's values (the work order and the exports' columns)
STATUS = {"captured": "Capturado", "in_progress": "Proceso", "done": "Terminado", "not_viable": "No viable"}
TRAFFIC_LIGHT = {"on_time": "A tiempo", "at_risk": "En riesgo", "overdue": "Vencido"}
VIABILITY = {"viable": "Viable", "not_viable": "No viable"}
KIND = {"tramite": "Trámite", "servicio": "Servicio", "trámite": "Trámite"}
INTERVENTION_KIND = {"note": "Seguimiento", "start": "Inicio", "closing": "Cierre"}


def tracking_url(public_url: str, folio: int, token: str) -> str:
    """The public tracking page of a report: what the QR code holds."""
    return f"{public_url.rstrip('/')}/v1/track/{int(folio)}?token={quote(str(token), safe='')}"


def qr_matrix(payload: str) -> tuple[tuple[bool, ...], ...]:
    """The modules of the QR code of ``payload`` (error correction M, no quiet zone)."""
    qr = segno.make_qr(payload, error="m", boost_error=False)
    return tuple(tuple(bool(v) for v in row) for row in qr.matrix)


class QrCode(Flowable):
    """A QR code drawn as vector rectangles (runs of dark modules in a row), also a link."""

    def __init__(self, payload: str, size: float = 32 * mm):
        super().__init__()
        self.payload, self.size = payload, size
        self.matrix = qr_matrix(payload)

    def wrap(self, avail_width, avail_height):
        return self.size, self.size

    def draw(self):
        n = len(self.matrix)
        module = self.size / n
        canvas = self.canv
        canvas.setFillColor(colors.black)
        for y, row in enumerate(self.matrix):
            x = 0
            while x < n:
                if row[x]:
                    start = x
                    while x < n and row[x]:
                        x += 1
                    canvas.rect(start * module, self.size - (y + 1) * module, (x - start) * module, module,
                                stroke=0, fill=1)
                else:
                    x += 1
        canvas.linkURL(self.payload, (0, 0, self.size, self.size), relative=1)  # clickable on screen


@dataclass
class WorkOrder:
    """One report as printed. ``citizen`` is None when the user may not see personal data
    (or asked to hide it); without ``name`` when the name is hidden."""
    folio: int
    petition_type: str
    status: str | None = None
    kind: str | None = None
    channel: str | None = None
    agency: str | None = None
    department: str | None = None
    traffic_light: str | None = None
    viability: str | None = None
    created_at: str | None = None
    due_at: str | None = None
    closed_at: str | None = None
    street: str | None = None
    number: str | None = None
    colonia: str | None = None
    references: str | None = None
    lat: float | None = None
    lon: float | None = None
    description: str | None = None
    created_by: str | None = None
    citizen: dict | None = None
    interventions: list[dict] = field(default_factory=list)
    tracking_url: str | None = None


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    return {
        "title": ParagraphStyle("title", parent=base["Title"], fontSize=16, leading=19, alignment=0, spaceAfter=2),
        "folio": ParagraphStyle("folio", parent=base["Normal"], fontName="Helvetica-Bold", fontSize=13, leading=16),
        "h": ParagraphStyle("h", parent=base["Heading3"], fontSize=11, leading=13, spaceBefore=8, spaceAfter=3),
        "cell": ParagraphStyle("cell", parent=base["Normal"], fontSize=9, leading=11),
        "label": ParagraphStyle("label", parent=base["Normal"], fontName="Helvetica-Bold", fontSize=9, leading=11),
        "body": ParagraphStyle("body", parent=base["Normal"], fontSize=10, leading=13),
        "small": ParagraphStyle("small", parent=base["Normal"], fontSize=7, leading=8.5, textColor=colors.grey),
    }


def _p(text: Any, style: ParagraphStyle) -> Paragraph:
    """User text is escaped (Paragraph reads a little markup) and keeps its line breaks."""
    return Paragraph(escape("" if text is None else str(text)).replace("\n", "<br/>"), style)


def _label(table: dict[str, str], value: Any) -> str:
    return "" if value is None else table.get(str(value).lower(), str(value))


def _location(o: WorkOrder) -> str:
    street = " ".join(str(v) for v in (o.street, o.number) if v)
    return ", ".join(v for v in (street, f"Col. {o.colonia}" if o.colonia else None) if v) or "—"


def _coords(o: WorkOrder) -> str:
    if o.lat is None or o.lon is None:
        return "—"
    return f"{float(o.lat):.6f}, {float(o.lon):.6f}"


def _story(o: WorkOrder, st: dict) -> list:
    head_left = [_p(TITLE, st["title"]), _p(f"Folio {o.folio}", st["folio"]),
                 _p(f"{o.agency or ''} — {o.department or ''}", st["cell"])]
    if o.tracking_url:
        qr = [QrCode(o.tracking_url), _p(o.tracking_url, st["small"])]
        header = Table([[head_left, qr]], colWidths=[None, 36 * mm])
    else:
        header = Table([[head_left, ""]], colWidths=[None, 36 * mm])
    header.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))

    fields = [
        ("Tipo de petición", o.petition_type), ("Tipo", _label(KIND, o.kind)),
        ("Estatus", _label(STATUS, o.status)), ("Semáforo", _label(TRAFFIC_LIGHT, o.traffic_light)),
        ("Viabilidad", _label(VIABILITY, o.viability)), ("Origen", o.channel),
        ("Fecha", format_datetime(o.created_at)), ("Fecha límite", format_datetime(o.due_at)),
        ("Fecha de cierre", format_datetime(o.closed_at) or "—"), ("Usuario", o.created_by),
        ("Ubicación", _location(o)), ("Coordenadas (lat, lon)", _coords(o)),
    ]
    if o.references:
        fields.append(("Referencias", o.references))
    if o.citizen:
        fields.append(("Número de ciudadano", o.citizen.get("number")))
        if "name" in o.citizen:
            fields.append(("Ciudadano", o.citizen.get("name")))
        if o.citizen.get("phone"):
            fields.append(("Teléfono", o.citizen.get("phone")))
    rows, pair = [], []
    for label, value in fields:
        pair += [_p(label, st["label"]), _p(value if value not in (None, "") else "—", st["cell"])]
        if len(pair) == 4:
            rows.append(pair)
            pair = []
    if pair:
        rows.append(pair + ["", ""])
    data = Table(rows, colWidths=[30 * mm, 58 * mm, 30 * mm, 58 * mm])
    data.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.lightgrey),
                              ("VALIGN", (0, 0), (-1, -1), "TOP"),
                              ("BACKGROUND", (0, 0), (0, -1), colors.whitesmoke),
                              ("BACKGROUND", (2, 0), (2, -1), colors.whitesmoke)]))

    story = [header, Spacer(1, 4 * mm), data, _p("Descripción", st["h"]), _p(o.description or "—", st["body"]),
             _p("Intervenciones", st["h"])]
    if o.interventions:
        table = [[_p("Fecha", st["label"]), _p("Autor", st["label"]), _p("Tipo", st["label"]),
                  _p("Texto", st["label"])]]
        for i in o.interventions:
            table.append([_p(format_datetime(i.get("at")), st["cell"]),
                          _p(f"{i.get('author') or ''} ({i.get('department') or i.get('agency') or ''})", st["cell"]),
                          _p(_label(INTERVENTION_KIND, i.get("kind")), st["cell"]), _p(i.get("text"), st["cell"])])
        t = Table(table, colWidths=[26 * mm, 36 * mm, 22 * mm, 92 * mm], repeatRows=1)
        t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.lightgrey),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                               ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        story.append(t)
    else:
        story.append(_p("Sin intervenciones registradas.", st["body"]))
    sign = Table([[_p("Trabajo realizado:", st["label"]), ""], ["", ""],
                  [_p("Atendió (nombre y firma)", st["cell"]), _p("Fecha y hora de atención", st["cell"])]],
                 colWidths=[88 * mm, 88 * mm], rowHeights=[None, 22 * mm, None])
    sign.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 0.6, colors.grey),
                              ("LINEABOVE", (0, 2), (-1, 2), 0.4, colors.grey),
                              ("SPAN", (0, 0), (1, 0))]))
    story += [Spacer(1, 6 * mm), KeepTogether([sign])]
    return story


def write_work_orders(orders: Iterable[WorkOrder], out: BinaryIO, title: str = TITLE) -> int:
    """Every work order into one PDF (``out``: a binary file); the number of reports."""
    st = _styles()
    story: list = []
    count = 0
    for order in orders:
        if count:
            story.append(PageBreak())
        story += _story(order, st)
        count += 1
    if not count:
        story.append(_p("Sin reportes.", st["body"]))

    def footer(canvas, doc):
        canvas.saveState()
        canvas.setFont("Helvetica", 7)
        canvas.setFillColor(colors.grey)
        canvas.drawString(doc.leftMargin, 10 * mm, "SAC — Sistema de Atención Ciudadana · Orden de trabajo")
        canvas.drawRightString(doc.pagesize[0] - doc.rightMargin, 10 * mm, f"Página {doc.page}")
        canvas.restoreState()

    doc = SimpleDocTemplate(out, pagesize=LETTER, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=15 * mm,
                            bottomMargin=18 * mm, title=title, author="SAC — Sistema de Atención Ciudadana",
                            subject="Orden de trabajo")
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return count


def work_orders_pdf(orders: Iterable[WorkOrder]) -> bytes:
    buffer = io.BytesIO()
    write_work_orders(orders, buffer)
    return buffer.getvalue()
