"""Transient is not poison: while a consumer's own database is away its messages are held
(not requeued, so the quorum queue's delivery limit is not spent), readiness says so,
and they are handled once it is back; the dead-letter queue stays empty. A poison
message still reaches it. Rules of classification without I/O first."""
import errno
import time

import eventlet
import psycopg
import requests
import sqlalchemy as sa
from nameko.exceptions import RemoteError, UnknownService
from nameko.rpc import rpc

from sacinfra import testing
from sacinfra.batching import batch_event_handler
from sacinfra.envelope import make_envelope
from sacinfra.ops import OpsServer
from sacinfra.rpcpool import RpcPool
from sacinfra.service import SqlService, reliable_event_handler
from sacinfra.topology import DLQ
from sacinfra.transient import backoff_delay, is_transient


def _raised_from(exc, cause):
    try:
        try:
            raise cause
        except Exception:
            raise exc
    except Exception as e:
        return e


def test_connection_failures_are_transient_and_bugs_are_not():
    assert is_transient(psycopg.OperationalError("connection refused"))
    assert is_transient(sa.exc.OperationalError("SELECT 1", {}, psycopg.OperationalError("server closed")))
    assert is_transient(ConnectionResetError(errno.ECONNRESET, "reset"))
    assert is_transient(OSError(errno.ECONNREFUSED, "refused"))
    assert is_transient(UnknownService("catalog"))
    assert is_transient(RemoteError("OperationalError", "the other service's database is away"))
    assert is_transient(_raised_from(RuntimeError("wrapped"), ConnectionRefusedError()))
    assert not is_transient(ValueError("poison"))
    assert not is_transient(KeyError("folio"))
    assert not is_transient(sa.exc.IntegrityError("INSERT", {}, psycopg.IntegrityError("duplicate")))
    assert not is_transient(RemoteError("InvalidInput", "bad"))
    assert not is_transient(OSError(errno.ENOENT, "no such file"))


def test_backoff_doubles_from_a_fifth_of_a_second_up_to_five():
    assert [backoff_delay(n) for n in (1, 2, 3, 4, 5, 6, 10)] == [0.2, 0.4, 0.8, 1.6, 3.2, 5.0, 5.0]


SEEN: list = []


class Holder(SqlService):
    name = "holder"

    @reliable_event_handler("producer", "thing_happened")
    def handle(self, envelope):
        if envelope["data"].get("poison"):
            raise ValueError("poison")
        with self.db as uow:
            if uow.claim("holder", envelope["event_id"]):
                SEEN.append(envelope["data"]["n"])


class BatchHolder(SqlService):
    name = "batchholder"

    @batch_event_handler("producer", "thing_happened", window=0.05)
    def handle(self, envelopes):
        with self.db as uow:
            fresh = uow.claim_many("batchholder", [e["event_id"] for e in envelopes])
            SEEN.extend(e["data"]["n"] for e in envelopes if e["event_id"] in fresh)


def _outage(service_cls, vhost, empty_db, container_factory, poison=False):
    """Cut the service's database for 4 s while 5 events (and maybe a poison one) arrive;
    with the test vhost's delivery limit (3) and immediate requeues they would all be
    dead letters within a second."""
    SEEN.clear()
    proxy = testing.TcpProxy("127.0.0.1", 5432)
    container = container_factory(service_cls, {
        "AMQP_URI": vhost["uri"], "DATABASE_URL": proxy.url_for(empty_db), "METRICS_PORT": 0,
        "OUTBOX_POLL_SECONDS": 0.2, "max_workers": 10})
    container.start()
    ops = next(d for d in container.dependencies if isinstance(d, OpsServer))
    publish = lambda n: testing.publish_event(  # noqa: E731
        vhost["uri"], "producer", "thing_happened", make_envelope("thing_happened", {"n": n}, "producer"))
    publish(0)
    testing.wait_until(lambda: SEEN == [0], what="first event handled")
    proxy.cut()
    if poison:
        testing.publish_event(vhost["uri"], "producer", "thing_happened",
                              make_envelope("thing_happened", {"n": -1, "poison": True}, "producer"))
    for n in range(1, 6):
        publish(n)
    time.sleep(4)
    ready = requests.get(f"http://127.0.0.1:{ops.port}/readyz", timeout=10)
    assert ready.status_code == 503 and "waiting" in ready.text, ready.text
    proxy.restore()
    testing.wait_until(lambda: sorted(SEEN) == [0, 1, 2, 3, 4, 5], timeout=30, what="held events handled")
    testing.wait_until(lambda: requests.get(f"http://127.0.0.1:{ops.port}/readyz", timeout=10).status_code == 200,
                       timeout=15, what="ready again")
    dead = testing.drain(vhost["uri"], DLQ, expect=1, timeout=10 if poison else 2)
    assert container._died.ready() is False, "the service exited"
    proxy.cut()
    return dead


def test_a_database_outage_holds_events_instead_of_dead_lettering_them(vhost, empty_db, container_factory):
    dead = _outage(Holder, vhost, empty_db, container_factory, poison=True)
    assert [d["data"]["n"] for d in dead] == [-1], "only the poison message is a dead letter"


def test_a_batch_handler_holds_its_batch_through_a_database_outage(vhost, empty_db, container_factory):
    assert _outage(BatchHolder, vhost, empty_db, container_factory) == []


class Replier(SqlService):
    name = "replier"

    @rpc
    def slow(self, seconds):
        eventlet.sleep(seconds)
        return "hecho"


def test_a_reply_that_cannot_be_published_does_not_stop_the_service(vhost, empty_db, container_factory):
    """nameko publishes an RPC reply in the worker's result handler; with the broker gone
    it raised there and the container died (the service exited with code 1)."""
    host, rest = vhost["uri"].split("@", 1)
    proxy = testing.TcpProxy("127.0.0.1", int(rest.split("/", 1)[0].rsplit(":", 1)[1]))
    container = container_factory(Replier, {
        "AMQP_URI": f"{host}@127.0.0.1:{proxy.port}/{rest.split('/', 1)[1]}", "DATABASE_URL": empty_db,
        "METRICS_PORT": 0, "OUTBOX_POLL_SECONDS": 0.2})
    container.start()
    pool = RpcPool({"AMQP_URI": vhost["uri"]}, size=1)
    with pool.proxy() as p:
        assert p.replier.slow(0) == "hecho"
        pending = p.replier.slow.call_async(1.5)
        eventlet.sleep(0.5)
        proxy.cut()  # the broker "goes away" for the service while the call runs
        eventlet.sleep(4)
        assert not container._died.ready(), "the service exited"
        proxy.restore()
        testing.wait_until(lambda: _answers(p), timeout=60, interval=1, what="the service answers again")
    del pending
    pool.close()  # the proxy stays open: the container stops (teardown) through it


def _answers(p):
    try:
        return p.replier.slow(0) == "hecho"
    except Exception:
        return False
