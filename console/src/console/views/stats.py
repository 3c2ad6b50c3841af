"""Estadístico: compliance by agency, department or petition type, counts by status and
by channel, the colonia map and the monthly closures, from the gateway's /v1/stats (stats
decides the scope: agency staff read their agency only). Charts are server-rendered SVG
(``charts``): no chart library, no inline style."""
from __future__ import annotations

import asyncio
import datetime as dt
import json
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from .. import charts, labels, menu
from ..gateway import GatewayError
from ..web import PostSession, gateway_of, query_without, render, screen
from .reports import _proxy

router = APIRouter()
Stats = screen("/estadistico")

GROUPS = {"agency": "Dependencia", "department": "Departamento", "petition_type": "Tipo de petición"}
TABLES = {"cumplimiento": "/v1/stats/compliance", "estatus": "/v1/stats/status-by-agency",
          "canales": "/v1/stats/shares", "colonias": "/v1/stats/geography", "cierres": "/v1/stats/closures"}


def stats_params(request: Request) -> tuple[list[tuple[str, str]], dict, list[str]]:
    """The screen's filters as the gateway's parameters, the values for the form, and the
    errors of dates that are not dates (dd/mm/aaaa)."""
    q = request.query_params
    form = {k: (q.get(k) or "").strip() for k in ("date_from", "date_to", "agency", "por", "year")}
    if "date_from" not in q and "date_to" not in q:  # first visit: the year so far
        form["date_from"] = dt.date.today().replace(month=1, day=1).strftime("%d/%m/%Y")
    params, errors = [], []
    for name in ("date_from", "date_to"):
        try:
            day = labels.iso_day(form[name])
        except ValueError as exc:
            errors.append(str(exc))
            continue
        if day:
            params.append((name, day))
    if form["agency"]:
        params.append(("agency", form["agency"]))
    if form["por"] not in GROUPS:
        form["por"] = "agency"
    return params, form, errors


@router.get("/estadistico")
async def statistics(request: Request, session=Stats):
    gw = gateway_of(request)
    params, form, errors = stats_params(request)
    year = form["year"] if form["year"].isdigit() else str(dt.date.today().year)
    closures_params = [("year", year)] + [p for p in params if p[0] == "agency"]
    compliance, by_status, channels, closures, agencies = await asyncio.gather(
        gw.get(session, TABLES["cumplimiento"], params + [("group_by", form["por"])]),
        gw.get(session, TABLES["estatus"], params),
        gw.get(session, TABLES["canales"], params + [("group_by", "channel")]),
        gw.get(session, TABLES["cierres"], closures_params),
        gw.reference(session, "/v1/catalog/agencies"))
    qs = query_without(request, "year")
    ctx = {"form": form | {"year": year}, "errors": errors, "groups": GROUPS, "agencies": agencies,
           "compliance": compliance, "by_status": by_status, "channels": channels, "closures": closures["rows"],
           "compliance_chart": charts.compliance(compliance["rows"]),
           "status_chart": charts.stacked(by_status["rows"], labels.STATUS),
           "channel_chart": charts.bars(channels["rows"]),
           "map_qs": qs, "export_qs": qs, "may_close": session.role in menu.CLOSERS,
           "scoped": session.role == "agency_staff", "last_month": _last_month()}
    return render(request, "stats.html", ctx)


def _last_month() -> str:
    first = dt.date.today().replace(day=1)
    return (first - dt.timedelta(days=1)).strftime("%Y-%m")


@router.get("/estadistico/colonias.geojson")
async def colonias_map(request: Request, session=Stats):
    """The colonias as circles sized by their reports (stats' centroids; no personal data)."""
    params, _, errors = stats_params(request)
    geo = await gateway_of(request).get(session, TABLES["colonias"], params + [("level", "colonia")])
    features = geo["geojson"]["features"]
    top = max((f["properties"].get("total") or 0 for f in features), default=0)
    for f in features:
        p = f["properties"]
        total = p.get("total") or 0
        p["radius"] = charts.radius(total, top)
        p["label"] = (f"{p.get('key')}: {labels.number(total)} reporte(s), lugar {p.get('rank')}; "
                      f"cumplimiento {labels.percent(p.get('share_on_time'))}")
    return Response(json.dumps(geo["geojson"], ensure_ascii=False), media_type="application/geo+json")


@router.get("/estadistico/exportar/{table}.xlsx")
async def export(request: Request, table: str, session=Stats):
    """A table of the screen as Excel, written by the gateway (Spanish headings)."""
    if table not in TABLES:
        raise GatewayError(404, "no_encontrado", "No existe esa tabla.")
    params, form, _ = stats_params(request)
    extra = {"cumplimiento": [("group_by", form["por"])], "canales": [("group_by", "channel")],
             "colonias": [("level", "colonia")]}.get(table, [])
    if table == "cierres":
        params = [p for p in params if p[0] == "agency"] + ([("year", form["year"])] if form["year"].isdigit() else [])
    return await _proxy(request, session, "GET", TABLES[table], f"{table}.xlsx",
                        params=params + extra + [("format", "xlsx")])


@router.get("/estadistico/cierres/{agency}/{month}.pdf")
async def closure_pdf(request: Request, agency: str, month: str,
                      version: Annotated[int | None, Query(ge=1, le=10_000)] = None, session=Stats):
    params = {"format": "pdf"} | ({"version": version} if version else {})
    return await _proxy(request, session, "GET", f"/v1/stats/closures/{agency}/{month}", f"cierre-{agency}-{month}.pdf",
                        params=params)


@router.post("/estadistico/cierres")
async def generate_closure(request: Request, session: PostSession):
    form = await request.form()
    body = {"agency": str(form.get("agency") or "").strip(), "month": str(form.get("month") or "").strip()}
    reason = str(form.get("reason") or "").strip()
    if reason:
        body["reason"] = reason
    try:
        out = await gateway_of(request).post(session, "/v1/stats/closures", body)
        session.say("ok", f"Se generó el cierre de {out['agency']} de {labels.month_name(out['month'])} "
                          f"(versión {out['version']}).")
    except GatewayError as exc:
        session.say("error", exc.detail)
    return RedirectResponse("/estadistico?year=" + body["month"][:4] if body["month"][:4].isdigit()
                            else "/estadistico", status_code=303)
