"""The departments' integration feed: routing writes, in the same transaction as each
change, an outbox row for `sac.integration` keyed `<agency>.<department>.<event>` (plus
the other departments concerned), without free text or staff usernames; the relay
publishes it so that a queue per agency receives exactly what concerns it, once."""
import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from jsonschema import Draft202012Validator, FormatChecker
from kombu import Connection, Exchange, Queue

from routing import handlers, integration
from sacinfra.db import outbox_table
from sacinfra.outbox import amqp_connection, relay_once
from sacinfra.testing import drain
from routing_actors import OP, SIAP, SUPERVISOR

CONTRACTS = Path(__file__).resolve().parents[3] / "contracts"


def feed(uow) -> list:
    return list(uow.session.execute(sa.select(outbox_table).where(outbox_table.c.exchange == "sac.integration")
                                    .order_by(outbox_table.c.id)))


def lifecycle(uow, created_event, folio=7):
    """assign → start (with a note that names a person) → share with SIAP → SIAP adds a
    note → reassign to OP-BACHEO with a reason that names a person."""
    assert handlers.assign_report(uow, created_event(folio))
    handlers.start_report(uow, OP, folio, 1, "Juan Pérez nos abrió")
    handlers.share_report(uow, OP, folio, 2, "SIAP", "SIAP-RECOLECCION")
    handlers.add_intervention(uow, SIAP, folio, "Hablé con la señora María")
    handlers.reassign_report(uow, SUPERVISOR, folio, 3, "OP", "OP-BACHEO", "Dice don Pedro que es un bache")


def test_segment_escapes_dots_one_to_one():
    assert integration.routing_key("OP", "OP-ALUMBRADO", "report_assigned") == "OP.OP-ALUMBRADO.report_assigned"
    assert integration.routing_key("OP", "OP.NORTE", "report_assigned") == "OP.OP~NORTE.report_assigned"
    assert integration.routing_key("OP", None, "report_assigned") == "OP.-.report_assigned"


def test_each_change_writes_its_department_message_in_the_same_transaction(uow, created_event, departments):
    lifecycle(uow, created_event)
    rows = [(r.payload["event_type"], r.routing_key, r.headers.get("BCC", [])) for r in feed(uow)]
    assert rows == [
        ("report_assigned", "OP.OP-ALUMBRADO.report_assigned", []),
        ("intervention_added", "OP.OP-ALUMBRADO.intervention_added", []),  # the start note
        ("report_status_changed", "OP.OP-ALUMBRADO.report_status_changed", []),
        ("report_shared", "SIAP.SIAP-RECOLECCION.report_shared", ["OP.OP-ALUMBRADO.report_shared"]),
        ("intervention_added", "OP.OP-ALUMBRADO.intervention_added", ["SIAP.SIAP-RECOLECCION.intervention_added"]),
        ("report_status_changed", "OP.OP-BACHEO.report_status_changed", ["SIAP.SIAP-RECOLECCION.report_status_changed"]),
        ("report_reassigned", "OP.OP-BACHEO.report_reassigned", ["OP.OP-ALUMBRADO.report_reassigned"]),
    ]
    internal = list(uow.session.execute(sa.select(outbox_table).where(outbox_table.c.exchange == "routing.events")))
    assert len(internal) == len(rows)  # one department message per routing event
    assert len({r.event_id for r in feed(uow)} | {r.event_id for r in internal}) == 2 * len(rows)

    text = json.dumps([r.payload for r in feed(uow)], ensure_ascii=False)
    for private in ("Juan", "María", "Pedro", "agency_staff", "siap", "supervisor"):
        assert private not in text, private
    envelope = Draft202012Validator(json.loads((CONTRACTS / "envelope.schema.json").read_text()),
                                    format_checker=FormatChecker())
    for r in feed(uow):
        t = r.payload["event_type"]
        folder = "integration" if t in integration.PRIVATE else "events"
        schema = json.loads((CONTRACTS / folder / f"routing.{t}.v1.schema.json").read_text())
        envelope.validate(r.payload)
        Draft202012Validator(schema, format_checker=FormatChecker()).validate(r.payload["data"])


def test_a_refused_change_writes_nothing_to_the_feed(uow, created_event):
    assert handlers.assign_report(uow, created_event(8))
    before = len(feed(uow))
    with pytest.raises(Exception):
        handlers.finish_report(uow, OP, 8, 1, "")  # captured → done is illegal, and the text is missing
    assert len(feed(uow)) == before


def test_relay_delivers_each_message_once_to_every_department_concerned(uow, engine, vhost, created_event,
                                                                       departments):
    with Connection(vhost["uri"]) as conn:
        exchange = Exchange("sac.integration", type="topic", durable=True, passive=True)  # topology declared it
        for name, key in [("dept.OP.all", "OP.#"), ("dept.SIAP.all", "SIAP.#"),
                          ("dept.OP.alumbrado", "OP.OP-ALUMBRADO.*"), ("dept.OP.both", "OP.OP-ALUMBRADO.#")]:
            Queue(name, exchange=exchange, routing_key=key, durable=True)(conn.channel()).declare()
        ch = conn.channel()  # one queue bound to both the old and the new department of a reassignment
        ch.queue_bind("dept.OP.both", "sac.integration", "OP.OP-BACHEO.#")
    lifecycle(uow, created_event)
    with amqp_connection(vhost["uri"]) as conn:
        assert relay_once(engine, conn) == 14  # 7 on routing.events, 7 on sac.integration
    op = drain(vhost["uri"], "dept.OP.all", expect=7)
    siap = drain(vhost["uri"], "dept.SIAP.all", expect=3)
    alumbrado = drain(vhost["uri"], "dept.OP.alumbrado", expect=6)
    both = drain(vhost["uri"], "dept.OP.both", expect=7, timeout=3)
    assert [m["event_type"] for m in op] == ["report_assigned", "intervention_added", "report_status_changed",
                                            "report_shared", "intervention_added", "report_status_changed",
                                            "report_reassigned"]
    assert [m["event_type"] for m in siap] == ["report_shared", "intervention_added", "report_status_changed"]
    assert [m["event_type"] for m in alumbrado] == ["report_assigned", "intervention_added",
                                                   "report_status_changed", "report_shared",
                                                   "intervention_added", "report_reassigned"]
    # bound to both departments of the reassignment, the queue still got the message once
    assert len(both) == 7 and len({m["event_id"] for m in both}) == 7
    assert drain(vhost["uri"], "dept.OP.all", expect=1, timeout=1) == []  # nothing more, nothing twice
