"""The staff console in a real browser (Debian's Chromium through Playwright), against one
platform started as `make up` starts it: one journey per role, the keyboard-only capture,
axe-core on every screen, no CSP violation, and the JavaScript each screen ships."""
from __future__ import annotations

import re
import time
import struct
import zlib

import pytest
import requests


pytestmark = [pytest.mark.e2e, pytest.mark.browser]
#: every finished report enters the survey sample (this module's own platform; nothing
#: here counts samples), so the Encuestas journey has a call to make
PLATFORM_ENV = {"SURVEY_RATE": "1"}

JS_BUDGET = 200 * 1024


def png(width=48, height=32) -> bytes:
    """A small real PNG (an evidence photo)."""
    raw = b"".join(b"\x00" + bytes((200, 60 + y * 4 % 190, 40)) * width for y in range(height))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


@pytest.fixture(scope="module")
def citizen(platform, tokens) -> dict:
    """A registered citizen the operator finds by name."""
    r = requests.post(f"{platform.gateway_url}/v1/citizens", headers=tokens["operator"], params={"force": "true"},
                      json={"given_names": "Rosa Elena", "first_surname": "Martínez", "second_surname": "Ávila",
                            "sex": "female", "birth_date": "1975-03-02", "phones": ["477 555 0101"],
                            "address": {"colonia": "Centro", "street": "Juárez", "number": "12"},
                            "consent": True, "privacy_notice_version": "2026-01", "channel": "072"}, timeout=10)
    assert r.status_code == 201, r.text
    return r.json()


@pytest.fixture(scope="module")
def lamp(platform, tokens, file_report, wait_assigned) -> int:
    """A lamp out filed by the operator through the API, assigned to OP-ALUMBRADO."""
    folio = file_report(platform.gateway_url, tokens["operator"], description="Lámpara apagada en la esquina")
    wait_assigned(platform.gateway_url, folio, tokens["supervisor"])
    return folio


def shipped(urls: list[str]) -> int:
    """Bytes of JavaScript on the wire (as served, gzip) for these script URLs."""
    total = 0
    for url in urls:
        r = requests.get(url, headers={"Accept-Encoding": "gzip"}, stream=True, timeout=10)
        assert r.status_code == 200, url
        total += len(r.raw.read(decode_content=False))
    return total


def unpacked(urls: list[str]) -> int:
    """Bytes of JavaScript the browser parses (uncompressed) for these script URLs."""
    total = 0
    for url in urls:
        r = requests.get(url, headers={"Accept-Encoding": "identity"}, timeout=10)
        assert r.status_code == 200, url
        total += len(r.content)
    return total


# ------------------------------------------------------------------------------- journeys

def _operator(page, h, base, citizen):
    seen = h.watch(page)
    h.sign_in(page, base, "operator")
    assert page.url.endswith("/captura")
    nav = page.get_by_role("navigation", name="Menú principal")
    assert nav.get_by_role("link", name="Bitácora").count() == 0
    h.axe(page, "Captura")
    page.get_by_label("Buscar por nombre, teléfono o número").fill("rosa martinez")
    page.get_by_role("button", name=re.compile("Elegir a Rosa Elena")).click()
    page.locator("#ciudadano").get_by_text(f"ciudadano núm. {citizen['number']}").wait_for()
    # registering her again: the duplicate suggestions point back to her record
    page.get_by_text("Registrar a un ciudadano nuevo").click()
    h.fill(page, {"Nombre(s)": "Rosa Elena", "Primer apellido": "Martinez", "Segundo apellido": "Avila",
                  "Teléfono (10 dígitos)": "4775550101"})
    page.get_by_label("Se leyó el aviso de privacidad y el ciudadano lo acepta").check()
    page.get_by_role("button", name="Registrar ciudadano").click()
    page.get_by_text("Puede ser una persona ya registrada").wait_for()
    h.shot(page, "captura-duplicados")
    page.get_by_role("button", name="Es esta persona").first.click()
    page.locator("#ciudadano").get_by_text(f"ciudadano núm. {citizen['number']}").wait_for()
    page.get_by_label("Tipo de petición").fill("OP-LAMPARA APAGADA")
    page.get_by_text("plazo 5 días naturales").wait_for()
    page.get_by_label("Descripción").fill("Lámpara apagada frente a la iglesia")
    page.locator("#colonia").fill("CENTRO")
    page.locator("#street").fill("MADERO")
    page.locator("#number").fill("210")
    page.locator("#mapa").click(position={"x": 200, "y": 150})  # the pin fills latitude and longitude
    assert page.locator("#lat").input_value() and page.locator("#lon").input_value()
    h.shot(page, "captura")
    page.get_by_role("button", name="Registrar reporte").click()
    page.wait_for_url(re.compile(r"/captura/recibo/\d+$"))
    folio = int(page.url.rsplit("/", 1)[1])
    assert page.locator("#clave").inner_text().strip()
    assert re.search(r"\d\d/\d\d/\d{4}", page.locator("#fecha-limite").inner_text())
    h.axe(page, "Comprobante")
    h.shot(page, "comprobante")
    page.goto(base + f"/historial?numero={citizen['number']}")
    page.get_by_role("link", name=str(folio)).wait_for()
    h.axe(page, "Historial del ciudadano")
    h.shot(page, "historial")
    assert seen["errors"] == [], seen["errors"]
    return folio


