"""The Estadístico, Encuestas, MODINFO and the calendar of Administración against a
gateway that answers as the real one documents (httpx.MockTransport: the console's own
rendering and request building, no platform). The browser tests drive them for real."""
from __future__ import annotations

import asyncio
import datetime as dt
import json
import re

import httpx
import pytest
from fastapi.testclient import TestClient

from console import charts, labels, menu
from console.app import create_app
from console.gateway import Gateway
from console.sessions import COOKIE, SessionStore
from console.settings import Settings
from console.views.admin import changed_days
from console.views.surveys import answers_of, call_back_at

COMPLIANCE = {"group_by": "agency", "rows": [
    {"key": "OP", "finished": 120, "on_time": 96, "share_on_time": 0.8, "ci95_low": 0.72, "ci95_high": 0.86,
     "mean_hours": 70.2, "median_hours": 50.5, "mean_business_hours": 21.3, "median_business_hours": 16.4,
     "open_overdue": 4},
    {"key": "SIAP", "finished": 0, "on_time": 0, "share_on_time": None, "ci95_low": None, "ci95_high": None,
     "mean_hours": None, "median_hours": None, "mean_business_hours": None, "median_business_hours": None,
     "open_overdue": 2}]}
STATUS = {"group_by": "agency", "total": 1300, "statuses": ["captured", "in_progress", "done", "not_viable"],
          "rows": [{"key": "OP", "total": 1234, "captured": 34, "in_progress": 100, "done": 1080, "not_viable": 20},
                   {"key": "MA", "total": 66, "captured": 6, "in_progress": 10, "done": 50, "not_viable": 0}]}
SHARES = {"total": 1300, "rows": [{"key": "072", "total": 700, "done": 600, "share": 0.5385, "percent": 53.85},
                                  {"key": "VENTANILLA", "total": 600, "done": 530, "share": 0.4615, "percent": 46.16}]}
GEO = {"rows": [], "geojson": {"type": "FeatureCollection", "features": [
    {"type": "Feature", "geometry": {"type": "Point", "coordinates": [-101.68, 21.12]},
     "properties": {"key": "CENTRO", "total": 40, "rank": 1, "share_on_time": 0.75}},
    {"type": "Feature", "geometry": {"type": "Point", "coordinates": [-101.66, 21.13]},
     "properties": {"key": "LAS FLORES", "total": 10, "rank": 2, "share_on_time": None}}]}}
CLOSURES = {"rows": [{"id": 1, "agency": "OP", "month": "2026-11", "version": 1, "reason": None,
                      "generated_by": "supervisor", "generated_at": "2026-12-01T06:00:00+00:00"}]}
QUESTIONNAIRE = {"code": "percepcion-ciudadana", "version": 1, "title": "Encuesta de Percepción Ciudadana",
                 "questions": [{"id": "satisfaccion", "kind": "scale", "text": "Del 1 al 5, ¿cómo califica la atención?"},
                               {"id": "resuelto", "kind": "yes_no", "text": "¿Se resolvió su reporte?",
                                "verification": True},
                               {"id": "medio_preferido", "kind": "choice", "text": "¿Qué medio prefiere?",
                                "options": ["Línea 072", "App"]},
                               {"id": "comentarios", "kind": "text", "text": "¿Algún comentario?", "required": False}]}
CASE = {"folio": 77, "period": "2026-12", "status": "pending", "exclusion": None, "attempts": 0, "max_attempts": 3,
        "first_attempt_at": None, "next_call_at": None, "taken_by": "operator", "taken_until": None,
        "closed_at": None, "report": {"agency": "OP", "department": "OP-ALUMBRADO", "petition_type": "OP-BACHEO",
                                      "channel": "072", "finished_at": "2026-12-05T16:00:00+00:00"},
        "citizen": {"citizen_number": 5, "full_name": "Rosa Elena Martínez", "phones": ["4775550101"]},
        "questionnaire": QUESTIONNAIRE}
OFFICE = {"id": "dif-leon", "name": "Desarrollo Integral de la Familia (DIF)", "acronym": "DIF",
          "level": "PARAMUNICIPAL", "street": "PLAZA REVOLUCION", "ext_number": "107", "colonia": "SAN JUAN DE DIOS",
          "postal_code": "37004", "city": "León, Gto.", "phones": ["477-215-63-00"], "extensions": [],
          "hours": "8:00 AM A 3:00 PM", "procedures": ["Credencial de discapacidad"], "active": True,
          "match": "siglas"}
