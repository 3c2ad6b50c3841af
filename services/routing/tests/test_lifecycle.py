"""The lifecycle of a report on a real PostgreSQL database: every transition and rule,
optimistic locking, interventions, shares, authorization, history and outbox events."""
import json
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa
from jsonschema import Draft202012Validator, FormatChecker

from routing import handlers, store
from sacinfra.actor import Actor
from sacinfra.db import UnitOfWork, outbox_table
from sacinfra.errors import Conflict, Forbidden, InvalidInput, NotFound
from routing_actors import AUDITOR, OP, OPERATOR, SIAP, SUPERVISOR

CONTRACTS = Path(__file__).resolve().parents[3] / "contracts"

ADMIN = {"kind": "staff", "username": "admin", "role": "admin", "agency": None, "department": None}


def events(uow, event_type=None) -> list[dict]:
    rows = [r.payload for r in uow.session.execute(sa.select(outbox_table).where(outbox_table.c.exchange == "routing.events")
                                                   .order_by(outbox_table.c.id))]
    return [e for e in rows if event_type is None or e["event_type"] == event_type]


def error_code(exc_info) -> str:
    return exc_info.value.code


def test_start_then_finish_with_its_closing_intervention(uow, folio):
    a = handlers.start_report(uow, OP, folio, 1, "Cuadrilla asignada")
    assert (a["status"], a["version"], a["interventions_count"]) == ("in_progress", 2, 1)
    a = handlers.finish_report(uow, OP, folio, 2, "Se cambió la lámpara")
    assert (a["status"], a["version"], a["interventions_count"]) == ("done", 3, 2)
    assert a["closed_at"] is not None
    assert [h["kind"] for h in a["history"]] == ["assigned", "started", "finished"]
    finished = a["history"][-1]
    assert (finished["from_status"], finished["to_status"], finished["author"], finished["version"]) == (
        "in_progress", "done", "agency_staff", 3)
    items = handlers.list_interventions(uow, folio, SUPERVISOR)
    assert [(i["kind"], i["text"], i["author"]) for i in items] == [
        ("start", "Cuadrilla asignada", "agency_staff"), ("closing", "Se cambió la lámpara", "agency_staff")]
    assert finished["intervention_id"] == items[-1]["id"]

    changed = [e["data"] for e in events(uow, "report_status_changed")]
    assert [(d["from"], d["to"], d["action"], d["version"]) for d in changed] == [
        ("captured", "in_progress", "start", 2), ("in_progress", "done", "finish", 3)]
    assert changed[0]["agency"] == "OP" and changed[0]["department"] == "OP-ALUMBRADO"
    added = [e["data"] for e in events(uow, "intervention_added")]
    assert [d["kind"] for d in added] == ["start", "closing"]
    assert all("text" not in d for d in added)  # free text never travels in events


def test_start_without_text_writes_no_intervention(uow, folio):
    a = handlers.start_report(uow, OP, folio, 1)
    assert a["interventions_count"] == 0 and not events(uow, "intervention_added")


@pytest.mark.parametrize("text", [None, "", "   "])
def test_cannot_finish_without_closing_text(uow, folio, text):
    handlers.start_report(uow, OP, folio, 1)
    with pytest.raises(InvalidInput) as err:
        handlers.finish_report(uow, OP, folio, 2, text)
    assert error_code(err) == "cierre_requerido"
    a = handlers.get_assignment(uow, folio, SUPERVISOR)
    assert (a["status"], a["version"], a["interventions_count"]) == ("in_progress", 2, 0)
    assert len(events(uow, "report_status_changed")) == 1  # nothing of the refused finish


