"""directory as a nameko service on a real broker and a real MongoDB-compatible server:
health and readiness, the RPCs, and the events of consults and prints published from
the log (the outbox) with confirms, valid against contracts/."""
import json
import time
from pathlib import Path

import pytest
import requests
import secantus
from jsonschema import Draft202012Validator, FormatChecker
from kombu import Connection, Exchange, Queue

from directory import handlers as h, relay
from directory.service import DirectoryService
from sacinfra.ops import OpsServer
from sacinfra.rpcpool import RpcPool

from directory_actors import ADMIN, OPERATOR

CONTRACTS = Path(__file__).resolve().parents[3] / "contracts"


def validate(envelope: dict) -> None:
    load = lambda p: json.loads((CONTRACTS / p).read_text())  # noqa: E731
    Draft202012Validator(load("envelope.schema.json"), format_checker=FormatChecker()).validate(envelope)
    schema = load(f"events/directory.{envelope['event_type']}.v1.schema.json")
    Draft202012Validator(schema, format_checker=FormatChecker()).validate(envelope["data"])


def collect(uri: str, queue: Queue, expected: int, timeout: float = 20) -> list[dict]:
    got: list[dict] = []
    with Connection(uri) as conn:
        with conn.Consumer(queue, callbacks=[lambda body, msg: (got.append(body), msg.ack())], accept=["json"]):
            deadline = time.monotonic() + timeout
            while len(got) < expected and time.monotonic() < deadline:
                try:
                    conn.drain_events(timeout=0.5)
                except TimeoutError:
                    pass
                except OSError:
                    pass
    return got


def test_health_rpcs_and_events_on_real_broker_and_mongo(vhost, container_factory):
    exchange = Exchange("directory.events", type="topic", durable=True)
    queue = Queue("test-directory-events", exchange=exchange, routing_key="#", durable=True)
    with Connection(vhost["uri"]) as conn:
        queue(conn.default_channel).declare()
    with secantus.SecantusDBServer(port=0, storage_path=":memory:") as mongo:
        container = container_factory(DirectoryService, {
            "AMQP_URI": vhost["uri"], "MONGO_URI": f"mongodb://{mongo.host}:{mongo.port}/?directConnection=true",
            "MONGO_DB": "directory_test", "METRICS_PORT": 0, "OUTBOX_POLL_SECONDS": 0.2})
        container.start()
        pool = RpcPool({"AMQP_URI": vhost["uri"]}, size=1)
        with pool.proxy() as p:
            assert p.directory.health() == {"service": "directory", "status": "ok"}
            p.directory.create_office(ADMIN, {"id": "sat", "name": "Servicio de Administración Tributaria",
                                              "acronym": "SAT", "level": "FEDERAL"})
            assert p.directory.search_offices(OPERATOR, "tributaria")["items"][0]["id"] == "sat"
            assert p.directory.consult_office(OPERATOR, "sat", "072")["acronym"] == "SAT"
            ticket = p.directory.print_ticket(OPERATOR, "sat", "VENTANILLA", "text")
            assert ticket["attention_number"] == "0000000001"
            tree = p.directory.office_tree(OPERATOR, "all")
            assert tree["roots"][0]["id"] == "sat"
        pool.close()
        ops = next(d for d in container.dependencies if isinstance(d, OpsServer))
        ready = requests.get(f"http://127.0.0.1:{ops.port}/readyz", timeout=5)
        assert ready.status_code == 200 and "mongo: ok" in ready.text
        events = collect(vhost["uri"], queue, 2)
        container.stop()
    assert [e["event_type"] for e in events] == ["directory_consulted", "ticket_printed"]
    for e in events:
        validate(e)
    assert events[0]["data"] == {"office_id": "sat", "channel": "072",
                                 "consulted_at": events[0]["data"]["consulted_at"]}
    assert events[1]["data"]["attention_number"] == "0000000001"
    assert "operator" not in json.dumps(events)  # no user, no personal data


def test_fifty_concurrent_prints_through_the_service(vhost, container_factory):
    """The service's workers (eventlet green threads sharing one pymongo client) print 50
    tickets at once: 50 distinct consecutive numbers, 50 events."""
    import eventlet

    with secantus.SecantusDBServer(port=0, storage_path=":memory:") as mongo:
        container = container_factory(DirectoryService, {
            "AMQP_URI": vhost["uri"], "MONGO_URI": f"mongodb://{mongo.host}:{mongo.port}/?directConnection=true",
            "MONGO_DB": "directory_test", "METRICS_PORT": 0, "max_workers": 20, "OUTBOX_POLL_SECONDS": 0.2})
        container.start()
        pool = RpcPool({"AMQP_URI": vhost["uri"]}, size=10, timeout=60)
        with pool.proxy() as p:
            p.directory.create_office(ADMIN, {"id": "sat", "name": "SAT", "level": "FEDERAL"})

        def print_one(_):
            with pool.proxy() as proxy:
                return proxy.directory.print_ticket(OPERATOR, "sat", "072", "text")["attention_number"]

        numbers = list(eventlet.GreenPool(25).imap(print_one, range(50)))
        pool.close()
        store = next(d for d in container.dependencies if d.__class__.__name__ == "DirectoryStore").store
        deadline = time.monotonic() + 20
        while store.pending_events() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert store.pending_events() == 0
        container.stop()
    assert sorted(numbers) == [str(n).zfill(10) for n in range(1, 51)]


def test_nothing_is_marked_published_until_the_broker_confirms(vhost, store):
    h.create_office(store, ADMIN, {"id": "sat", "name": "SAT", "level": "FEDERAL"})
    h.consult_office(store, OPERATOR, "sat", "072")
    h.print_ticket(store, OPERATOR, "sat", "072", "text")
    broken = relay.amqp_connection(vhost["uri"].rsplit("/", 1)[0] + "/no-such-vhost")
    with pytest.raises(Exception):
        broken.connect()
        relay.relay_once(store, broken)
    assert store.pending_events() == 2
    with relay.amqp_connection(vhost["uri"]) as conn:
        assert relay.relay_once(store, conn) == 2
        assert relay.relay_once(store, conn) == 0
    assert store.pending_events() == 0
    assert store.log.count_documents({"published": True}) == 2
