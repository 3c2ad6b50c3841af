"""CatalogService in a real nameko container on a throwaway vhost: an SLA changed over
RPC is what the next quote uses, and errors travel as the RPC contract says."""
import json

import pytest
from nameko.exceptions import RemoteError

from sacinfra.db import make_engine
from sacinfra.rpcpool import RpcPool

from catalog.seed import seed_demo
from catalog.service import CatalogService

pytestmark = pytest.mark.timeout(60)

OP_STAFF = {"username": "op.enlace", "role": "agency_staff", "agency": "OP", "kind": "staff"}
SIAP_STAFF = {"username": "siap.enlace", "role": "agency_staff", "agency": "SIAP", "kind": "staff"}
LAMP = "OP-LAMPARA APAGADA"


def test_sla_changed_over_rpc_applies_to_the_next_quote(vhost, service_db, container_factory):
    url = service_db("catalog")
    engine = make_engine(url)
    seed_demo(engine)
    engine.dispose()
    container = container_factory(CatalogService, {"AMQP_URI": vhost["uri"], "DATABASE_URL": url,
                                                   "METRICS_PORT": 0})
    container.start()
    pool = RpcPool({"AMQP_URI": vhost["uri"]}, size=1)
    try:
        with pool.proxy() as rpc:
            created = "2026-03-02T10:00:00-06:00"
            ask = [{"petition_type": LAMP, "channel": "072", "created_at": created}]
            assert rpc.catalog.quote_reports(ask)[0]["quote"]["due_at"] == "2026-03-07T23:59:59-06:00"
            version = rpc.catalog.get_petition_type(LAMP)["version"]
            pt = rpc.catalog.update_petition_type(OP_STAFF, LAMP, {"sla_amount": 1, "sla_unit": "business_days"},
                                                  version)
            assert pt["version"] == version + 1
            [answer] = rpc.catalog.quote_reports(ask)
            quote = answer["quote"]
            assert (quote["sla_amount"], quote["sla_unit"]) == (1, "business_days")
            assert quote["due_at"] == "2026-03-03T16:00:00-06:00"
            assert rpc.catalog.petition_type_history(LAMP)[0]["author"] == "op.enlace"

            with pytest.raises(RemoteError) as caught:  # the version it read is stale now
                rpc.catalog.update_petition_type(OP_STAFF, LAMP, {"sla_amount": 2}, version)
            assert caught.value.exc_type == "Conflict"
            assert json.loads(caught.value.value)["code"] == "version_desactualizada"
            with pytest.raises(RemoteError) as caught:
                rpc.catalog.update_petition_type(SIAP_STAFF, LAMP, {"sla_amount": 2}, version + 1)
            assert caught.value.exc_type == "Forbidden"
            assert json.loads(caught.value.value)["code"] == "prohibido"
            with pytest.raises(RemoteError) as caught:
                rpc.catalog.import_catalog(OP_STAFF, "csv", "")
            assert caught.value.exc_type == "InvalidInput"
            assert json.loads(caught.value.value)["code"] == "importacion_invalida"
            assert rpc.catalog.list_services()[0]["type"] == "realtime"
            page = rpc.catalog.list_petition_types({"q": "lampara"}, 1, 5, OP_STAFF)
            assert page["items"][0]["code"] == LAMP and page["per_page"] == 5
            with pytest.raises(RemoteError) as caught:  # the actor contract: no kind, no actor
                rpc.catalog.list_petition_types({}, 1, 5, {"username": "x", "role": "admin"})
            assert (caught.value.exc_type, json.loads(caught.value.value)["code"]) == ("InvalidInput", "actor_invalido")
    finally:
        pool.close()