@pytest.mark.parametrize("do", [
    lambda uow, f: handlers.finish_report(uow, OP, f, 1, "hecho"),            # captured → done
    lambda uow, f: handlers.reopen_report(uow, SUPERVISOR, f, 1, "queja"),    # captured → in_progress by reopen
])
def test_illegal_transitions_are_conflicts_naming_the_states(uow, folio, do):
    with pytest.raises(Conflict) as err:
        do(uow, folio)
    assert error_code(err) == "transicion_invalida"
    assert "«Capturado»" in err.value.message
    assert handlers.get_assignment(uow, folio, SUPERVISOR)["version"] == 1


def test_no_transition_out_of_done_but_reopen(uow, folio):
    handlers.start_report(uow, OP, folio, 1)
    handlers.finish_report(uow, OP, folio, 2, "listo")
    for do in (lambda: handlers.start_report(uow, OP, folio, 3),
               lambda: handlers.finish_report(uow, OP, folio, 3, "otra vez"),
               lambda: handlers.mark_not_viable(uow, OP, folio, 3, "no"),
               lambda: handlers.reassign_report(uow, OP, folio, 3, "SIAP", "SIAP-RECOLECCION", "no es nuestro")):
        with pytest.raises(Conflict) as err:
            do()
        assert error_code(err) == "transicion_invalida" and "«Terminado»" in err.value.message
    with pytest.raises(Conflict) as err:
        handlers.share_report(uow, OP, folio, 3, "SIAP", "SIAP-RECOLECCION")
    assert error_code(err) == "reporte_cerrado"


def test_not_viable_needs_a_reason_from_captured_or_in_progress(uow, folio, created_event):
    with pytest.raises(InvalidInput) as err:
        handlers.mark_not_viable(uow, OP, folio, 1, " ")
    assert error_code(err) == "motivo_requerido"
    a = handlers.mark_not_viable(uow, OP, folio, 1, "Propiedad privada")
    assert a["status"] == "not_viable" and a["history"][-1]["text"] == "Propiedad privada"
    assert events(uow, "report_status_changed")[-1]["data"]["reason"] == "Propiedad privada"

    assert handlers.assign_report(uow, created_event(folio=8))
    handlers.start_report(uow, OP, 8, 1)
    assert handlers.mark_not_viable(uow, SUPERVISOR, 8, 2, "Duplicado")["status"] == "not_viable"


def test_reopen_by_a_supervisor_within_the_window(uow, folio):
    t0 = datetime(2026, 12, 1, 10, tzinfo=timezone.utc)
    handlers.start_report(uow, OP, folio, 1, now=t0)
    handlers.finish_report(uow, OP, folio, 2, "Se cambió la lámpara", now=t0)
    with pytest.raises(Forbidden) as err:
        handlers.reopen_report(uow, OP, folio, 3, "El ciudadano dice que sigue apagada", now=t0)
    assert error_code(err) == "prohibido"
    with pytest.raises(InvalidInput):
        handlers.reopen_report(uow, SUPERVISOR, folio, 3, "", now=t0)
    a = handlers.reopen_report(uow, SUPERVISOR, folio, 3, "El ciudadano dice que sigue apagada",
                               now=t0 + timedelta(days=29))
    assert (a["status"], a["version"], a["closed_at"]) == ("in_progress", 4, None)
    assert a["history"][-1]["kind"] == "reopened" and a["history"][-1]["author"] == "supervisor"

    handlers.finish_report(uow, OP, folio, 4, "Ahora sí", now=t0 + timedelta(days=30))
    with pytest.raises(Conflict) as err:  # the window counts from the last closure
        handlers.reopen_report(uow, ADMIN, folio, 5, "tarde", now=t0 + timedelta(days=61), reopen_days=30)
    assert error_code(err) == "reapertura_fuera_de_plazo"
    assert handlers.reopen_report(uow, ADMIN, folio, 5, "a tiempo", now=t0 + timedelta(days=61),
                                  reopen_days=45)["status"] == "in_progress"


