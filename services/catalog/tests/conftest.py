"""Catalog fixtures: a migrated database per test with the demo catalog loaded, and
units of work over it (handlers are called directly; no broker)."""
import pytest
import sqlalchemy as sa

from sacinfra.db import UnitOfWork, make_engine, outbox_table

from catalog import store
from catalog.seed import seed_demo

@pytest.fixture
def engine(service_db):
    engine = make_engine(service_db("catalog"))
    seed_demo(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def uow(engine):
    """Factory of units of work (each one closed at the end of the test)."""
    made = []

    def make():
        u = UnitOfWork(engine, "catalog")
        made.append(u)
        return u

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
