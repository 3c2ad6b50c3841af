"""routing's lifecycle use cases on the in-memory repository (no I/O): start, finish,
reassign to a known or unknown department, share, the citizen's reopening within and
after the window, public and system actors, batches of interventions, and that a
refused change leaves nothing behind."""
from datetime import datetime, timedelta, timezone

import pytest

from routing import handlers
from routing.exceptions import Conflict, Forbidden, InvalidInput, NotFound, ServiceError
from sacinfra.actor import Actor

T0 = datetime(2026, 12, 1, 10, tzinfo=timezone.utc)
OP = {"kind": "staff", "username": "ana", "role": "agency_staff", "agency": "OP", "department": "OP-ALUMBRADO"}
SIAP = {"kind": "staff", "username": "beto", "role": "agency_staff", "agency": "SIAP",
        "department": "SIAP-RECOLECCION"}
SUPERVISOR = {"kind": "staff", "username": "sup", "role": "supervisor"}
PUBLIC = Actor.public().to_dict()
SURVEYS = Actor.system_process("surveys").to_dict()
CATALOG = [{"code": "OP-ALUMBRADO", "agency": "OP", "name": "Alumbrado", "active": True},
           {"code": "SIAP-RECOLECCION", "agency": "SIAP", "name": "Recolección", "active": True},
           {"code": "SIAP-CERRADO", "agency": "SIAP", "name": "Cerrado", "active": False}]


def created(folio, event_id=None, channel="072"):
    return {"event_id": event_id or f"e-{folio}", "event_type": "report_created", "version": 1, "producer": "intake",
            "trace": {}, "data": {
                "folio": folio, "petition_type": "OP-LAMPARA APAGADA", "channel": channel, "citizen_number": 5,
                "agency": "OP", "department": "OP-ALUMBRADO", "created_by": "operator",
                "location": {"lat": 21.1, "lon": -101.6, "colonia": "CENTRO", "street": "MADERO"},
                "created_at": "2026-11-30T16:00:00+00:00", "due_at": "2026-12-05T23:59:59-06:00"}}


@pytest.fixture
def folio(repo):
    handlers.refresh_departments(repo, lambda: CATALOG, now=T0)
    assert handlers.assign_reports(repo, [created(7)]) == [7]
    return 7


def test_assignment_is_idempotent_and_publishes_once(repo):
    assert handlers.assign_reports(repo, [created(7), created(7, "e-bis")]) == [7]
    assert handlers.assign_reports(repo, [created(7)]) == []  # redelivered
    assert repo.event_types() == ["report_assigned"]
    assert [r[1]["routing_key"] for r in repo.data["routed"]] == ["OP.OP-ALUMBRADO.report_assigned"]


def test_start_and_finish_write_interventions_history_and_events_in_one_transaction(repo, folio):
    commits = repo.commits
    a = handlers.start_report(repo, OP, folio, 1, "Cuadrilla asignada", now=T0)
    assert (a["status"], a["version"], a["interventions_count"], repo.commits) == ("in_progress", 2, 1, commits + 1)
    a = handlers.finish_report(repo, OP, folio, 2, "Lámpara cambiada", now=T0)
    assert (a["status"], a["closed_at"], [h["kind"] for h in a["history"]]) == (
        "done", T0.isoformat(), ["assigned", "started", "finished"])
    assert repo.event_types()[1:] == ["intervention_added", "report_status_changed",
                                      "intervention_added", "report_status_changed"]


def test_a_refused_change_leaves_nothing(repo, folio):
    before = repr(repo.data)
    with pytest.raises(InvalidInput):
        handlers.mark_not_viable(repo, OP, folio, 1, " ")  # no reason
    with pytest.raises(Conflict):
        handlers.finish_report(repo, OP, folio, 1, "hecho")  # captured → done
    with pytest.raises(Conflict):
        handlers.start_report(repo, OP, folio, 9)  # stale version
    assert repr(repo.data) == before and repo.rollbacks == 3


def test_reassign_to_a_known_department_keeps_the_due_date(repo, folio):
    a = handlers.reassign_report(repo, OP, folio, 1, "SIAP", "SIAP-RECOLECCION", "Es basura", now=T0)
    assert (a["agency"], a["department"], a["status"], a["reassign_count"]) == (
        "SIAP", "SIAP-RECOLECCION", "captured", 1)
    assert a["view"] == "full"  # the view of who acted, as it was allowed to read it
    with pytest.raises(NotFound):  # OP no longer sees it
        handlers.get_assignment(repo, folio, OP)
    assert handlers.get_assignment(repo, folio, SIAP)["due_at"] == a["due_at"]


@pytest.mark.parametrize("agency, department", [("SIAP", "SIAP-NADA"), ("SIAP", "SIAP-CERRADO"),
                                                ("OP", "SIAP-RECOLECCION")])
def test_reassign_or_share_to_an_unknown_inactive_or_foreign_department_is_refused(repo, folio, agency, department):
    asked = []

    def catalog():
        asked.append(True)
        return CATALOG

    before = repr(repo.data["assignments"])
    for do in (lambda: handlers.reassign_report(repo, OP, folio, 1, agency, department, "x", departments=catalog),
               lambda: handlers.share_report(repo, OP, folio, 1, agency, department, departments=catalog)):
        with pytest.raises(InvalidInput) as err:
            do()
        assert err.value.code == "departamento_no_encontrado"
    assert repr(repo.data["assignments"]) == before and len(asked) == 2  # catalog asked once per refusal


