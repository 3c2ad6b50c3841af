"""stats as a nameko service on a real RabbitMQ vhost and its own database: events arrive
through the broker twice and out of order and each report counts once; RPCs answer by role."""
import base64
import time

import pytest
from nameko.exceptions import RemoteError

from sacinfra import testing
from sacinfra.actor import Actor
from sacinfra.rpcpool import RpcPool
from stats.service import StatsService

from stats_testkit import OP_STAFF, SUPERVISOR, assigned, created, status


def test_events_through_the_broker_twice_and_out_of_order(vhost, service_db, container_factory):
    container_factory(StatsService, {"AMQP_URI": vhost["uri"], "DATABASE_URL": service_db("stats"),
                                     "METRICS_PORT": 0, "max_workers": 4}).start()
    uri = vhost["uri"]
    queue = "evt-routing-report_status_changed--stats.handle_status_changed"
    testing.wait_until(lambda: testing.queue_exists(uri, queue), timeout=10, what=f"queue {queue}")
    done = status(1, "finish", "in_progress", "done", 3, "2026-11-12T17:00:00+00:00")
    testing.publish_events(uri, "routing", "report_status_changed", [done, done])   # before anything else
    testing.publish_events(uri, "routing", "report_assigned", [assigned(1), assigned(2)])
    c1 = created(1)
    testing.publish_events(uri, "intake", "report_created", [c1, created(2), c1])
    testing.publish_events(uri, "routing", "report_status_changed",
                           [status(1, "start", "captured", "in_progress", 2, "2026-11-11T15:00:00+00:00")])
    pool = RpcPool({"AMQP_URI": uri}, size=1)
    try:
        with pool.proxy() as p:
            deadline = time.monotonic() + 20
            while True:
                s = p.stats.summary()
                if (s["total"], s["done"], s["captured"]) == (2, 1, 1):
                    break
                assert time.monotonic() < deadline, s
                time.sleep(0.1)
            ev = p.stats.totals(OP_STAFF, {"basis": "event"})
            assert (ev["total"], ev["rows"][0]["started"], ev["rows"][0]["finished"]) == (2, 1, 1)
            comp = p.stats.compliance(SUPERVISOR, {"group_by": "department"})
            assert [(r["key"], r["finished"]) for r in comp["rows"]] == [("OP-ALUMBRADO", 1)]
            # the same table as the file stats renders, and open data's CSV
            out = p.stats.table_file(SUPERVISOR, "compliance", [{"group_by": "department"}], "csv")
            text = base64.b64decode(out["content_b64"]).decode("utf-8-sig")
            assert out["filename"] == "cumplimiento.csv" and text.startswith("Clave,Terminados,A tiempo")
            assert "OP-ALUMBRADO,1," in text
            page = p.stats.open_data_file(Actor.public().to_dict(), {"after": 0, "limit": 5000}, "csv")
            lines = base64.b64decode(page["content_b64"]).decode("utf-8-sig").splitlines()
            assert lines[0].startswith("Folio,Fecha") and len(lines) == 3 and page["next_after"] is None
            with pytest.raises(RemoteError) as refused:
                p.stats.table_file(OP_STAFF, "summary", [], "csv")
            assert "tabla_desconocida" in str(refused.value)
    finally:
        pool.close()
