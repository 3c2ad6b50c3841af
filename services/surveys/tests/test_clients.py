"""surveys' clients of other services, without a broker: what a refused reopening
becomes on the survey (routing's refusal arrives as nameko's RemoteError)."""
import json

from nameko.exceptions import RemoteError

from surveys.clients import reopener


class Routing:
    """Answers like routing: the assignment, then a reopening refused with ``code``."""

    def __init__(self, exc_type=None, code=None):
        self.exc_type, self.code, self.actors = exc_type, code, []

    def get_assignment(self, folio, actor):
        self.actors.append(actor)
        return {"version": 3}

    def reopen_report(self, actor, folio, version, reason):
        if self.exc_type is not None:
            raise RemoteError(self.exc_type, json.dumps({"code": self.code, "message": "No se pudo.",
                                                          "kind": None}))


def test_a_refused_reopening_is_kept_with_routings_reason():
    routing = Routing()
    assert reopener(routing)(7, "no resuelto") == ("reopened", None)
    assert routing.actors[0]["kind"] == "system" and routing.actors[0]["system"] == "surveys"
    assert reopener(Routing("Conflict", "reapertura_fuera_de_plazo"))(7, "x") == ("out_of_window", "No se pudo.")
    assert reopener(Routing("Conflict", "transicion_invalida"))(7, "x") == ("not_closed", "No se pudo.")
    assert reopener(Routing("Forbidden", "prohibido"))(7, "x") == ("forbidden", "No se pudo.")
    assert reopener(Routing("Conflict", "otro"))(7, "x") == ("failed", "No se pudo.")
