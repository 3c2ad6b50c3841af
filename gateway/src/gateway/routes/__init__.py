"""Routers of the public API, included by ``app.create_app`` in this order."""
from . import audit, auth, catalog, open311, tracking, users

ROUTERS = [auth.router, users.router, audit.router, catalog.router, open311.router, tracking.router]
# citizens routers: added below this line
from . import citizens  # noqa: E402
ROUTERS.append(citizens.router)
from . import block_leaders, citizen_rights  # noqa: E402
ROUTERS += [citizen_rights.router, block_leaders.router]
# routing (report lifecycle) routers: added below this line
from . import reports_lifecycle  # noqa: E402
ROUTERS.append(reports_lifecycle.router)
from . import evidence  # noqa: E402  (evidence files of interventions)
ROUTERS.append(evidence.router)
# partner API keys (admin) routers: added below this line
from . import api_keys  # noqa: E402
ROUTERS.append(api_keys.router)
# dead letters (admin) routers: added below this line
from . import dead_letters  # noqa: E402
ROUTERS.append(dead_letters.router)
# report lists (Asuntos del día, Consultas, citizen history): added below this line;
# before app.py's GET /v1/reports/{folio}, so /v1/reports/today is matched here
from . import reports_query  # noqa: E402
ROUTERS.append(reports_query.router)
# exports (XLSX/CSV of Consultas, work-order PDFs): first of all, so no /v1/reports/{folio}
# route anywhere captures /v1/reports/export.xlsx, export.csv or work-orders.pdf
from . import exports  # noqa: E402
ROUTERS.insert(0, exports.router)
from . import geo; ROUTERS.insert(0, geo.router)  # noqa: E402,E702  (the map; /v1/reports/nearby before any /v1/reports/{folio})
