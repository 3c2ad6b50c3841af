"""The console's screens, one router per area."""
from . import admin, auth, capture, directory, reports, stats, surveys

ROUTERS = [auth.router, capture.router, reports.router, admin.router, stats.router, surveys.router, directory.router]
