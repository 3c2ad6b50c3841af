"""RoutingService in a real nameko container on a throwaway vhost, with a stand-in for
catalog's ``list_departments`` RPC (same name and signature): at start routing fills its
copy of the departments from catalog, applies ``catalog.department_changed`` events, and
answers over RPC with the actor — the reassignment target checked, the public view, the
batch of interventions, NotFound for what the actor may not see."""
import json
import time
import uuid

import eventlet
import pytest
import sqlalchemy as sa
from nameko.exceptions import RemoteError
from nameko.rpc import rpc
from nameko.standalone.events import event_dispatcher

from routing import handlers, store
from routing.service import RoutingService
from sacinfra.actor import Actor
from sacinfra.errors import InvalidInput, NotFound
from sacinfra.db import UnitOfWork, make_engine
from sacinfra.rpcpool import RpcPool

pytestmark = pytest.mark.timeout(90)

OP = {"kind": "staff", "username": "ana", "role": "agency_staff", "agency": "OP", "department": "OP-ALUMBRADO"}
SIAP = {"kind": "staff", "username": "beto", "role": "agency_staff", "agency": "SIAP"}


class CatalogStandIn:
    """What routing asks catalog: its department list, as ``catalog.list_departments``."""
    name = "catalog"

    @rpc
    def list_departments(self, agency=None, active_only=False):
        return [{"code": "OP-ALUMBRADO", "agency": "OP", "name": "Alumbrado", "active": True},
                {"code": "SIAP-RECOLECCION", "agency": "SIAP", "name": "Recolección", "active": True}]


