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


def start_citizens(container_factory, vhost, service_db, *stand_ins, **settings) -> None:
    """citizens with ``settings`` over its own database, and the ``stand_ins`` it asks."""
    container_factory(CitizensService, {"AMQP_URI": vhost["uri"], "DATABASE_URL": service_db("citizens"),
                                        "METRICS_PORT": 0} | settings).start()
    for stand_in in stand_ins:
        container_factory(stand_in, {"AMQP_URI": vhost["uri"]}).start()


def unavailable_after_registering(vhost, call, source: str) -> None:
    """Register a citizen, then ``call(proxy, number)`` must be ``Unavailable`` because
    ``source`` did not answer within 0.5 s (the gateway's 503 with Retry-After)."""
    pool = RpcPool({"AMQP_URI": vhost["uri"]}, size=1)
    try:
        with pool.proxy() as p:
            number = p.citizens.register_citizen(OPERATOR, PERSON, False)["created"]["number"]
            with pytest.raises(RemoteError) as caught:
                call(p, number)
    finally:
        pool.close()
    assert caught.value.exc_type == "Unavailable"
    assert json.loads(caught.value.value)["code"] == "servicio_no_disponible"
    assert f"{source} no respondió en 0.5 s" in json.loads(caught.value.value)["message"]


def test_a_routing_that_does_not_answer_is_unavailable_not_a_wait_for_ever(vhost, service_db, container_factory):
    """Agency staff read a citizen only behind a report they see, which routing decides;
    routing not answering within ROUTING_TIMEOUT_SECONDS is ``Unavailable`` (the gateway's
    503 with Retry-After), not a worker held until the gateway gives up."""
    start_citizens(container_factory, vhost, service_db, SilentRouting, ROUTING_TIMEOUT_SECONDS=0.5)
    staff = {"kind": "staff", "username": "alumbrado", "role": "agency_staff", "agency": "OP",
             "department": "OP-ALUMBRADO"}
    unavailable_after_registering(vhost, lambda p, number: p.citizens.get_citizen(staff, number, "seguimiento"),
                                  "routing")


SUPERVISOR = {"kind": "staff", "username": "supervisor", "role": "supervisor", "agency": None, "department": None}
AUDITOR = {"kind": "staff", "username": "auditor", "role": "auditor", "agency": None, "department": None}
#: what the stand-ins below were asked, in order (they run in this process)
ASKED: list = []


class IntakeStandIn:
    name = "intake"

    @rpc
    def arco_access(self, citizen_numbers):
        ASKED.append(("intake", citizen_numbers))
        return {"citizen_numbers": citizen_numbers, "reports": [{"folio": 501, "description": "Lámpara apagada"},
                                                                {"folio": 502, "description": "Bache"}]}


class SurveysStandIn:
    name = "surveys"

    @rpc
    def arco_access(self, citizen_numbers):
        ASKED.append(("surveys", citizen_numbers))
        return {"citizen_numbers": citizen_numbers, "opt_outs": [{"scope": "surveys"}], "answers": []}


class RoutingStandIn:
    """routing's batch reads (folio 502 not routed yet) and its grouped counts."""
    name = "routing"

    @rpc
    def get_assignments_batch(self, folios, actor):
        ASKED.append(("routing", "get_assignments_batch", folios, actor["username"]))
        return {"501": {"folio": 501, "status": "captured", "history": []}}

    @rpc
    def list_interventions_batch(self, folios, actor):
        return {"501": [{"id": 1, "text": "Se turnó a la cuadrilla"}]}

    @rpc
    def group_reports(self, actor, filters=None, by=("agency",)):
        ASKED.append(("routing", "group_reports", actor["username"], filters, by))
        return {"groups": [{"created_by": "jm.ana", "count": 3}, {"created_by": "op1", "count": 9}], "total": 12}


class WhatsappStandIn:
    name = "whatsapp"

    @rpc
    def arco_access(self, citizen_numbers, actor=None, reason=None):
        ASKED.append(("whatsapp", citizen_numbers, actor["username"], reason))
        return {"channel": "WHATSAPP", "service": "whatsapp", "contacts": [{"address": "5214775550123"}]}


class SlowChannel:
    """a channel answering later than CHANNEL_ARCO_TIMEOUT."""
    name = "paloma"

    @rpc
    def arco_access(self, citizen_numbers, actor=None, reason=None):
        eventlet.sleep(3)
        return {"channel": "PALOMA", "contacts": []}


