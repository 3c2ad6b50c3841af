"""Routers of the public API, included by ``app.create_app`` in this order."""
from . import audit, auth, catalog, open311, tracking, users

ROUTERS = [auth.router, users.router, audit.router, catalog.router, open311.router, tracking.router]
# citizens routers: added below this line
from . import citizens  # noqa: E402
ROUTERS.append(citizens.router)
# routing (report lifecycle) routers: added below this line
from . import reports_lifecycle  # noqa: E402
ROUTERS.append(reports_lifecycle.router)
