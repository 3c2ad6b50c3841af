"""Who may do what with a report: routing's one policy (pure: no I/O, no clock).

Routing owns assignment and sharing, so it decides whether an actor (the contract in
contracts/actor, read with ``sacinfra.actor.Actor.load``) may read or act on a report.
Role names are those of contracts/actor/roles.json and appear nowhere else in routing; a
role this module does not know is granted nothing.

- ``may(actor, action, report)``: one report (``ReportState``: its current owner, the
  departments it is shared with, its channel and who filed it).
- ``check(actor, action, report)``: the same, as routing answers it: a report the actor
  may not see at all is ``NotFound`` ``reporte_no_encontrado`` (the answer for a folio
  that does not exist, so existence is not revealed); a visible report whose action is
  not allowed is ``Forbidden`` ``prohibido``.
- ``list_scope(actor)``: which reports a list query may return (``Scope``), turned into
  SQL by ``queries.scope_branches``.
- ``full_view(actor, report)``: the staff view (history authors and texts, shares, who
  shared) or only the public one (``READ_PUBLIC``: status, owner, dates, the status
  history without people or free text).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sacinfra.actor import Actor

from .domain import FINISH, INTERVENE, MARK_NOT_VIABLE, READ, REASSIGN, REOPEN, SHARE, START
from .exceptions import Forbidden, InvalidInput, NotFound

# ---- actions on one report: the lifecycle's (domain), READ (the full view: history with
# authors and texts, interventions, evidence), READ_PUBLIC (the public, non-personal view)
# and READ_WORK (the work record on its own: the interventions list and evidence files, for
# those who work, supervise or audit reports, not those who only file or follow them)
READ_PUBLIC = "read_public"
READ_WORK = "read_work"
#: mark a report as a duplicate of another (duplicates.py): who may reassign it may
MARK_DUPLICATE = "mark_duplicate"
ACTIONS = frozenset({READ_PUBLIC, READ, READ_WORK, START, FINISH, MARK_NOT_VIABLE, REOPEN, REASSIGN, SHARE, INTERVENE,
                     MARK_DUPLICATE})

# ---- roles (contracts/actor/roles.json)
OPERATOR, AGENCY_STAFF, SUPERVISOR, AUDITOR, ADMIN = "operator", "agency_staff", "supervisor", "auditor", "admin"
BLOCK_LEADER, CHANNEL_KEY, DEPARTMENT_KEY = "block_leader", "channel_key", "department_key"
CITIZEN, PUBLIC, SYSTEM = "citizen", "public", "system"

#: the scope a channel key needs to read the reports filed through its channel
READ_SCOPE = "reports:read"

_EVERYTHING = ACTIONS
_READERS = frozenset({READ_PUBLIC, READ})
_OWNER = ACTIONS - {REOPEN}                                        # agency staff on their agency's reports
_AUDITOR = _READERS | {READ_WORK}
_GUEST = frozenset({READ_PUBLIC, READ, READ_WORK, INTERVENE})       # a department it is shared with
_DEPARTMENT_KEY = frozenset({READ_PUBLIC, READ, READ_WORK, START, FINISH, INTERVENE})
_CITIZEN = frozenset({READ_PUBLIC, REOPEN})
#: named internal processes and what each may do (``Actor.system_process(name)``)
SYSTEM_GRANTS: dict[str, frozenset] = {
    "surveys": frozenset({READ_PUBLIC, READ, READ_WORK, REOPEN}),  # reopens a report the citizen says was not solved
}
#: what any internal process may do with the reports it filed itself (``created_by`` is its
#: ``system:<name>``): a channel service reads them and reopens one its citizen disputes.
#: Generic on purpose: adding a channel service changes nothing here.
FILER_PROCESS_GRANTS = frozenset({READ_PUBLIC, READ, REOPEN})

#: the policy table: role → what it may do, as documented in the README
TABLE = {
    ADMIN: "every action on every report",
    SUPERVISOR: "every action on every report",
    OPERATOR: "read every report (not the work record on its own)",
    AUDITOR: "read every report and its work record",
    AGENCY_STAFF: "its agency's reports: everything but reopen; reports shared with its agency: read, intervene",
    DEPARTMENT_KEY: "its department's reports: read, start, finish, intervene; shared with it: read, intervene",
    BLOCK_LEADER: "read the reports it filed",
    CHANNEL_KEY: f"read the reports filed through its channel (scope {READ_SCOPE})",
    CITIZEN: "the public view of its folio; reopen it within the window",
    PUBLIC: "the public view of any report",
    SYSTEM: "system:surveys reads and reopens; any process reads and reopens the reports it filed; nothing else",
}


@dataclass(frozen=True)
class ReportState:
    """What the policy needs of one report."""
    folio: int
    agency: str | None
    department: str | None
    shares: frozenset = field(default_factory=frozenset)  # (agency, department) pairs
    channel: str | None = None
    created_by: str | None = None


def load_actor(value) -> Actor:
    """The actor of an RPC (contract: contracts/actor); ``InvalidInput`` ``actor_invalido``."""
    return Actor.load_or(value, InvalidInput)


def actions(actor: Actor, report: ReportState) -> frozenset:
    """Everything ``actor`` may do with ``report``."""
    role = actor.role
    if role in (ADMIN, SUPERVISOR):
        return _EVERYTHING
    if role == OPERATOR:
        return _READERS
    if role == AUDITOR:
        return _AUDITOR
    if role == AGENCY_STAFF and actor.agency:
        if actor.agency == report.agency:
            return _OWNER
        if actor.agency in {a for a, _ in report.shares}:
            return _GUEST
        return frozenset()
    if role == DEPARTMENT_KEY and actor.agency and actor.department:
        mine = (actor.agency, actor.department)
        if mine == (report.agency, report.department):
            return _DEPARTMENT_KEY
        if mine in report.shares:
            return _GUEST
        return frozenset()
    if role == BLOCK_LEADER:
        return _READERS if report.created_by and report.created_by == actor.username else frozenset()
    if role == CHANNEL_KEY:
        return _READERS if actor.channel and actor.channel == report.channel and actor.has_scope(READ_SCOPE) \
            else frozenset()
    if role == CITIZEN:
        return _CITIZEN if actor.folio == report.folio else frozenset()
    if role == PUBLIC:
        return frozenset({READ_PUBLIC})
    if role == SYSTEM:
        granted = SYSTEM_GRANTS.get(actor.system or "", frozenset())
        if report.created_by and report.created_by == actor.username:
            granted = granted | FILER_PROCESS_GRANTS
        return granted
    return frozenset()  # a role routing does not know: nothing


def may(actor: Actor, action: str, report: ReportState) -> bool:
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    return action in actions(actor, report)


def visible(actor: Actor, report: ReportState) -> bool:
    return bool(actions(actor, report) & _READERS)


def full_view(actor: Actor, report: ReportState) -> bool:
    return READ in actions(actor, report)


def not_found(folio) -> NotFound:
    return NotFound(f"No existe el reporte {folio}.", "reporte_no_encontrado")


def check(actor: Actor, action: str, report: ReportState) -> None:
    """``NotFound`` if the actor may not see the report at all, ``Forbidden`` if it sees it
    but may not do ``action``."""
    granted = actions(actor, report)
    if not granted & _READERS:
        raise not_found(report.folio)
    if action not in granted:
        if action == REOPEN:
            raise Forbidden("Solo supervisión, administración o el propio ciudadano pueden reabrir un reporte.",
                            "prohibido")
        raise Forbidden(f"No tiene permiso para esta acción sobre el reporte {report.folio}.", "prohibido")


# --------------------------------------------------------------------------- list scope

ALL, AGENCY, DEPARTMENT, CREATED_BY, CHANNEL, FOLIO = "all", "agency", "department", "created_by", "channel", "folio"


@dataclass(frozen=True)
class Scope:
    """Which reports a list may return: ``kind`` ``all`` (every report), ``agency`` (its
    agency's and those shared with it), ``department`` (its department's and those shared
    with it), ``created_by`` (those it filed), ``channel`` (those filed through it),
    ``folio`` (that one). ``public``: rows show only the public view (no citizen number,
    no staff username) and filters on people are refused."""
    kind: str
    agency: str | None = None
    department: str | None = None
    value: str | int | None = None
    public: bool = False


def list_scope(actor: Actor) -> Scope:
    """The reports ``actor`` may list; ``Forbidden`` for an actor that may list none."""
    role = actor.role
    if role in (ADMIN, SUPERVISOR, OPERATOR, AUDITOR):
        return Scope(ALL)
    if role == AGENCY_STAFF and actor.agency:
        return Scope(AGENCY, agency=actor.agency)
    if role == DEPARTMENT_KEY and actor.agency and actor.department:
        return Scope(DEPARTMENT, agency=actor.agency, department=actor.department)
    if role == BLOCK_LEADER:
        return Scope(CREATED_BY, value=actor.username)
    if role == CHANNEL_KEY and actor.channel and actor.has_scope(READ_SCOPE):
        return Scope(CHANNEL, value=actor.channel)
    if role == CITIZEN and actor.folio:
        return Scope(FOLIO, value=actor.folio, public=True)
    if role == PUBLIC:
        return Scope(ALL, public=True)
    if role == SYSTEM and READ in SYSTEM_GRANTS.get(actor.system or "", frozenset()):
        return Scope(ALL)
    raise Forbidden("Su perfil no permite consultar reportes.", "prohibido")


# --------------------------------------------------------------------------- the map (geo.py)
#
# - routing rules by zone: admins set any rule; agency staff set rules "department of its
#   agency + zone → department of its agency" only (a petition-type rule can move another
#   agency's reports, so it is admins'); admins, supervisors and auditors read every rule and
#   its audit trail, agency staff those that route to or from its agency;
# - the nearby radius of a petition type: admins;
# - nearby open reports (no personal data: what the public view already shows): every role
#   of roles.json, as the map of open reports is public information.

NEARBY_READERS = frozenset({OPERATOR, AGENCY_STAFF, SUPERVISOR, AUDITOR, ADMIN, BLOCK_LEADER, CHANNEL_KEY,
                            DEPARTMENT_KEY, CITIZEN, PUBLIC, SYSTEM})


def check_zone_rule(actor: Actor, selector_kind: str, selector_agency: str | None, target_agency: str | None) -> None:
    """``Forbidden`` unless ``actor`` may set or remove that rule."""
    if actor.role == ADMIN:
        return
    if actor.role == AGENCY_STAFF and actor.agency and selector_kind == "department" \
            and selector_agency == actor.agency and target_agency == actor.agency:
        return
    if actor.role == AGENCY_STAFF:
        raise Forbidden(f"Solo puede definir reglas por zona entre departamentos de su dependencia ({actor.agency}).",
                        "prohibido")
    raise Forbidden("Su perfil no permite modificar las reglas de asignación por zona.", "prohibido")


def zone_rules_scope(actor: Actor) -> str | None:
    """The agency whose rules ``actor`` may read (None: all); ``Forbidden`` for the others."""
    if actor.role in (ADMIN, SUPERVISOR, AUDITOR):
        return None
    if actor.role == AGENCY_STAFF and actor.agency:
        return actor.agency
    raise Forbidden("Su perfil no permite consultar las reglas de asignación por zona.", "prohibido")


def check_nearby_radius(actor: Actor) -> None:
    if actor.role != ADMIN:
        raise Forbidden("Solo un administrador puede cambiar el radio de reportes cercanos.", "prohibido")


def check_nearby(actor: Actor) -> None:
    if actor.role not in NEARBY_READERS:
        raise Forbidden("Su perfil no permite consultar reportes cercanos.", "prohibido")


# ---- personal data in lists and exports: a citizen's name and phone beside a report (the
# citizen number, an id, is in every list). Citizens still decides each read and logs it.
PERSONAL_DATA_ROLES = frozenset({OPERATOR, AGENCY_STAFF, SUPERVISOR, ADMIN, BLOCK_LEADER})


def may_see_personal_data(actor: Actor) -> bool:
    """Exports and work orders read the citizen's name and phone for these roles only
    (an auditor gets the citizen number)."""
    return actor.role in PERSONAL_DATA_ROLES
