"""The opt-out list on a real PostgreSQL database (handlers without a broker) and through
a real RabbitMQ vhost (the service consumes citizens' events): idempotent, and
``may_contact`` is False for whoever opposed or cancelled."""
import uuid

import pytest
import sqlalchemy as sa

from sacinfra import testing
from sacinfra.db import UnitOfWork, make_engine
from sacinfra.errors import InvalidInput
from sacinfra.rpcpool import RpcPool
from surveys import handlers
from surveys.service import SurveysService

AT = "2026-11-30T16:00:00+00:00"


def envelope(event_type, data):
    return {"event_id": str(uuid.uuid4()), "event_type": event_type, "version": 1, "occurred_at": AT,
            "producer": "citizens", "trace": {}, "data": data}


def opposed(number, scopes=("surveys",)):
    return envelope("citizen_opposed", {"number": number, "scopes": list(scopes), "opposed_at": AT})


def cancelled(number):
    return envelope("citizen_cancelled", {"number": number, "cancelled_at": AT})


@pytest.fixture
def uow(service_uow):
    return service_uow("surveys")


def test_opposition_and_cancellation_are_idempotent_and_block_contact(uow):
    assert handlers.may_contact(uow, 7) is True
    event = opposed(7)
    assert handlers.record_opposition(uow, event) == 1
    assert handlers.record_opposition(uow, event) == 0  # redelivery
    assert handlers.record_opposition(uow, opposed(7)) == 0  # the same scope again from another event
    assert handlers.record_opposition(uow, opposed(7, ["surveys", "contact"])) == 1
    assert handlers.may_contact(uow, 7) is False
    assert handlers.may_contact(uow, 8) is True
    c = cancelled(8)
    assert handlers.record_cancellation(uow, c) == 1 and handlers.record_cancellation(uow, c) == 0
    assert handlers.may_contact(uow, 8) is False
    assert handlers.may_contact(uow, None) is False  # an anonymous report: nobody to call
    with pytest.raises(InvalidInput):
        handlers.may_contact(uow, "7")
    doc = handlers.arco_access(uow, [7, 8, 9])
    assert [(x["citizen_number"], x["scope"]) for x in doc["opt_outs"]] == [
        (7, "contact"), (7, "surveys"), (8, "cancelled")]
    assert doc["answers"] == []
    assert uow.session.execute(sa.text("SELECT count(*) FROM processed_messages")).scalar() == 4


def test_the_service_consumes_citizens_events(vhost, service_db, container_factory):
    url = service_db("surveys")
    container_factory(SurveysService, {"AMQP_URI": vhost["uri"], "DATABASE_URL": url, "METRICS_PORT": 0}).start()
    testing.publish_event(vhost["uri"], "citizens", "citizen_opposed", opposed(31, ["contact"]))
    testing.publish_event(vhost["uri"], "citizens", "citizen_cancelled", cancelled(32))
    engine = make_engine(url)
    with UnitOfWork(engine, "surveys") as u:
        testing.wait_until(lambda: not handlers.may_contact(u, 31) and not handlers.may_contact(u, 32))
    engine.dispose()
    pool = RpcPool({"AMQP_URI": vhost["uri"]}, size=1)
    with pool.proxy() as p:
        assert p.surveys.may_contact(31) is False and p.surveys.may_contact(33) is True
        assert p.surveys.arco_access(32)["opt_outs"][0]["scope"] == "cancelled"
    pool.close()
