"""Citizens fixtures: a unit of work on a migrated database of its own per test (handlers
are called directly; no broker)."""
import pytest

from sacinfra.db import UnitOfWork, make_engine


@pytest.fixture
def uow(service_db):
    engine = make_engine(service_db("citizens"))
    with UnitOfWork(engine, "citizens") as u:
        yield u
    engine.dispose()