def test_the_citizen_may_reopen_within_the_window_and_do_nothing_else(uow, folio):
    citizen = Actor.citizen(folio).to_dict()
    t0 = datetime(2026, 12, 1, 10, tzinfo=timezone.utc)
    for do in (lambda: handlers.start_report(uow, citizen, folio, 1, now=t0),
               lambda: handlers.add_intervention(uow, citizen, folio, "yo también"),
               lambda: handlers.list_interventions(uow, folio, citizen)):
        with pytest.raises(Forbidden):
            do()
    public = handlers.get_assignment(uow, folio, citizen)  # its folio: the public view
    assert public["view"] == "public" and "author" not in public["history"][0]
    with pytest.raises(NotFound):  # another folio does not exist for it
        handlers.get_assignment(uow, folio, Actor.citizen(folio + 1).to_dict())
    handlers.start_report(uow, OP, folio, 1, now=t0)
    handlers.finish_report(uow, OP, folio, 2, "Se cambió la lámpara", now=t0)
    a = handlers.reopen_report(uow, citizen, folio, 3, "Sigue apagada", now=t0 + timedelta(days=3))
    assert (a["status"], a["history"][-1]["kind"], a["view"]) == ("in_progress", "reopened", "public")
    assert handlers.get_assignment(uow, folio, SUPERVISOR)["history"][-1]["author"] == citizen["username"]
    handlers.finish_report(uow, OP, folio, 4, "Ahora sí", now=t0 + timedelta(days=4))
    with pytest.raises(Conflict) as err:
        handlers.reopen_report(uow, citizen, folio, 5, "tarde", now=t0 + timedelta(days=40), reopen_days=30)
    assert error_code(err) == "reapertura_fuera_de_plazo"


def test_a_not_viable_report_can_be_reopened(uow, folio):
    handlers.mark_not_viable(uow, OP, folio, 1, "Sin acceso")
    assert handlers.reopen_report(uow, SUPERVISOR, folio, 2, "Ya hay acceso")["status"] == "in_progress"


def test_reassign_keeps_history_and_due_date_and_goes_back_to_captured(uow, folio):
    before = handlers.get_assignment(uow, folio, SUPERVISOR)
    handlers.start_report(uow, OP, folio, 1)
    with pytest.raises(InvalidInput) as err:
        handlers.reassign_report(uow, OP, folio, 2, "SIAP", "SIAP-RECOLECCION", "")
    assert error_code(err) == "motivo_requerido"
    with pytest.raises(Conflict) as err:
        handlers.reassign_report(uow, OP, folio, 2, "OP", "OP-ALUMBRADO", "igual")
    assert error_code(err) == "misma_asignacion"
    a = handlers.reassign_report(uow, OP, folio, 2, "SIAP", "SIAP-RECOLECCION", "Es un animal muerto")
    assert (a["agency"], a["department"], a["status"], a["version"]) == ("SIAP", "SIAP-RECOLECCION", "captured", 3)
    assert a["due_at"] == before["due_at"] and a["reassign_count"] == 1
    assert [h["kind"] for h in a["history"]] == ["assigned", "started", "reassigned"]
    assert a["history"][1]["agency"] == "OP" and a["history"][2]["text"] == "Es un animal muerto"
    (moved,) = [e["data"] for e in events(uow, "report_reassigned")]
    assert (moved["from_agency"], moved["agency"], moved["from_status"], moved["status"]) == (
        "OP", "SIAP", "in_progress", "captured")
    assert events(uow, "report_status_changed")[-1]["data"]["to"] == "captured"

    # now OP has no say on it (nor sees it), SIAP has
    with pytest.raises(NotFound):
        handlers.start_report(uow, OP, folio, 3)
    assert handlers.start_report(uow, SIAP, folio, 3)["status"] == "in_progress"


