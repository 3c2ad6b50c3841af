"""Asuntos del día, Consultas y reportes (grouped views, Excel and work-order PDF),
the Reporte screen (timeline and the actions of the role) and the citizen history."""
from __future__ import annotations

import asyncio
import json
from typing import Annotated

from fastapi import APIRouter, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, StreamingResponse

from .. import labels, menu
from ..gateway import GatewayError
from ..web import PostSession, SessionDep, gateway_of, is_htmx, query_without, render, screen, settings_of

router = APIRouter()
Today = screen("/asuntos")
Consultas = screen("/consultas")
History = screen("/historial")

TODAY_PARAMS = ("status", "channel", "kind", "viability", "department")
CONSULTAS_PARAMS = ("date_from", "date_to", "status", "channel", "kind", "viability", "agency", "department",
                    "petition_type", "colonia", "street", "folios", "reassigned_only", "traffic_light", "created_by",
                    "citizen_name", "sex", "age_min", "age_max")
VIEW_PARAMS = ("hide_citizen_data", "hide_citizen_name", "hide_map", "sort")
DATES = ("date_from", "date_to")
MULTI = {"status", "channel", "traffic_light", "petition_type"}
GROUPINGS = {"general": "General (por dependencia)", "detail": "Detalle (dependencia, departamento, petición)",
             "petition_type": "Por tipo de petición", "colonia": "Por colonia", "street": "Por calle",
             "status": "Por estatus", "channel": "Por origen", "traffic_light": "Por semáforo",
             "created_by": "Por usuario"}


def forwarded(request: Request, names: tuple[str, ...]) -> list[tuple[str, str]]:
    """The screen's filters as the gateway's query parameters (empty ones left out)."""
    out = []
    for name in names:
        for value in request.query_params.getlist(name):
            if value.strip():
                if name in DATES:  # typed as dd/mm/aaaa (es-MX); the gateway reads aaaa-mm-dd
                    try:
                        value = labels.iso_day(value)
                    except ValueError as exc:
                        raise GatewayError(422, "fecha_invalida", str(exc)) from None
                out.append((name, value.strip()))
    return out


async def _catalog_choices(request: Request, session) -> dict:
    gw = gateway_of(request)
    channels, agencies = await asyncio.gather(gw.reference(session, "/v1/catalog/channels"),
                                              gw.reference(session, "/v1/catalog/agencies"))
    return {"channels": channels, "agencies": agencies, "statuses": labels.STATUS, "lights": labels.TRAFFIC}


def _pages(request: Request, page: dict) -> dict:
    return {"page": page, "prev_qs": query_without(request, "page", page=page["page"] - 1),
            "next_qs": query_without(request, "page", page=page["page"] + 1)}


@router.get("/asuntos")
async def today(request: Request, session=Today):
    params = forwarded(request, TODAY_PARAMS + VIEW_PARAMS) + [("page", request.query_params.get("page") or "1")]
    listing = gateway_of(request).get(session, "/v1/reports/today", params)
    if is_htmx(request):
        page, choices = await listing, {}
    else:
        page, choices = await asyncio.gather(listing, _catalog_choices(request, session))
    ctx = {"rows": page["items"], "q": request.query_params, "title": "Asuntos del día",
           "subtitle": f"Reportes capturados hoy ({labels.when(page.get('date'), False) or page.get('date')})"} | \
        _pages(request, page)
    if is_htmx(request):
        return render(request, "partials/report_rows.html", ctx)
    return render(request, "today.html", ctx | choices)


@router.get("/consultas")
async def consultas(request: Request, session=Consultas):
    gw = gateway_of(request)
    grouped = request.query_params.get("grouped") or ""
    base = forwarded(request, CONSULTAS_PARAMS + VIEW_PARAMS)
    ctx = {"q": request.query_params, "groupings": GROUPINGS, "grouped": grouped,
           "export_qs": query_without(request, "page", "grouped"),
           "title": "Mis reportes" if session.role == "block_leader" else "Consultas y reportes"}
    if grouped:
        by = [("grouped", grouped)] if grouped in ("general", "detail") else [("group_by", grouped)]
        listing = gw.get(session, "/v1/reports", base + by)
    else:
        listing = gw.get(session, "/v1/reports", base + [("page", request.query_params.get("page") or "1")])
    if is_htmx(request):
        answer, choices = await listing, {}
    else:
        answer, choices = await asyncio.gather(listing, _catalog_choices(request, session))
    ctx |= {"groups": answer} if grouped else {"rows": answer["items"]} | _pages(request, answer)
    if is_htmx(request):
        return render(request, "partials/consultas_results.html", ctx)
    return render(request, "consultas.html", ctx | choices)