def wait_for(check, seconds=20.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError("timed out")


def remote_code(caught) -> tuple[str, str]:
    return caught.value.exc_type, json.loads(caught.value.value)["code"]


def test_departments_copy_and_rpcs_with_the_actor(vhost, service_db, container_factory, created_event):
    url = service_db("routing")
    engine = make_engine(url)
    uow = UnitOfWork(engine, "routing")
    assert handlers.assign_reports(uow, [created_event(folio=7), created_event(folio=8)]) == [7, 8]

    def departments() -> dict:
        with uow:
            return {r.code: r.active for r in uow.session.execute(sa.select(store.departments))}

    config = {"AMQP_URI": vhost["uri"], "DATABASE_URL": url, "METRICS_PORT": 0}
    container_factory(CatalogStandIn, config).start()
    container_factory(RoutingService, config).start()
    pool = RpcPool({"AMQP_URI": vhost["uri"]}, size=1)
    try:
        wait_for(lambda: departments() == {"OP-ALUMBRADO": True, "SIAP-RECOLECCION": True})  # filled at start

        dispatch = event_dispatcher({"AMQP_URI": vhost["uri"]})
        dispatch("catalog", "department_changed", {
            "event_id": str(uuid.uuid4()), "event_type": "department_changed", "version": 1, "producer": "catalog",
            "occurred_at": "2099-01-01T00:00:00+00:00", "trace": {},
            "data": {"agency": "OP", "code": "OP-BACHEO", "name": "Bacheo", "active": True,
                     "changed_at": "2099-01-01T00:00:00+00:00"}})
        wait_for(lambda: departments().get("OP-BACHEO") is True)

        with pool.proxy() as p:
            with pytest.raises(RemoteError) as caught:
                p.routing.reassign_report(OP, 7, 1, "OP", "OP-NADA", "no existe")
            assert remote_code(caught) == ("UnknownDepartment", "departamento_no_encontrado")
            moved = p.routing.reassign_report(OP, 7, 1, "OP", "OP-BACHEO", "Es bache")
            assert (moved["department"], moved["version"]) == ("OP-BACHEO", 2)
            p.routing.add_intervention(OP, 8, "Revisado")

            public = p.routing.get_assignment(7, Actor.public().to_dict())
            assert public["view"] == "public" and all("author" not in h for h in public["history"])
            with pytest.raises(RemoteError) as caught:
                p.routing.get_assignment(7, SIAP)
            assert remote_code(caught) == ("NotFound", "reporte_no_encontrado")
            with pytest.raises(RemoteError) as caught:
                p.routing.get_assignment(7, None)
            assert remote_code(caught) == ("InvalidInput", "actor_invalido")

            batch = p.routing.list_interventions_batch([7, 8, 404], OP)
            assert sorted(batch) == ["7", "8"] and [i["text"] for i in batch["8"]] == ["Revisado"]
            assert p.routing.list_interventions_batch([7, 8], SIAP) == {}
            views = p.routing.get_assignments_batch([7, 8, 404, 7], OP)  # as get_assignment, one call
            assert sorted(views) == ["7", "8"] and views["7"] == p.routing.get_assignment(7, OP)
            assert views["8"]["interventions_count"] == 1
            assert p.routing.get_assignments_batch([7, 8], SIAP) == {}  # not theirs: left out
            with pytest.raises(RemoteError) as caught:
                p.routing.get_assignments_batch(list(range(1, 502)), OP)
            assert remote_code(caught) == ("InvalidInput", "folios_invalidos")
    finally:
        pool.close()
        uow.close()
        engine.dispose()


class SlowCatalogStandIn:
    name = "catalog"

    @rpc
    def list_departments(self, agency=None, active_only=False):
        eventlet.sleep(3)
        return []


def test_a_catalog_that_does_not_answer_is_an_error_not_a_hang(vhost, service_db, container_factory,
                                                               created_event):
    url = service_db("routing")
    engine = make_engine(url)
    uow = UnitOfWork(engine, "routing")
    handlers.assign_reports(uow, [created_event(folio=7)])
    config = {"AMQP_URI": vhost["uri"], "DATABASE_URL": url, "METRICS_PORT": 0, "CATALOG_TIMEOUT_SECONDS": 0.5}
    container_factory(SlowCatalogStandIn, config).start()
    container_factory(RoutingService, config).start()
    pool = RpcPool({"AMQP_URI": vhost["uri"]}, size=1)
    try:
        with pool.proxy() as p:
            started = time.monotonic()
            with pytest.raises(RemoteError) as caught:
                p.routing.reassign_report(OP, 7, 1, "SIAP", "SIAP-RECOLECCION", "basura")
            assert remote_code(caught) == ("ServiceError", "catalogo_no_disponible")
            assert time.monotonic() - started < 2.5
            assert p.routing.get_assignment(7, OP)["agency"] == "OP"  # nothing changed
    finally:
        pool.close()
        uow.close()
        engine.dispose()


class CitizensStandIn:
    """What routing asks citizens, as it answers (same names and signatures): citizen 100
    is a person with 200 merged into it; 999 does not exist; a name with «lento» takes 3 s."""
    name = "citizens"
    searches: list = []

    @rpc
    def find_numbers(self, actor, name=None, sex=None, age_min=None, age_max=None, reason=None, limit=10000):
        if name and "lento" in name:
            eventlet.sleep(3)
        if name and len(name) < 3:
            raise InvalidInput("Escriba al menos tres letras seguidas del nombre.", "busqueda_muy_corta")
        self.searches.append((actor["username"], name, sex, reason, limit))
        return {"numbers": [100, 200] if sex in (None, "female") else [], "truncated": sex == "unspecified"}

    @rpc
    def related_numbers(self, actor, number):
        if number == 999:
            raise NotFound("No existe el ciudadano número 999.", "ciudadano_no_encontrado")
        return {"number": 100, "numbers": [100, 200]}

    @rpc
    def get_citizens(self, actor, numbers, reason):
        return {"items": [{"number": n, "citizen_number": n, "full_name": "Rosa Quiñones", "phones": ["4771234567"]}
                          for n in numbers]}


def test_citizen_criteria_and_history_ask_citizens_bounded_and_relay_its_refusals(vhost, service_db,
                                                                                  container_factory, created_event):
    url = service_db("routing")
    engine = make_engine(url)
    uow = UnitOfWork(engine, "routing")
    events = [created_event(folio=f) for f in (1, 2, 3)]
    for e, number in zip(events, (100, 200, 300)):
        e["data"]["citizen_number"] = number
    events[1]["data"] |= {"agency": "SIAP", "department": "SIAP-RECOLECCION"}
    handlers.assign_reports(uow, events)
    config = {"AMQP_URI": vhost["uri"], "DATABASE_URL": url, "METRICS_PORT": 0, "CITIZENS_TIMEOUT_SECONDS": 1}
    container_factory(CatalogStandIn, config).start()
    container_factory(CitizensStandIn, config).start()
    container_factory(RoutingService, config).start()
    pool = RpcPool({"AMQP_URI": vhost["uri"]}, size=1)
    supervisor = {"kind": "staff", "username": "sup", "role": "supervisor"}
    auditor = {"kind": "staff", "username": "aud", "role": "auditor"}
    rosa = {"citizen": {"name": "rosa", "sex": "female"}}
    try:
        with pool.proxy() as p:
            page = p.routing.query_reports(supervisor, rosa, 1, 50, "folio", {"reason": "Queja 12"})
            assert [i["folio"] for i in page["items"]] == [1, 2] and page["items"][0]["citizen_name"] == "Rosa Quiñones"
            assert CitizensStandIn.searches[-1] == ("sup", "rosa", "female", "Queja 12", 20000)
            assert [i["folio"] for i in p.routing.query_reports(OP, rosa)["items"]] == [1]  # its agency's only
            assert p.routing.query_reports(supervisor, rosa | {"citizen_numbers": [200, 300]})["total"] == 1
            assert p.routing.group_reports(supervisor, rosa, ["agency"], {"reason": "Conteo"})["total"] == 2
            assert CitizensStandIn.searches[-1][3] == "Conteo"
            first = p.routing.export_csv_page(supervisor, rosa, None, None)
            assert first["total"] == 2 and first["filters"] == {"citizen_numbers": [100, 200]}
            assert p.routing.work_orders(supervisor, {"filters": rosa | {"citizen": {"sex": "male"}}},
                                         None)["rows"] == 0

            by_number = p.routing.citizen_history(supervisor, 200, None, 1, 50, "folio")
            assert [i["folio"] for i in by_number["items"]] == [1, 2]
            assert by_number["citizen"] == {"number": 100, "numbers": [100, 200], "full_name": "Rosa Quiñones"}
            assert "full_name" not in p.routing.citizen_history(auditor, 100)["citizen"]
            by_name = p.routing.citizen_history(OP, None, "rosa")
            assert [i["folio"] for i in by_name["items"]] == [1] and by_name["citizen_numbers"] == [100, 200]

            for call, expected in (
                    (lambda: p.routing.query_reports(auditor, rosa), ("Forbidden", "prohibido")),
                    (lambda: p.routing.query_reports(supervisor, {"citizen": {"sex": "unspecified"}}),
                     ("InvalidInput", "filtro_ciudadano_muy_amplio")),
                    (lambda: p.routing.query_reports(supervisor, {"citizen": {"name": "ro"}}),
                     ("InvalidInput", "busqueda_muy_corta")),  # citizens' refusal, as it was
                    (lambda: p.routing.citizen_history(supervisor, 999), ("NotFound", "ciudadano_no_encontrado")),
                    (lambda: p.routing.citizen_history(auditor, None, "rosa"), ("Forbidden", "prohibido"))):
                with pytest.raises(RemoteError) as caught:
                    call()
                assert remote_code(caught) == expected
            started = time.monotonic()
            with pytest.raises(RemoteError) as caught:  # citizens slower than CITIZENS_TIMEOUT_SECONDS
                p.routing.query_reports(supervisor, {"citizen": {"name": "lento"}})
            assert remote_code(caught) == ("Unavailable", "servicio_no_disponible")
            assert time.monotonic() - started < 2.5
    finally:
        pool.close()
        uow.close()
        engine.dispose()