def test_share_lets_another_department_document_but_only_the_owner_closes(uow, folio):
    a = handlers.share_report(uow, OP, folio, 1, "SIAP", "SIAP-RECOLECCION")
    assert a["version"] == 2 and a["status"] == "captured"
    assert [(s["agency"], s["department"], s["shared_by"]) for s in a["shares"]] == [
        ("SIAP", "SIAP-RECOLECCION", "agency_staff")]
    with pytest.raises(Conflict) as err:
        handlers.share_report(uow, OP, folio, 2, "SIAP", "SIAP-RECOLECCION")
    assert error_code(err) == "ya_compartido"
    with pytest.raises(Conflict) as err:
        handlers.share_report(uow, OP, folio, 2, "OP", "OP-ALUMBRADO")
    assert error_code(err) == "misma_asignacion"

    note = handlers.add_intervention(uow, SIAP, folio, "Pasamos a revisar: no hay animal")
    assert (note["kind"], note["agency"], note["department"]) == ("note", "SIAP", "SIAP-RECOLECCION")
    assert [i["id"] for i in handlers.list_interventions(uow, folio, SIAP)] == [note["id"]]
    for do in (lambda: handlers.start_report(uow, SIAP, folio, 2),
               lambda: handlers.mark_not_viable(uow, SIAP, folio, 2, "no"),
               lambda: handlers.reassign_report(uow, SIAP, folio, 2, "SIAP", "SIAP-RECOLECCION", "mío"),
               lambda: handlers.share_report(uow, SIAP, folio, 2, "SIAP", "SIAP-OTRO")):
        with pytest.raises(Forbidden):
            do()
    handlers.start_report(uow, OP, folio, 2)
    with pytest.raises(Forbidden):
        handlers.finish_report(uow, SIAP, folio, 3, "cerrado por SIAP")
    assert handlers.finish_report(uow, OP, folio, 3, "Cerrado por OP")["status"] == "done"
    (shared,) = [e["data"] for e in events(uow, "report_shared")]
    assert (shared["agency"], shared["department"], shared["owner_agency"]) == ("SIAP", "SIAP-RECOLECCION", "OP")
    assert [h["kind"] for h in handlers.get_assignment(uow, folio, SUPERVISOR)["history"]] == [
        "assigned", "shared", "intervention", "started", "finished"]


def test_reassigning_to_a_shared_department_makes_it_the_owner(uow, folio):
    handlers.share_report(uow, OP, folio, 1, "SIAP", "SIAP-RECOLECCION")
    a = handlers.reassign_report(uow, SUPERVISOR, folio, 2, "SIAP", "SIAP-RECOLECCION", "Le corresponde")
    assert a["shares"] == [] and a["agency"] == "SIAP"


def test_who_may_act(uow, folio):
    """Another agency's staff does not see the report (NotFound, as a folio that does not
    exist); those who see it but may not act get Forbidden; a broken actor InvalidInput."""
    for actor, refused in ((SIAP, NotFound), (OPERATOR, Forbidden), (AUDITOR, Forbidden),
                           (Actor.public().to_dict(), Forbidden), (Actor.system_process("whatsapp").to_dict(), NotFound),
                           (None, InvalidInput), ({"username": "x"}, InvalidInput)):
        for do in (lambda: handlers.start_report(uow, actor, folio, 1),
                   lambda: handlers.add_intervention(uow, actor, folio, "nota")):
            with pytest.raises(refused) as err:
                do()
            assert error_code(err) == {NotFound: "reporte_no_encontrado", Forbidden: "prohibido",
                                       InvalidInput: "actor_invalido"}[refused]
    with pytest.raises(NotFound) as err:
        handlers.list_interventions(uow, folio, SIAP)
    assert error_code(err) == "reporte_no_encontrado"
    assert handlers.get_assignment(uow, folio, OPERATOR)["view"] == "full"
    assert handlers.list_interventions(uow, folio, AUDITOR) == []
    assert handlers.get_assignment(uow, folio, AUDITOR)["folio"] == folio
    assert handlers.start_report(uow, ADMIN, folio, 1)["status"] == "in_progress"
    assert handlers.get_assignment(uow, folio, SUPERVISOR)["version"] == 2


