"""MODINFO: the guide of government offices (the gateway's /v1/directory). Staff search
offices by name, acronym, keyword or trámite and print a ticket with the next Número de
Atención for the citizen in front of them (directory counts every print); auditors only
search. The text ticket stays in the server-side session and is shown printable; the PDF
formats (80 mm, carta) stream from the gateway as they are."""
from __future__ import annotations

import asyncio
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from .. import menu
from ..gateway import GatewayError, error_of
from ..web import PostSession, SessionDep, gateway_of, query_without, render, screen

router = APIRouter()
Directory = screen("/modinfo")
PER_PAGE = 20
LEVELS = ("MUNICIPAL", "PARAMUNICIPAL", "ESTATAL", "FEDERAL", "OTROS ORGANISMOS")
FORMATS = {"text": "Ticket en pantalla (impresora de tickets)", "thermal": "PDF 80 mm", "a4": "PDF carta"}
DEFAULT_CHANNEL = "PRESENCIAL"  # the front desk, where tickets are printed most


@router.get("/modinfo")
async def directory(request: Request, q: Annotated[str, Query(max_length=200)] = "",
                    level: Annotated[str, Query(max_length=20)] = "",
                    page: Annotated[int, Query(ge=1, le=5000)] = 1, session=Directory):
    gw = gateway_of(request)
    params = {"limit": PER_PAGE, "offset": (page - 1) * PER_PAGE} | ({"q": q.strip()} if q.strip() else {}) | \
        ({"level": level} if level in LEVELS else {})
    found, channels = await asyncio.gather(gw.get(session, "/v1/directory/offices", params),
                                           gw.reference(session, "/v1/catalog/channels"))
    pages = max(1, -(-found["total"] // PER_PAGE))
    active = [c for c in channels if c.get("active", True)]
    codes = [c["code"] for c in active]
    return render(request, "directory.html", {
        "q": q, "level": level, "levels": LEVELS, "offices": found["items"], "total": found["total"],
        "formats": FORMATS, "channels": active,
        "channel": DEFAULT_CHANNEL if DEFAULT_CHANNEL in codes else (codes[0] if codes else ""),
        "printer": session.role in menu.TICKET_PRINTERS,
        "page": {"page": page, "pages": pages, "total": found["total"]},
        "prev_qs": query_without(request, "page", page=page - 1),
        "next_qs": query_without(request, "page", page=page + 1)})


@router.post("/modinfo/{office_id}/ticket")
async def print_ticket(request: Request, office_id: str, session: PostSession):
    form = await request.form()
    fmt = str(form.get("format") or "text")
    body = {"channel": str(form.get("channel") or DEFAULT_CHANNEL), "format": fmt if fmt in FORMATS else "text"}
    back = "/modinfo?q=" + quote(str(form.get("q") or ""))
    gw = gateway_of(request)
    try:
        r = await gw.request(session, "POST", f"/v1/directory/offices/{quote(office_id, safe='')}/tickets", json=body)
        if r.status_code >= 400:
            raise error_of(r)
    except GatewayError as exc:
        session.say("error", exc.detail)
        return RedirectResponse(back, status_code=303)
    number = r.headers.get("x-numero-atencion", "")
    if body["format"] != "text":  # the gateway's PDF, inline: the browser's viewer prints it
        return Response(r.content, media_type=r.headers.get("content-type", "application/pdf"),
                        headers={"Content-Disposition": f'inline; filename="ticket-{number}.pdf"'})
    session.tickets[number] = {"number": number, "text": r.text, "office_id": office_id, "channel": body["channel"],
                               "back": back}
    while len(session.tickets) > 20:  # the latest ones are enough to print again
        session.tickets.pop(next(iter(session.tickets)))
    return RedirectResponse(f"/modinfo/ticket/{quote(number)}", status_code=303)


@router.get("/modinfo/ticket/{number}")
async def ticket(request: Request, number: str, session: SessionDep):
    t = session.tickets.get(number)
    if t is None:
        raise GatewayError(404, "no_encontrado", "Ese ticket no se imprimió en esta sesión.")
    return render(request, "ticket.html", {"t": t})
