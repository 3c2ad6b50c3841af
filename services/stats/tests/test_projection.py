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


def status(folio, to, version, frm="captured", agency="OP", department="OP-ALUMBRADO"):
    return env("report_status_changed", {"folio": folio, "from": frm, "to": to, "action": "x", "agency": agency,
                                         "department": department, "petition_type": "OP-LAMPARA APAGADA",
                                         "reason": None, "due_at": "2026-12-05T23:59:59-06:00", "version": version,
                                         "at": "2026-12-01T10:00:00+00:00"})


def test_status_changes_move_forward_only_whatever_the_order(uow):
    handlers.project_reports_created(uow, [created(1), created(2)])
    handlers.project_reports_assigned(uow, [assigned(1), assigned(2)])
    done, started = status(1, "done", 3, "in_progress"), status(1, "in_progress", 2)
    handlers.project_status_changes(uow, [done])
    handlers.project_status_changes(uow, [started, done])  # late and redelivered: ignored
    handlers.project_status_changes(uow, [status(2, "in_progress", 2)])
    s = handlers.summary(uow)
    assert (s["total"], s["captured"], s["in_progress"], s["done"]) == (2, 0, 1, 1)


def test_a_reassignment_is_not_undone_by_a_late_assignment_event(uow):
    handlers.project_status_changes(uow, [status(5, "captured", 2, agency="SIAP", department="SIAP-X")])
    handlers.project_reports_assigned(uow, [assigned(5)])
    handlers.project_reports_created(uow, [created(5)])
    assert handlers.count_by(uow, "agency") == [{"key": "SIAP", "total": 1}]
    assert handlers.count_by(uow, "channel") == [{"key": "072", "total": 1}]
