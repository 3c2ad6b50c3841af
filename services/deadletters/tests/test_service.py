"""deadletters on a real RabbitMQ vhost and its own database: poison events rejected by a
consumer until the quorum queue's delivery limit sends them to `sac.dead-letter` are
stored (commit, then ack; a failed insert leaves the message in the queue), listed
(twice: nothing lost, nothing reordered) by an admin only, replayed to their original
exchange and routing key once the consumer is fixed, and the gauge follows."""
import json
import time
import uuid

import psycopg
import pytest
from kombu import Connection
from nameko.exceptions import RemoteError
from prometheus_client import REGISTRY

from deadletters import handlers
from deadletters.service import DeadlettersService
from sacinfra import testing
from sacinfra.rpcpool import RpcPool
from sacinfra.testing import wait_until
from sacinfra.topology import DLQ, queue_info

QUEUE = "evt-test-thing_happened--fussy.handle"
ADMIN = {"kind": "staff", "username": "admin", "role": "admin"}


def staff(role):
    return {"kind": "staff", "username": role, "role": role}


def event(n: int) -> dict:
    return {"event_id": str(uuid.uuid4()), "event_type": "thing_happened", "version": 1, "producer": "catalog",
            "occurred_at": "2026-12-01T00:00:00+00:00", "trace": {}, "data": {"n": n}}


def poison(uri: str, vhost: str, e: dict) -> None:
    """A broken consumer rejects the event (requeue) until the delivery limit dead-letters it."""
    testing.publish_event(uri, "test", "thing_happened", e, headers={"nameko.call_id_stack": "x"})
    with Connection(uri) as conn:
        ch = conn.channel()
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            msg = ch.basic_get(QUEUE, no_ack=False)
            if msg is None:
                if queue_info(vhost, QUEUE).get("messages", 1) == 0:
                    return
                time.sleep(0.1)
                continue
            ch.basic_reject(msg.delivery_tag, requeue=True)
    raise AssertionError("never dead-lettered")


def gauge(name="deadletters_waiting") -> float:
    return REGISTRY.get_sample_value(name) or 0.0


@pytest.fixture
def platform(vhost, service_db, container_factory):
    testing.bind_queue(vhost["uri"], QUEUE, "test", "thing_happened")
    url = service_db("deadletters")
    container_factory(DeadlettersService, {"AMQP_URI": vhost["uri"], "DATABASE_URL": url, "METRICS_PORT": 0,
                                           "max_workers": 4}).start()
    pool = RpcPool({"AMQP_URI": vhost["uri"]}, size=1)
    with pool.proxy() as p:
        yield p.deadletters, vhost, url.replace("postgresql+psycopg://", "postgresql://")
    pool.close()


def refused(call, code: str) -> None:
    with pytest.raises(RemoteError) as exc:
        call()
    assert f'"code": "{code}"' in str(exc.value), str(exc.value)