LEADER = {"id": 1, "kind": "manzana", "block": "M-12", "colonia": "Centro", "status": "suspended",
          "username": "jm.ana", "location": {"lat": 19.43, "lon": -99.13}, "accredited_on": "2025-03-15",
          "contact": {"full_name": "Ana Ruiz Pérez", "phone": "5512345678", "email": None}}


class FakeGateway:
    """Answers by path, and keeps every request the console sent."""

    def __init__(self):
        self.sent: list[httpx.Request] = []
        self.calendar = {"weekend_days": [5, 6], "extra_days_off": ["2026-11-02"], "workday_start": "08:00",
                         "workday_end": "15:00", "tz": "America/Mexico_City"}

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request)
        path, method = request.url.path, request.method
        body = json.loads(request.content) if request.content and method in ("POST", "PATCH") else None
        table = {"/v1/stats/compliance": COMPLIANCE, "/v1/stats/status-by-agency": STATUS,
                 "/v1/stats/shares": SHARES, "/v1/stats/closures": CLOSURES, "/v1/stats/geography": GEO,
                 "/v1/catalog/agencies": [{"code": "OP", "name": "Obra Pública"}],
                 "/v1/catalog/petition-types": {"items": [{"code": "OP-BACHEO", "name": "BACHEO", "active": True}],
                                                "total": 1},
                 "/v1/catalog/channels": [{"code": "072", "name": "072", "active": True},
                                          {"code": "PRESENCIAL", "name": "ATENCIÓN PRESENCIAL", "active": True}],
                 "/v1/surveys/cases": [CASE | {"agency": "OP", "department": "OP-ALUMBRADO"}],
                 "/v1/surveys/summary": {"rows": [{"agency": "OP", "source": "phone", "surveys": 3, "mean_score": 4.5,
                                                   "resolved_yes": 2, "resolved_no": 1, "reopened": 1}]},
                 "/v1/surveys/queue/next": {"case": CASE},
                 "/v1/directory/offices": {"items": [OFFICE], "total": 1, "limit": 20, "offset": 0},
                 "/v1/users": {"items": [], "total": 0}, "/v1/admin/api-keys": {"items": [], "total": 0},
                 "/v1/admin/dead-letters": {"items": [], "total": 0},
                 "/v1/block-leaders": {"items": [LEADER], "total": 1, "limit": 200, "offset": 0}}
        if path == "/v1/catalog/calendar":
            if method == "PATCH":
                self.calendar |= body
            return httpx.Response(200, json=self.calendar)
        if path == "/v1/reports" and method == "POST":
            return httpx.Response(201, json={"folio": 321, "tracking_token": "clave-321", "status": "captured",
                                             "due_at": "2026-12-10T15:00:00-06:00"})
        if path.endswith("/attempts"):
            return httpx.Response(200, json=CASE | {"attempts": 1, "status": "pending"})
        if path.endswith("/answers"):
            return httpx.Response(200, json={"survey_id": 9, "score": 4.0, "resolved": False,
                                             "reopen_status": "reopened"})
        if path.endswith("/tickets"):
            return httpx.Response(200, text="DIF\nNÚMERO DE ATENCIÓN:\n0000000042\n",
                                  headers={"X-Numero-Atencion": "0000000042", "content-type": "text/plain"})
        if path in table:
            return httpx.Response(200, json=table[path])
        return httpx.Response(404, json={"code": "no_encontrado", "detail": "No existe."})


@pytest.fixture
def gw():
    return FakeGateway()


def signed_in(gw: FakeGateway, role: str, agency: str | None = None) -> TestClient:
    app = create_app(Settings(gateway_url="http://gateway.invalid", environment="development"),
                     Gateway("http://gateway.invalid", transport=httpx.MockTransport(gw)))
    c = TestClient(app, follow_redirects=False)
    s = app.state.sessions.create("tok", "ref", {"role": role, "full_name": "Ana", "agency": agency,
                                                 "username": role})
    c.cookies.set(COOKIE, s.id)
    c.session = s
    return c


def no_inline(html: str) -> None:
    assert not re.search(r"<script(?![^>]*\bsrc=)", html) and " style=" not in html and "<style" not in html


def test_dates_read_and_write_as_dd_mm_aaaa():
    assert labels.iso_day("02/11/2026") == "2026-11-02" and labels.iso_day("2026-11-02") == "2026-11-02"
    assert labels.iso_day("") is None and labels.dmy("2026-11-02") == "02/11/2026"
    assert labels.long_day("2026-11-02") == "lunes 02/11/2026" and labels.month_name("2026-11") == "noviembre de 2026"
    for bad in ("31/02/2026", "11/2026", "02-11-26", "mañana"):
        with pytest.raises(ValueError, match="dd/mm/aaaa"):
            labels.iso_day(bad)
    assert call_back_at("04/12/2026", "17:30") == "2026-12-04T17:30:00-06:00"
    with pytest.raises(ValueError, match="HH:MM"):
        call_back_at("04/12/2026", "5 pm")


