"""Faults that must not strand a report. Each scenario starts its own RabbitMQ node and
its own PostgreSQL cluster (``servers.py``; the machine's shared servers are never
touched), the platform pointed at them, and clients filing reports with an
Idempotency-Key that retry as a real client would (503, 5xx or no answer: the same
request again after a pause). Mid-load: the broker killed -9 and restarted; PostgreSQL
stopped ``-m immediate`` for 2 s and for 30 s; a service frozen (SIGSTOP) for 20 s.
Afterwards: every folio answered 201 is in intake, routed exactly once (one
``report_assigned`` event), counted exactly once by stats; the dead-letter queue is empty
without anyone replaying it; no service exited; no Idempotency-Key made two reports."""
from __future__ import annotations

import collections
import os
import signal
import sys
import time
import uuid
from pathlib import Path

import psycopg
import pytest
import requests

from sacinfra import testing
from sacinfra.topology import DLQ

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "deploy" / "local"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from runner import Platform  # noqa: E402

from loadgen import Workers  # noqa: E402
from servers import OwnPostgres, OwnRabbit, free_port  # noqa: E402

pytestmark = [pytest.mark.e2e, pytest.mark.reliability]

ROOT = Path(__file__).resolve().parents[2]
REPORT = {"petition_type": "OP-LAMPARA APAGADA", "channel": "072", "description": "carga con fallas",
          "location": {"lat": 21.12, "lon": -101.68, "colonia": "CENTRO", "street": "MADERO 100"}}
RETRYABLE = {502, 503, 504, 500}


@pytest.fixture(scope="module")
def own_platform():
    """One RabbitMQ node, one PostgreSQL cluster and one platform of this module's own,
    shared by its scenarios one after another (each checks every report filed so far, so a
    scenario also proves the platform came back whole from the one before)."""
    rabbit, pg = OwnRabbit(), OwnPostgres()
    prefix = testing.unique("flt")
    plat = None
    try:
        rabbit.start()
        pg.start()
        plat = Platform(prefix=prefix, gateway_port=free_port(), metrics_base=0, mongo_port=free_port(),
                        amqp_host=f"127.0.0.1:{rabbit.port}", pg_port=pg.port, management_url=rabbit.management_url,
                        log_dir=ROOT / ".run" / prefix / "logs",
                        extra_env={"RABBITMQ_MANAGEMENT_URL": rabbit.management_url})
        plat.prepare()
        plat.start()
        plat.wait_healthy(timeout=150)
        plat.rabbit, plat.pg = rabbit, pg
        yield plat
    finally:
        if plat is not None:
            plat.stop()
        rabbit.close()
        pg.close()


class Clients(Workers):
    """``workers`` clients, each filing one report after another; a report keeps its
    Idempotency-Key through every retry until it gets a definitive answer."""

    join_seconds = 150

    def __init__(self, base: str, headers: dict, workers: int = 8):
        self.base, self.headers = base, headers
        self.accepted: dict[str, int] = {}  # Idempotency-Key -> folio
        self.answers = collections.Counter()
        self.gave_up = 0
        super().__init__(workers)

    def _file(self, s: requests.Session, key: str) -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                r = s.post(self.base + "/v1/reports", json=REPORT, headers={"Idempotency-Key": key}, timeout=15)
                status = r.status_code
            except requests.RequestException as exc:
                r, status = None, type(exc).__name__
            with self._lock:
                self.answers[status] += 1
            if status in (200, 201):
                with self._lock:
                    assert key not in self.accepted or self.accepted[key] == r.json()["folio"]
                    self.accepted[key] = r.json()["folio"]
                return
            if isinstance(status, int) and status not in RETRYABLE:
                return  # a definitive refusal: not expected here, counted in answers
            time.sleep(0.5)
        with self._lock:
            self.gave_up += 1

    def _run(self):
        s = requests.Session()
        s.headers.update(self.headers)
        while not self._stop.is_set():
            self._file(s, uuid.uuid4().hex)


def rows(plat, service: str, sql: str) -> list[tuple]:
    with psycopg.connect(f"host=127.0.0.1 port={plat.pg_port} user=postgres dbname={plat.db_name(service)}") as c:
        return c.execute(sql).fetchall()


