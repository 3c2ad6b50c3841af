"""Encuestas: the satisfaction-survey calls over the gateway's /v1/surveys. Callers
(operators, supervisors, admins) take the next sampled report, record each attempt and,
when the citizen answers, the questionnaire (a «no» to the verification question reopens
the report, in surveys); supervisors, admins and auditors also read the queue and the
results. The case being called stays in the server-side session until it is finished."""
from __future__ import annotations

import asyncio
import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse

from .. import labels, menu
from ..gateway import GatewayError
from ..web import PostSession, gateway_of, render, screen

router = APIRouter()
Surveys = screen("/encuestas")

OUTCOMES = {"answered": "Contestó", "no_answer": "No contestó", "call_back": "Pidió que se le llame después",
            "wrong_number": "Número equivocado", "refused": "No quiso contestar"}
CASE_STATUS = {"pending": "Pendiente", "completed": "Contestada", "not_located": "No localizado",
               "refused": "Rechazó", "excluded": "Excluido"}
EXCLUSION = {"opposed": "Oposición ARCO", "cancelled": "Cancelación ARCO", "no_phone": "Sin teléfono",
             "reopened": "Reabierto antes de llamar"}
SOURCE = {"phone": "Teléfono", "app": "App / web"}
REOPEN = {"reopened": "El reporte se reabrió.", "out_of_window": "No se reabrió: fuera del plazo de reapertura.",
          "not_closed": "El reporte ya no estaba cerrado.", "forbidden": "No se pudo reabrir (sin permiso); se "
                                                                          "reintentará.",
          "failed": "No se pudo reabrir ahora; se reintentará."}


def call_back_at(day: str, time: str) -> str:
    """dd/mm/aaaa and HH:MM in the city's time → ISO 8601 with offset (``ValueError``)."""
    d = labels.parse_day(day)
    if d is None:
        raise ValueError("Indique el día para volver a llamar (dd/mm/aaaa).")
    try:
        hh, mm = (int(x) for x in (time or "").strip().split(":"))
        at = dt.time(hh, mm)
    except (ValueError, TypeError):
        raise ValueError("Indique la hora para volver a llamar como HH:MM (24 horas), p. ej. 17:30.") from None
    return dt.datetime.combine(d, at, tzinfo=labels.CITY_TZ).isoformat()


def answers_of(questions: list[dict], form) -> dict:
    """The questionnaire's answers from the form, typed as surveys expects them (scale 1–5 as
    a number, yes/no as true/false, a choice, text); unanswered questions are left out and
    surveys says which ones were required."""
    out: dict = {}
    for q in questions:
        raw = str(form.get("q_" + q["id"]) or "").strip()
        if not raw:
            continue
        if q["kind"] == "scale":
            out[q["id"]] = int(raw) if raw.isdigit() else raw
        elif q["kind"] == "yes_no":
            out[q["id"]] = raw == "si"
        else:
            out[q["id"]] = raw
    return out


@router.get("/encuestas")
async def surveys(request: Request, status: Annotated[str, Query(max_length=20)] = "",
                  period: Annotated[str, Query(max_length=7)] = "", session=Surveys):
    gw = gateway_of(request)
    ctx: dict = {"case": session.survey_case, "outcomes": OUTCOMES, "case_status": CASE_STATUS,
                 "exclusion": EXCLUSION, "source": SOURCE, "status": status, "period": period,
                 "caller": session.role in menu.SURVEY_CALLERS, "reader": session.role in menu.SURVEY_READERS}
    if ctx["reader"]:
        params = {"limit": 100} | ({"status": status} if status in CASE_STATUS else {}) | \
            ({"period": period} if period else {})
        try:
            ctx["cases"], ctx["summary"] = await asyncio.gather(
                gw.get(session, "/v1/surveys/cases", params),
                gw.get(session, "/v1/surveys/summary", {"period": period} if period else None))
        except GatewayError as exc:
            ctx |= {"cases": [], "summary": {"rows": []}, "notice": exc.detail}
    return render(request, "surveys.html", ctx)


@router.post("/encuestas/siguiente")
async def take_next(request: Request, session: PostSession):
    if session.survey_case is not None:
        session.say("error", f"Termine primero la llamada del folio {session.survey_case['folio']}.")
        return RedirectResponse("/encuestas", status_code=303)
    try:
        out = await gateway_of(request).post(session, "/v1/surveys/queue/next")
        session.survey_case = out.get("case")
        if session.survey_case is None:
            session.say("info", "No hay llamadas pendientes en la muestra.")
    except GatewayError as exc:
        session.say("error", exc.detail)
    return RedirectResponse("/encuestas", status_code=303)


@router.post("/encuestas/{folio:int}/intento")
async def attempt(request: Request, folio: int, session: PostSession):
    form = await request.form()
    outcome = str(form.get("outcome") or "")
    body: dict = {"outcome": outcome}
    try:
        if outcome == "call_back":
            body["call_back_at"] = call_back_at(str(form.get("call_back_day") or ""),
                                                str(form.get("call_back_time") or ""))
        case = await gateway_of(request).post(session, f"/v1/surveys/cases/{folio}/attempts", body)
    except ValueError as exc:
        session.say("error", str(exc))
        return RedirectResponse("/encuestas", status_code=303)
    except GatewayError as exc:
        session.say("error", exc.detail)
        if exc.status in (404, 409):  # no longer held by this user: nothing left to do with it here
            session.survey_case = None
        return RedirectResponse("/encuestas", status_code=303)
    held = session.survey_case
    if outcome == "answered" and held and held.get("folio") == folio:
        held["answered"] = True
        session.say("ok", "Se registró que contestó: capture sus respuestas.")
    else:
        session.survey_case = None
        state = CASE_STATUS.get(case.get("status"), case.get("status"))
        session.say("ok", f"Intento registrado para el folio {folio} ({OUTCOMES.get(outcome, outcome)}): "
                          f"{case.get('attempts')} de {case.get('max_attempts')} intentos; estado: {state}.")
    return RedirectResponse("/encuestas", status_code=303)


@router.post("/encuestas/{folio:int}/respuestas")
async def answers(request: Request, folio: int, session: PostSession):
    held = session.survey_case
    if not held or held.get("folio") != folio or not held.get("questionnaire"):
        session.say("error", "Esa llamada ya no está en curso.")
        return RedirectResponse("/encuestas", status_code=303)
    form = await request.form()
    q = held["questionnaire"]
    body = {"answers": answers_of(q["questions"], form), "questionnaire_version": q["version"]}
    try:
        out = await gateway_of(request).post(session, f"/v1/surveys/cases/{folio}/answers", body)
    except GatewayError as exc:
        session.say("error", exc.detail)
        if exc.status == 409 or exc.status == 404:
            session.survey_case = None
        return RedirectResponse("/encuestas", status_code=303)
    session.survey_case = None
    score = f"; calificación {out['score']:.1f}" if out.get("score") is not None else ""
    reopen = " " + REOPEN.get(out.get("reopen_status"), "") if out.get("reopen_status") else ""
    session.say("ok", f"Encuesta del folio {folio} registrada{score}.{reopen}")
    return RedirectResponse("/encuestas", status_code=303)