def test_charts_are_percent_geometry_within_the_chart():
    c = charts.compliance(COMPLIANCE["rows"])
    op, siap = c["rows"]
    assert op["w"] == pytest.approx(charts.BAR_SPAN * 0.8) and op["level"] == "good"
    assert op["lo"] < charts.LABEL_COLUMN + op["w"] < op["hi"] and op["text"] == "80.0 % de 120"
    assert siap["w"] == 0 and "2 vencido(s)" in siap["text"]
    s = charts.stacked(STATUS["rows"], labels.STATUS)
    widest = s["rows"][0]
    assert sum(seg["w"] for seg in widest["segments"]) == pytest.approx(charts.BAR_SPAN, abs=0.05)
    assert all(seg["x"] + seg["w"] <= charts.LABEL_COLUMN + charts.BAR_SPAN + 0.05 for seg in widest["segments"])
    assert charts.bars(SHARES["rows"])["rows"][1]["text"] == "600 (46.2 %)"
    assert charts.radius(40, 40) == 25 and charts.radius(0, 40) == 5


def test_estadistico_renders_charts_tables_and_passes_the_filters(gw):
    with signed_in(gw, "supervisor") as c:
        r = c.get("/estadistico", params={"date_from": "01/11/2026", "date_to": "30/11/2026", "por": "department"})
    assert r.status_code == 200, r.text
    no_inline(r.text)
    assert "htmx.min.js" not in r.text and "leaflet.js" in r.text  # the map screen stays under the JS budget
    assert r.text.count('<svg class="chart"') == 3 and "Cumplimiento por departamento" in r.text
    assert 'data-total="OP">1,234<' in r.text and "80.0 %" in r.text and "noviembre de 2026" in r.text
    assert "Generar cierre" in r.text  # supervisors generate closures
    compliance = next(q for q in gw.sent if q.url.path == "/v1/stats/compliance")
    assert dict(compliance.url.params) == {"date_from": "2026-11-01", "date_to": "2026-11-30",
                                           "group_by": "department"}


def test_estadistico_for_agency_staff_and_auditors(gw):
    with signed_in(gw, "agency_staff", "OP") as c:
        html = c.get("/estadistico").text
        assert "Cifras de su dependencia (OP)" in html and 'id="agency"' not in html and "Generar cierre" not in html
        first = next(q for q in gw.sent if q.url.path == "/v1/stats/status-by-agency")  # first visit: the year so far
        assert dict(first.url.params) == {"date_from": f"{dt.date.today().year}-01-01"}
    with signed_in(gw, "auditor") as c:
        r = c.get("/estadistico", params={"date_from": "31/02/2026"})
        assert r.status_code == 200 and "dd/mm/aaaa" in r.text and "Generar cierre" not in r.text
    with signed_in(gw, "operator") as c:
        assert c.get("/estadistico").status_code == 403


def test_the_colonia_map_sizes_circles_by_reports(gw):
    with signed_in(gw, "supervisor") as c:
        geo = c.get("/estadistico/colonias.geojson").json()
    centro, flores = geo["features"]
    assert centro["properties"]["radius"] == 25 and flores["properties"]["radius"] < 25
    assert centro["properties"]["label"].startswith("CENTRO: 40 reporte(s), lugar 1; cumplimiento 75.0 %")


def test_a_survey_call_from_taking_it_to_the_answers(gw):
    with signed_in(gw, "operator") as c:
        csrf = c.session.csrf
        html = c.get("/encuestas").text
        assert "Tomar la siguiente llamada" in html and "Cola de llamadas" not in html  # operators only call
        assert c.post("/encuestas/siguiente", data={"csrf": csrf}).status_code == 303
        html = c.get("/encuestas").text
        assert "Rosa Elena Martínez" in html and "4775550101" in html and "Registrar intento" in html
        c.post("/encuestas/77/intento", data={"csrf": csrf, "outcome": "answered"})
        html = c.get("/encuestas").text
        assert "Encuesta de Percepción Ciudadana" in html and "un «No» reabre el reporte" in html
        c.post("/encuestas/77/respuestas", data={"csrf": csrf, "q_satisfaccion": "4", "q_resuelto": "no",
                                                  "q_medio_preferido": "App", "q_comentarios": ""})
        html = c.get("/encuestas").text
        assert "Encuesta del folio 77 registrada; calificación 4.0. El reporte se reabrió." in html
        assert c.session.survey_case is None
    answers = json.loads(next(q for q in gw.sent if q.url.path.endswith("/answers")).content)
    assert answers == {"answers": {"satisfaccion": 4, "resuelto": False, "medio_preferido": "App"},
                       "questionnaire_version": 1}


