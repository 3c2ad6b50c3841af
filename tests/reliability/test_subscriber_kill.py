"""The departments' feed survives a crash of routing: reports are filed through the
gateway (as a signed-in operator) while routing is killed (-9) and restarted; a
department-style subscriber bound to `sac.integration` then holds, for every report
accepted, its `report_assigned` — exactly one distinct event_id per report (a
republication after the crash carries the same id), and nothing of another agency."""
import time

import pytest

pytestmark = pytest.mark.e2e

REPORT = {
    "petition_type": "OP-LAMPARA APAGADA", "channel": "072", "description": "carga con caída de routing",
    "location": {"lat": 21.12, "lon": -101.68, "colonia": "CENTRO", "street": "MADERO 100"},
}


def test_department_feed_has_one_assignment_per_report_across_a_routing_kill(platform, subscribe, tokens,
                                                                             report_load):
    base = platform.gateway_url
    department = subscribe(platform.amqp_uri, "sac.integration", "OP.OP-ALUMBRADO.report_assigned")
    other = subscribe(platform.amqp_uri, "sac.integration", "SIAP.#")
    with report_load(base, tokens["operator"], REPORT) as load:
        time.sleep(3)
        platform.kill("routing")
        killed_at = len(load.accepted)
        time.sleep(2)  # reports keep arriving while routing is down: they wait in its queue
        platform.start_service("routing")
        time.sleep(4)
    accepted = set(load.accepted)
    assert len(accepted) == len(load.accepted), "a folio was answered twice"
    assert killed_at > 5 and len(accepted) > killed_at + 5, \
        f"the kill must fall mid-stream: {killed_at} before, {len(accepted)} in all ({dict(load.failed)})"

    seen = load.event_ids_by_folio(department, timeout=90)
    assert all(m["event_type"] == "report_assigned" and m["producer"] == "routing" for m in department.messages), \
        department.messages
    missing = accepted - set(seen)
    assert not missing, f"{len(missing)} of {len(accepted)} accepted reports never reached the department"
    twice = {f: ids for f, ids in seen.items() if len(ids) > 1}
    assert not twice, f"assigned more than once: {twice}"
    for m in department.messages:  # what a department receives carries no personal data
        assert set(m["data"]) == {"folio", "petition_type", "channel", "agency", "department", "status",
                                  "due_at", "assigned_at"}
        assert (m["data"]["agency"], m["data"]["department"]) == ("OP", "OP-ALUMBRADO")
    assert other.messages == []
    deliveries = len(department.messages)
    print(f"{len(accepted)} reports accepted ({killed_at} before the kill), {len(seen)} assigned, "
          f"{deliveries} deliveries ({deliveries - len(seen)} redelivered duplicates), failures {dict(load.failed)}")
