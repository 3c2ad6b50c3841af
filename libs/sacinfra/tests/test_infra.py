"""sacinfra against real RabbitMQ and PostgreSQL, a vhost and a database per test."""
import os
import signal
import subprocess
import sys
import time

import eventlet
import psycopg
import requests
import sqlalchemy as sa
from nameko.rpc import rpc

from sacinfra import testing
from sacinfra.db import Database, UnitOfWork, make_engine, outbox_table, processed_messages_table
from sacinfra.envelope import make_envelope
from sacinfra.ops import OpsServer
from sacinfra.outbox import OutboxRelay
from sacinfra.rpcpool import RpcPool
from sacinfra.service import SqlService, reliable_event_handler
from sacinfra.topology import DLQ


def config(vhost, url, **extra):
    return {"AMQP_URI": vhost["uri"], "DATABASE_URL": url, "METRICS_PORT": 0,
            "OUTBOX_POLL_SECONDS": 0.2} | extra


class SlowService:
    name = "slow"
    db = Database()

    @rpc
    def sleep(self, seconds):
        self.db.session.execute(sa.text("SELECT pg_sleep(:s)"), {"s": seconds})
        return True


def test_psycopg_uses_the_python_implementation():
    assert psycopg.pq.__impl__ == "python"


def test_two_slow_queries_in_one_service_run_concurrently(vhost, empty_db, container_factory):
    container = container_factory(SlowService, config(vhost, empty_db))
    container.start()
    pool = RpcPool({"AMQP_URI": vhost["uri"]}, size=5)

    def call():
        with pool.proxy() as p:
            return p.slow.sleep(0.5)

    call()  # warm the connection pool
    started = time.perf_counter()
    threads = [eventlet.spawn(call) for _ in range(5)]
    assert all(t.wait() for t in threads)
    elapsed = time.perf_counter() - started
    pool.close()
    # five 0.5 s queries one after another would take 2.5 s
    assert elapsed < 1.2, f"queries were serialised: {elapsed:.2f}s"


KILL_SCRIPT = """
import os, signal, sys
import sacinfra
from sacinfra.db import UnitOfWork, make_engine
uow = UnitOfWork(make_engine(sys.argv[1]), "killer")
env = uow.add_event("thing_happened", {"n": 1})
uow.commit()
print(env["event_id"], flush=True)
os.kill(os.getpid(), signal.SIGKILL)  # dies after commit, before any publish
"""


class RelayOnly:
    name = "killer"
    outbox = OutboxRelay()

    @rpc
    def noop(self):
        return None


def test_event_committed_before_a_kill_is_published_after_restart(vhost, empty_db, container_factory):
    proc = subprocess.run([sys.executable, "-c", KILL_SCRIPT, empty_db], capture_output=True, text=True,
                          env=dict(os.environ, PSYCOPG_IMPL="python"))
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    event_id = proc.stdout.strip()
    testing.bind_queue(vhost["uri"], "sac.int.test-killer", "killer", "thing_happened")

    container = container_factory(RelayOnly, config(vhost, empty_db))
    container.start()
    got = testing.drain(vhost["uri"], "sac.int.test-killer", expect=1)
    assert [m["event_id"] for m in got] == [event_id]
    assert got[0]["event_type"] == "thing_happened" and got[0]["producer"] == "killer"
    engine = make_engine(empty_db)
    with engine.connect() as c:
        assert testing.wait_until(lambda: c.execute(sa.select(sa.func.count()).select_from(outbox_table)
                                                    .where(outbox_table.c.published_at.is_not(None))).scalar() == 1)
    engine.dispose()


SEEN: list = []


class Consumer(SqlService):
    name = "consumer"

    @reliable_event_handler("producer", "thing_happened")
    def handle(self, envelope):
        if envelope["data"].get("poison"):
            raise ValueError("poison")
        if self.db.claim("consumer.thing_happened", envelope["event_id"]):
            SEEN.append(envelope["data"]["n"])
            self.db.commit()


def test_a_message_id_is_handled_once_whatever_the_redeliveries(vhost, empty_db, container_factory):
    SEEN.clear()
    container = container_factory(Consumer, config(vhost, empty_db))
    container.start()
    envelope = make_envelope("thing_happened", {"n": 7}, "producer")
    for _ in range(3):
        testing.publish_event(vhost["uri"], "producer", "thing_happened", envelope)
    other = make_envelope("thing_happened", {"n": 8}, "producer")
    testing.publish_event(vhost["uri"], "producer", "thing_happened", other)
    testing.wait_until(lambda: 8 in SEEN)
    time.sleep(0.5)
    assert sorted(SEEN) == [7, 8]
    engine = make_engine(empty_db)
    with engine.connect() as c:
        assert c.execute(sa.select(sa.func.count()).select_from(processed_messages_table)).scalar() == 2
    engine.dispose()


