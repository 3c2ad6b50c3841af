"""surveys runs as a nameko service on its own database and answers its health RPC."""
from surveys.service import SurveysService

from sacinfra.rpcpool import RpcPool


def test_health_on_real_broker_and_database(vhost, service_db, container_factory):
    container_factory(SurveysService, {"AMQP_URI": vhost["uri"], "DATABASE_URL": service_db("surveys"),
                                        "METRICS_PORT": 0}).start()
    pool = RpcPool({"AMQP_URI": vhost["uri"]}, size=1)
    with pool.proxy() as p:
        assert p.surveys.health() == {"service": "surveys", "status": "ok"}
    pool.close()
