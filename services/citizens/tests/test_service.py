"""citizens runs as a nameko service on its own database: health, and a registration and
a read over RPC with the actor of contracts/actor (a broken actor is InvalidInput)."""
import json

import eventlet
import pytest
from nameko.exceptions import RemoteError
from nameko.rpc import rpc

from citizens.service import CitizensService

from sacinfra.rpcpool import RpcPool

OPERATOR = {"kind": "staff", "username": "operator", "role": "operator", "agency": None, "department": None}
PERSON = {"given_names": "Filemón", "first_surname": "Autorizadoz", "second_surname": None, "sex": "male",
          "birth_date": "1975-03-04", "phones": ["4775550123"], "email": None,
          "address": {"colonia": "Centro", "street": "Madero", "number": "12", "postal_code": None, "references": None},
          "consent": True, "privacy_notice_version": "2026-01", "channel": "072"}


def test_health_registration_and_read_over_rpc(vhost, service_db, container_factory):
    container_factory(CitizensService, {"AMQP_URI": vhost["uri"], "DATABASE_URL": service_db("citizens"),
                                        "METRICS_PORT": 0}).start()
    pool = RpcPool({"AMQP_URI": vhost["uri"]}, size=1)
    try:
        with pool.proxy() as p:
            assert p.citizens.health() == {"service": "citizens", "status": "ok"}
            number = p.citizens.register_citizen(OPERATOR, PERSON, False)["created"]["number"]
            assert p.citizens.get_citizen(OPERATOR, number, "atención 072")["full_name"] == "Filemón Autorizadoz"
            with pytest.raises(RemoteError) as caught:
                p.citizens.get_citizen({"username": "operator", "role": "operator"}, number, "atención 072")
            assert (caught.value.exc_type, json.loads(caught.value.value)["code"]) == ("InvalidInput", "actor_invalido")
    finally:
        pool.close()


class SilentRouting:
    """routing answering later than citizens waits (a frozen or overloaded routing)."""
    name = "routing"

    @rpc
    def query_reports(self, actor, filters, page, per_page):
        eventlet.sleep(3)
        return {"total": 1, "items": []}


def test_a_routing_that_does_not_answer_is_unavailable_not_a_wait_for_ever(vhost, service_db, container_factory):
    """Agency staff read a citizen only behind a report they see, which routing decides;
    routing not answering within ROUTING_TIMEOUT_SECONDS is ``Unavailable`` (the gateway's
    503 with Retry-After), not a worker held until the gateway gives up."""
    container_factory(CitizensService, {"AMQP_URI": vhost["uri"], "DATABASE_URL": service_db("citizens"),
                                        "METRICS_PORT": 0, "ROUTING_TIMEOUT_SECONDS": 0.5}).start()
    container_factory(SilentRouting, {"AMQP_URI": vhost["uri"]}).start()
    staff = {"kind": "staff", "username": "alumbrado", "role": "agency_staff", "agency": "OP",
             "department": "OP-ALUMBRADO"}
    pool = RpcPool({"AMQP_URI": vhost["uri"]}, size=1)
    try:
        with pool.proxy() as p:
            number = p.citizens.register_citizen(OPERATOR, PERSON, False)["created"]["number"]
            with pytest.raises(RemoteError) as caught:
                p.citizens.get_citizen(staff, number, "seguimiento del reporte")
    finally:
        pool.close()
    assert caught.value.exc_type == "Unavailable"
    assert json.loads(caught.value.value)["code"] == "servicio_no_disponible"
    assert "routing no respondió en 0.5 s" in json.loads(caught.value.value)["message"]
