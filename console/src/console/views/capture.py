"""Captura: the operator (or block leader) files a report while talking to the citizen —
find or register the citizen, see their history, choose the petition type by typing
(with its SLA), place it on the map, file, and print the receipt."""
from __future__ import annotations

import asyncio
import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse

from .. import labels
from ..gateway import GatewayError, error_of
from ..web import PostSession, gateway_of, render, screen, settings_of

router = APIRouter(prefix="/captura")
Capturer = screen("/captura")
#: roles that may search and register citizens (the gateway's citizen writers)
CITIZEN_WRITERS = {"operator", "supervisor", "admin"}
BLOCK_LEADER_CHANNEL = "JEFE DE MANZANA"
REASON = "Captura de reporte"


async def _form_data(request: Request, session) -> dict:
    gw = gateway_of(request)
    types, channels = await asyncio.gather(
        gw.get(session, "/v1/catalog/petition-types", {"active": "true", "limit": 1000}),
        gw.reference(session, "/v1/catalog/channels"))
    return {"types": types["items"], "channels": [c for c in channels if c.get("active")]}


def _page(request, session, data: dict, values: dict | None = None, error: str | None = None, status: int = 200):
    values = values or {}
    settings = settings_of(request)
    return render(request, "capture.html", data | {
        "v": values, "error": error, "idem": values.get("idempotency_key") or secrets.token_urlsafe(16),
        "citizens_allowed": session.role in CITIZEN_WRITERS, "fixed_channel":
            BLOCK_LEADER_CHANNEL if session.role == "block_leader" else None,
        "center": settings.map_center}, status=status)


@router.get("")
async def capture_form(request: Request, session=Capturer):
    return _page(request, session, await _form_data(request, session), {"channel": "072"})


@router.get("/ciudadanos")
async def search_citizens(request: Request, q: Annotated[str, Query(max_length=200)] = "", session=Capturer):
    q = q.strip()
    if len(q) < 2:
        return render(request, "partials/citizen_results.html", {"items": None, "q": q})
    found = await gateway_of(request).get(session, "/v1/citizens", {"q": q, "reason": REASON, "limit": 10})
    return render(request, "partials/citizen_results.html", {"items": found["items"], "q": q})


@router.get("/ciudadano/{number:int}")
async def choose_citizen(request: Request, number: int, session=Capturer):
    gw = gateway_of(request)
    person, history = await asyncio.gather(gw.get(session, f"/v1/citizens/{number}", {"reason": REASON}),
                                           gw.get(session, f"/v1/citizens/{number}/reports", {"per_page": 5}))
    return render(request, "partials/citizen_chosen.html", {"c": person, "history": history})


@router.post("/ciudadanos")
async def register_citizen(request: Request, session: PostSession,
                           given_names: Annotated[str, Form()] = "", first_surname: Annotated[str, Form()] = "",
                           second_surname: Annotated[str, Form()] = "", phone: Annotated[str, Form()] = "",
                           sex: Annotated[str, Form()] = "", birth_date: Annotated[str, Form()] = "",
                           colonia: Annotated[str, Form()] = "", street: Annotated[str, Form()] = "",
                           number: Annotated[str, Form()] = "", consent: Annotated[str, Form()] = "",
                           force: Annotated[str, Form()] = ""):
    if session.role not in CITIZEN_WRITERS:
        return render(request, "partials/error.html", {"message": "Su perfil no registra ciudadanos."})
    try:
        born = labels.iso_day(birth_date)
    except ValueError as exc:
        return render(request, "partials/error.html", {"message": str(exc)})
    body = {"given_names": given_names.strip(), "first_surname": first_surname.strip(),
            "second_surname": second_surname.strip() or None, "sex": sex or None, "birth_date": born,
            "phones": [phone] if phone.strip() else [], "consent": consent == "si",
            "privacy_notice_version": "2026-01", "channel": "072",
            "address": {"colonia": colonia.strip() or None, "street": street.strip() or None,
                        "number": number.strip() or None}}
    if not body["given_names"] or not body["first_surname"]:
        return render(request, "partials/error.html", {"message": "Escriba al menos el nombre y el primer apellido."})
    gw = gateway_of(request)
    r = await gw.request(session, "POST", "/v1/citizens", json=body, params={"force": "true"} if force else None)
    if r.status_code == 409:
        return render(request, "partials/citizen_duplicates.html", {"items": r.json().get("duplicates", [])})
    if r.status_code >= 400:
        return render(request, "partials/error.html", {"message": error_of(r).detail})
    created = r.json()
    history = await gw.get(session, f"/v1/citizens/{created['number']}/reports", {"per_page": 5})
    return render(request, "partials/citizen_chosen.html", {"c": created, "history": history, "new": True})


