"""Adapters over the RPC proxies the service is given: what surveys asks of citizens and
routing, turned into plain callables for the use cases (no business rules here)."""
from __future__ import annotations

from nameko.exceptions import RemoteError

from sacinfra.actor import Actor
from sacinfra.errors import parse_remote_value

#: the reason citizens logs for the read of the citizen to call
READ_REASON = "encuesta"
#: routing's codes for a reopening it refused, as kept on the survey
REOPEN_REFUSALS = {"reapertura_fuera_de_plazo": "out_of_window", "transicion_invalida": "not_closed"}


def citizen_reader(citizens):
    """``read(actor, number)`` → the citizen (citizens' logged read, reason «encuesta»), or
    None when citizens does not know the number."""
    def read(actor, number):
        try:
            return citizens.get_citizen(actor, number, READ_REASON)
        except RemoteError as exc:
            if exc.exc_type == "NotFound":
                return None
            raise
    return read


def reopener(routing):
    """``reopen(folio, reason)`` → (status, detail): routing reopens the report for the
    system process ``surveys``; ``reopened``, or why not (``out_of_window``, ``not_closed``,
    ``forbidden``, ``failed``) with routing's message."""
    actor = Actor.system_process("surveys").to_dict()

    def reopen(folio, reason):
        try:
            assignment = routing.get_assignment(folio, actor)
            routing.reopen_report(actor, folio, assignment["version"], reason)
            return "reopened", None
        except RemoteError as exc:
            code, message, _kind = parse_remote_value(exc.value)
            status = REOPEN_REFUSALS.get(code) or ("forbidden" if exc.exc_type == "Forbidden" else "failed")
            return status, message
    return reopen
