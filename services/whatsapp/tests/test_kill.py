"""Delivery survives a kill -9: the WhatsApp service runs as its own process; a status
change arrives while the Graph API is failing, so the notice is committed as queued but
not sent; the process is killed with SIGKILL, the Graph API recovers, the service is
started again, and the citizen receives the notice exactly once."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from sacinfra import testing
from sacinfra.db import make_engine

sys.path.insert(0, str(Path(__file__).resolve().parent))
from wa_support import SUPERVISOR, Phone, free_port, wait_assignment, whatsapp_config  # noqa: E402

pytestmark = pytest.mark.timeout(240)
SERVICE_DIR = Path(__file__).resolve().parents[1]


def start(config: dict) -> subprocess.Popen:
    env = dict(os.environ, PSYCOPG_IMPL="python", **{k: str(v) for k, v in config.items()})
    proc = subprocess.Popen([sys.executable, "-m", "nameko", "run", "--config", "config.yaml", "whatsapp.service"],
                            cwd=SERVICE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = "http://" + config["WEB_SERVER_ADDRESS"]

    def up():
        try:
            return requests.get(base + "/webhook", timeout=1).status_code == 403
        except requests.RequestException:
            return False
    testing.wait_until(up, timeout=60, what="whatsapp service up")
    return proc


def test_one_notice_across_a_kill_between_event_and_send(vhost, service_db, core_services, fake_graph):
    url = service_db("whatsapp")
    port = free_port()
    config = whatsapp_config(vhost["uri"], url, fake_graph.url, port)
    proc = start(config)
    engine = make_engine(url)
    try:
        phone = Phone(f"http://127.0.0.1:{port}", "5214775550000")
        for step in ("hola", "1", "Lámpara apagada en la esquina"):
            phone.text(step)
        phone.pin(21.12, -101.68, "Madero 100, Centro")
        phone.text("NO")
        told = testing.wait_until(lambda: [t for t in fake_graph.texts() if "folio" in t], timeout=30, what="folio")
        folio = int(told[0].split("folio ")[1].split(".")[0])
        a = wait_assignment(core_services, folio)

        fake_graph.fail_next(10_000, 503)  # the Graph API is down
        with core_services.proxy() as rpc:
            rpc.routing.start_report(SUPERVISOR, folio, a["version"], "Cuadrilla en camino")

        def queued_after_a_failed_try():
            with engine.connect() as c:
                return c.execute(sa.text("SELECT state, attempts FROM messages WHERE kind = 'status'")).first()
        row = testing.wait_until(lambda: (r := queued_after_a_failed_try()) and r.attempts >= 1 and r, timeout=30,
                                 what="status notice queued and tried")
        assert row.state == "queued"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        fake_graph.fail_next(0)
        before = [t for t in fake_graph.texts() if t.startswith(f"Folio {folio}:")]
        assert before == []

        proc = start(config)
        testing.wait_until(lambda: [t for t in fake_graph.texts() if t.startswith(f"Folio {folio}:")], timeout=60,
                           what="notice after restart")
        time.sleep(3)  # room for a duplicate to show up
        notices = [t for t in fake_graph.texts() if t.startswith(f"Folio {folio}:")]
        assert notices == [f"Folio {folio}: La dependencia ya atiende su reporte (en proceso)."]
        with engine.connect() as c:
            assert c.execute(sa.text("SELECT state FROM messages WHERE kind = 'status'")).scalars().all() == ["sent"]
    finally:
        proc.kill()
        proc.wait(10)
        engine.dispose()
