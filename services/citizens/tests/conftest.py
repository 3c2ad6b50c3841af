"""Citizens fixtures: a migrated database of its own per test; ``uow`` is citizens' store
over a unit of work on it (handlers are called directly; no broker) and ``raw`` that
unit of work, for the tests' own SQL checks."""
import pytest

from sacinfra.db import UnitOfWork, make_engine

from citizens.store import Store


@pytest.fixture
def raw(service_db):
    engine = make_engine(service_db("citizens"))
    with UnitOfWork(engine, "citizens") as u:
        yield u
    engine.dispose()


@pytest.fixture
def uow(raw):
    return Store(raw)