def login(base: str) -> dict:
    r = requests.post(f"{base}/v1/auth/login", json={"username": "operator", "password": "demo-operator-2026"},
                      timeout=10)
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def check_nothing_stranded(plat, clients: Clients, name: str) -> None:
    accepted = {folio: key for key, folio in clients.accepted.items()}
    assert len(accepted) == len(clients.accepted), "two keys were answered with one folio"
    assert len(accepted) > 20, f"too little load got through: {dict(clients.answers)}"
    intake = dict(rows(plat, "intake", "SELECT folio, idempotency_key FROM reports"))
    missing = set(accepted) - set(intake)
    assert not missing, f"{len(missing)} folios answered 201 are not in intake ({len(accepted)} answered)"
    assert all(intake[f] == k for f, k in accepted.items()), "a folio answered for another key"
    twice = rows(plat, "intake", "SELECT idempotency_key, count(*) FROM reports WHERE idempotency_key IS NOT NULL "
                                 "GROUP BY 1 HAVING count(*) > 1")
    assert not twice, f"Idempotency-Keys that made two reports: {twice[:5]}"

    def settled():
        routed = rows(plat, "routing", "SELECT (payload->'data'->>'folio')::bigint, count(DISTINCT event_id) "
                                       "FROM outbox WHERE routing_key = 'report_assigned' GROUP BY 1")
        counted = rows(plat, "stats", "SELECT folio FROM report_facts")
        return dict(routed), {f for (f,) in counted}

    deadline = time.monotonic() + 90
    routed, counted = settled()
    while (set(intake) - set(routed) or set(intake) - counted) and time.monotonic() < deadline:
        time.sleep(1)
        routed, counted = settled()
    # in the queue, or already moved into the deadletters service's table
    dead = plat.rabbit.queue_messages(plat.prefix, DLQ) + \
        rows(plat, "deadletters", "SELECT count(*) FROM dead_letters")[0][0]
    exited = {s: p.returncode for s, p in plat.procs.items() if p.poll() is not None}
    print(f"\n[{name}] answered 201: {len(accepted)}; in intake: {len(intake)}; routed: {len(routed)} "
          f"(more than once: {sum(1 for n in routed.values() if n > 1)}); counted: {len(counted)}; "
          f"dead letters: {dead}; services exited: {exited or 'none'}; client gave up: {clients.gave_up}; "
          f"answers: {dict(clients.answers)}")
    assert not set(intake) - set(routed), f"{len(set(intake) - set(routed))} reports never routed"
    assert all(n == 1 for n in routed.values()), "a report was routed more than once"
    assert not set(intake) - counted, f"{len(set(intake) - counted)} reports never counted"
    assert len(counted) == len(intake)
    assert dead == 0, f"{dead} dead letters"
    assert not exited, f"services exited: {exited}"
    assert clients.gave_up == 0


def run_scenario(plat, name: str, fault, before: float = 8, after: float = 12) -> None:
    headers = login(plat.gateway_url)
    with Clients(plat.gateway_url, headers) as clients:
        time.sleep(before)
        fault()
        time.sleep(after)
    check_nothing_stranded(plat, clients, name)


def test_broker_killed_mid_load(own_platform):
    def fault():
        own_platform.rabbit.kill()
        time.sleep(2)
        own_platform.rabbit.start()

    run_scenario(own_platform, "broker kill -9", fault)


@pytest.mark.parametrize("seconds", [2, 30])
def test_postgres_stopped_mid_load(own_platform, seconds):
    def fault():
        own_platform.pg.stop_immediate()
        time.sleep(seconds)
        own_platform.pg.start()

    run_scenario(own_platform, f"PostgreSQL down {seconds} s", fault)


@pytest.mark.parametrize("service", ["intake", "routing"])
def test_a_service_frozen_mid_load(own_platform, service):
    """intake frozen: the gateway's calls time out (503) and clients retry with the same
    key while the requests queue up for intake; routing frozen: events queue up."""
    def fault():
        pid = own_platform.procs[service].pid
        os.killpg(pid, signal.SIGSTOP)
        try:
            time.sleep(20)
        finally:
            os.killpg(pid, signal.SIGCONT)

    run_scenario(own_platform, f"{service} SIGSTOP 20 s", fault)
