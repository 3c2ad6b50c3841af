"""Catálogo (the user's area; editable by agency staff and admins), Jefes de manzana
(roster and map), Administración (users, API keys, dead letters) and Bitácora."""
from __future__ import annotations

import asyncio
import json
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from .. import labels, menu
from ..gateway import GatewayError, error_of
from ..web import PostSession, gateway_of, query_without, render, screen

router = APIRouter()
Catalog = screen("/catalogo")
Leaders = screen("/jefes")
Admin = screen("/administracion")
Audit = screen("/bitacora")
PER_PAGE = 50


@router.get("/catalogo")
async def catalog(request: Request, q: Annotated[str, Query(max_length=200)] = "",
                  agency: Annotated[str, Query(max_length=60)] = "", session=Catalog):
    params = {"limit": 1000} | ({"q": q} if q else {}) | ({"agency": agency} if agency else {})
    page = await gateway_of(request).get(session, "/v1/catalog/petition-types", params)
    return render(request, "catalog.html", {"types": page["items"], "total": page["total"], "q": q, "agency": agency,
                                            "editable": session.role in menu.CATALOG_EDITORS})


@router.post("/catalogo/editar")
async def catalog_edit(request: Request, session: PostSession):
    form = await request.form()
    code = str(form.get("code") or "")
    body: dict = {"version": int(form["version"]) if str(form.get("version") or "").isdigit() else None,
                  "active": form.get("active") == "true"}
    amount = str(form.get("sla_amount") or "").strip()
    if amount:
        if not amount.isdigit():
            session.say("error", "El plazo es un número entero de días u horas.")
            return RedirectResponse("/catalogo", status_code=303)
        body["sla_amount"] = int(amount)
    if form.get("sla_unit"):
        body["sla_unit"] = str(form["sla_unit"])
    try:
        await gateway_of(request).json(session, "PATCH", "/v1/catalog/petition-types/" + quote(code, safe=""),
                                       json=body)
        session.say("ok", f"Se guardó «{code}»; el cambio aplica de inmediato.")
    except GatewayError as exc:
        session.say("error", exc.detail)
    return RedirectResponse("/catalogo?q=" + quote(code), status_code=303)


@router.get("/jefes")
async def leaders(request: Request, colonia: Annotated[str, Query(max_length=120)] = "", session=Leaders):
    params = {"reason": "Padrón de jefes de manzana", "limit": 200} | ({"colonia": colonia} if colonia else {})
    roster = await gateway_of(request).get(session, "/v1/block-leaders", params)
    return render(request, "leaders.html", {"roster": roster, "colonia": colonia})


@router.get("/jefes/mapa.geojson")
async def leaders_map(request: Request, session=Leaders):
    r = await gateway_of(request).request(session, "GET", "/v1/block-leaders.geojson")
    if r.status_code >= 400:
        raise error_of(r)
    data = r.json()
    for f in data.get("features", []):
        p = f["properties"]
        p["label"] = f"Manzana {p.get('block') or ''} · {p.get('colonia') or ''} · {p.get('report_count', 0)} reporte(s)"
    return Response(json.dumps(data, ensure_ascii=False), media_type="application/geo+json")


@router.get("/administracion")
async def admin(request: Request, session=Admin):
    gw = gateway_of(request)
    users, keys, dead, calendar = await asyncio.gather(gw.get(session, "/v1/users", {"limit": 200}),
                                                       gw.get(session, "/v1/admin/api-keys", {"limit": 200}),
                                                       gw.get(session, "/v1/admin/dead-letters", {"limit": 50}),
                                                       gw.get(session, "/v1/catalog/calendar"))
    return render(request, "admin.html", {"users": users, "keys": keys, "dead": dead, "calendar": calendar,
                                          "weekdays": labels.WEEKDAYS, "roles": menu.ROLE_NAMES})


