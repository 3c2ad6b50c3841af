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
