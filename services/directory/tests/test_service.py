"""directory runs on a MongoDB-compatible server (secantusdb in tests, MongoDB in
production) and answers its health RPC; readiness reports the datastore."""
import requests
import secantus

from directory.service import DirectoryService
from sacinfra.ops import OpsServer
from sacinfra.rpcpool import RpcPool


def test_health_and_readiness_on_real_broker_and_mongo(vhost, container_factory):
    with secantus.SecantusDBServer(port=0, storage_path=":memory:") as mongo:
        container = container_factory(DirectoryService, {
            "AMQP_URI": vhost["uri"], "MONGO_URI": f"mongodb://{mongo.host}:{mongo.port}/?directConnection=true",
            "MONGO_DB": "directory_test", "METRICS_PORT": 0})
        container.start()
        pool = RpcPool({"AMQP_URI": vhost["uri"]}, size=1)
        with pool.proxy() as p:
            assert p.directory.health() == {"service": "directory", "status": "ok"}
        pool.close()
        ops = next(d for d in container.dependencies if isinstance(d, OpsServer))
        ready = requests.get(f"http://127.0.0.1:{ops.port}/readyz", timeout=5)
        assert ready.status_code == 200 and "mongo: ok" in ready.text
        container.stop()
