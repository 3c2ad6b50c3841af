"""A department API key (role ``department_key``) works at department level: its own
department's reports (read, start, finish, interventions), reports shared with its
department (read, interventions), nothing else. Pure rules first, then the handlers on a
real PostgreSQL database."""

import pytest

from routing import domain, handlers, policy
from sacinfra.actor import Actor, ActorInvalid
from sacinfra.errors import Forbidden, InvalidInput, NotFound

KEY = {"kind": "key", "username": "api-key:alumbrado", "role": "department_key", "agency": "OP", "department": "OP-ALUMBRADO"}
OTHER_DEPT = {"kind": "key", "username": "api-key:baches", "role": "department_key", "agency": "OP", "department": "OP-BACHEO"}
SUPERVISOR = {"kind": "staff", "username": "supervisor", "role": "supervisor", "agency": None, "department": None}


def allowed(actor, action, agency="OP", department="OP-ALUMBRADO", shared=frozenset()) -> bool:
    return policy.may(Actor.load(actor), action, policy.ReportState(1, agency, department, frozenset(shared)))


@pytest.mark.parametrize("action", [domain.READ, domain.START, domain.FINISH, domain.INTERVENE])
def test_own_department_reads_and_writes_back(action):
    assert allowed(KEY, action)


@pytest.mark.parametrize("action", [domain.MARK_NOT_VIABLE, domain.REASSIGN, domain.SHARE, domain.REOPEN])
def test_own_department_cannot_reassign_share_reject_or_reopen(action):
    assert not allowed(KEY, action)


@pytest.mark.parametrize("action", [domain.READ, domain.START, domain.FINISH, domain.INTERVENE])
def test_same_agency_other_department_is_refused(action):
    """Agency staff of OP may act on any OP report; a department key of OP-BACHEO may not."""
    assert not allowed(OTHER_DEPT, action)
    assert allowed({"kind": "staff", "username": "s", "role": "agency_staff", "agency": "OP",
                    "department": "OP-BACHEO"}, action)


def test_shared_with_its_department_reads_and_documents_only():
    shared = {("OP", "OP-ALUMBRADO")}
    for action in (domain.READ, domain.INTERVENE):
        assert allowed(KEY, action, "SIAP", "SIAP-ESPECIALES", shared)
    for action in (domain.START, domain.FINISH, domain.MARK_NOT_VIABLE, domain.SHARE):
        assert not allowed(KEY, action, "SIAP", "SIAP-ESPECIALES", shared)
    # shared with another department of the same agency: not with this key's department
    assert not allowed(KEY, domain.READ, "SIAP", "SIAP-ESPECIALES", {("OP", "OP-BACHEO")})


def test_a_key_without_its_binding_is_refused():
    """The contract refuses a department key without its department and a channel key
    without its channel: such an actor never reaches the policy."""
    for actor in ({"kind": "key", "username": "api-key:x", "role": "department_key", "agency": "OP",
                   "department": None},
                  {"kind": "key", "username": "api-key:x", "role": "channel_key"}):
        with pytest.raises(ActorInvalid):
            Actor.load(actor)
        with pytest.raises(InvalidInput) as err:
            policy.load_actor(actor)
        assert err.value.code == "actor_invalido"


def test_handlers_check_the_department(uow, created_event, departments):
    assert handlers.assign_report(uow, created_event(folio=7))  # OP / OP-ALUMBRADO
    for do in (lambda: handlers.get_assignment(uow, 7, OTHER_DEPT), lambda: handlers.start_report(uow, OTHER_DEPT, 7, 1)):
        with pytest.raises(NotFound) as err:  # not its report: as if it did not exist
            do()
        assert err.value.code == "reporte_no_encontrado"
    assert handlers.get_assignment(uow, 7, KEY)["department"] == "OP-ALUMBRADO"
    a = handlers.start_report(uow, KEY, 7, 1, "Recibido por el sistema de alumbrado")
    assert (a["status"], a["version"]) == ("in_progress", 2)
    note = handlers.add_intervention(uow, KEY, 7, "Cuadrilla 3 asignada")
    assert (note["author"], note["department"]) == ("api-key:alumbrado", "OP-ALUMBRADO")
    a = handlers.finish_report(uow, KEY, 7, 2, "Lámpara sustituida")
    assert a["status"] == "done" and a["history"][-1]["author"] == "api-key:alumbrado"
    with pytest.raises(Forbidden):
        handlers.reopen_report(uow, KEY, 7, 3, "no")


def test_a_report_shared_with_its_department(uow, created_event, departments):
    assert handlers.assign_report(uow, created_event(folio=8))
    with pytest.raises(NotFound):
        handlers.list_interventions(uow, 8, OTHER_DEPT)
    handlers.share_report(uow, SUPERVISOR, 8, 1, "OP", "OP-BACHEO")
    assert handlers.list_interventions(uow, 8, OTHER_DEPT) == []
    assert handlers.add_intervention(uow, OTHER_DEPT, 8, "Bache revisado")["kind"] == "note"
    with pytest.raises(Forbidden):
        handlers.start_report(uow, OTHER_DEPT, 8, 2)


def test_status_notes_of_closed_reports(uow, created_event):
    """What Open311 shows of a closed report: the last intervention of a finished one, the
    reason of a not-viable one; nothing while open."""
    from routing import public
    from sacinfra.errors import InvalidInput

    for f in (21, 22, 23):
        assert handlers.assign_report(uow, created_event(folio=f))
    handlers.start_report(uow, KEY, 21, 1)
    handlers.finish_report(uow, KEY, 21, 2, "Lámpara sustituida")
    handlers.mark_not_viable(uow, SUPERVISOR, 22, 1, "Es propiedad privada")
    out = {r["folio"]: r for r in public.status_notes(uow, [21, 22, 23, 99])}
    assert set(out) == {21, 22, 23}
    assert (out[21]["status_notes"], out[22]["status_notes"], out[23]["status_notes"]) == (
        "Lámpara sustituida", "Es propiedad privada", None)
    assert out[21]["updated_at"] > out[23]["updated_at"]
    assert public.status_notes(uow, []) == []
    with pytest.raises(InvalidInput):
        public.status_notes(uow, ["1; DROP"])