def test_the_public_reads_the_public_view_and_the_surveys_process_reopens(uow, folio):
    handlers.start_report(uow, OP, folio, 1, "Cuadrilla asignada")
    public = handlers.get_assignment(uow, folio, Actor.public().to_dict())
    assert public["view"] == "public" and public["status"] == "in_progress"
    assert all(set(h) == {"kind", "from_status", "to_status", "agency", "department", "at", "version"}
               for h in public["history"])
    assert "interventions_count" not in public
    handlers.finish_report(uow, OP, folio, 2, "Listo")
    surveys = Actor.system_process("surveys").to_dict()
    assert handlers.list_interventions(uow, folio, surveys)[-1]["text"] == "Listo"
    with pytest.raises(Forbidden):
        handlers.add_intervention(uow, surveys, folio, "encuesta")
    a = handlers.reopen_report(uow, surveys, folio, 3, "El ciudadano dice que no se resolvió")
    assert (a["status"], a["history"][-1]["author"]) == ("in_progress", "system:surveys")
    with pytest.raises(NotFound):  # any other process: nothing
        handlers.get_assignment(uow, folio, Actor.system_process("stats").to_dict())


def test_reassign_or_share_to_an_unknown_or_inactive_department_changes_nothing(uow, folio):
    with pytest.raises(InvalidInput) as err:
        handlers.reassign_report(uow, OP, folio, 1, "SIAP", "SIAP-NADA", "motivo")
    assert error_code(err) == "departamento_no_encontrado"
    with pytest.raises(InvalidInput) as err:  # a department of another agency
        handlers.share_report(uow, OP, folio, 1, "SIAP", "OP-BACHEO")
    assert error_code(err) == "departamento_no_encontrado"
    handlers.apply_department_changed(uow, department_changed("SIAP-RECOLECCION", "SIAP", False,
                                                              "2099-01-01T00:00:00+00:00"))
    with pytest.raises(InvalidInput) as err:  # inactive
        handlers.reassign_report(uow, OP, folio, 1, "SIAP", "SIAP-RECOLECCION", "motivo")
    assert error_code(err) == "departamento_no_encontrado"
    a = handlers.get_assignment(uow, folio, SUPERVISOR)
    assert (a["agency"], a["version"], a["shares"]) == ("OP", 1, [])
    assert not events(uow, "report_reassigned") and not events(uow, "report_shared")


def department_changed(code, agency, active, changed_at, event_id=None):
    return {"event_id": event_id or str(uuid.uuid4()), "event_type": "department_changed", "version": 1,
            "producer": "catalog", "occurred_at": changed_at, "trace": {},
            "data": {"agency": agency, "code": code, "name": code, "active": active, "changed_at": changed_at}}


def test_departments_copy_is_idempotent_last_write_wins_and_filled_from_catalog_when_unknown(uow, folio):
    new = department_changed("OP-PARQUES", "OP", True, "2026-12-02T10:00:00+00:00")
    assert handlers.apply_department_changed(uow, new) is True
    assert handlers.apply_department_changed(uow, new) is False  # redelivered
    older = department_changed("OP-PARQUES", "OP", False, "2026-12-01T10:00:00+00:00")
    assert handlers.apply_department_changed(uow, older) is False  # older than what routing holds
    assert handlers.share_report(uow, OP, folio, 1, "OP", "OP-PARQUES")["version"] == 2

    asked = []

    def catalog():
        asked.append(1)
        return [{"code": "DU-OBRAS", "agency": "DU", "name": "Obras", "active": True}]

    a = handlers.reassign_report(uow, OP, folio, 2, "DU", "DU-OBRAS", "Es obra", departments=catalog)
    assert (a["agency"], a["department"], asked) == ("DU", "DU-OBRAS", [1])
    with pytest.raises(InvalidInput) as err:  # asked once more, still unknown: refused
        handlers.reassign_report(uow, SUPERVISOR, folio, 3, "DU", "DU-NADA", "x", departments=catalog)
    assert error_code(err) == "departamento_no_encontrado" and asked == [1, 1]


