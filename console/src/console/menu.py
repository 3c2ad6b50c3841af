"""What each role sees in the menu. The gateway decides what each role may read or
change; the menu only leaves out the screens whose API would refuse the role."""
from __future__ import annotations

#: (path, label, roles)
SCREENS = [
    ("/captura", "Captura", {"operator", "block_leader", "supervisor", "admin"}),
    ("/asuntos", "Asuntos del día", {"operator", "agency_staff", "supervisor", "auditor", "admin"}),
    ("/consultas", "Consultas y reportes", {"operator", "agency_staff", "supervisor", "auditor", "admin"}),
    ("/consultas", "Mis reportes", {"block_leader"}),
    ("/historial", "Historial del ciudadano", {"operator", "agency_staff", "supervisor", "auditor", "admin"}),
    ("/catalogo", "Catálogo", {"operator", "agency_staff", "supervisor", "auditor", "admin"}),
    ("/jefes", "Jefes de manzana", {"operator", "supervisor", "auditor", "admin"}),
    ("/estadistico", "Estadístico", {"agency_staff", "supervisor", "auditor", "admin"}),
    ("/encuestas", "Encuestas", {"operator", "supervisor", "auditor", "admin"}),
    ("/modinfo", "MODINFO", {"operator", "agency_staff", "supervisor", "auditor", "admin"}),
    ("/administracion", "Administración", {"admin"}),
    ("/bitacora", "Bitácora", {"auditor", "admin"}),
]

ROLE_NAMES = {
    "operator": "Operador(a)", "agency_staff": "Personal de dependencia", "supervisor": "Supervisión",
    "auditor": "Fiscalización", "admin": "Administración", "block_leader": "Jefe(a) de manzana",
}

#: roles that may change a report's lifecycle, and those that may reopen one
ACTING_ROLES = {"agency_staff", "supervisor", "admin"}
REOPENING_ROLES = {"supervisor", "admin"}
CATALOG_EDITORS = {"agency_staff", "admin"}
#: Encuestas: who makes the calls, and who reads the queue and the results (surveys' policy)
SURVEY_CALLERS = {"operator", "supervisor", "admin"}
SURVEY_READERS = {"supervisor", "auditor", "admin"}
#: MODINFO: who prints tickets (directory's policy; auditors only search)
TICKET_PRINTERS = {"operator", "agency_staff", "supervisor", "admin"}
#: Estadístico: who generates a monthly closure (the gateway's closure route)
CLOSERS = {"supervisor", "admin"}


def menu_for(role: str) -> list[tuple[str, str]]:
    return [(path, label) for path, label, roles in SCREENS if role in roles]


def home_for(role: str) -> str:
    items = menu_for(role)
    return items[0][0] if items else "/sin-permisos"


def may(role: str, path: str) -> bool:
    return any(p == path and role in roles for p, _, roles in SCREENS)
