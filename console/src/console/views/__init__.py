"""The console's screens, one router per area."""
from . import admin, auth, capture, reports

ROUTERS = [auth.router, capture.router, reports.router, admin.router]