async def _proxy(request: Request, session, method: str, path: str, filename: str, **kwargs):
    upstream = await gateway_of(request).stream(session, method, path, **kwargs)
    headers = {"Content-Disposition": upstream.headers.get("content-disposition") or f'attachment; filename="{filename}"'}

    async def body():
        try:
            async for chunk in upstream.aiter_raw():
                yield chunk
        finally:
            await upstream.aclose()

    return StreamingResponse(body(), media_type=upstream.headers.get("content-type"), headers=headers)


@router.get("/consultas/excel")
async def export_excel(request: Request, session=Consultas):
    params = forwarded(request, CONSULTAS_PARAMS + VIEW_PARAMS[:3])
    return await _proxy(request, session, "GET", "/v1/reports/export.xlsx", "consulta.xlsx", params=params)


@router.get("/consultas/ordenes.pdf")
async def export_work_orders(request: Request, session=Consultas):
    filters: dict = {}
    for name, value in forwarded(request, CONSULTAS_PARAMS):
        if name in MULTI:
            filters.setdefault(name, []).append(value)
        elif name in ("reassigned_only",):
            filters[name] = value in ("true", "1", "on")
        else:
            filters[name] = value
    body = {"filters": filters,
            "hide_citizen_data": bool(request.query_params.get("hide_citizen_data")),
            "hide_citizen_name": bool(request.query_params.get("hide_citizen_name"))}
    return await _proxy(request, session, "POST", "/v1/reports/work-orders.pdf", "ordenes-de-trabajo.pdf",
                        json=body)


# --------------------------------------------------------------------------- one report

def timeline(history: list[dict], interventions: list[dict]) -> list[dict]:
    """The report's history, each entry with the intervention it records (text, evidence)."""
    by_id = {i["id"]: i for i in interventions}
    out = []
    for h in history:
        entry = dict(h)
        i = by_id.pop(h.get("intervention_id"), None) if h.get("intervention_id") else None
        if i:
            entry["text"] = i.get("text") or h.get("text")
            entry["evidence"] = i.get("evidence", [])
        out.append(entry)
    for i in by_id.values():  # interventions the history does not name
        out.append({"kind": "intervention", "author": i["author"], "at": i["at"], "text": i["text"],
                    "evidence": i.get("evidence", []), "agency": i["agency"], "department": i["department"]})
    return sorted(out, key=lambda e: e["at"])


def actions_for(role: str, status: str) -> list[str]:
    if role not in menu.ACTING_ROLES:
        return []
    acts = {"captured": ["start", "intervention", "not_viable", "reassign", "share"],
            "in_progress": ["intervention", "finish", "not_viable", "reassign", "share"],
            "done": [], "not_viable": []}.get(status, [])
    if status in ("done", "not_viable") and role in menu.REOPENING_ROLES:
        acts = ["reopen"]
    return acts


@router.get("/reportes/{folio:int}")
async def report(request: Request, folio: int, session: SessionDep):
    gw = gateway_of(request)
    assignment, interventions, departments = None, [], []
    if session.role in menu.ACTING_ROLES:  # the departments for reassign/share, in the same round
        rep, assignment, interventions, departments = await asyncio.gather(
            gw.get(session, f"/v1/reports/{folio}"), gw.get(session, f"/v1/reports/{folio}/assignment"),
            gw.get(session, f"/v1/reports/{folio}/interventions"), gw.get(session, "/v1/catalog/departments"))
    elif session.role == "auditor":
        rep, assignment, interventions = await asyncio.gather(
            gw.get(session, f"/v1/reports/{folio}"), gw.get(session, f"/v1/reports/{folio}/assignment"),
            gw.get(session, f"/v1/reports/{folio}/interventions"))
    else:
        rep = await gw.get(session, f"/v1/reports/{folio}")
    history = (assignment or rep).get("history", [])
    status = (assignment or rep)["status"]
    ctx = {"r": rep, "a": assignment, "events": timeline(history, interventions),
           "actions": actions_for(session.role, status), "status": status, "version": (assignment or {}).get("version"),
           "departments": departments, "center": settings_of(request).map_center}
    return render(request, "report.html", ctx)


ACTIONS = {"start": ("start", "text", "Se inició la atención."),
           "finish": ("finish", "text", "El reporte quedó terminado."),
           "not_viable": ("not-viable", "reason", "El reporte quedó como no viable."),
           "reopen": ("reopen", "reason", "El reporte se reabrió."),
           "reassign": ("reassign", "reason", "El reporte se reasignó."),
           "share": ("share", None, "El reporte se compartió."),
           "intervention": ("interventions", "text", "La intervención quedó registrada.")}


