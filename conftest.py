"""Root conftest: eventlet is monkey-patched before anything else is imported (plain
pytest hangs on nameko integration tests otherwise), then shared fixtures that give
each test its own RabbitMQ vhost and its own PostgreSQL databases."""
import warnings

warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")

import eventlet  # noqa: E402

eventlet.monkey_patch()

import os  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

import sacinfra  # noqa: E402,F401  (PSYCOPG_IMPL=python)
from sacinfra import testing  # noqa: E402

ROOT = Path(__file__).resolve().parent


@pytest.fixture
def vhost():
    """A throwaway vhost with SAC's topology (quorum queues, delivery limit, DLX)."""
    name = testing.unique("test")
    uri = testing.create_vhost(name, delivery_limit=int(os.environ.get("SAC_TEST_DELIVERY_LIMIT", "3")))
    yield {"name": name, "uri": uri}
    testing.remove_vhost(name)


@pytest.fixture
def service_db():
    """Factory: ``service_db("intake")`` creates a database migrated for that service."""
    created = []

    def make(service: str) -> str:
        name = testing.unique(f"t_{service}")
        url = testing.create_database(name)
        created.append(name)
        testing.migrate(ROOT / "services" / service, url)
        return url

    yield make
    for name in created:
        testing.drop_database(name)


@pytest.fixture
def empty_db():
    """A database with only sacinfra's own tables (outbox, processed_messages)."""
    from sacinfra.db import infra_metadata, make_engine

    name = testing.unique("t_infra")
    url = testing.create_database(name)
    engine = make_engine(url)
    infra_metadata.create_all(engine)
    engine.dispose()
    yield url
    testing.drop_database(name)


@pytest.fixture
def service_uow(service_db):
    """Factory: ``service_uow("intake")`` is a UnitOfWork on a fresh migrated database of
    that service, for calling its handlers without a broker."""
    from sacinfra.db import UnitOfWork, make_engine

    opened = []

    def make(service: str) -> UnitOfWork:
        engine = make_engine(service_db(service))
        uow = UnitOfWork(engine, service)
        opened.append((uow, engine))
        return uow

    yield make
    for uow, engine in opened:
        uow.close()
        engine.dispose()


@pytest.fixture
def core_services(vhost, service_db, container_factory):
    """catalog (with its demo data), intake and routing as nameko containers on the test's
    vhost and databases, and an RPC pool: what a channel service talks to."""
    from catalog.seed import seed_demo
    from catalog.service import CatalogService
    from intake.service import IntakeService
    from routing.service import RoutingService
    from sacinfra.db import make_engine
    from sacinfra.rpcpool import RpcPool

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
