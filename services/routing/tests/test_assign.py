"""routing's assignment on a real PostgreSQL database."""

import pytest
import sqlalchemy as sa

from routing import handlers
from sacinfra.db import outbox_table
from sacinfra.errors import NotFound

SUPERVISOR = {"kind": "staff", "username": "supervisor", "role": "supervisor"}


def test_report_is_assigned_to_the_petition_types_department_once(uow, created_event):
    event = created_event()
    assert handlers.assign_report(uow, event) is True
    assert handlers.assign_report(uow, event) is False  # redelivery: same event id
    assert handlers.assign_report(uow, created_event()) is False  # another event, same folio
    a = handlers.get_assignment(uow, 7, SUPERVISOR)
    assert (a["agency"], a["department"], a["status"]) == ("OP", "OP-ALUMBRADO", "captured")
    assert [h["kind"] for h in a["history"]] == ["assigned"]
    events = [r.payload for r in uow.session.execute(sa.select(outbox_table).where(outbox_table.c.exchange == "routing.events"))]
    assert [(e["event_type"], e["data"]["folio"]) for e in events] == [("report_assigned", 7)]


def test_unknown_folio_is_not_found(uow):
    with pytest.raises(NotFound) as err:
        handlers.get_assignment(uow, 404, SUPERVISOR)
    assert err.value.code == "reporte_no_encontrado"
