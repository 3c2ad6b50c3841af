"""Surveys fixtures: the events surveys consumes (intake's report_created, routing's
report_status_changed, citizens' opposed/cancelled), a unit of work on a fresh migrated
database, and actors of each role."""
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from sacinfra.actor import Actor

#: a moment in November 2026 (period 2026-11 in Mexico City)
NOV = datetime(2026, 11, 20, 18, 0, tzinfo=timezone.utc)


def envelope(producer, event_type, data):
    return {"event_id": str(uuid.uuid4()), "event_type": event_type, "version": 1, "producer": producer,
            "occurred_at": NOV.isoformat(), "trace": {}, "data": data}


def created(folio, citizen_number=None, channel="072", at=NOV):
    return envelope("intake", "report_created", {
        "folio": folio, "petition_type": "OP-LAMPARA APAGADA", "channel": channel, "citizen_number": citizen_number,
        "agency": "OP", "department": "OP-ALUMBRADO",
        "location": {"lat": 21.1, "lon": -101.6, "colonia": "CENTRO", "street": "MADERO"},
        "created_at": (at - timedelta(days=3)).isoformat(), "due_at": (at + timedelta(days=2)).isoformat()})


def status_changed(folio, to="done", action="finish", agency="OP", at=NOV, version=3):
    frm = {"finish": "in_progress", "reopen": "done", "start": "captured"}.get(action, "captured")
    return envelope("routing", "report_status_changed", {
        "folio": folio, "from": frm, "to": to, "action": action, "agency": agency, "department": f"{agency}-DEP",
        "petition_type": "OP-LAMPARA APAGADA", "reason": None, "due_at": (at + timedelta(days=2)).isoformat(),
        "version": version, "at": at.isoformat()})


def opposed(number, scopes=("surveys",)):
    return envelope("citizens", "citizen_opposed", {"number": number, "scopes": list(scopes),
                                                    "opposed_at": NOV.isoformat()})


def cancelled(number):
    return envelope("citizens", "citizen_cancelled", {"number": number, "cancelled_at": NOV.isoformat()})


def staff(role, username=None, agency=None):
    return {"kind": "staff", "role": role, "username": username or role, "agency": agency}


@pytest.fixture
def uow(service_uow):
    return service_uow("surveys")


@pytest.fixture
def actors():
    return {"operator": staff("operator"), "operator2": staff("operator", "operadora2"),
            "supervisor": staff("supervisor"), "auditor": staff("auditor"), "admin": staff("admin"),
            "agency_op": staff("agency_staff", "op_staff", "OP"), "public": Actor.public().to_dict()}
