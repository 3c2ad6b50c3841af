"""routing's assignment on a real PostgreSQL database."""
import uuid

import pytest
import sqlalchemy as sa

from routing import handlers
from sacinfra.db import UnitOfWork, make_engine, outbox_table
from sacinfra.errors import NotFound


def created_event(folio=7, event_id=None):
    return {"event_id": event_id or str(uuid.uuid4()), "event_type": "report_created", "version": 1,
            "producer": "intake", "occurred_at": "2026-11-30T16:00:00+00:00", "trace": {},
            "data": {"folio": folio, "petition_type": "OP-LAMPARA APAGADA", "channel": "072",
                     "citizen_number": None, "agency": "OP", "department": "OP-ALUMBRADO",
                     "location": {"lat": 21.1, "lon": -101.6, "colonia": "CENTRO", "street": "MADERO"},
                     "created_at": "2026-11-30T16:00:00+00:00", "due_at": "2026-12-05T23:59:59-06:00"}}


@pytest.fixture
def uow(service_db):
    engine = make_engine(service_db("routing"))
    with UnitOfWork(engine, "routing") as u:
        yield u
    engine.dispose()


def test_report_is_assigned_to_the_petition_types_department_once(uow):
    event = created_event()
    assert handlers.assign_report(uow, event) is True
    assert handlers.assign_report(uow, event) is False  # redelivery: same event id
    assert handlers.assign_report(uow, created_event()) is False  # another event, same folio
    a = handlers.get_assignment(uow, 7)
    assert (a["agency"], a["department"], a["status"]) == ("OP", "OP-ALUMBRADO", "captured")
    assert [h["kind"] for h in a["history"]] == ["assigned"]
    events = [r.payload for r in uow.session.execute(sa.select(outbox_table))]
    assert [(e["event_type"], e["data"]["folio"]) for e in events] == [("report_assigned", 7)]


def test_unknown_folio_is_not_found(uow):
    with pytest.raises(NotFound) as err:
        handlers.get_assignment(uow, 404)
    assert err.value.code == "asignacion_no_encontrada"