@router.get("/tipo")
async def petition_type(request: Request, petition_type: Annotated[str, Query(max_length=120)] = "",
                        session=Capturer):
    code = petition_type.strip()
    if not code:
        return render(request, "partials/type_info.html", {"pt": None})
    try:
        pt = await gateway_of(request).get(session, "/v1/catalog/petition-types/" + code)
    except GatewayError:
        return render(request, "partials/type_info.html", {"pt": None, "unknown": code})
    return render(request, "partials/type_info.html", {"pt": pt})


def coordinates(lat: str, lon: str) -> tuple[float | None, float | None, str | None]:
    """The point of a report, optional: both numbers or neither (without a point, intake
    places the report by its colonia, which must then be one of the catalog's). Returns
    (lat, lon, error)."""
    if not lat and not lon:
        return None, None, None
    if not lat or not lon:
        return None, None, "Escriba la latitud y la longitud, o deje las dos vacías si no se conoce el punto."
    try:
        return float(lat), float(lon), None
    except ValueError:
        return None, None, "La latitud y la longitud son números (por ejemplo 21.1221 y -101.6824)."


@router.post("")
async def file_report(request: Request, session: PostSession):
    form = await request.form()
    v = {k: str(form.get(k) or "").strip() for k in (
        "petition_type", "channel", "description", "colonia", "street", "number", "references", "lat", "lon",
        "citizen_number", "idempotency_key")}
    if session.role == "block_leader":
        v["channel"] = BLOCK_LEADER_CHANNEL
    missing = [label for key, label in (("petition_type", "tipo de petición"), ("description", "descripción"),
                                        ("colonia", "colonia"), ("street", "calle")) if not v[key]]
    lat, lon, error = coordinates(v["lat"], v["lon"])
    if missing:
        error = "Falta: " + ", ".join(missing) + "."
    if error:
        return _page(request, session, await _form_data(request, session), v, error, status=422)
    body = {"petition_type": v["petition_type"], "channel": v["channel"] or "072", "description": v["description"],
            "location": {"lat": lat, "lon": lon, "colonia": v["colonia"], "street": v["street"],
                         "number": v["number"] or None, "references": v["references"] or None},
            "citizen_number": int(v["citizen_number"]) if v["citizen_number"].isdigit() else None}
    try:
        created = await gateway_of(request).post(session, "/v1/reports", body,
                                                 headers={"Idempotency-Key": v["idempotency_key"] or
                                                          secrets.token_urlsafe(16)})
    except GatewayError as exc:
        return _page(request, session, await _form_data(request, session), v, exc.detail,
                     status=exc.status if exc.status < 500 else 502)
    session.receipts[created["folio"]] = created | {"description": v["description"], "colonia": v["colonia"],
                                                    "street": v["street"], "number": v["number"],
                                                    "channel": body["channel"]}
    return RedirectResponse(f"/captura/recibo/{created['folio']}", status_code=303)


@router.get("/recibo/{folio:int}")
async def receipt(request: Request, folio: int, session=Capturer):
    r = session.receipts.get(folio)
    if r is None:  # the tracking token is shown once, to whoever filed it in this session
        return render(request, "error.html", {"status": 404, "title": "Sin comprobante",
                                              "message": f"No hay comprobante del folio {folio} en esta sesión."},
                      status=404)
    return render(request, "receipt.html", {"r": r})
