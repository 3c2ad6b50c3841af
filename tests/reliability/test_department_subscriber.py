"""The example department subscriber (docs/examples/department_subscriber.py) on the real
broker, as an agency user provisioned by routing.provision_agency: its connection is
closed by the broker (management API) in the middle of a stream and it resumes by itself;
every event of its agency is processed exactly once (redeliveries deduplicated by
event_id), none of another agency's."""
import importlib.util
import json
import logging
import secrets
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pika
import pytest

from routing import provision_agency
from sacinfra.testing import AMQP_HOST, wait_until
from sacinfra.topology import Management, q

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "docs" / "examples" / "department_subscriber.py"
_spec = importlib.util.spec_from_file_location("department_subscriber", SCRIPT)
subscriber = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(subscriber)


@pytest.fixture
def op_uri(vhost):
    user = f"agency-op-test-{uuid.uuid4().hex[:8]}"
    password = secrets.token_urlsafe(24)
    provision_agency.provision("OP", password, vhost["name"], user=user)
    yield user, f"amqp://{user}:{password}@{AMQP_HOST}/{vhost['name']}"
    Management().delete(f"/users/{q(user)}")


def publish(uri: str, messages: list[tuple[str, dict]]) -> None:
    conn = pika.BlockingConnection(pika.URLParameters(uri))
    ch = conn.channel()
    ch.confirm_delivery()
    for key, event in messages:
        ch.basic_publish("sac.integration", key, json.dumps(event),
                         pika.BasicProperties(delivery_mode=2, message_id=event["event_id"]))
    conn.close()


def event(folio: int) -> dict:
    return {"event_id": str(uuid.uuid4()), "event_type": "report_assigned", "version": 1, "producer": "routing",
            "occurred_at": "2026-12-01T00:00:00+00:00", "trace": {}, "data": {"folio": folio}}


def close_connections_of(user: str) -> int:
    m = Management()
    conns = [c for c in m.get("/connections") or [] if c.get("user") == user]
    for c in conns:
        m._req("DELETE", f"/connections/{q(c['name'])}", headers={"X-Reason": "prueba: corte de conexión"})
    return len(conns)


def test_subscriber_resumes_after_the_broker_closes_its_connection(vhost, op_uri, tmp_path, caplog):
    user, uri = op_uri
    caplog.set_level(logging.INFO, logger="department_subscriber")
    db = subscriber.open_store(str(tmp_path / "seen.sqlite3"))
    processed: list[dict] = []

    dropped = threading.Event()

    def slow_process(e):  # a department's work takes time: the drop hits messages in flight
        time.sleep(0.004)
        processed.append(e)
        if len(processed) == 150:  # the 150th is held until the broker has dropped the connection
            dropped.wait(30)       # (a loaded machine could otherwise finish all 600 first)

    stop = threading.Event()
    worker = threading.Thread(target=subscriber.run, daemon=True,
                              args=(uri, "dept.OP.alumbrado", ["OP.OP-ALUMBRADO.#"], db, slow_process, stop),
                              kwargs={"prefetch": 50})
    worker.start()
    wait_until(lambda: any("connected" in r.getMessage() for r in caplog.records), timeout=15)
    mgmt = Management()  # the management API lists connections after its stats interval
    wait_until(lambda: any(c.get("user") == user for c in mgmt.get("/connections") or []), timeout=20, interval=0.5)

    ours = [event(f) for f in range(1, 601)]
    twice = ours[:20]  # a producer's retry: the same event published twice
    publish(vhost["uri"], [("OP.OP-ALUMBRADO.report_assigned", e) for e in ours + twice]
            + [("SIAP.SIAP-RECOLECCION.report_assigned", event(9000 + i)) for i in range(20)]
            + [("OP.OP-BACHEO.report_assigned", event(8000 + i)) for i in range(20)])
    wait_until(lambda: len(processed) >= 150, timeout=30)
    assert len(processed) < len(ours), "the drop must happen mid-stream"
    assert close_connections_of(user) == 1
    dropped_at = len(processed)
    dropped.set()
    late = [event(f) for f in range(601, 651)]  # published while it reconnects
    publish(vhost["uri"], [("OP.OP-ALUMBRADO.report_assigned", e) for e in late])

    wait_until(lambda: len(processed) >= len(ours) + len(late), timeout=60)
    time.sleep(1)  # anything extra would show up now
    stop.set()
    worker.join(10)

    ids = [e["event_id"] for e in processed]
    assert len(ids) == len(set(ids)), "an event was processed twice"
    assert set(ids) == {e["event_id"] for e in ours + late}  # every one, only OP-ALUMBRADO's
    assert db.execute("SELECT count(*) FROM processed").fetchone()[0] == len(ours) + len(late)
    logs = [r.getMessage() for r in caplog.records]
    assert "connected again" in logs, logs[-10:]
    skipped = sum(m.startswith("duplicate") for m in logs)
    assert skipped >= len(twice)  # the producer's duplicates (and any redelivery after the drop) were skipped
    print(f"drop after {dropped_at} processed; {skipped} duplicates skipped")
    assert dropped_at < len(ours)


def test_the_script_runs_and_stops_cleanly(vhost, op_uri, tmp_path):
    """The documented command line, as a department would start it."""
    user, uri = op_uri
    proc = subprocess.Popen([sys.executable, str(SCRIPT), "--queue", "dept.OP.script", "--bind", "OP.#",
                             "--db", str(tmp_path / "s.sqlite3")], env={"DEPT_AMQP_URI": uri, "PATH": "/usr/bin"},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        mgmt = Management()
        wait_until(lambda: any(c.get("user") == user for c in mgmt.get("/connections") or []), timeout=20)
        wait_until(lambda: (mgmt.get(f"/queues/{q(vhost['name'])}/dept.OP.script") or {}).get("consumers"), 20)
        events = [event(1), event(2)]
        publish(vhost["uri"], [("OP.OP-ALUMBRADO.report_assigned", e) for e in events + events])
        lines = []
        deadline = time.monotonic() + 15
        while len(lines) < 2 and time.monotonic() < deadline:
            lines.append(json.loads(proc.stdout.readline()))
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=15)
    assert proc.returncode == 0, err
    assert [line["folio"] for line in lines] == [1, 2] and not out.strip()  # the duplicates were skipped
