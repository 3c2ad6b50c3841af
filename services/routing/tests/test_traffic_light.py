"""The semáforo: pure rule, and what get_assignment and the overdue gauge answer."""
from datetime import datetime, timedelta, timezone

import pytest

from routing import domain, handlers
from sacinfra.actor import Actor

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)
DUE = T0 + timedelta(days=4)
AUDITOR = {"kind": "staff", "username": "auditor", "role": "auditor"}


@pytest.mark.parametrize("elapsed, expected", [
    (timedelta(0), "on_time"), (timedelta(days=2), "on_time"), (timedelta(days=2, hours=23), "on_time"), (timedelta(days=3, hours=1), "at_risk"),
    (timedelta(days=3), "at_risk"), (timedelta(days=4), "overdue"), (timedelta(days=9), "overdue"),
])
def test_open_report_colour_follows_the_share_of_time_used(elapsed, expected):
    assert domain.traffic_light("in_progress", T0, DUE, T0 + elapsed) == expected


def test_threshold_is_configurable():
    now = T0 + timedelta(days=2)
    assert domain.traffic_light("captured", T0, DUE, now, at_risk_share=0.5) == "at_risk"
    assert domain.traffic_light("captured", T0, DUE, now, at_risk_share=0.9) == "on_time"
    with pytest.raises(ValueError):
        domain.traffic_light("captured", T0, DUE, now, at_risk_share=0)


def test_closed_report_keeps_the_colour_of_its_closing():
    later = T0 + timedelta(days=30)
    assert domain.traffic_light("done", T0, DUE, later, closed_at=T0 + timedelta(days=1)) == "on_time"
    assert domain.traffic_light("not_viable", T0, DUE, later, closed_at=T0 + timedelta(days=5)) == "overdue"


def event(folio, due):
    return {"event_id": f"e-{folio}", "event_type": "report_created", "version": 1, "producer": "intake",
            "occurred_at": T0.isoformat(), "trace": {},
            "data": {"folio": folio, "petition_type": "OP-LAMPARA APAGADA", "channel": "072", "citizen_number": None,
                     "agency": "OP", "department": "OP-ALUMBRADO",
                     "location": {"lat": 21.1, "lon": -101.6, "colonia": "CENTRO", "street": "MADERO"},
                     "created_at": T0.isoformat(), "due_at": due.isoformat()}}


def test_assignment_carries_its_colour_and_the_gauge_counts_open_overdue_reports(service_uow):
    uow = service_uow("routing")
    handlers.assign_reports(uow, [event(1, DUE), event(2, DUE + timedelta(days=10))])
    now = T0 + timedelta(days=5)
    assert handlers.get_assignment(uow, 1, AUDITOR, now=now)["traffic_light"] == "overdue"
    assert handlers.get_assignment(uow, 2, Actor.public(), now=now)["traffic_light"] == "on_time"
    assert handlers.count_overdue(uow, now=now) == 1
    assert handlers.count_overdue(uow, now=T0) == 0
