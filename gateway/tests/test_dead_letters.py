"""Dead letters on the real broker and database: poison events rejected by a consumer
until the quorum queue's delivery limit sends them to `sac.dead-letter` are moved by the
gateway into its table, listed (twice: nothing lost, nothing reordered) by an admin only,
replayed to their original exchange and routing key once the consumer is fixed, and the
`gateway_dead_letters` gauge follows; every look and replay is audited."""
import json
import re
import time
import uuid

import psycopg
import pytest
from kombu import Connection, Exchange, Queue

from gateway.dead_letters import parse
from sacinfra.testing import wait_until
from sacinfra.topology import queue_info

QUEUE = "evt-test-thing_happened--fussy.handle"


@pytest.fixture
def broker(vhost):
    with Connection(vhost["uri"]) as conn:
        exchange = Exchange("test.events", type="topic", durable=True)
        Queue(QUEUE, exchange=exchange, routing_key="thing_happened", durable=True)(conn.channel()).declare()
    return vhost


class Api:
    def __init__(self, client):
        self.client = client

    def as_(self, username: str) -> dict:
        r = self.client.post("/v1/auth/login", json={"username": username, "password": f"demo-{username}-2026"})
        assert r.status_code == 200, r.text
        return {"Authorization": f"Bearer {r.json()['access_token']}"}


def event(n: int) -> dict:
    return {"event_id": str(uuid.uuid4()), "event_type": "thing_happened", "version": 1, "producer": "catalog",
            "occurred_at": "2026-12-01T00:00:00+00:00", "trace": {}, "data": {"n": n}}


def publish(uri: str, e: dict) -> None:
    with Connection(uri, transport_options={"confirm_publish": True}) as conn:
        conn.Producer(serializer="json").publish(
            e, exchange=Exchange("test.events", type="topic", durable=True), routing_key="thing_happened",
            delivery_mode=2, message_id=e["event_id"], headers={"nameko.call_id_stack": "x"})


def poison(uri: str, e: dict, vhost: str) -> None:
    """A broken consumer rejects the event (requeue) until the delivery limit dead-letters it."""
    publish(uri, e)
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
            assert json.loads(msg.body)["event_id"] == e["event_id"]
            ch.basic_reject(msg.delivery_tag, requeue=True)
    raise AssertionError("never dead-lettered")


def fixed_consumer(uri: str, expect: int) -> list[str]:
    """The consumer once fixed: takes and acks what is in its queue."""
    out = []
    with Connection(uri) as conn:
        ch = conn.channel()
        deadline = time.monotonic() + 15
        while len(out) < expect and time.monotonic() < deadline:
            msg = ch.basic_get(QUEUE, no_ack=False)
            if msg is None:
                time.sleep(0.1)
                continue
            out.append(json.loads(msg.body)["event_id"])
            ch.basic_ack(msg.delivery_tag)
    return out


def metric(client, name="gateway_dead_letters") -> float:
    m = re.search(rf"^{name} (\S+)$", client.get("/metrics").text, re.M)
    return float(m.group(1)) if m else float("nan")


