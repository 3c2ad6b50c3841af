"""An unexpected error of a worker is an incident: the service logs it with its
traceback under an incident id. For an RPC from the gateway the id is the call's
reference (context data ``call_ref``), which the gateway puts in its 500 answer, so the
line to look for in this service's log is the one the client was shown."""
from __future__ import annotations

import logging
import uuid

from nameko.extensions import DependencyProvider

from .errors import ServiceError

log = logging.getLogger("sacinfra.incidents")
#: the context data key the gateway puts a per-call reference in
CALL_REF = "call_ref"


def new_incident() -> str:
    return uuid.uuid4().hex[:12]


class Incidents(DependencyProvider):
    """Logs every unexpected error of the service's workers under an incident id (a
    ``ServiceError`` is an answer, not an incident)."""

    def worker_result(self, worker_ctx, result=None, exc_info=None):
        if exc_info is None or isinstance(exc_info[1], ServiceError):
            return
        incident = worker_ctx.data.get(CALL_REF) or new_incident()
        log.error("incidente %s en %s.%s: %s", incident, self.container.service_name,
                  worker_ctx.entrypoint.method_name, type(exc_info[1]).__name__, exc_info=exc_info)