def test_poison_events_are_stored_listed_replayed_and_counted(platform):
    dl, vh, _ = platform
    uri = vh["uri"]
    received = gauge("deadletters_received_total")
    e1, e2, e3 = event(1), event(2), event(3)
    for e in (e1, e2, e3):
        poison(uri, vh["name"], e)

    def listed(**filters):
        return dl.list_dead_letters(ADMIN, filters, 50, 0)

    wait_until(lambda: listed()["total"] == 3, timeout=20, what="3 dead letters stored")
    first, again = listed(), listed()
    assert [i["event_id"] for i in first["items"]] == [e1["event_id"], e2["event_id"], e3["event_id"]]
    assert again["items"] == first["items"]  # listing moves nothing and reorders nothing
    assert queue_info(vh["name"], DLQ)["messages"] == 0  # out of the broker, into the table
    item = first["items"][0]
    assert (item["event_type"], item["producer"], item["queue"], item["exchange"], item["routing_key"]) == \
        ("thing_happened", "catalog", QUEUE, "test.events", "thing_happened")
    assert item["reason"] in ("delivery_limit", "rejected") and item["count"] >= 1
    assert item["payload"] == e1 and item["first_death_at"] and item["received_at"]
    assert listed(queue=QUEUE)["total"] == 3 and listed(queue="otra")["total"] == 0
    assert listed(event_type="other")["items"] == []
    assert dl.list_dead_letters(ADMIN, {}, 1, 2)["items"][0]["event_id"] == e3["event_id"]
    assert gauge() == 3 and gauge("deadletters_received_total") - received == 3
    assert dl.count_dead_letters(ADMIN) == {"waiting": 3}

    # who may look and what bad input gets: nothing changes
    for actor in (staff("supervisor"), staff("auditor"), staff("operator"),
                  {"kind": "public", "username": "public", "role": "public"}):
        refused(lambda: dl.list_dead_letters(actor, {}, 50, 0), "prohibido")
        refused(lambda: dl.replay_dead_letters(actor, None), "prohibido")
        refused(lambda: dl.count_dead_letters(actor), "prohibido")
    refused(lambda: dl.list_dead_letters({"role": "admin"}, {}, 50, 0), "actor_invalido")
    for limit, offset in ((0, 0), (201, 0), ("5", 0), (5, -1)):
        refused(lambda: dl.list_dead_letters(ADMIN, {}, limit, offset), "datos_invalidos")
    for ids in ([], ["x"], [0], "1"):
        refused(lambda: dl.replay_dead_letters(ADMIN, ids), "datos_invalidos")
    refused(lambda: dl.replay_dead_letters(ADMIN, [item["id"], 999999]), "mensaje_no_encontrado")
    assert listed()["total"] == 3 and queue_info(vh["name"], QUEUE)["messages"] == 0

    # the consumer is fixed: replay one, then the rest, to the original exchange and routing key
    second = first["items"][1]["id"]
    assert dl.replay_dead_letters(ADMIN, [second]) == {"replayed": [second], "failed": []}
    assert [m["event_id"] for m in testing.drain(uri, QUEUE, 1)] == [e2["event_id"]]
    assert [i["event_id"] for i in listed()["items"]] == [e1["event_id"], e3["event_id"]]
    assert gauge() == 2
    assert len(dl.replay_dead_letters(ADMIN, None)["replayed"]) == 2
    assert [m["event_id"] for m in testing.drain(uri, QUEUE, 2)] == [e1["event_id"], e3["event_id"]]
    assert listed()["total"] == 0 and gauge() == 0
    assert dl.replay_dead_letters(ADMIN, None) == {"replayed": [], "failed": []}
    time.sleep(1)
    assert queue_info(vh["name"], DLQ)["messages"] == 0 and listed()["total"] == 0  # they did not die again


def test_a_message_nobody_is_bound_to_stays_and_a_failed_insert_leaves_it_in_the_queue(platform):
    dl, vh, db = platform
    with psycopg.connect(db, autocommit=True) as conn:  # the table refuses every row for now
        conn.execute("ALTER TABLE dead_letters ADD CONSTRAINT refuse CHECK (false) NOT VALID")
    e = event(9)
    with Connection(vh["uri"], transport_options={"confirm_publish": True}) as conn:  # as RabbitMQ dead-letters it
        conn.Producer(serializer="json").publish(
            e, exchange="", routing_key=DLQ, delivery_mode=2, headers={
                "x-death": [{"queue": "evt-gone", "reason": "delivery_limit", "count": 1, "exchange": "test.events",
                             "routing-keys": ["nobody_listens"], "time": 1764590400}],
                "x-first-death-queue": "evt-gone", "x-first-death-exchange": "test.events",
                "x-first-death-reason": "delivery_limit"})
    time.sleep(1.5)  # the consumer fails on it again and again: requeued, not dropped nor stored
    assert dl.list_dead_letters(ADMIN, {}, 50, 0)["total"] == 0
    wait_until(lambda: queue_info(vh["name"], DLQ).get("messages") == 1, what="the message still in sac.dead-letter")
    with psycopg.connect(db, autocommit=True) as conn:
        conn.execute("ALTER TABLE dead_letters DROP CONSTRAINT refuse")
    wait_until(lambda: dl.list_dead_letters(ADMIN, {}, 50, 0)["total"] == 1, what="stored once the table accepts it")
    item = dl.list_dead_letters(ADMIN, {}, 50, 0)["items"][0]
    assert (item["event_id"], item["queue"], item["routing_key"]) == (e["event_id"], "evt-gone", "nobody_listens")
    out = dl.replay_dead_letters(ADMIN, [item["id"]])
    assert out["replayed"] == [] and out["failed"][0]["id"] == item["id"]
    assert out["failed"][0]["detail"].startswith("sin destino"), out
    assert dl.list_dead_letters(ADMIN, {}, 50, 0)["total"] == 1  # kept for another try


def test_the_same_death_twice_is_one_row(uow):
    e = event(1)
    body = json.dumps(e).encode()
    headers = {"x-death": [{"queue": QUEUE, "reason": "delivery_limit", "count": 1, "exchange": "test.events",
                            "routing-keys": ["thing_happened"], "time": 1764590400}],
               "x-first-death-queue": QUEUE}
    props = {"content_type": "application/json", "content_encoding": "utf-8"}
    assert handlers.store_message(uow, body, headers, props) is True
    assert handlers.store_message(uow, body, headers, props) is False
    assert handlers.count(uow) == 1
