"""Pure rules of the email channel on real MIME messages (no I/O)."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from email_channel import domain  # noqa: E402
from mail_support import mail  # noqa: E402

FIELDS = "Tipo: OP-LAMPARA APAGADA\nUbicación: 21.1221, -101.6824\nCalle: Madero 100\nColonia: Centro\n"


def test_a_reply_quoting_the_whole_thread_keeps_only_the_new_text():
    body = ("No se resolvió, la lámpara sigue apagada.\n\n"
            "El lun, 7 dic 2026 a las 10:00, Atención Ciudadana <reportes@municipio.example>\nescribió:\n"
            "> Folio 12: Su reporte fue atendido\n> Nota de cierre: se cambió el foco\n>\n"
            "> El dom, 6 dic 2026, Vecina <vecina@correo.example> escribió:\n>> La lámpara no prende\n")
    parsed = domain.parse_mail(mail("Re: Folio 12: Su reporte fue atendido", body).as_bytes(), 1000)
    assert parsed.text == "No se resolvió, la lámpara sigue apagada."
    assert domain.folio_in(parsed) == 12 and domain.says_not_solved(parsed.text)
    outlook = "Sigue igual\n\n-----Original Message-----\nFrom: x@y.z\nSent: hoy\n"
    assert domain.new_text(outlook) == "Sigue igual"
    assert domain.new_text("Gracias\n\nOn Mon, Dec 7, 2026 at 10:00 AM SAC <a@b.c> wrote:\n> hola") == "Gracias"


def test_html_only_mail_becomes_text_and_fields():
    html = ("<html><head><style>p{}</style></head><body><p>Lámpara fundida</p>"
            + "".join(f"<div>{line}</div>" for line in FIELDS.splitlines()) + "</body></html>")
    parsed = domain.parse_mail(mail("Poste sin luz", html=html).as_bytes(), 1000)
    payload, missing = domain.report_fields(parsed, None, "CORREO")
    assert missing == []
    assert payload["petition_type"] == "OP-LAMPARA APAGADA" and payload["channel"] == "CORREO"
    assert payload["location"] == {"lat": 21.1221, "lon": -101.6824, "colonia": "Centro", "street": "Madero 100"}
    assert payload["description"] == "Poste sin luz\nLámpara fundida" and "p{}" not in parsed.text


def test_attachments_over_the_limit_are_listed_not_kept_and_missing_fields_named():
    big = b"\xff\xd8\xff" + b"0" * 2000
    small = b"\x89PNG\r\n\x1a\n" + b"1" * 100
    parsed = domain.parse_mail(mail("Bache", "Bache enorme\n" + FIELDS, attachments=[
        ("grande.jpg", "image/jpeg", big), ("chica.png", "image/png", small)]).as_bytes(), 1000)
    assert [a.filename for a in parsed.attachments] == ["chica.png"] and parsed.too_large == ["grande.jpg"]
    payload, _ = domain.report_fields(parsed, None, "CORREO")
    assert "1 archivo(s) adjunto(s)" in payload["description"]
    none, missing = domain.report_fields(domain.parse_mail(mail("Hola", "Hay un bache").as_bytes(), 10), None, "CORREO")
    assert none is None and len(missing) == 4
    assert domain.is_stop(domain.parse_mail(mail("BAJA", "").as_bytes(), 10))
