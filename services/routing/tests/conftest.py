"""Routing fixtures: a migrated database per test, a unit of work over it (handlers are
called directly; no broker), the report_created event intake publishes, and folio 7
already assigned from it."""
import sys
import uuid
from pathlib import Path

import pytest

from routing import handlers
from sacinfra.db import UnitOfWork, make_engine

# test modules import their staff actors from routing_actors.py, beside this file
sys.path.insert(0, str(Path(__file__).resolve().parent))


def make_created_event(folio=7, event_id=None):
    return {"event_id": event_id or str(uuid.uuid4()), "event_type": "report_created", "version": 1,
            "producer": "intake", "occurred_at": "2026-11-30T16:00:00+00:00", "trace": {},
            "data": {"folio": folio, "petition_type": "OP-LAMPARA APAGADA", "channel": "072",
                     "citizen_number": None, "agency": "OP", "department": "OP-ALUMBRADO",
                     "location": {"lat": 21.1, "lon": -101.6, "colonia": "CENTRO", "street": "MADERO"},
                     "created_at": "2026-11-30T16:00:00+00:00", "due_at": "2026-12-05T23:59:59-06:00"}}


@pytest.fixture(scope="session")
def created_event():
    """``created_event(folio=7, event_id=None)``: intake's report_created of a lamp out (OP / OP-ALUMBRADO)."""
    return make_created_event


@pytest.fixture
def engine(service_db):
    engine = make_engine(service_db("routing"))
    yield engine
    engine.dispose()


@pytest.fixture
def uow(engine):
    with UnitOfWork(engine, "routing") as u:
        yield u


@pytest.fixture
def folio(uow, created_event, departments):
    """Folio 7, assigned to OP / OP-ALUMBRADO (and routing's copy of the departments filled)."""
    assert handlers.assign_report(uow, created_event(folio=7))
    return 7


#: the departments catalog lists (what routing's copy is filled from)
DEPARTMENTS = [{"code": code, "agency": code.split("-")[0], "name": code, "active": True}
               for code in ("OP-ALUMBRADO", "OP-BACHEO", "SIAP-RECOLECCION", "SIAP-ESPECIALES", "SIAP-OTRO",
                            "DU-LICENCIAS")]


@pytest.fixture
def departments(uow):
    """Routing's copy of catalog's departments, filled as the bootstrap does."""
    assert handlers.refresh_departments(uow, lambda: DEPARTMENTS) == len(DEPARTMENTS)
    return DEPARTMENTS
