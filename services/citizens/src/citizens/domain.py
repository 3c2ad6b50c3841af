"""Who may do what with personal data (plain Python): ``authorize``, the one policy of
citizens, over the actor of ``contracts/actor`` (read with ``sacinfra.actor.Actor.load``).

Each action lists the roles of contracts/actor/roles.json that may do it; a role not
listed — and any role citizens does not know — may do nothing here:

- operators, supervisors and admins register, search, read, rectify and merge citizens
  and record oppositions; agency staff may read one citizen (with a reason), only one
  behind a report they see (``REPORT_SCOPED``: citizens asks routing, which decides
  which reports an actor sees; otherwise the citizen does not exist for them);
- supervisors and admins exercise ARCO access and cancellation, and edit the block-leader
  roster; operators, supervisors, admins and auditors read the roster (contact data: not
  auditors); auditors and admins read the access log;
- the citizens of a page of reports (``list_citizens``, ``find_numbers``): operators,
  supervisors, admins, agency staff and block leaders (the gateway asks for the citizens
  of rows routing already scoped); a person's numbers (no personal data): also auditors.
Keys, citizens, the public and system actors touch nothing in the registry."""
from __future__ import annotations

from sacinfra.actor import Actor

from .exceptions import Forbidden, InvalidInput

_WRITERS = frozenset({"operator", "supervisor", "admin"})
_LIST = _WRITERS | {"agency_staff", "block_leader"}

#: action -> (roles allowed, what the refusal says the profile may not do)
PERMISSIONS: dict[str, tuple[frozenset, str]] = {
    "register": (_WRITERS, "registrar ciudadanos"),
    "read": (_WRITERS | {"agency_staff"}, "consultar datos de ciudadanos"),
    "search": (_WRITERS, "buscar ciudadanos"),
    "rectify": (_WRITERS, "rectificar datos de ciudadanos"),
    "read_changes": (_WRITERS, "consultar el historial de rectificaciones"),
    "merge": (_WRITERS, "fusionar registros de ciudadanos"),
    "read_access_log": (frozenset({"auditor", "admin"}), "consultar la bitácora de acceso a datos personales"),
    "oppose": (_WRITERS, "registrar oposiciones al tratamiento de datos"),
    "cancel": (frozenset({"supervisor", "admin"}), "cancelar datos personales"),
    "arco_access": (frozenset({"supervisor", "admin"}), "consultar el expediente ARCO de un ciudadano"),
    "edit_roster": (frozenset({"supervisor", "admin"}), "modificar el padrón de jefes de manzana"),
    "read_roster": (_WRITERS | {"auditor"}, "consultar el padrón de jefes de manzana"),
    "read_roster_contact": (_WRITERS, "consultar los datos de contacto de los jefes de manzana"),
    "list_citizens": (_LIST, "consultar datos de ciudadanos"),
    "find_numbers": (_LIST, "buscar ciudadanos"),
    "related_numbers": (_LIST | {"auditor"}, "consultar números de ciudadano"),
}
MIN_REASON, MAX_REASON = 3, 500
#: roles that see who a person is only through a report of that person they can see
REPORT_SCOPED = frozenset({"agency_staff", "block_leader"})


def load_actor(actor) -> Actor:
    """The contract's actor, or ``InvalidInput`` ``actor_invalido``."""
    return Actor.load_or(actor, InvalidInput)


def allowed(who: Actor, action: str) -> bool:
    roles, _ = PERMISSIONS.get(action, (frozenset(), ""))
    return who.kind == "staff" and who.role in roles


def authorize(actor, action: str) -> Actor:
    """The actor when it may do ``action``, else ``Forbidden`` ``prohibido``."""
    who = load_actor(actor)
    if not allowed(who, action):
        what = PERMISSIONS.get(action, (None, "hacer esto"))[1]
        raise Forbidden(f"Su perfil no permite {what}.", "prohibido")
    return who


def require_reason(reason) -> str:
    """The reason for reading personal data, trimmed; ``InvalidInput`` if missing or too short."""
    text = reason.strip() if isinstance(reason, str) else ""
    if len(text) < MIN_REASON:
        raise InvalidInput("Indique el motivo de la consulta de datos personales.", "motivo_requerido")
    if len(text) > MAX_REASON:
        raise InvalidInput(f"El motivo no puede pasar de {MAX_REASON} caracteres.", "motivo_invalido")
    if "\x00" in text:
        raise InvalidInput("El motivo no puede contener caracteres nulos.", "motivo_invalido")
    return text
