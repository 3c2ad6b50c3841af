"""Fixtures of the WhatsApp tests: a local fake of the Graph API (the real one is not
reachable here) and the core services (catalog with its demo data, intake, routing) as
real nameko containers on the test's vhost and databases."""
import sys
from pathlib import Path

import pytest

from sacinfra.db import make_engine
from sacinfra.rpcpool import RpcPool
sys.path.insert(0, str(Path(__file__).resolve().parent))
from wa_support import FakeGraph  # noqa: E402


@pytest.fixture
def fake_graph():
    g = FakeGraph()
    yield g
    g.close()


@pytest.fixture
def core(vhost, service_db, container_factory):
    """catalog (demo data), intake and routing running on the test's vhost; an RPC pool."""
    from catalog.seed import seed_demo
    from catalog.service import CatalogService
    from intake.service import IntakeService
    from routing.service import RoutingService

    urls = {s: service_db(s) for s in ("catalog", "intake", "routing")}
    engine = make_engine(urls["catalog"])
    seed_demo(engine)
    engine.dispose()
    for cls, s in ((CatalogService, "catalog"), (IntakeService, "intake"), (RoutingService, "routing")):
        container_factory(cls, {"AMQP_URI": vhost["uri"], "DATABASE_URL": urls[s], "METRICS_PORT": 0,
                                "OUTBOX_POLL_SECONDS": 0.2}).start()
    pool = RpcPool({"AMQP_URI": vhost["uri"]}, size=1)
    yield pool
    pool.close()