def test_poison_events_are_moved_listed_replayed_and_counted(make_client, settings, broker, demo_users, gateway_db):
    from dataclasses import replace

    api = Api(make_client(replace(settings, amqp_uri=broker["uri"])))
    admin = api.as_("admin")
    uri, vh = broker["uri"], broker["name"]
    baseline = metric(api.client, "gateway_dead_letters_received_total")
    e1, e2, e3 = event(1), event(2), event(3)
    for e in (e1, e2, e3):
        poison(uri, e, vh)

    def listed():
        r = api.client.get("/v1/admin/dead-letters", headers=admin)
        assert r.status_code == 200, r.text
        return r.json()

    wait_until(lambda: listed()["total"] == 3, timeout=20)
    first, again = listed(), listed()
    assert [i["event_id"] for i in first["items"]] == [e1["event_id"], e2["event_id"], e3["event_id"]]
    assert again["items"] == first["items"]  # listing moves nothing and reorders nothing
    assert queue_info(vh, "sac.dead-letter")["messages"] == 0  # out of the broker, into the table
    item = first["items"][0]
    assert (item["event_type"], item["producer"], item["queue"], item["exchange"], item["routing_key"]) == \
        ("thing_happened", "catalog", QUEUE, "test.events", "thing_happened")
    assert item["reason"] in ("delivery_limit", "rejected") and item["count"] >= 1
    assert item["payload"] == e1 and item["first_death_at"]
    assert metric(api.client) == 3
    assert metric(api.client, "gateway_dead_letters_received_total") - baseline == 3

    # who may look and what bad input gets: nothing changes
    assert api.client.get("/v1/admin/dead-letters").status_code == 401
    for role in ("supervisor", "auditor", "operator"):
        h = api.as_(role)
        assert api.client.get("/v1/admin/dead-letters", headers=h).json()["code"] == "prohibido"
        assert api.client.post("/v1/admin/dead-letters/replay", headers=h, json={"all": True}).status_code == 403
    for body in ({}, {"ids": [item["id"]], "all": True}, {"ids": []}, {"ids": ["x"]}, {"all": False}):
        r = api.client.post("/v1/admin/dead-letters/replay", headers=admin, json=body)
        assert r.status_code == 422 and r.json()["code"], (body, r.text)
    r = api.client.post("/v1/admin/dead-letters/replay", headers=admin, json={"ids": [item["id"], 999999]})
    assert r.status_code == 404 and r.json()["code"] == "mensaje_no_encontrado", r.text
    assert listed()["total"] == 3 and queue_info(vh, QUEUE)["messages"] == 0

    # the consumer is fixed: replay one, then the rest, to the original exchange and routing key
    second = first["items"][1]["id"]
    r = api.client.post("/v1/admin/dead-letters/replay", headers=admin, json={"ids": [second]})
    assert r.status_code == 200 and r.json() == {"replayed": [second], "failed": []}, r.text
    assert fixed_consumer(uri, 1) == [e2["event_id"]]
    assert [i["event_id"] for i in listed()["items"]] == [e1["event_id"], e3["event_id"]]
    assert metric(api.client) == 2
    r = api.client.post("/v1/admin/dead-letters/replay", headers=admin, json={"all": True})
    assert r.status_code == 200 and len(r.json()["replayed"]) == 2, r.text
    assert fixed_consumer(uri, 2) == [e1["event_id"], e3["event_id"]]
    assert listed()["total"] == 0 and metric(api.client) == 0
    time.sleep(1)
    assert queue_info(vh, "sac.dead-letter")["messages"] == 0 and listed()["total"] == 0  # they did not die again

    with psycopg.connect(gateway_db.replace("postgresql+psycopg://", "postgresql://")) as conn:
        actions = [r[0] for r in conn.execute("SELECT action FROM audit_log WHERE action LIKE 'dead_letters.%' "
                                              "AND actor = 'admin' ORDER BY id")]
    assert actions.count("dead_letters.replayed") == 2 and "dead_letters.listed" in actions


def test_parse_reads_the_first_death():
    import datetime as dt

    t = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.timezone.utc)
    e = event(1)
    row = parse(json.dumps(e).encode(), {
        "x-death": [{"queue": "q2", "reason": "rejected", "count": 1, "exchange": "sac.dlx", "routing-keys": ["k"],
                     "time": t + dt.timedelta(minutes=5)},
                    {"queue": "q1", "reason": "delivery_limit", "count": 2, "exchange": "catalog.events",
                     "routing-keys": [b"thing_happened"], "time": t}],
        "x-first-death-queue": "q1", "x-first-death-exchange": "catalog.events",
        "x-first-death-reason": "delivery_limit", "nameko.call_id_stack": "a"})
    assert (row["queue"], row["exchange"], row["routing_key"], row["reason"], row["death_count"]) == \
        ("q1", "catalog.events", "thing_happened", "delivery_limit", 3)
    assert row["first_death_at"] == t and row["message_id"] == e["event_id"]
    assert row["headers"] == {"nameko.call_id_stack": "a"}  # death headers are not replayed
    junk = parse(b"\xff not json", {}, message_id=None)
    assert junk["payload"] is None and junk["message_id"].startswith("sha:")