def test_the_arco_document_is_composed_here_channels_away_reported(vhost, service_db, container_factory):
    """citizens decides who may (an operator: Forbidden before anyone is asked), gathers
    its own part (logged), then intake's, surveys', routing's and each channel's of
    CHANNEL_SERVICES: one slower than CHANNEL_ARCO_TIMEOUT (paloma) or not running
    (telegram) is "no disponible" and in incomplete_sources, the rest still answered."""
    ASKED.clear()
    start_citizens(container_factory, vhost, service_db, IntakeStandIn, SurveysStandIn, RoutingStandIn,
                   WhatsappStandIn, SlowChannel, CHANNEL_SERVICES="whatsapp,paloma,telegram", CHANNEL_ARCO_TIMEOUT=0.5)
    pool = RpcPool({"AMQP_URI": vhost["uri"]}, size=1)
    try:
        with pool.proxy() as p:
            number = p.citizens.register_citizen(OPERATOR, PERSON, False)["created"]["number"]
            with pytest.raises(RemoteError) as caught:
                p.citizens.arco_document(OPERATOR, number, "solicitud ARCO 4/2026")
            assert caught.value.exc_type == "Forbidden" and ASKED == []
            doc = p.citizens.arco_document(SUPERVISOR, number, "solicitud ARCO 4/2026")
            log = p.citizens.list_access_log({**SUPERVISOR, "role": "admin"}, number)
    finally:
        pool.close()
    assert (doc["number"], doc["numbers"]) == (number, [number])
    assert doc["incomplete_sources"] == ["channels.paloma", "channels.telegram"]
    services = doc["services"]
    assert services["citizens"]["record"]["full_name"] == "Filemón Autorizadoz"
    assert [r["folio"] for r in services["intake"]["reports"]] == [501, 502]
    assert services["routing"]["reports"] == [
        {"folio": 501, "assignment": {"folio": 501, "status": "captured", "history": []},
         "interventions": [{"id": 1, "text": "Se turnó a la cuadrilla"}]},
        {"folio": 502, "assignment": None, "interventions": None}]
    assert services["surveys"] == {"opt_outs": [{"scope": "surveys"}], "answers": []}
    assert services["channels"]["whatsapp"] == {"status": "ok", "channel": "WHATSAPP",
                                                "contacts": [{"address": "5214775550123"}]}
    assert services["channels"]["paloma"]["status"] == services["channels"]["telegram"]["status"] == "no disponible"
    assert ("whatsapp", [number], "supervisor", "solicitud ARCO 4/2026") in ASKED  # the channel logs the read
    assert ("routing", "get_assignments_batch", [501, 502], "supervisor") in ASKED
    assert [(x["action"], x["reason"]) for x in log["items"] if x["action"] == "arco_access"] == [
        ("arco_access", "solicitud ARCO 4/2026")]


class SilentIntake:
    name = "intake"

    @rpc
    def arco_access(self, citizen_numbers):
        eventlet.sleep(3)
        return {"citizen_numbers": citizen_numbers, "reports": []}


def test_an_intake_that_does_not_answer_fails_the_document_as_unavailable(vhost, service_db, container_factory):
    """The person's reports are not optional: intake not answering within
    ARCO_TIMEOUT_SECONDS is ``Unavailable`` (the gateway's 503), not a wait for ever."""
    start_citizens(container_factory, vhost, service_db, SilentIntake, SurveysStandIn, ARCO_TIMEOUT_SECONDS=0.5,
                   CHANNEL_SERVICES="")
    unavailable_after_registering(vhost, lambda p, number: p.citizens.arco_document(SUPERVISOR, number, "ARCO 5/2026"),
                                  "intake")


def test_the_block_leader_map_counts_reports_with_routing(vhost, service_db, container_factory):
    """The map: active leaders without personal data, each with the reports its login
    filed (routing's group_reports by created_by, asked with the reader's actor)."""
    ASKED.clear()
    start_citizens(container_factory, vhost, service_db, RoutingStandIn)
    entry = {"kind": "manzana", "block": "M-12", "colonia": "Centro", "location": {"lat": 19.1738, "lon": -96.1342},
             "accredited_on": "2023-03-15", "full_name": "Ana Ruiz Pérez", "phone": "229 123 4567"}
    pool = RpcPool({"AMQP_URI": vhost["uri"]}, size=1)
    try:
        with pool.proxy() as p:
            ana = p.citizens.create_block_leader(SUPERVISOR, entry | {"username": "jm.ana"})["id"]
            nobody = p.citizens.create_block_leader(SUPERVISOR, entry | {"block": "M-13"})["id"]
            p.citizens.create_block_leader(SUPERVISOR, entry | {"block": "M-14", "status": "ended"})
            geo = p.citizens.block_leaders_geojson(AUDITOR)
            with pytest.raises(RemoteError) as caught:
                p.citizens.block_leaders_geojson({**AUDITOR, "role": "block_leader"})
    finally:
        pool.close()
    assert caught.value.exc_type == "Forbidden"
    assert geo["type"] == "FeatureCollection"
    assert [(f["id"], f["properties"]["report_count"]) for f in geo["features"]] == [(ana, 3), (nobody, 0)]
    assert geo["features"][0]["geometry"] == {"type": "Point", "coordinates": [-96.1342, 19.1738]}
    assert "Ana" not in json.dumps(geo)  # no personal data on the map
    assert ASKED == [("routing", "group_reports", "auditor", {}, ["created_by"])]