def test_operator_files_a_report_for_a_citizen_found_by_name(ui, console, platform, tokens, citizen, wait_assigned):
    folio = ui.run(_operator, console, citizen)
    report = wait_assigned(platform.gateway_url, folio, tokens["supervisor"])
    assert report["petition_type"] == "OP-LAMPARA APAGADA"
    r = requests.get(f"{platform.gateway_url}/v1/reports/{folio}", headers=tokens["operator"], timeout=10)
    assert r.json()["citizen_number"] == citizen["number"]
    assert r.json()["location"]["street"] == "MADERO"


def _keyboard(page, h, base, citizen):
    h.sign_in(page, base, "operator")
    kb = page.keyboard
    page.locator("#buscar-ciudadano").focus()
    kb.type("Martinez Avila")
    # the list answering the whole query (an earlier, partial query's list would be replaced
    # under the focus), once htmx has processed it: htmx shows swapped content at once but
    # wires its buttons when it settles (20 ms later, more on a loaded machine), and a
    # keyboard faster than that presses a button that does nothing yet
    page.locator('#resultados-ciudadano:not(.htmx-settling) ul[data-q="Martinez Avila"]:not(.htmx-added)'
                 ).get_by_role("button", name=re.compile("Elegir a Rosa Elena")).wait_for()
    kb.press("Tab")  # to the first result's «Elegir»
    kb.press("Enter")
    page.locator("#ciudadano .chosen").wait_for()
    page.wait_for_function("document.activeElement && document.activeElement.id === 'petition_type'")
    kb.type("OP-BACHEO")
    page.get_by_text("plazo").wait_for()
    kb.press("Tab")  # origin: keeps 072
    kb.press("Tab")
    kb.type("Bache profundo en el carril derecho")
    for text in ("CENTRO", "HIDALGO", "45", "Frente a la farmacia", "21.1230", "-101.6810"):
        kb.press("Tab")
        kb.type(text)
    focused = page.evaluate("document.activeElement.id")
    assert focused == "lon", focused
    kb.press("Enter")  # submits the form
    page.wait_for_url(re.compile(r"/captura/recibo/\d+$"))
    return int(page.url.rsplit("/", 1)[1]), page.locator("#clave").inner_text().strip()


def test_keyboard_only_capture(ui, console, platform, tokens, citizen, wait_assigned):
    folio, token = ui.run(_keyboard, console, citizen)
    assert token
    report = requests.get(f"{platform.gateway_url}/v1/reports/{folio}", headers=tokens["operator"], timeout=10).json()
    assert report["petition_type"] == "OP-BACHEO" and report["citizen_number"] == citizen["number"]
    assert report["location"] == report["location"] | {"lat": 21.123, "lon": -101.681, "colonia": "CENTRO",
                                                       "street": "HIDALGO", "number": "45"}


