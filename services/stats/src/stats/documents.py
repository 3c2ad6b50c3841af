"""The monthly closure as a document, in Spanish: PDF (reportlab) and XLSX (XlsxWriter)."""
from __future__ import annotations

import io

import xlsxwriter
from reportlab.lib import colors
from reportlab.lib.pagesizes import letter
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

CONTENT_TYPES = {"pdf": "application/pdf",
                 "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
MONTHS = ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
          "noviembre", "diciembre")


def month_name(month: str) -> str:
    year, m = month.split("-")
    return f"{MONTHS[int(m) - 1]} de {year}"


def _pct(value) -> str:
    return "—" if value is None else f"{100 * value:.1f} %"


def _num(value) -> str:
    return "—" if value is None else (f"{value:,.1f}" if isinstance(value, float) else f"{value:,}")


def sections(c: dict) -> list[tuple[str, list[str], list[list[str]]]]:
    """(title, headings, rows) of every table of a closure; PDF and XLSX say the same."""
    f = c["figures"]
    comp, sat = f["compliance"], f["satisfaction"]
    summary = [["Recibidos en el mes", _num(f["received"])], ["Terminados en el mes", _num(f["finished"])],
               ["No viables en el mes", _num(f["not_viable"])],
               ["Recibidos en el mes aún abiertos", _num(f["still_open"])],
               ["Cumplimiento (terminados a tiempo)", _pct(comp["share_on_time"])],
               ["Intervalo de 95 %", f"{_pct(comp['ci95_low'])} – {_pct(comp['ci95_high'])}"],
               ["Tiempo medio de cierre (horas naturales)", _num(comp["mean_hours"])],
               ["Mediana de cierre (horas naturales)", _num(comp["median_hours"])],
               ["Tiempo medio de cierre (horas hábiles)", _num(comp["mean_business_hours"])],
               ["Mediana de cierre (horas hábiles)", _num(comp["median_business_hours"])],
               ["Encuestas de satisfacción", _num(sat["surveys"])],
               ["Calificación promedio (1 a 5)", _num(sat["mean_score"])]]
    depts = [[d["key"], _num(d["finished"]), _num(d["on_time"]), _pct(d["share_on_time"]),
              f"{_pct(d['ci95_low'])} – {_pct(d['ci95_high'])}", _num(d["median_business_hours"])]
             for d in f["compliance_by_department"]]
    return [("Resumen", ["Concepto", "Valor"], summary),
            ("Cumplimiento por departamento", ["Departamento", "Terminados", "A tiempo", "Cumplimiento",
                                               "Intervalo 95 %", "Mediana (h hábiles)"], depts),
            ("Tipos de petición más solicitados", ["Tipo de petición", "Reportes"],
             [[r["key"], _num(r["total"])] for r in f["top_petition_types"]]),
            ("Reportes por colonia", ["Colonia", "Reportes"], [[r["key"], _num(r["total"])] for r in f["by_colonia"]])]


def title(c: dict) -> str:
    return f"Cierre mensual de {c['agency']} — {month_name(c['month'])} (versión {c['version']})"


def closure_pdf(c: dict) -> bytes:
    out = io.BytesIO()
    st = getSampleStyleSheet()
    doc = SimpleDocTemplate(out, pagesize=letter, title=title(c), author="SAC — Sistema de Atención Ciudadana",
                            leftMargin=2 * cm, rightMargin=2 * cm, topMargin=2 * cm, bottomMargin=2 * cm)
    story = [Paragraph(title(c), st["Title"]),
             Paragraph(f"Generado el {c['generated_at'][:16].replace('T', ' ')} (UTC) por {c['generated_by']}.",
                       st["Normal"])]
    if c.get("reason"):
        story.append(Paragraph(f"Corrección: {c['reason']}", st["Normal"]))
    for name, heads, rows in sections(c):
        story += [Spacer(1, 0.4 * cm), Paragraph(name, st["Heading2"])]
        if not rows:
            story.append(Paragraph("Sin datos en el mes.", st["Normal"]))
            continue
        table = Table([heads] + rows, repeatRows=1)
        table.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#DDEBF7")),
                                   ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                                   ("FONTSIZE", (0, 0), (-1, -1), 8)]))
        story.append(table)
    doc.build(story)
    return out.getvalue()


def closure_xlsx(c: dict) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    book.set_properties({"title": title(c), "author": "SAC — Sistema de Atención Ciudadana"})
    bold = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    for name, heads, rows in sections(c):
        sheet = book.add_worksheet(name[:31])
        sheet.write_string(0, 0, title(c))
        sheet.write_row(2, 0, heads, bold)
        for i, row in enumerate(rows, 3):
            for j, v in enumerate(row):
                sheet.write_string(i, j, str(v))
        sheet.set_column(0, 0, 40)
        sheet.set_column(1, len(heads), 16)
    book.close()
    return out.getvalue()
