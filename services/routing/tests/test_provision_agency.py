"""An agency's RabbitMQ user on the real broker: it binds its own agency's keys to its own
queues and receives its events; another agency's keys, a queue outside its prefix, an
internal exchange and publishing are refused (ACCESS_REFUSED)."""
import json
import secrets
import uuid

import pika
import pytest
from pika.exceptions import ChannelClosedByBroker

from routing import provision_agency
from sacinfra.testing import AMQP_HOST, drain
from sacinfra.topology import Management, q


@pytest.fixture
def op_user(vhost):
    user = f"agency-op-test-{uuid.uuid4().hex[:8]}"
    password = secrets.token_urlsafe(24)
    provision_agency.provision("OP", password, vhost["name"], user=user)
    yield pika.URLParameters(f"amqp://{user}:{password}@{AMQP_HOST}/{vhost['name']}")
    Management().delete(f"/users/{q(user)}")


def refused(params, action) -> str:
    conn = pika.BlockingConnection(params)
    try:
        with pytest.raises(ChannelClosedByBroker) as err:
            action(conn.channel())
        assert err.value.reply_code == 403, err.value
        return err.value.reply_text
    finally:
        if conn.is_open:
            conn.close()


def publish(uri, key, folio):
    conn = pika.BlockingConnection(pika.URLParameters(uri))
    ch = conn.channel()
    ch.confirm_delivery()
    ch.basic_publish("sac.integration", key, json.dumps({"event_id": str(uuid.uuid4()), "data": {"folio": folio}}),
                     pika.BasicProperties(delivery_mode=2, content_type="application/json"))
    conn.close()


def test_the_permissions_are_limited_to_the_agency():
    p = provision_agency.permissions("OP")
    assert p["vhost"] == {"configure": r"^dept\.OP\.", "write": r"^dept\.OP\.",
                          "read": r"^(dept\.OP\..*|sac\.integration)$"}
    assert p["topic"] == {"exchange": "sac.integration", "write": "^$", "read": r"^OP\."}
    for bad in ("op", "O", "OP.#", "OP|SIAP", "", None):
        with pytest.raises(provision_agency.InvalidAgency):
            provision_agency.permissions(bad)


def test_agency_user_binds_only_its_own_keys_and_queues(vhost, op_user):
    conn = pika.BlockingConnection(op_user)
    ch = conn.channel()
    ch.queue_declare("dept.OP.alumbrado", durable=True, arguments={"x-queue-type": "quorum"})
    ch.queue_bind("dept.OP.alumbrado", "sac.integration", "OP.#")
    conn.close()

    publish(vhost["uri"], "OP.OP-ALUMBRADO.report_assigned", 1)
    publish(vhost["uri"], "SIAP.SIAP-RECOLECCION.report_assigned", 2)
    publish(vhost["uri"], "OP.OP-BACHEO.report_assigned", 3)
    got = drain(op_user_uri(op_user, vhost), "dept.OP.alumbrado", expect=3, timeout=3)
    assert [m["data"]["folio"] for m in got] == [1, 3]  # its agency's events, none of SIAP's

    text = refused(op_user, lambda c: c.queue_bind("dept.OP.alumbrado", "sac.integration", "SIAP.#"))
    assert "ACCESS_REFUSED" in text and "SIAP.#" in text
    for key in ("#", "*.SIAP-RECOLECCION.#", "OPX.#"):
        assert "ACCESS_REFUSED" in refused(op_user, lambda c: c.queue_bind("dept.OP.alumbrado", "sac.integration", key))
    # a queue outside its prefix, another agency's prefix, an internal exchange, publishing
    assert "ACCESS_REFUSED" in refused(op_user, lambda c: c.queue_declare("reportes", durable=True))
    assert "ACCESS_REFUSED" in refused(op_user, lambda c: c.queue_declare("dept.SIAP.x", durable=True))
    assert "ACCESS_REFUSED" in refused(op_user, lambda c: c.queue_bind("dept.OP.alumbrado", "routing.events", "#"))

    def publish_as_op(c):
        c.confirm_delivery()
        c.basic_publish("sac.integration", "OP.OP-ALUMBRADO.report_assigned", b"{}")
    assert "ACCESS_REFUSED" in refused(op_user, publish_as_op)


def op_user_uri(params, vhost) -> str:
    creds = params.credentials
    return f"amqp://{creds.username}:{creds.password}@{AMQP_HOST}/{vhost['name']}"