def _agency(page, h, base, folio):
    photo = png()
    seen = h.watch(page)
    h.sign_in(page, base, "agency_staff")
    page.goto(base + "/asuntos")
    page.get_by_role("link", name=str(folio), exact=True).wait_for()
    h.axe(page, "Asuntos del día")
    h.shot(page, "asuntos-del-dia")
    page.get_by_role("link", name=str(folio), exact=True).click()
    page.get_by_role("button", name="Iniciar atención").click()
    page.get_by_role("status").get_by_text("Se inició la atención").wait_for()
    page.get_by_label("Qué se hizo").fill("Se revisó el poste: falta el balastro")
    page.get_by_label("Evidencia (fotos o documentos)").set_input_files(
        files=[{"name": "poste.png", "mimeType": "image/png", "buffer": photo}])
    page.get_by_role("button", name="Guardar intervención").click()
    page.get_by_text("La intervención quedó registrada").wait_for()
    page.get_by_label("Compartir con el departamento").select_option("MA|MA-ARBOLADO")
    page.get_by_role("button", name="Compartir", exact=True).click()
    page.get_by_text("El reporte se compartió").wait_for()
    page.get_by_text("MA / MA-ARBOLADO", exact=True).wait_for()  # «Compartido con»
    page.get_by_label("Nota de cierre").fill("Se cambió el balastro y la lámpara enciende")
    page.get_by_role("button", name="Terminar reporte").click()
    page.get_by_text("El reporte quedó terminado").wait_for()
    thumb = page.get_by_role("img", name="Evidencia: poste.png")
    thumb.wait_for()
    page.wait_for_function("img => img.complete && img.naturalWidth === 48", arg=thumb.element_handle())
    assert page.get_by_role("heading", level=1).inner_text().count("Terminado") == 1
    assert page.get_by_role("button", name="Iniciar atención").count() == 0
    h.axe(page, "Reporte")
    h.shot(page, "reporte")
    page.goto(base + "/catalogo")
    h.axe(page, "Catálogo (edición)")
    h.shot(page, "catalogo")
    # the department changes an SLA of its own area: effective at once
    row = page.locator("tr", has_text="OP-LAMPARA INTERMITENTE")
    row.get_by_label("Plazo de OP-LAMPARA INTERMITENTE", exact=True).fill("3")
    row.get_by_role("button", name="Guardar").click()
    page.get_by_role("status").get_by_text("Se guardó «OP-LAMPARA INTERMITENTE»").wait_for()
    assert seen["errors"] == [], seen["errors"]


def test_agency_staff_works_a_report_to_done_with_an_evidence_photo(ui, console, platform, tokens, lamp):
    ui.run(_agency, console, lamp)
    a = requests.get(f"{platform.gateway_url}/v1/reports/{lamp}/assignment", headers=tokens["supervisor"],
                     timeout=10).json()
    assert a["status"] == "done"
    assert [(x["agency"], x["department"]) for x in a["shares"]] == [("MA", "MA-ARBOLADO")]
    kinds = [h["kind"] for h in a["history"]]
    assert kinds[0] == "assigned" and "started" in kinds and kinds[-1] == "finished"
    interventions = requests.get(f"{platform.gateway_url}/v1/reports/{lamp}/interventions",
                                 headers=tokens["supervisor"], timeout=10).json()
    assert [e["filename"] for i in interventions for e in i["evidence"]] == ["poste.png"]
    pt = requests.get(f"{platform.gateway_url}/v1/catalog/petition-types/OP-LAMPARA INTERMITENTE",
                      headers=tokens["supervisor"], timeout=10).json()
    assert pt["sla_amount"] == 3 and pt["version"] == 2


def _supervisor(page, h, base, folio):
    seen = h.watch(page)
    h.sign_in(page, base, "supervisor")
    page.goto(base + "/consultas")
    page.get_by_label("Folios (separados por comas)").fill(str(folio))
    page.get_by_role("button", name="Consultar").click()
    page.wait_for_url(re.compile(r"folios="))
    rows = page.locator("#resultados tbody tr")
    rows.first.wait_for()
    assert rows.count() == 1 and rows.first.get_by_role("link", name=str(folio)).count() == 1
    page.get_by_label("Ocultar nombre del ciudadano").check()
    page.get_by_role("button", name="Consultar").click()
    page.wait_for_url(re.compile(r"hide_citizen_name=true"))
    assert page.get_by_role("columnheader", name="Ciudadano", exact=True).count() == 0
    h.axe(page, "Consultas y reportes")
    h.shot(page, "consultas")
    with page.expect_download() as xlsx:
        page.get_by_role("link", name="Exportar a Excel").click()
    with page.expect_download() as pdf:
        page.get_by_role("link", name="Órdenes de trabajo (PDF)").click()
    xlsx_head = open(xlsx.value.path(), "rb").read(2).decode("latin-1")
    pdf_head = open(pdf.value.path(), "rb").read(5).decode("latin-1")
    page.get_by_label("Vista", exact=True).select_option("detail")
    page.get_by_role("button", name="Consultar").click()
    page.get_by_role("heading", name=re.compile("Vista agrupada")).wait_for()
    h.axe(page, "Consultas agrupadas")
    assert seen["errors"] == [], seen["errors"]
    return xlsx_head, pdf_head, list(seen["js"])


