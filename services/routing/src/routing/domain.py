"""Lifecycle rules of a report (pure: no I/O, no clock).

captured → in_progress (the department accepts/starts) → done (concluded, with a closing
intervention); not_viable (with a reason) from captured or in_progress; reopen from done
or not_viable back to in_progress (within ``REOPEN_DAYS``);
reassign to another agency/department from captured or in_progress back to captured
(reason required, due date kept); share with more departments while open. Who may do
each is ``policy.py``'s.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from .exceptions import Conflict, InvalidInput, UnknownDepartment

CAPTURED, IN_PROGRESS, DONE, NOT_VIABLE = "captured", "in_progress", "done", "not_viable"
STATUSES = (CAPTURED, IN_PROGRESS, DONE, NOT_VIABLE)
OPEN = frozenset({CAPTURED, IN_PROGRESS})
CLOSED = frozenset({DONE, NOT_VIABLE})
LABELS = {CAPTURED: "Capturado", IN_PROGRESS: "Proceso", DONE: "Terminado", NOT_VIABLE: "No viable"}

# actions that change the status: action -> (statuses it may start from, status it leads to)
START, FINISH, MARK_NOT_VIABLE, REOPEN, REASSIGN = "start", "finish", "not_viable", "reopen", "reassign"
TRANSITIONS: dict[str, tuple[frozenset, str]] = {
    START: (frozenset({CAPTURED}), IN_PROGRESS),
    FINISH: (frozenset({IN_PROGRESS}), DONE),
    MARK_NOT_VIABLE: (OPEN, NOT_VIABLE),
    REOPEN: (CLOSED, IN_PROGRESS),
    REASSIGN: (OPEN, CAPTURED),
}
# actions that do not change the status
SHARE, INTERVENE, READ = "share", "intervene", "read"

# history kinds written for each action
HISTORY_KIND = {START: "started", FINISH: "finished", MARK_NOT_VIABLE: "not_viable", REOPEN: "reopened",
                REASSIGN: "reassigned", SHARE: "shared", INTERVENE: "intervention"}

# intervention kinds
NOTE, START_NOTE, CLOSING = "note", "start", "closing"
INTERVENTION_KINDS = (NOTE, START_NOTE, CLOSING)

MAX_TEXT = 4000
DEFAULT_REOPEN_DAYS = 30


def transition(folio: int, status: str, action: str) -> str:
    """The status ``action`` leads to from ``status``; ``Conflict`` (transicion_invalida) if illegal."""
    allowed_from, to = TRANSITIONS[action]
    if status not in allowed_from:
        raise Conflict(f"No se puede pasar el reporte {folio} de «{LABELS.get(status, status)}» a "
                       f"«{LABELS[to]}» ({_verb(action)}).", "transicion_invalida")
    return to


def _verb(action: str) -> str:
    return {START: "iniciar", FINISH: "terminar", MARK_NOT_VIABLE: "marcar como no viable",
            REOPEN: "reabrir", REASSIGN: "reasignar"}[action]


def check_version(folio: int, current: int, given) -> None:
    """Optimistic locking: the caller passes the version it read."""
    if isinstance(given, bool) or not isinstance(given, int):
        raise InvalidInput("Indique la versión del reporte que leyó (un número).", "version_requerida")
    if given != current:
        raise Conflict(f"El reporte {folio} cambió desde que lo leyó (versión {given}, ahora {current}); "
                       "vuelva a consultarlo.", "version_desactualizada")


def require_text(value, what: str, code: str) -> str:
    """A non-blank free text up to ``MAX_TEXT`` characters, stripped."""
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise InvalidInput(f"Indique {what}.", code)
    if len(text) > MAX_TEXT:
        raise InvalidInput(f"El texto pasa de {MAX_TEXT} caracteres.", "texto_demasiado_largo")
    return text


def optional_text(value) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return require_text(value, "el texto", "texto_requerido")


def check_reopen_window(folio: int, closed_at: datetime | None, now: datetime, days: int) -> None:
    """A closed report reopens only within ``days`` of its closure."""
    if closed_at is not None and now - closed_at > timedelta(days=days):
        raise Conflict(f"El reporte {folio} se cerró hace más de {days} días; ya no puede reabrirse.",
                       "reapertura_fuera_de_plazo")


def check_new_unit(folio: int, agency: str, department: str, target_agency, target_department,
                   shares: set[tuple[str, str]] = frozenset(), sharing: bool = False) -> tuple[str, str]:
    """The agency/department of a reassignment or share: given, and not the current owner
    (nor, when sharing, a department it is already shared with)."""
    if not isinstance(target_agency, str) or not target_agency.strip() \
            or not isinstance(target_department, str) or not target_department.strip():
        raise InvalidInput("Indique la dependencia y el departamento.", "departamento_requerido")
    target = (target_agency.strip(), target_department.strip())
    if target == (agency, department):
        raise Conflict(f"El reporte {folio} ya está asignado a {department} ({agency}).", "misma_asignacion")
    if sharing and target in shares:
        raise Conflict(f"El reporte {folio} ya está compartido con {target[1]} ({target[0]}).", "ya_compartido")
    return target


def check_department(target: tuple[str, str], known: dict | None) -> None:
    """A reassignment's or share's target must be a department routing knows from catalog
    (its projection), active and of that agency; ``UnknownDepartment`` otherwise."""
    agency, department = target
    if known is None or not known.get("active") or known.get("agency") != agency:
        raise UnknownDepartment(f"No existe el departamento activo {department} en la dependencia {agency}.")


# --------------------------------------------------------------------------- traffic light

ON_TIME, AT_RISK, OVERDUE = "on_time", "at_risk", "overdue"
DEFAULT_AT_RISK_SHARE = 0.75


def traffic_light(status: str, created_at: datetime, due_at: datetime, now: datetime,
                  closed_at: datetime | None = None, at_risk_share: float = DEFAULT_AT_RISK_SHARE) -> str:
    """The semáforo of a report against its due date.

    Open reports: ``overdue`` once the due date passed, ``at_risk`` once ``at_risk_share``
    of the time between filing and the due date has elapsed, else ``on_time``. Closed
    reports keep the colour of their closing: ``overdue`` if closed after the due date,
    else ``on_time``."""
    if not 0 < at_risk_share <= 1:
        raise ValueError("at_risk_share must be in (0, 1]")
    if status in CLOSED:
        return OVERDUE if closed_at is not None and closed_at > due_at else ON_TIME
    if now >= due_at:
        return OVERDUE
    total = (due_at - created_at).total_seconds()
    if total <= 0 or (now - created_at).total_seconds() >= at_risk_share * total:
        return AT_RISK
    return ON_TIME