@router.post("/reportes/{folio:int}/{action}")
async def act(request: Request, folio: int, action: str, session: PostSession):
    if action not in ACTIONS:
        return RedirectResponse(f"/reportes/{folio}", status_code=303)
    path, text_field, done = ACTIONS[action]
    form = await request.form()
    text = str(form.get("text") or "").strip()
    files = [f for f in form.getlist("files") if isinstance(f, UploadFile) or hasattr(f, "filename")]
    files = [f for f in files if getattr(f, "filename", "")]
    body: dict = {}
    if action != "intervention":
        version = str(form.get("version") or "")
        body["version"] = int(version) if version.isdigit() else None
    if text_field and text:
        body[text_field] = text
    if action in ("reassign", "share"):
        agency, _, department = str(form.get("target") or "").partition("|")
        body |= {"agency": agency, "department": department}
    gw = gateway_of(request)
    url = f"/v1/reports/{folio}/{path}"
    try:
        if action == "intervention" and not text:
            raise GatewayError(422, "texto_requerido", "Escriba qué se hizo en la intervención.")
        if files and action in ("intervention", "finish"):
            data = {k: str(v) for k, v in body.items() if v is not None}
            upload = [("files", (f.filename, await f.read(), f.content_type or "application/octet-stream"))
                      for f in files]
            await gw.json(session, "POST", url, data=data, files=upload)
        else:
            await gw.post(session, url, body)
        session.say("ok", done)
    except GatewayError as exc:
        session.say("error", exc.detail)
    return RedirectResponse(f"/reportes/{folio}", status_code=303)


@router.get("/reportes/{folio:int}/evidencia/{evidence_id:int}")
async def evidence(request: Request, folio: int, evidence_id: int, session: SessionDep):
    return await _proxy(request, session, "GET", f"/v1/reports/{folio}/evidence/{evidence_id}", "evidencia")


@router.get("/reportes/{folio:int}/orden.pdf")
async def work_order(request: Request, folio: int, session: SessionDep):
    return await _proxy(request, session, "GET", f"/v1/reports/{folio}/work-order.pdf", f"orden-{folio}.pdf")


# --------------------------------------------------------------------------- citizen history

@router.get("/historial")
async def history(request: Request, numero: Annotated[str, Query(max_length=30)] = "",
                  nombre: Annotated[str, Query(max_length=200)] = "", folio: Annotated[str, Query(max_length=30)] = "",
                  session=History):
    gw = gateway_of(request)
    ctx: dict = {"numero": numero, "nombre": nombre, "folio": folio, "page": None}
    page_no = request.query_params.get("page") or "1"
    try:
        if folio.strip().isdigit():
            rep = await gw.get(session, f"/v1/reports/{int(folio)}")
            if rep.get("citizen_number"):
                numero = str(rep["citizen_number"])
            else:
                ctx["notice"] = f"El folio {folio} no tiene ciudadano registrado."
        if numero.strip().isdigit():
            page = await gw.get(session, f"/v1/citizens/{int(numero)}/reports", {"page": page_no})
            ctx |= {"citizen": page.get("citizen")} | _pages(request, page)
        elif nombre.strip():
            page = await gw.get(session, "/v1/citizens/reports", {"name": nombre.strip(), "page": page_no})
            ctx |= {"numbers": page.get("citizen_numbers")} | _pages(request, page)
    except GatewayError as exc:
        ctx["notice"] = exc.detail
    return render(request, "history.html", ctx)


@router.get("/reportes.geojson")
async def reports_geojson(request: Request, session=Consultas):
    """The page of Consultas as points for the map (no personal data)."""
    params = forwarded(request, CONSULTAS_PARAMS) + [("hide_citizen_data", "true"), ("per_page", "200")]
    page = await gateway_of(request).get(session, "/v1/reports", params)
    features = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [r["lon"], r["lat"]]},
                 "properties": {"traffic_light": r.get("traffic_light"),
                                "label": f"Folio {r['folio']} · {r['petition_type']} · {labels.STATUS.get(r['status'], r['status'])}"}}
                for r in page["items"] if r.get("lat") is not None and r.get("lon") is not None]
    return StreamingResponse(iter([json.dumps({"type": "FeatureCollection", "features": features},
                                              ensure_ascii=False)]), media_type="application/geo+json")


@router.get("/reportes/{folio:int}.geojson")
async def report_geojson(request: Request, folio: int, session: SessionDep):
    r = await gateway_of(request).get(session, f"/v1/reports/{folio}")
    loc = r.get("location") or {}
    features = [] if loc.get("lat") is None else [{
        "type": "Feature", "geometry": {"type": "Point", "coordinates": [loc["lon"], loc["lat"]]},
        "properties": {"traffic_light": r.get("traffic_light"), "label": f"Folio {folio} · {loc.get('street', '')}"}}]
    return StreamingResponse(iter([json.dumps({"type": "FeatureCollection", "features": features},
                                              ensure_ascii=False)]), media_type="application/geo+json")