def test_supervisor_filters_consultas_and_exports(ui, console, lamp):
    xlsx, pdf, scripts = ui.run(_supervisor, console, lamp)
    assert xlsx == "PK" and pdf == "%PDF-"
    assert shipped(scripts) <= JS_BUDGET, scripts


def _auditor(page, h, base, folio):
    seen = h.watch(page)
    h.sign_in(page, base, "auditor")
    nav = page.get_by_role("navigation", name="Menú principal")
    assert nav.get_by_role("link", name="Captura").count() == 0
    page.goto(base + "/bitacora")
    page.get_by_label("Acción").fill("auth.login")
    page.get_by_role("button", name="Filtrar").click()
    page.get_by_role("cell", name="auth.login", exact=True).first.wait_for()
    h.axe(page, "Bitácora")
    h.shot(page, "bitacora")
    page.goto(base + f"/reportes/{folio}")
    page.get_by_role("heading", name="Línea de tiempo").wait_for()
    assert page.get_by_role("heading", name="Acciones").count() == 0
    assert page.locator("main form").count() == 0
    # the same request a form would send: the gateway refuses it, nothing changes
    csrf = page.locator("input[name=csrf]").first.input_value()
    page.goto(base + "/captura")
    denied_screen = page.get_by_role("heading", level=1).inner_text()
    r = page.request.post(base + f"/reportes/{folio}/reopen", form={"csrf": csrf, "version": "9", "text": "no"},
                          max_redirects=0)
    page.goto(base + f"/reportes/{folio}")
    flash = page.get_by_role("alert").inner_text()
    page.goto(base + "/administracion")
    denied_admin = page.get_by_role("heading", level=1).inner_text()
    assert seen["errors"] == [], seen["errors"]
    return denied_screen, r.status, flash, denied_admin


def test_auditor_reads_the_audit_log_and_cannot_change_anything(ui, console, platform, tokens, lamp):
    before = requests.get(f"{platform.gateway_url}/v1/reports/{lamp}/assignment", headers=tokens["auditor"],
                          timeout=10).json()
    denied_screen, status, flash, denied_admin = ui.run(_auditor, console, lamp)
    assert denied_screen == "Sin permiso" and denied_admin == "Sin permiso"
    assert status == 303 and flash  # the gateway's refusal, in Spanish, on the report
    after = requests.get(f"{platform.gateway_url}/v1/reports/{lamp}/assignment", headers=tokens["auditor"],
                         timeout=10).json()
    assert after["version"] == before["version"] and after["history"] == before["history"]


def _block_leader(page, h, base, other_folio):
    seen = h.watch(page)
    h.sign_in(page, base, "block_leader")
    assert page.locator("#buscar-ciudadano").count() == 0  # no access to the citizen registry
    assert page.get_by_label("Origen").input_value() == "JEFE DE MANZANA"
    h.fill(page, {"Tipo de petición": "OP-LAMPARA APAGADA", "Descripción": "Lámpara apagada en mi cuadra",
                  "Colonia": "LAS FLORES", "Calle": "ROSAS", "Latitud": "21.13", "Longitud": "-101.69"})
    page.get_by_role("button", name="Registrar reporte").click()
    page.wait_for_url(re.compile(r"/captura/recibo/\d+$"))
    mine = int(page.url.rsplit("/", 1)[1])
    page.get_by_role("link", name="Mis reportes").click()
    page.get_by_role("heading", name="Mis reportes").wait_for()
    folios = [int(x) for x in page.locator("#resultados tbody tr td:first-child").all_inner_texts()]
    h.axe(page, "Mis reportes")
    page.goto(base + f"/reportes/{other_folio}")
    other = page.get_by_role("heading", level=1).inner_text()
    assert seen["errors"] == [], seen["errors"]
    return mine, folios, other