def test_an_empty_copy_is_filled_from_catalog_when_a_reassignment_needs_it(repo):
    handlers.assign_reports(repo, [created(7)])
    assert repo.data["departments"] == {}
    a = handlers.reassign_report(repo, SUPERVISOR, 7, 1, "SIAP", "SIAP-RECOLECCION", "x", departments=lambda: CATALOG)
    assert a["agency"] == "SIAP" and set(repo.data["departments"]) == {d["code"] for d in CATALOG}


def test_catalog_unreachable_is_an_error_and_nothing_changes(repo):
    handlers.assign_reports(repo, [created(7)])

    def down():
        raise ConnectionError("catalog")

    with pytest.raises(ServiceError) as err:
        handlers.reassign_report(repo, SUPERVISOR, 7, 1, "SIAP", "SIAP-RECOLECCION", "x", departments=down)
    assert err.value.code == "catalogo_no_disponible"
    assert repo.data["assignments"][7]["agency"] == "OP"


def test_department_events_last_write_wins_and_redeliveries_change_nothing(repo):
    def event(active, at, eid):
        return {"event_id": eid, "data": {"agency": "OP", "code": "OP-PARQUES", "name": "Parques",
                                          "active": active, "changed_at": at}}

    assert handlers.apply_department_changed(repo, event(True, "2026-12-02T00:00:00+00:00", "a"))
    assert not handlers.apply_department_changed(repo, event(False, "2026-12-02T00:00:00+00:00", "a"))
    assert not handlers.apply_department_changed(repo, event(False, "2026-12-01T00:00:00+00:00", "b"))
    assert repo.data["departments"]["OP-PARQUES"]["active"] is True
    assert handlers.apply_department_changed(repo, event(False, "2026-12-03T00:00:00+00:00", "c"))
    assert repo.data["departments"]["OP-PARQUES"]["active"] is False


def test_share_lets_the_guest_read_and_document_but_not_close(repo, folio):
    handlers.share_report(repo, OP, folio, 1, "SIAP", "SIAP-RECOLECCION", now=T0)
    assert handlers.add_intervention(repo, SIAP, folio, "Revisado", now=T0)["agency"] == "SIAP"
    with pytest.raises(Forbidden):
        handlers.start_report(repo, SIAP, folio, 2)
    assert handlers.get_assignment(repo, folio, SIAP)["shares"][0]["shared_by"] == "ana"


def test_the_citizen_reopens_within_the_window_only_and_sees_the_public_view(repo, folio):
    citizen = Actor.citizen(folio).to_dict()
    handlers.start_report(repo, OP, folio, 1, now=T0)
    handlers.finish_report(repo, OP, folio, 2, "Listo", now=T0)
    with pytest.raises(Conflict) as err:
        handlers.reopen_report(repo, citizen, folio, 3, "Sigue igual", now=T0 + timedelta(days=31))
    assert err.value.code == "reapertura_fuera_de_plazo"
    a = handlers.reopen_report(repo, citizen, folio, 3, "Sigue igual", now=T0 + timedelta(days=2))
    assert (a["status"], a["view"]) == ("in_progress", "public")
    assert "text" not in a["history"][-1] and "author" not in a["history"][-1]
    with pytest.raises(Forbidden):
        handlers.add_intervention(repo, citizen, folio, "otra cosa")
    with pytest.raises(NotFound):
        handlers.get_assignment(repo, folio, Actor.citizen(folio + 1).to_dict())


def test_public_and_system_actors(repo, folio):
    assert handlers.get_assignment(repo, folio, PUBLIC)["view"] == "public"
    for do in (lambda: handlers.start_report(repo, PUBLIC, folio, 1), lambda: handlers.list_interventions(repo, folio, PUBLIC)):
        with pytest.raises(Forbidden):
            do()
    with pytest.raises(NotFound):
        handlers.get_assignment(repo, folio, Actor.system_process("whatsapp").to_dict())
    handlers.start_report(repo, OP, folio, 1, now=T0)
    handlers.finish_report(repo, OP, folio, 2, "Listo", now=T0)
    assert handlers.get_assignment(repo, folio, SURVEYS)["view"] == "full"
    assert handlers.reopen_report(repo, SURVEYS, folio, 3, "No se resolvió", now=T0)["status"] == "in_progress"
    with pytest.raises(Forbidden):
        handlers.start_report(repo, SURVEYS, folio, 4)


def test_batch_interventions_only_of_what_the_actor_may_read(repo, folio):
    handlers.assign_reports(repo, [created(8)])
    repo.data["assignments"][8]["agency"] = "SIAP"  # another agency's report
    handlers.add_intervention(repo, OP, 7, "uno", now=T0)
    handlers.add_intervention(repo, SUPERVISOR, 8, "dos", now=T0)
    out = handlers.list_interventions_batch(repo, [7, 8, 99, 7], OP)
    assert list(out) == ["7"] and [i["text"] for i in out["7"]] == ["uno"]
    assert out["7"][0]["evidence"] == []
    assert set(handlers.list_interventions_batch(repo, [7, 8], SUPERVISOR)) == {"7", "8"}
    assert handlers.list_interventions_batch(repo, [7], PUBLIC) == {}
    with pytest.raises(InvalidInput) as err:
        handlers.list_interventions_batch(repo, list(range(1, 502)), SUPERVISOR)
    assert err.value.code == "folios_invalidos"
    with pytest.raises(InvalidInput):
        handlers.list_interventions_batch(repo, ["siete"], SUPERVISOR)
