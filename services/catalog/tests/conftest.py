"""Catalog fixtures: a migrated database per test with the demo catalog loaded, and
units of work over it (handlers are called directly; no broker)."""
import pytest
import sqlalchemy as sa

from sacinfra.db import UnitOfWork, make_engine, outbox_table

from catalog import handlers, store
from catalog.seed import seed_demo

@pytest.fixture
def engine(service_db):
    engine = make_engine(service_db("catalog"))
    seed_demo(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def uow(engine):
    """Factory of catalog stores, each over its own unit of work (closed at the end of the test)."""
    made = []

    def make():
        u = UnitOfWork(engine, "catalog")
        made.append(u)
        return store.Store(u)

    yield make
    for u in made:
        u.close()


class Peek:
    """Reads straight from the database, outside any unit of work."""

    def __init__(self, engine):
        self.engine = engine

    def count(self, table, *where) -> int:
        with self.engine.connect() as c:
            return c.execute(sa.select(sa.func.count()).select_from(table).where(*where)).scalar()

    def petition_types(self) -> int:
        return self.count(store.petition_types)

    def events(self, event_type="petition_type_changed") -> list[dict]:
        with self.engine.connect() as c:
            return [r.payload for r in c.execute(sa.select(outbox_table.c.payload)
                                                 .where(outbox_table.c.routing_key == event_type)
                                                 .order_by(outbox_table.c.id))]


@pytest.fixture
def peek(engine):
    return Peek(engine)


@pytest.fixture
def quote():
    """``quote(uow, petition_type, channel, created_at)``: one report's quote through
    ``quote_reports``, raising its error as the service answers it."""
    return quote_one


def quote_one(uow, petition_type, channel, created_at) -> dict:
    [answer] = handlers.quote_reports(uow, [{"petition_type": petition_type, "channel": channel,
                                             "created_at": created_at}])
    if "error" in answer:
        err = answer["error"]
        cls = handlers.NotFound if err["type"] == "NotFound" else handlers.InvalidInput
        raise cls(err["message"], err["code"])
    return answer["quote"]


@pytest.fixture
def all_types():
    """``all_types(uow, **filters)``: every petition type (as an admin lists them)."""
    return list_all


def list_all(uow, **filters) -> list[dict]:
    return handlers.list_petition_types(uow, filters, 1, 1000, {"kind": "staff", "username": "admin", "role": "admin"})["items"]