def test_poison_event_ends_in_dead_letter_queue_while_others_are_processed(vhost, empty_db, container_factory):
    SEEN.clear()
    container = container_factory(Consumer, config(vhost, empty_db))
    container.start()
    poison = make_envelope("thing_happened", {"n": 0, "poison": True}, "producer")
    testing.publish_event(vhost["uri"], "producer", "thing_happened", poison)
    for n in (1, 2, 3):
        testing.publish_event(vhost["uri"], "producer", "thing_happened",
                              make_envelope("thing_happened", {"n": n}, "producer"))
    dead = testing.drain(vhost["uri"], DLQ, expect=1, timeout=20)
    assert [d["event_id"] for d in dead] == [poison["event_id"]]
    testing.wait_until(lambda: sorted(SEEN) == [1, 2, 3])


def test_ops_endpoint_serves_metrics_liveness_and_readiness(vhost, empty_db, container_factory):
    container = container_factory(Consumer, config(vhost, empty_db))
    container.start()
    ops = next(d for d in container.dependencies if isinstance(d, OpsServer))
    base = f"http://127.0.0.1:{ops.port}"
    with RpcPool({"AMQP_URI": vhost["uri"]}, size=1).proxy() as p:
        assert p.consumer.health() == {"service": "consumer", "status": "ok"}
    assert requests.get(base + "/healthz", timeout=5).status_code == 200
    ready = requests.get(base + "/readyz", timeout=5)
    assert ready.status_code == 200, ready.text
    assert "broker: ok" in ready.text and "db: ok" in ready.text
    metrics = requests.get(base + "/metrics", timeout=5).text
    assert 'consumer_worker_seconds_count{entrypoint="health"}' in metrics
    assert "consumer_outbox_pending" in metrics


def test_unit_of_work_commits_change_and_event_together(empty_db):
    engine = make_engine(empty_db)
    with UnitOfWork(engine, "svc") as uow:
        uow.add_event("a_happened", {"x": 1})
        uow.rollback()
    with UnitOfWork(engine, "svc") as uow:
        uow.add_event("b_happened", {"x": 2})
        uow.commit()
    with engine.connect() as c:
        rows = c.execute(sa.select(outbox_table.c.routing_key, outbox_table.c.exchange)).all()
    assert rows == [("b_happened", "svc.events")]
    engine.dispose()


def test_relay_marks_rows_published_only_when_every_publish_was_confirmed(vhost, empty_db):
    """relay_once takes and marks the pending rows in one statement; a publish that fails
    rolls the mark back, so the rows are taken again, in order, by the next pass."""
    from kombu import Connection
    from sacinfra.outbox import amqp_connection, relay_once

    engine = make_engine(empty_db)
    with UnitOfWork(engine, "svc") as uow:
        uow.add_events([("a_happened", {"n": 1}, None), ("b_happened", {"n": 2}, None)])

    def pending():
        with engine.connect() as c:
            return c.execute(sa.select(outbox_table.c.routing_key).where(outbox_table.c.published_at.is_(None))
                             .order_by(outbox_table.c.id)).scalars().all()

    broken = Connection("amqp://guest:guest@127.0.0.1:1//", connect_timeout=1)  # nothing listens there
    try:
        relay_once(engine, broken)
    except Exception:
        pass
    else:
        raise AssertionError("a publish to an unreachable broker should fail")
    assert pending() == ["a_happened", "b_happened"]
    with amqp_connection(vhost["uri"]) as conn:
        assert relay_once(engine, conn) == 2
        assert relay_once(engine, conn) == 0
    assert pending() == []
    engine.dispose()


BATCHES: list = []


class BatchConsumer(SqlService):
    name = "batchconsumer"

    from sacinfra.batching import batch_event_handler as _beh

    @_beh("producer", "thing_happened", window=0.05)
    def handle(self, envelopes):
        if any(e["data"].get("poison") for e in envelopes):
            raise ValueError("poison")
        fresh = self.db.claim_many("batchconsumer", [e["event_id"] for e in envelopes])
        BATCHES.append(sorted(e["data"]["n"] for e in envelopes if e["event_id"] in fresh))
        self.db.commit()


def test_batch_handler_groups_events_and_isolates_a_poison_one(vhost, empty_db, container_factory):
    BATCHES.clear()
    container = container_factory(BatchConsumer, config(vhost, empty_db, max_workers=50))
    container.start()
    poison = make_envelope("thing_happened", {"n": 0, "poison": True}, "producer")
    envelopes = [make_envelope("thing_happened", {"n": n}, "producer") for n in range(1, 21)]
    testing.publish_events(vhost["uri"], "producer", "thing_happened", envelopes[:10])
    testing.wait_until(lambda: sorted(n for b in BATCHES for n in b) == list(range(1, 11)))
    assert max(len(b) for b in BATCHES) > 1, "events were not batched"
    # a poison event in a batch: its neighbours are retried alone and succeed; it ends
    # in the dead-letter queue; duplicates of handled events change nothing
    testing.publish_events(vhost["uri"], "producer", "thing_happened",
                           [poison] + envelopes[10:] + envelopes[:3])
    dead = testing.drain(vhost["uri"], DLQ, expect=1, timeout=30)
    assert [d["event_id"] for d in dead] == [poison["event_id"]]
    testing.wait_until(lambda: sorted(n for b in BATCHES for n in b) == list(range(1, 21)))
