"""An unexpected error of a worker gets an incident id: the service logs it with the
traceback, and the error carries it to the caller as its last argument
(``"incidente:<id>"``), so the gateway's 500 answer names the line to look for here."""
from __future__ import annotations

import logging
import uuid

from nameko.extensions import DependencyProvider

from .errors import ServiceError

log = logging.getLogger("sacinfra.incidents")
MARK = "incidente:"


def new_incident() -> str:
    return uuid.uuid4().hex[:12]


class Incidents(DependencyProvider):
    """Logs every unexpected error of the service's workers under an incident id (a
    ``ServiceError`` is an answer, not an incident)."""

    def worker_result(self, worker_ctx, result=None, exc_info=None):
        if exc_info is None or isinstance(exc_info[1], ServiceError):
            return
        exc, incident = exc_info[1], new_incident()
        log.error("incidente %s en %s.%s: %s", incident, self.container.service_name,
                  worker_ctx.entrypoint.method_name, type(exc).__name__, exc_info=exc_info)
        try:
            exc.args = (*exc.args, MARK + incident)
        except (AttributeError, TypeError):  # an exception that will not take it: the log has it
            pass
