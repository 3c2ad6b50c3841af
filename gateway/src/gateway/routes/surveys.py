"""/v1/surveys/…: satisfaction surveys over the surveys service's RPCs.

The gateway authenticates and passes the actor; surveys decides what each role may do
(operators and supervisors call; supervisors and admins edit questionnaires; auditors,
supervisors and admins read everything and audit the sample; agency staff read their
agency's results). Two routes need no login: the periods' commitments (public by design:
the sample is auditable by anyone) and the citizen's own rating, for which the folio's
tracking token is checked here as tracking does, and the citizen acts as
``Actor.citizen(folio)``."""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from ..auth import PUBLIC, CurrentUser, actor_of, audit_event, citizen_actor
from ..exports import service_file
from ..params import MAX_BIGINT, Folio, Offset

router = APIRouter(prefix="/v1/surveys", tags=["encuestas"])

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PERIOD = r"^20\d\d-(0[1-9]|1[0-2])$"
PathPeriod = Annotated[str, Path(pattern=PERIOD, description="periodo AAAA-MM, p. ej. 2026-11")]
Code = Annotated[str, Path(pattern=r"^[a-z][a-z0-9-]{1,59}$", description="clave del cuestionario")]
OptPeriod = Annotated[str | None, Query(pattern=PERIOD, description="periodo AAAA-MM")]
Agency = Annotated[str | None, Query(pattern=r"^[A-Za-z0-9_-]{1,40}$", description="clave de la dependencia, p. ej. OP")]


async def surveys(request: Request, method: str, *args, **kwargs):
    return await request.app.state.call("surveys", method, *args, **kwargs)


# --------------------------------------------------------------------------- bodies

class AuditIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"folios": [373742, 373745, 373751]}]})
    folios: list[Annotated[int, Field(ge=1, le=MAX_BIGINT)]] | None = Field(
        default=None, max_length=1_000_000,
        description="los folios que terminaron en el periodo según el auditor (p. ej. de la exportación de "
                    "Consultas); sin ella, los que surveys registró")


class AttemptIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"outcome": "no_answer"}, {"outcome": "call_back", "call_back_at": "2026-12-04T17:00:00-06:00"}]})
    outcome: Literal["answered", "no_answer", "wrong_number", "refused", "call_back"]
    call_back_at: dt.datetime | None = Field(default=None, description="con call_back: cuándo volver a llamar")


class AnswersIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "questionnaire_version": 1,
        "answers": {"calidad_informacion": 4, "tiempo_atencion": 3, "confianza": 4, "satisfaccion": 5,
                    "resuelto": True, "medio_preferido": "Línea 072", "comentarios": "Gracias"}}]})
    answers: dict[str, Any] = Field(description="{pregunta: respuesta}: escala 1–5, true/false, una opción o texto")
    questionnaire_version: int | None = Field(default=None, ge=1, le=1_000_000,
                                              description="la versión del cuestionario usada (por omisión la última)")


class Question(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")
    kind: Literal["scale", "yes_no", "choice", "text"]
    text: str = Field(min_length=3, max_length=300)
    required: bool | None = None
    options: list[Annotated[str, Field(min_length=1, max_length=120)]] | None = Field(default=None, max_length=20)
    verification: bool | None = None
    indicator: str | None = Field(default=None, min_length=1, max_length=80)


class QuestionnaireIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "title": "Encuesta de Percepción Ciudadana",
        "questions": [
            {"id": "satisfaccion", "kind": "scale", "text": "Del 1 al 5, ¿cómo califica la atención que le brindó "
                                                            "la dependencia que atendió su reporte?"},
            {"id": "resuelto", "kind": "yes_no", "text": "¿Se resolvió su reporte?", "verification": True},
            {"id": "comentarios", "kind": "text", "text": "¿Desea agregar algún comentario?", "required": False}]}]})
    title: str = Field(min_length=3, max_length=200)
    questions: list[Question] = Field(min_length=1, max_length=40)


class FollowUpIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"folio": 373741, "kind": "follow_up", "note": "Se confirmó con el ciudadano que ya se recogió"}]})
    folio: int = Field(ge=1, le=MAX_BIGINT)
    kind: Literal["follow_up", "verification", "callback"]
    note: str | None = Field(default=None, max_length=1000, description="sin datos personales")


class RatingIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"token": "K7Q2M9XA", "score": 5, "comment": "La lámpara quedó arreglada al día siguiente"}]})
    token: str = Field(min_length=4, max_length=64, description="la clave que recibió con el folio")
    score: int = Field(ge=1, le=5, description="calificación del 1 al 5")
    comment: str | None = Field(default=None, max_length=1000)


# --------------------------------------------------------------------------- the sample and its audit

@router.get("/periods", summary="Periodos de la muestra: compromiso (SHA-256 del secreto) y tasas publicados antes "
                                "de iniciar; el secreto, al terminar (público)")
async def list_periods(request: Request) -> list[dict[str, Any]]:
    return await surveys(request, "list_periods", PUBLIC)


@router.get("/periods/{period}/decisions", summary="Las decisiones de muestreo de un periodo, para recalcularlas "
                                                   "(auditoría, supervisión, administración)")
async def period_decisions(period: PathPeriod, request: Request, user: CurrentUser) -> dict[str, Any]:
    return await surveys(request, "period_decisions", actor_of(user), period)


@router.post("/periods/{period}/audit", summary="Recalcula la muestra de un periodo terminado con su secreto "
                                                "revelado y la compara con lo decidido y llamado")
async def audit_period(period: PathPeriod, request: Request, user: CurrentUser,
                       body: AuditIn | None = None) -> dict[str, Any]:
    folios = body.folios if body is not None else None
    out = await surveys(request, "audit_period", actor_of(user), period, folios)
    await audit_event(request, "surveys.audited", target=f"survey-period:{period}",
                      detail={"matches": out["matches"], "mismatches": len(out["mismatches"]),
                              "own_list": folios is not None})
    return out


# --------------------------------------------------------------------------- the call queue

@router.post("/queue/next", summary="Tomar el siguiente reporte de la muestra para llamar (con el teléfono del "
                                    "ciudadano, lectura registrada «encuesta»)")
async def take_next(request: Request, user: CurrentUser) -> dict[str, Any]:
    case = await surveys(request, "take_next", actor_of(user))
    if case is not None:
        await audit_event(request, "survey.taken", target=f"report:{case['folio']}",
                          detail={"citizen_number": case["citizen"]["citizen_number"]})
    return {"case": case}


@router.post("/cases/{folio}/attempts", summary="Registrar un intento de llamada y su resultado")
async def record_attempt(folio: Folio, body: AttemptIn, request: Request, user: CurrentUser) -> dict[str, Any]:
    back = body.call_back_at.isoformat() if body.call_back_at else None
    return await surveys(request, "record_attempt", actor_of(user), folio, body.outcome, back)


@router.post("/cases/{folio}/answers", summary="Registrar las respuestas de la encuesta (un «no» a «¿Se resolvió "
                                               "su reporte?» lo reabre)")
async def submit_answers(folio: Folio, body: AnswersIn, request: Request, user: CurrentUser) -> dict[str, Any]:
    out = await surveys(request, "submit_answers", actor_of(user), folio, body.answers, body.questionnaire_version)
    await audit_event(request, "survey.completed", target=f"report:{folio}",
                      detail={"survey_id": out["survey_id"], "resolved": out["resolved"],
                              "reopen_status": out["reopen_status"]})
    return out


@router.get("/cases", summary="La cola de llamadas y sus resultados (supervisión, administración, auditoría)")
async def list_cases(request: Request, user: CurrentUser, period: OptPeriod = None,
                     status: Literal["pending", "completed", "not_located", "refused", "excluded"] | None = None,
                     limit: Annotated[int, Query(ge=1, le=1000)] = 100, offset: Offset = 0) -> list[dict[str, Any]]:
    return await surveys(request, "list_cases", actor_of(user), status, period, limit, offset)


# --------------------------------------------------------------------------- questionnaires

@router.get("/questionnaires", summary="Cuestionarios (última versión de cada uno)")
async def list_questionnaires(request: Request, user: CurrentUser) -> list[dict[str, Any]]:
    return await surveys(request, "list_questionnaires", actor_of(user))