def test_a_call_back_attempt_sends_the_citys_time_and_frees_the_case(gw):
    with signed_in(gw, "supervisor") as c:
        csrf = c.session.csrf
        c.post("/encuestas/siguiente", data={"csrf": csrf})
        c.post("/encuestas/77/intento", data={"csrf": csrf, "outcome": "call_back", "call_back_day": "04/12/2026",
                                             "call_back_time": "17:30"})
        html = c.get("/encuestas").text
        assert "Intento registrado para el folio 77" in html and 'id="t-cola"' in html and "Reabiertos" in html
    sent = json.loads(next(q for q in gw.sent if q.url.path.endswith("/attempts")).content)
    assert sent == {"outcome": "call_back", "call_back_at": "2026-12-04T17:30:00-06:00"}


def test_answers_are_typed_as_the_questionnaire_says():
    form = {"q_satisfaccion": "5", "q_resuelto": "si", "q_medio_preferido": "", "q_comentarios": "Gracias"}
    assert answers_of(QUESTIONNAIRE["questions"], form) == {"satisfaccion": 5, "resuelto": True,
                                                            "comentarios": "Gracias"}


def test_modinfo_search_and_a_printable_ticket(gw):
    with signed_in(gw, "operator") as c:
        html = c.get("/modinfo", params={"q": "dif"}).text
        assert "Desarrollo Integral de la Familia" in html and "coincide por siglas" in html
        assert "Imprimir ticket" in html and '<option value="PRESENCIAL" selected>ATENCIÓN PRESENCIAL</option>' in html
        assert "(DIF) (DIF)" not in html  # the acronym once, when the name already has it
        r = c.post("/modinfo/dif-leon/ticket", data={"csrf": c.session.csrf, "channel": "PRESENCIAL",
                                                    "format": "text", "q": "dif"})
        assert r.headers["location"] == "/modinfo/ticket/0000000042"
        html = c.get(r.headers["location"]).text
        assert "0000000042" in html and "NÚMERO DE ATENCIÓN" in html and "data-print" in html
        no_inline(html)
    sent = json.loads(next(q for q in gw.sent if q.url.path.endswith("/tickets")).content)
    assert sent == {"channel": "PRESENCIAL", "format": "text"}
    with signed_in(gw, "auditor") as c:  # auditors search; directory lets them print nothing
        assert "Imprimir ticket" not in c.get("/modinfo").text
        assert c.get("/modinfo/ticket/0000000042").status_code == 404


def test_the_calendar_adds_and_removes_non_working_days(gw):
    assert changed_days(["2026-11-02"], "agregar", "2026-12-12") == ["2026-11-02", "2026-12-12"]
    assert changed_days(["2026-11-02"], "quitar", "2026-11-02") == []
    with signed_in(gw, "admin") as c:
        html = c.get("/administracion").text
        assert "lunes 02/11/2026" in html and "sábado y domingo" in html
        c.post("/administracion/calendario/agregar", data={"csrf": c.session.csrf, "day": "12/12/2026"})
        assert gw.calendar["extra_days_off"] == ["2026-11-02", "2026-12-12"]
        html = c.get("/administracion").text
        assert "El sábado 12/12/2026 es ahora día inhábil." in html
        c.post("/administracion/calendario/quitar", data={"csrf": c.session.csrf, "day": "2026-11-02"})
        assert gw.calendar["extra_days_off"] == ["2026-12-12"]
        c.post("/administracion/calendario/agregar", data={"csrf": c.session.csrf, "day": "12/13/2026"})
        assert "dd/mm/aaaa" in c.get("/administracion").text and gw.calendar["extra_days_off"] == ["2026-12-12"]


