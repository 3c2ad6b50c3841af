"""stats' read model on a real PostgreSQL database: events in any order, each counted once."""
import uuid

import pytest

from stats import handlers


def env(event_type, data):
    return {"event_id": str(uuid.uuid4()), "event_type": event_type, "data": data}


def created(folio, pt="OP-LAMPARA APAGADA"):
    return env("report_created", {"folio": folio, "petition_type": pt, "channel": "072", "citizen_number": None,
                                  "agency": "OP", "department": "OP-ALUMBRADO",
                                  "location": {"lat": 1, "lon": 1, "colonia": "CENTRO", "street": "X"},
                                  "created_at": "2026-11-30T16:00:00+00:00", "due_at": "2026-12-05T23:59:59-06:00"})


def assigned(folio, pt="OP-LAMPARA APAGADA"):
    return env("report_assigned", {"folio": folio, "petition_type": pt, "channel": "072", "agency": "OP",
                                   "department": "OP-ALUMBRADO", "status": "captured",
                                   "due_at": "2026-12-05T23:59:59-06:00", "assigned_at": "2026-11-30T16:00:01+00:00"})


@pytest.fixture
def uow(service_uow):
    return service_uow("stats")


def test_each_report_counts_once_whatever_the_order_and_redeliveries(uow):
    c1, a2 = created(1), assigned(2, "SIAP- RECOLECCION DE ANIMALES MUERTOS")
    for e in (c1, c1):
        handlers.project_report_created(uow, e)
    handlers.project_report_assigned(uow, a2)  # assignment before creation
    handlers.project_report_created(uow, created(2, "SIAP- RECOLECCION DE ANIMALES MUERTOS"))
    handlers.project_report_assigned(uow, assigned(1))
    handlers.project_report_created(uow, created(3))
    s = handlers.summary(uow)
    assert (s["total"], s["captured"], s["in_progress"], s["done"]) == (3, 3, 0, 0)
    assert s["most_demanded"] == {"petition_type": "OP-LAMPARA APAGADA", "total": 2}
    assert handlers.count_by(uow, "colonia") == [{"key": "CENTRO", "total": 3}]


def test_empty_summary(uow):
    s = handlers.summary(uow)
    assert s["total"] == 0 and s["most_demanded"] is None