@router.get("/questionnaires/{code}", summary="Un cuestionario (la última versión, o la indicada)")
async def get_questionnaire(code: Code, request: Request, user: CurrentUser,
                            version: Annotated[int | None, Query(ge=1, le=1_000_000)] = None) -> dict[str, Any]:
    return await surveys(request, "get_questionnaire", actor_of(user), code, version)


@router.put("/questionnaires/{code}", summary="Guardar una nueva versión del cuestionario (supervisión, "
                                              "administración)")
async def save_questionnaire(code: Code, body: QuestionnaireIn, request: Request, user: CurrentUser) -> dict[str, Any]:
    questions = [q.model_dump(exclude_none=True) for q in body.questions]
    out = await surveys(request, "save_questionnaire", actor_of(user), code, body.title, questions)
    await audit_event(request, "questionnaire.saved", target=f"questionnaire:{code}",
                      detail={"version": out["version"], "questions": len(questions)})
    return out


# --------------------------------------------------------------------------- follow-up calls, ratings, results

@router.post("/follow-up-calls", status_code=201, summary="Registrar una llamada de seguimiento fuera de la muestra")
async def log_follow_up(body: FollowUpIn, request: Request, user: CurrentUser) -> dict[str, Any]:
    return await surveys(request, "log_follow_up", actor_of(user), body.folio, body.kind, body.note)


@router.get("/follow-up-calls/monthly", summary="Llamadas de seguimiento y de encuesta por mes de un año")
async def monthly_calls(request: Request, user: CurrentUser,
                        year: Annotated[int, Query(ge=2000, le=2099)]) -> dict[str, Any]:
    return await surveys(request, "monthly_calls", actor_of(user), year)


@router.post("/ratings/{folio}", status_code=201, summary="El ciudadano califica su reporte terminado (folio y "
                                                          "clave; una sola vez; reportes de app o web)")
async def rate_report(folio: Folio, body: RatingIn, request: Request) -> dict[str, Any]:
    """No login: the folio's token proves the report is the citizen's (404 otherwise, as
    for tracking); 409 ``ya_calificado`` the second time, ``canal_sin_autoevaluacion`` for a
    report filed by phone or in person (it is surveyed by phone), ``reporte_no_terminado``."""
    await request.app.state.call("intake", "track_report", folio, body.token)
    out = await surveys(request, "rate_report", citizen_actor(folio), folio, body.score, body.comment)
    await audit_event(request, "report.rated", target=f"report:{folio}", actor_name=f"ciudadano:folio-{folio}",
                      detail={"score": body.score})
    return out


@router.get("/answers", summary="Encuestas contestadas (teléfono y app); dependencias: las suyas, sin datos del "
                                "ciudadano")
async def list_answers(request: Request, user: CurrentUser, period: OptPeriod = None, agency: Agency = None,
                       source: Literal["phone", "app"] | None = None,
                       after_id: Annotated[int, Query(ge=0, le=MAX_BIGINT)] = 0,
                       limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> dict[str, Any]:
    return await surveys(request, "list_surveys", actor_of(user), period, agency, source, after_id, limit)


@router.get("/summary", summary="Satisfacción por dependencia y origen: encuestas, calificación media, "
                                "verificación y reaperturas")
async def summary(request: Request, user: CurrentUser, period: OptPeriod = None,
                  agency: Agency = None) -> dict[str, Any]:
    return await surveys(request, "survey_summary", actor_of(user), period, agency)


@router.get("/answers.xlsx", response_class=StreamingResponse, responses={200: {"content": {XLSX: {}}}},
            summary="Exportar las respuestas a Excel, sin datos personales (sin número de ciudadano ni texto libre)")
async def export_answers(request: Request, user: CurrentUser, period: OptPeriod = None, agency: Agency = None,
                         source: Literal["phone", "app"] | None = None):
    # surveys renders up to 100,000 answers (a minute at most)
    out = await surveys(request, "export_file", actor_of(user), period, agency, source, timeout=120.0)
    await audit_event(request, "surveys.exported", detail={"period": period, "agency": agency, "source": source,
                                                           "rows": out["rows"]})
    return service_file(out)