def test_block_leader_files_and_sees_only_their_own(ui, console, lamp):
    mine, folios, other = ui.run(_block_leader, console, lamp)
    assert mine in folios and lamp not in folios
    assert other == "No encontrado"


def _admin_screens(page, h, base):
    seen = h.watch(page)
    h.sign_in(page, base, "admin")
    budgets = {}
    for path, name, heading in (("/administracion", "administracion", "Administración"),
                                ("/jefes", "jefes-de-manzana", "Jefes de manzana"),
                                ("/catalogo", "catalogo-admin", "Catálogo de peticiones"),
                                ("/asuntos", "asuntos-admin", "Asuntos del día"),
                                ("/captura", "captura-admin", "Captura de reporte"),
                                ("/estadistico", "estadistico-admin", "Estadístico"),
                                ("/encuestas", "encuestas-admin", "Encuestas de percepción ciudadana"),
                                ("/modinfo", "modinfo-admin", "MODINFO · Directorio de oficinas"),
                                ("/consultas", "consultas-admin", "Consultas y reportes")):
        seen["js"].clear()
        page.goto(base + path)
        page.get_by_role("heading", name=heading, level=1).wait_for()
        page.wait_for_load_state("networkidle")
        h.axe(page, heading)
        h.shot(page, name)
        budgets[path] = list(seen["js"])
    page.goto(base + "/administracion")
    page.get_by_text("Crear un usuario").click()
    h.fill(page, {"Usuario": "alumbrado.jperez", "Nombre completo": "Juana Pérez", "Dependencia": "OP",
                  "Departamento": "OP-ALUMBRADO", "Contraseña inicial": "una-contraseña-larga-y-secreta-2026"})
    page.get_by_label("Perfil").select_option("agency_staff")
    page.get_by_role("button", name="Crear usuario").click()
    page.get_by_role("status").get_by_text("Se creó el usuario «alumbrado.jperez»").wait_for()
    created = page.get_by_role("cell", name="alumbrado.jperez", exact=True).count()
    page.goto(base + "/no-existe")
    not_found = page.get_by_role("heading", level=1).inner_text()
    h.axe(page, "Error 404")
    page.get_by_role("button", name="Cerrar sesión").click()
    page.wait_for_url(re.compile("/login$"))
    h.axe(page, "Iniciar sesión")
    h.shot(page, "login")
    page.goto(base + "/asuntos")
    back_to_login = page.url.endswith("/login")
    assert seen["errors"] == [], seen["errors"]
    return budgets, not_found, back_to_login, created


def test_admin_screens_accessibility_and_javascript_budget(ui, console):
    budgets, not_found, back_to_login, created = ui.run(_admin_screens, console)
    assert created == 1
    assert not_found == "No encontrado"
    assert back_to_login  # signed out: the session is gone
    sizes = {path: (shipped(scripts), unpacked(scripts)) for path, scripts in budgets.items()}
    assert all(0 < wire <= JS_BUDGET and 0 < parsed <= JS_BUDGET for wire, parsed in sizes.values()), sizes
    


# ------------------------------------------------------------------------------- Estadístico, Encuestas, MODINFO, calendar

def stable_totals(base: str, headers: dict, params: dict, timeout: float = 30) -> dict:
    """status-by-agency once two reads a second apart agree (the projection of the reports
    filed by the journeys above has caught up)."""
    deadline, last = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        r = requests.get(f"{base}/v1/stats/status-by-agency", headers=headers, params=params, timeout=10)
        assert r.status_code == 200, r.text
        if r.json() == last:
            return last
        last = r.json()
        time.sleep(1)
    raise AssertionError("the statistics kept changing")