def test_stale_version_is_a_conflict(uow, folio):
    handlers.add_intervention(uow, OP, folio, "Nota que no cambia la versión")
    handlers.start_report(uow, OP, folio, 1)
    with pytest.raises(Conflict) as err:
        handlers.mark_not_viable(uow, SUPERVISOR, folio, 1, "Duplicado")
    assert error_code(err) == "version_desactualizada"
    with pytest.raises(InvalidInput) as err:
        handlers.finish_report(uow, OP, folio, None, "hecho")
    assert error_code(err) == "version_requerida"
    assert handlers.get_assignment(uow, folio, SUPERVISOR)["status"] == "in_progress"


def test_concurrent_transitions_one_wins_by_optimistic_locking(engine, uow, folio):
    """Two workers read version 1; the second to write finds the row changed."""
    with UnitOfWork(engine, "routing") as other:
        repo = store.repository(other)
        row = repo.assignment(folio)  # the other worker has read version 1
        handlers.start_report(uow, OP, folio, 1)  # this one commits first
        with pytest.raises(Conflict) as err:
            handlers._bump(repo, row, {"status": "not_viable"})
        assert error_code(err) == "version_desactualizada"
        other.rollback()
    assert handlers.get_assignment(uow, folio, SUPERVISOR)["status"] == "in_progress"


def test_interventions_are_immutable(uow, folio):
    note = handlers.add_intervention(uow, OP, folio, "Primera visita")
    with pytest.raises(sa.exc.DBAPIError):
        uow.session.execute(sa.text("UPDATE interventions SET text = 'otra' WHERE id = :id"), {"id": note["id"]})
    uow.rollback()
    with pytest.raises(sa.exc.DBAPIError):
        uow.session.execute(sa.text("DELETE FROM history"))
    uow.rollback()
    assert handlers.list_interventions(uow, folio, SUPERVISOR)[0]["text"] == "Primera visita"
    with pytest.raises(InvalidInput) as err:
        handlers.add_intervention(uow, OP, folio, "  ")
    assert error_code(err) == "texto_requerido"
    a = handlers.get_assignment(uow, folio, SUPERVISOR)
    assert a["interventions_count"] == 1 and a["version"] == 1
    assert a["history"][-1]["kind"] == "intervention" and a["history"][-1]["text"] is None


def test_unknown_folio(uow):
    with pytest.raises(NotFound):
        handlers.start_report(uow, OP, 404, 1)
    with pytest.raises(NotFound):
        handlers.list_interventions(uow, 404, SUPERVISOR)


def validate(envelope: dict) -> None:
    """The envelope and its data against contracts/ (as tests/contract does)."""
    def load(name):
        return Draft202012Validator(json.loads((CONTRACTS / name).read_text()), format_checker=FormatChecker())
    load("envelope.schema.json").validate(envelope)
    load(f"events/{envelope['producer']}.{envelope['event_type']}.v{envelope['version']}.schema.json"
         ).validate(envelope["data"])


def test_every_event_matches_its_contract(uow, folio):
    handlers.start_report(uow, OP, folio, 1, "Inicio")
    handlers.share_report(uow, OP, folio, 2, "SIAP", "SIAP-RECOLECCION")
    handlers.add_intervention(uow, SIAP, folio, "Nota")
    handlers.reassign_report(uow, SUPERVISOR, folio, 3, "OP", "OP-BACHEO", "Es bache")
    handlers.mark_not_viable(uow, OP, folio, 4, "Duplicado")
    handlers.reopen_report(uow, SUPERVISOR, folio, 5, "Queja")
    handlers.finish_report(uow, OP, folio, 6, "Cerrado")
    published = events(uow)
    assert {e["event_type"] for e in published} == {
        "report_assigned", "report_status_changed", "intervention_added", "report_reassigned", "report_shared"}
    for e in published:
        validate(e)