def test_consultas_dates_are_typed_dd_mm_aaaa_and_sent_as_iso():
    seen = []

    def answer(request):
        seen.append(request)
        if request.url.path == "/v1/reports":
            return httpx.Response(200, json={"items": [], "total": 0, "page": 1, "pages": 1})
        return httpx.Response(200, json=[])
    app = create_app(Settings(gateway_url="http://gateway.invalid", environment="development"),
                     Gateway("http://gateway.invalid", transport=httpx.MockTransport(answer)))
    with TestClient(app, follow_redirects=False) as c:
        s = app.state.sessions.create("tok", "ref", {"role": "supervisor", "full_name": "Ana", "agency": None})
        c.cookies.set(COOKIE, s.id)
        r = c.get("/consultas", params={"date_from": "01/12/2026", "date_to": "07/12/2026"})
        assert r.status_code == 200 and 'value="01/12/2026"' in r.text and 'type="date"' not in r.text
        listing = next(q for q in seen if q.url.path == "/v1/reports")
        assert listing.url.params["date_from"] == "2026-12-01" and listing.url.params["date_to"] == "2026-12-07"
        r = c.get("/consultas", params={"date_from": "2026/12/01"})
        assert r.status_code == 422 and "dd/mm/aaaa" in r.text


def test_new_screens_in_the_menus():
    assert "Estadístico" in [x for _, x in menu.menu_for("agency_staff")]
    assert "Encuestas" not in [x for _, x in menu.menu_for("agency_staff")]
    assert [x for _, x in menu.menu_for("block_leader")] == ["Captura", "Mis reportes"]
    assert {"Estadístico", "Encuestas", "MODINFO"} <= {x for _, x in menu.menu_for("auditor")}


def test_reference_data_is_read_once_per_ttl_for_each_role_and_agency():
    calls = []

    def answer(request):
        calls.append(request.url.path)
        return httpx.Response(200, json=[{"code": "072", "name": "072"}])

    class Clock:
        now = 0.0

        def __call__(self):
            return self.now

    clock = Clock()
    gw = Gateway("http://gateway.invalid", transport=httpx.MockTransport(answer), reference_ttl=60, clock=clock)
    store = SessionStore(60)
    op, op2 = (store.create("t", "r", {"role": "operator", "agency": None}) for _ in range(2))
    staff = store.create("t", "r", {"role": "agency_staff", "agency": "OP"})

    async def run():
        for s in (op, op2, staff, op):
            assert await gw.reference(s, "/v1/catalog/channels") == [{"code": "072", "name": "072"}]
        clock.now = 61
        await gw.reference(op, "/v1/catalog/channels")
        await gw.close()
    asyncio.run(run())
    assert len(calls) == 3  # operator once, agency staff once, operator again after the TTL
    off = Gateway("http://gateway.invalid", transport=httpx.MockTransport(answer), reference_ttl=0)
    asyncio.run(off.reference(op, "/v1/catalog/channels"))
    asyncio.run(off.reference(op, "/v1/catalog/channels"))
    assert len(calls) == 5


def test_a_report_is_filed_without_a_point_and_a_half_point_is_refused(gw):
    """Coordinates are optional (intake places the report by its colonia): both or neither."""
    form = {"petition_type": "OP-BACHEO", "channel": "072", "description": "Bache frente a la escuela",
            "colonia": "CENTRO", "street": "MADERO", "number": "12", "lat": "", "lon": ""}
    with signed_in(gw, "operator") as c:
        r = c.post("/captura", data=form | {"csrf": c.session.csrf, "lat": "21.12"})
        assert r.status_code == 422 and "Escriba la latitud y la longitud, o deje las dos vacías" in r.text
        assert not [q for q in gw.sent if q.url.path == "/v1/reports"]  # nothing filed
        r = c.post("/captura", data=form | {"csrf": c.session.csrf})
        assert r.status_code == 303 and r.headers["location"] == "/captura/recibo/321"
    (filed,) = [json.loads(q.content) for q in gw.sent if q.url.path == "/v1/reports"]
    assert filed["location"] | {} == {"lat": None, "lon": None, "colonia": "CENTRO", "street": "MADERO",
                                      "number": "12", "references": None}


def test_the_block_leader_roster_reads_contact_data_with_a_reason_and_in_spanish(gw):
    with signed_in(gw, "supervisor") as c:
        html = c.get("/jefes").text
    sent = next(r for r in gw.sent if r.url.path == "/v1/block-leaders")
    assert sent.url.params["reason"] == "Padrón de jefes de manzana"
    row = re.search(r"<tbody>(.*?)</tbody>", html, re.S).group(1)
    cells = [re.sub(r"<[^>]+>", "", x).strip() for x in re.findall(r"<td>(.*?)</td>", row, re.S)]
    assert cells == ["Ana Ruiz Pérez", "5512345678", "Jefe(a) de manzana", "Centro", "M-12", "jm.ana", "Suspendido"]
