"""surveys runs as a nameko service on its own database and a real RabbitMQ vhost: it
answers health, decides the sample from intake's and routing's events, and a caller takes
a sampled report whose phone comes from the real citizens service (logged read «encuesta»);
the completed survey is published through the outbox."""
from citizens.service import CitizensService
from surveys.service import SurveysService

from sacinfra import testing
from sacinfra.rpcpool import RpcPool

from .conftest import created, status_changed
from .test_calls import LEON

OPERATOR = {"kind": "staff", "role": "operator", "username": "operadora", "agency": None}
AUDITOR = {"kind": "staff", "role": "auditor", "username": "fiscal", "agency": None}


def test_health_on_real_broker_and_database(vhost, service_db, container_factory):
    container_factory(SurveysService, {"AMQP_URI": vhost["uri"], "DATABASE_URL": service_db("surveys"),
                                        "METRICS_PORT": 0}).start()
    pool = RpcPool({"AMQP_URI": vhost["uri"]}, size=1)
    with pool.proxy() as p:
        assert p.surveys.health() == {"service": "surveys", "status": "ok"}
    pool.close()


def test_sample_queue_and_answers_over_the_broker(vhost, service_db, container_factory):
    for cls, db in ((SurveysService, "surveys"), (CitizensService, "citizens")):
        container_factory(cls, {"AMQP_URI": vhost["uri"], "DATABASE_URL": service_db(db), "METRICS_PORT": 0}).start()
    testing.bind_queue(vhost["uri"], "test-surveys-completed", "surveys", "survey_completed")
    pool = RpcPool({"AMQP_URI": vhost["uri"]}, size=1)
    with pool.proxy() as p:
        number = p.citizens.register_citizen(OPERATOR, {
            "given_names": "María", "first_surname": "López", "phones": ["477 123 4567"], "consent": True,
            "privacy_notice_version": "2026-01", "channel": "072"}, True)["created"]["number"]
        testing.publish_events(vhost["uri"], "intake", "report_created",
                               [created(f, number) for f in range(1, 121)])
        testing.publish_events(vhost["uri"], "routing", "report_status_changed",
                               [status_changed(f) for f in range(1, 121)])
        testing.wait_until(lambda: len(p.surveys.period_decisions(AUDITOR, "2026-11")["decisions"]) == 120,
                           timeout=30, what="120 decisions")
        sampled = [d["folio"] for d in p.surveys.period_decisions(AUDITOR, "2026-11")["decisions"] if d["sampled"]]
        assert sampled  # 0.9 ** 120: about one run in 300,000 samples none
        # a case is callable once intake's event for its report is in too (its own handler,
        # in batches): until then the queue is empty, and taking from it changes nothing
        case = testing.wait_until(lambda: p.surveys.take_next(OPERATOR), timeout=30, what="a case to call")
        assert case["folio"] in sampled and case["citizen"]["phones"] == ["4771234567"]
        log = p.citizens.list_access_log(AUDITOR, citizen_number=number)
        assert [(e["username"], e["reason"]) for e in log["items"] if e["action"] == "read"] == [
            ("operadora", "encuesta")]
        done = p.surveys.submit_answers(OPERATOR, case["folio"], LEON)
        assert done["score"] == 4.0
    pool.close()
    [message] = testing.drain(vhost["uri"], "test-surveys-completed", expect=1)
    assert message["data"]["folio"] == case["folio"] and message["data"]["source"] == "phone"
