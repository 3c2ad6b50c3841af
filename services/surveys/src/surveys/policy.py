"""Who may do what with surveys' data: the one policy function of the service.

Roles are those of contracts/actor/roles.json; a role not named here gets nothing.

- operator, supervisor (and admin, who may all a supervisor may): make the calls (take the next sampled report, see the citizen's
  phone through citizens' logged read, record attempts and answers) and log follow-up calls;
- supervisor, admin: edit questionnaires;
- auditor (and supervisor, admin): read everything, verification included, and audit the sample;
- agency_staff: read the results of their own agency (no citizen numbers);
- citizen: rate their own folio once (the gateway checked the tracking token);
- anyone, public included: the periods' commitments and, once a period ended, its secret.
"""
from __future__ import annotations

from sacinfra.actor import Actor

from .exceptions import Forbidden, InvalidInput

CALL = "call"                      # take, attempt, answer, follow-up calls
EDIT_QUESTIONNAIRE = "edit_questionnaire"
READ_QUESTIONNAIRE = "read_questionnaire"
READ_RESULTS = "read_results"      # answers and summaries (agency staff: their agency)
READ_ALL = "read_all"              # the call queue, decisions, verification, citizen numbers
AUDIT = "audit"
RATE = "rate"
READ_PERIODS = "read_periods"

GRANTS: dict[str, frozenset[str]] = {
    "operator": frozenset({CALL, READ_QUESTIONNAIRE, READ_PERIODS}),
    "supervisor": frozenset({CALL, EDIT_QUESTIONNAIRE, READ_QUESTIONNAIRE, READ_RESULTS, READ_ALL, AUDIT,
                             READ_PERIODS}),
    "admin": frozenset({CALL, EDIT_QUESTIONNAIRE, READ_QUESTIONNAIRE, READ_RESULTS, READ_ALL, AUDIT, READ_PERIODS}),
    "auditor": frozenset({READ_QUESTIONNAIRE, READ_RESULTS, READ_ALL, AUDIT, READ_PERIODS}),
    "agency_staff": frozenset({READ_RESULTS, READ_PERIODS}),
    "citizen": frozenset({RATE, READ_PERIODS}),
    "public": frozenset({READ_PERIODS}),
}

WHAT = {CALL: "hacer llamadas de encuesta", EDIT_QUESTIONNAIRE: "editar cuestionarios",
        READ_QUESTIONNAIRE: "consultar cuestionarios", READ_RESULTS: "consultar resultados de encuestas",
        READ_ALL: "consultar la cola de llamadas y la verificación", AUDIT: "auditar la muestra",
        RATE: "calificar este reporte", READ_PERIODS: "consultar los periodos de muestreo"}


def load(actor) -> Actor:
    return Actor.load_or(actor, InvalidInput)


def authorize(actor, action: str, *, folio: int | None = None) -> Actor:
    """The actor if it may do ``action`` (a citizen only on its own folio); else ``Forbidden``."""
    who = load(actor)
    if action in GRANTS.get(who.role, frozenset()):
        if who.role != "citizen" or (folio is not None and who.folio == folio):
            return who
    raise Forbidden(f"Su rol no permite {WHAT[action]}.", "prohibido")


def agency_scope(who: Actor) -> str | None:
    """The only agency whose results ``who`` may read (None: every agency)."""
    return who.agency if who.role == "agency_staff" else None


def sees_citizen_numbers(who: Actor) -> bool:
    return READ_ALL in GRANTS.get(who.role, frozenset())