def _stats(page, h, base):
    seen = h.watch(page)
    h.sign_in(page, base, "supervisor")
    page.get_by_role("navigation", name="Menú principal").get_by_role("link", name="Estadístico").click()
    page.get_by_role("heading", name="Estadístico", level=1).wait_for()
    locale = page.evaluate("[document.documentElement.lang, navigator.language]")
    # a date as people in León type it: dd/mm/aaaa, kept as typed after the search
    page.get_by_label("Desde", exact=True).fill("01/01/2020")
    page.get_by_label("Cumplimiento por", exact=True).select_option("department")
    page.get_by_role("button", name="Ver cifras").click()
    page.wait_for_url(re.compile(r"date_from=01%2F01%2F2020"))
    kept = page.get_by_label("Desde", exact=True).input_value()
    page.get_by_role("heading", name="Cumplimiento por departamento").wait_for()
    page.wait_for_function("document.getElementById('mapa-colonias').getAttribute('data-loaded') !== null")
    colonias = int(page.locator("#mapa-colonias").get_attribute("data-loaded"))
    op_total = page.locator('#t-estatus td[data-total="OP"]').inner_text()
    grand = page.get_by_role("heading", name=re.compile("Reportes por estatus y dependencia")).inner_text()
    charts = page.locator("svg.chart").count()
    date_inputs = page.locator("input[type=date]").count()
    h.axe(page, "Estadístico")
    h.shot(page, "estadistico")
    # agency staff: the same screen, their agency only (stats scopes it)
    page.get_by_role("button", name="Cerrar sesión").click()
    h.sign_in(page, base, "agency_staff")
    page.goto(base + "/estadistico")
    agencies = page.locator("#t-estatus tbody th").all_inner_texts()
    h.axe(page, "Estadístico (dependencia)")
    assert seen["errors"] == [], seen["errors"]
    return {"locale": locale, "kept": kept, "colonias": colonias, "op_total": op_total, "grand": grand,
            "charts": charts, "date_inputs": date_inputs, "agencies": agencies}


def test_statistics_show_the_apis_figures_per_role(ui, console, platform, tokens, lamp):
    expected = stable_totals(platform.gateway_url, tokens["supervisor"], {"date_from": "2020-01-01"})
    got = ui.run(_stats, console)
    assert got["locale"] == ["es-MX", "es-MX"] and got["kept"] == "01/01/2020" and got["date_inputs"] == 0
    op = next(r for r in expected["rows"] if r["key"] == "OP")
    assert got["op_total"] == f"{op['total']:,}" and f"({expected['total']:,})" in got["grand"]
    compliance = requests.get(f"{platform.gateway_url}/v1/stats/compliance", headers=tokens["supervisor"],
                              params={"date_from": "2020-01-01", "group_by": "department"}, timeout=10).json()
    assert got["charts"] == 2 + bool(compliance["rows"]) and got["colonias"] >= 1
    assert got["agencies"] == ["OP"]  # agency staff read their agency only


@pytest.fixture(scope="module")
def surveyed(platform, tokens, citizen, file_report, wait_assigned) -> int:
    """A report of the registered citizen (she has a phone), finished by the department:
    surveys samples it (SURVEY_RATE=1) and queues the call."""
    base = platform.gateway_url
    folio = file_report(base, tokens["operator"], citizen_number=citizen["number"],
                        description="Bache frente a su casa")
    a = wait_assigned(base, folio, tokens["supervisor"])
    for action, body in (("start", {"text": "Cuadrilla en camino"}), ("finish", {"text": "Bache tapado"})):
        r = requests.post(f"{base}/v1/reports/{folio}/{action}", headers=tokens["agency_staff"],
                          json=body | {"version": a["version"]}, timeout=10)
        assert r.status_code == 200, r.text
        a = requests.get(f"{base}/v1/reports/{folio}/assignment", headers=tokens["supervisor"], timeout=10).json()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        cases = requests.get(f"{base}/v1/surveys/cases", headers=tokens["supervisor"],
                             params={"status": "pending"}, timeout=10).json()
        if any(c["folio"] == folio for c in cases):
            return folio
        time.sleep(0.3)
    raise AssertionError(f"folio {folio} never reached the call queue")


def _surveys(page, h, base):
    seen = h.watch(page)
    h.sign_in(page, base, "operator")
    page.get_by_role("navigation", name="Menú principal").get_by_role("link", name="Encuestas").click()
    h.axe(page, "Encuestas (sin llamada)")
    page.get_by_role("button", name="Tomar la siguiente llamada").click()
    page.locator("#caso").wait_for()
    folio = int(page.locator("#caso a").first.inner_text())
    phones = page.locator("#caso a[href^='tel:']").count()
    h.axe(page, "Encuestas (llamada en curso)")
    h.shot(page, "encuestas")
    page.get_by_label("Resultado de la llamada").select_option("no_answer")
    page.get_by_role("button", name="Registrar intento").click()
    page.get_by_role("status").get_by_text(f"Intento registrado para el folio {folio}").wait_for()
    # the supervisor reads the queue: the attempt is there
    page.get_by_role("button", name="Cerrar sesión").click()
    h.sign_in(page, base, "supervisor")
    page.goto(base + "/encuestas")
    row = page.locator(f"#t-cola tr[data-folio='{folio}']")
    attempts = row.locator("td").nth(5).inner_text()
    h.axe(page, "Encuestas (cola)")
    h.shot(page, "encuestas-cola")
    assert seen["errors"] == [], seen["errors"]
    return folio, phones, attempts