def changed_days(days: list[str], action: str, day: str) -> list[str]:
    """The calendar's extra days off after adding or removing ``day`` (ISO), sorted."""
    out = set(days)
    if action == "agregar":
        out.add(day)
    else:
        out.discard(day)
    return sorted(out)


@router.post("/administracion/calendario/{action}")
async def calendar_day(request: Request, action: str, session: PostSession):
    """Adds or removes a non-working day: the calendar as read now, changed, sent back
    (the gateway keeps what is not sent; due dates of new reports use it at once)."""
    form = await request.form()
    gw = gateway_of(request)
    try:
        if action not in ("agregar", "quitar"):
            raise ValueError("Acción desconocida.")
        day = labels.iso_day(str(form.get("day") or ""))
        if day is None:
            raise ValueError("Escriba el día inhábil como dd/mm/aaaa.")
        current = await gw.get(session, "/v1/catalog/calendar")
        days = current.get("extra_days_off") or []
        if action == "agregar" and day in days:
            raise ValueError(f"El {labels.dmy(day)} ya es día inhábil.")
        await gw.json(session, "PATCH", "/v1/catalog/calendar",
                      json={"extra_days_off": changed_days(days, action, day)})
        session.say("ok", f"El {labels.long_day(day)} " + ("es ahora día inhábil." if action == "agregar"
                                                           else "vuelve a ser día hábil."))
    except ValueError as exc:
        session.say("error", str(exc))
    except GatewayError as exc:
        session.say("error", exc.detail)
    return RedirectResponse("/administracion#h-calendario", status_code=303)


@router.post("/administracion/usuarios")
async def create_user(request: Request, session: PostSession):
    form = await request.form()
    body = {k: str(form.get(k) or "").strip() for k in ("username", "full_name", "role", "agency", "department")}
    body = {k: v or None for k, v in body.items()} | {"password": str(form.get("password") or "")}
    try:
        created = await gateway_of(request).post(session, "/v1/users", body)
        session.say("ok", f"Se creó el usuario «{created['username']}».")
    except GatewayError as exc:
        session.say("error", exc.detail)
    return RedirectResponse("/administracion", status_code=303)


@router.post("/administracion/claves/{key_id:int}/revocar")
async def revoke_key(request: Request, key_id: int, session: PostSession):
    try:
        await gateway_of(request).json(session, "DELETE", f"/v1/admin/api-keys/{key_id}")
        session.say("ok", "La clave quedó revocada.")
    except GatewayError as exc:
        session.say("error", exc.detail)
    return RedirectResponse("/administracion", status_code=303)


@router.post("/administracion/mensajes-muertos/reenviar")
async def replay(request: Request, session: PostSession):
    try:
        out = await gateway_of(request).post(session, "/v1/admin/dead-letters/replay", {"all": True})
        session.say("ok", f"Mensajes reenviados: {len(out.get('replayed', []))}; con error: {len(out.get('failed', []))}.")
    except GatewayError as exc:
        session.say("error", exc.detail)
    return RedirectResponse("/administracion", status_code=303)


@router.get("/bitacora")
async def audit(request: Request, actor: Annotated[str, Query(max_length=120)] = "",
                action: Annotated[str, Query(max_length=120)] = "", target: Annotated[str, Query(max_length=200)] = "",
                page: Annotated[int, Query(ge=1, le=10000)] = 1, session=Audit):
    params = {"limit": PER_PAGE, "offset": (page - 1) * PER_PAGE} | {
        k: v for k, v in {"actor": actor, "action": action, "target": target}.items() if v}
    log = await gateway_of(request).get(session, "/v1/audit", params)
    pages = max(1, -(-log["total"] // PER_PAGE))
    return render(request, "audit.html", {
        "log": log, "actor": actor, "action": action, "target": target,
        "page": {"page": page, "pages": pages, "total": log["total"]},
        "prev_qs": query_without(request, "page", page=page - 1),
        "next_qs": query_without(request, "page", page=page + 1)})
