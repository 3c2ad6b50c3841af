"""Routers of the public API, included by ``app.create_app`` in this order.

No two routers answer the same path: folio paths use ``{folio:int}``, so
``/v1/reports/export.xlsx`` or ``/v1/reports/today`` can never be taken for a folio.
A new router is one line in this list."""
from . import (api_keys, attachments, audit, auth, block_leaders, catalog, citizen_rights, citizens, dead_letters,
               evidence, directory, exports, geo, open311, reports, reports_lifecycle, reports_query, stats, surveys, tracking,
               users)

ROUTERS = [
    auth.router,
    users.router,
    audit.router,
    api_keys.router,
    dead_letters.router,
    catalog.router,
    geo.router,
    reports.router,
    reports_query.router,
    reports_lifecycle.router,
    evidence.router,
    attachments.router,
    exports.router,
    tracking.router,
    open311.router,
    citizens.router,
    citizen_rights.router,
    block_leaders.router,
    stats.router,
    surveys.router,
    directory.router,
]