def test_a_survey_caller_records_an_attempt(ui, console, platform, tokens, surveyed):
    folio, phones, attempts = ui.run(_surveys, console)
    assert phones >= 1 and attempts.startswith("1 de ")
    cases = requests.get(f"{platform.gateway_url}/v1/surveys/cases", headers=tokens["supervisor"],
                         timeout=10).json()
    case = next(c for c in cases if c["folio"] == folio)
    assert case["attempts"] == 1 and case["taken_by"] is None and case["next_call_at"]


def _modinfo(page, h, base):
    seen = h.watch(page)
    h.sign_in(page, base, "operator")
    page.get_by_role("navigation", name="Menú principal").get_by_role("link", name="MODINFO").click()
    page.get_by_label("Buscar oficina, siglas, palabra clave o trámite").fill("dif")
    page.get_by_role("button", name="Buscar").click()
    office = page.get_by_role("heading", name="Desarrollo Integral de la Familia (DIF)", exact=True)
    office.wait_for()
    channel = page.get_by_label("Origen").first.input_value()
    h.axe(page, "MODINFO")
    h.shot(page, "modinfo")
    page.get_by_role("button", name="Imprimir ticket de Desarrollo Integral de la Familia (DIF)", exact=True).click()
    page.wait_for_url(re.compile(r"/modinfo/ticket/\d+$"))
    number = page.locator("#numero-atencion").inner_text().strip()
    ticket = page.locator("#ticket").inner_text()
    h.axe(page, "Ticket de MODINFO")
    h.shot(page, "modinfo-ticket")
    assert seen["errors"] == [], seen["errors"]
    return number, ticket, channel


def test_modinfo_finds_an_office_and_prints_a_numbered_ticket(ui, console, platform, tokens):
    number, ticket, channel = ui.run(_modinfo, console)
    assert channel == "PRESENCIAL" and re.fullmatch(r"\d{10}", number) and number in ticket and "PLAZA REVOLUCION" in ticket
    r = requests.post(f"{platform.gateway_url}/v1/directory/offices/dif-leon/tickets", headers=tokens["operator"],
                      json={"channel": "VENTANILLA", "format": "text"}, timeout=10)
    assert r.status_code == 200 and int(r.headers["X-Numero-Atencion"]) == int(number) + 1  # the next number


def _calendar(page, h, base, day, action):
    seen = h.watch(page)
    h.sign_in(page, base, "admin")
    page.goto(base + "/administracion")
    section = page.locator("section", has=page.get_by_role("heading", name=re.compile("Calendario municipal")))
    if action == "agregar":
        section.get_by_label("Agregar día inhábil").fill(day)
        section.get_by_role("button", name="Agregar", exact=True).click()
    else:
        section.get_by_role("button", name=f"Quitar el {day}").click()
    flash = page.get_by_role("status").first.inner_text()
    listed = page.locator("#dias-inhabiles li").all_inner_texts()
    if action == "agregar":
        h.axe(page, "Administración (calendario)")
        section.scroll_into_view_if_needed()
        section.screenshot(path=str(h.SHOTS / "calendario.png"))
    assert seen["errors"] == [], seen["errors"]
    return flash, listed


def test_admin_adds_and_removes_a_non_working_day(ui, console, platform, tokens):
    def days():
        return requests.get(f"{platform.gateway_url}/v1/catalog/calendar", headers=tokens["admin"],
                            timeout=10).json()["extra_days_off"]

    flash, listed = ui.run(_calendar, console, "15/06/2029", "agregar")
    assert flash == "El viernes 15/06/2029 es ahora día inhábil." and "2029-06-15" in days()
    assert any(x.startswith("viernes 15/06/2029") for x in listed)
    flash, listed = ui.run(_calendar, console, "15/06/2029", "quitar")
    assert flash == "El viernes 15/06/2029 vuelve a ser día hábil." and "2029-06-15" not in days()
