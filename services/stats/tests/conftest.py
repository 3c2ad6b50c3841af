"""Fixtures of stats' tests: a migrated database of its own and event builders."""
import itertools
import sys
import uuid

import pytest

_ids = itertools.count(1)
SYSTEM = {"kind": "system", "username": "system:test", "role": "system", "system": "test"}
SUPERVISOR = {"kind": "staff", "username": "sup", "role": "supervisor"}
OP_STAFF = {"kind": "staff", "username": "op1", "role": "agency_staff", "agency": "OP"}
PUBLIC = {"kind": "public", "username": "public", "role": "public"}


@pytest.fixture
def uow(service_uow):
    return service_uow("stats")


def env(producer, event_type, data, event_id=None):
    return {"event_id": event_id or str(uuid.uuid4()), "event_type": event_type, "producer": producer,
            "version": 1, "occurred_at": "2026-11-01T00:00:00+00:00", "data": data}


def created(folio, at="2026-11-10T16:00:00+00:00", pt="OP-LAMPARA APAGADA", agency="OP", department="OP-ALUMBRADO",
            channel="072", colonia="CENTRO", due="2026-11-16T22:00:00+00:00", by="operator", lat=21.12345, lon=-101.68271):
    return env("intake", "report_created", {
        "folio": folio, "petition_type": pt, "channel": channel, "citizen_number": 1000 + folio, "agency": agency,
        "department": department, "kind": "Servicio", "created_by": by,
        "location": {"lat": lat, "lon": lon, "colonia": colonia, "street": "MADERO 100"},
        "created_at": at, "due_at": due})


def assigned(folio, at="2026-11-10T16:00:01+00:00", pt="OP-LAMPARA APAGADA", agency="OP", department="OP-ALUMBRADO",
             due="2026-11-16T22:00:00+00:00"):
    return env("routing", "report_assigned", {"folio": folio, "petition_type": pt, "channel": "072", "agency": agency,
                                              "department": department, "status": "captured", "due_at": due,
                                              "assigned_at": at})


def status(folio, action, frm, to, version, at, agency="OP", department="OP-ALUMBRADO",
           pt="OP-LAMPARA APAGADA", due="2026-11-16T22:00:00+00:00"):
    return env("routing", "report_status_changed", {
        "folio": folio, "from": frm, "to": to, "action": action, "agency": agency, "department": department,
        "petition_type": pt, "reason": None, "due_at": due, "version": version, "at": at})


def duplicate_marked(folio, original, at="2026-11-10T18:00:00+00:00", version=2, pt="OP-LAMPARA APAGADA"):
    return env("routing", "report_duplicate_marked", {
        "folio": folio, "original_folio": original, "petition_type": pt, "agency": "OP",
        "department": "OP-ALUMBRADO", "original_status": "captured", "version": version, "by": "op1", "at": at})


def intervention(folio, kind, author, at, agency="OP", department="OP-ALUMBRADO"):
    return env("routing", "intervention_added", {
        "folio": folio, "intervention_id": next(_ids) + 10_000 * folio, "kind": kind, "agency": agency,
        "department": department, "author": author, "author_agency": agency, "author_department": department,
        "at": at})


# test modules import the builders above as ``stats_testkit`` (pytest runs with importlib mode)
sys.modules.setdefault("stats_testkit", sys.modules[__name__])
