"""What every SAC nameko service has: tracing, worker metrics, the ops endpoint and a
``health`` RPC. SQL services add the unit of work and the outbox relay."""
from __future__ import annotations

from nameko.rpc import rpc

from .consumers import guard_rpc_replies, reliable_event_handler  # noqa: F401  (services import it from here)

from .db import Database
from .incidents import Incidents
from .metrics import WorkerMetrics
from .mongo import MongoDatabase
from .ops import OpsServer
from .outbox import OutboxRelay
from .tracing import Tracing

guard_rpc_replies()  # a reply that cannot be published must not make the service exit


class BaseService:
    name = "base"
    tracing = Tracing()
    worker_metrics = WorkerMetrics()
    ops = OpsServer()
    incidents = Incidents()

    @rpc
    def health(self):
        datastore = getattr(self, "_datastore_ping", None)
        if datastore:
            datastore()
        return {"service": self.name, "status": "ok"}


class SqlService(BaseService):
    db = Database()
    outbox = OutboxRelay()

    def _datastore_ping(self):
        from sqlalchemy import text
        self.db.session.execute(text("SELECT 1"))


class MongoService(BaseService):
    mongo = MongoDatabase()

    def _datastore_ping(self):
        self.mongo.client.admin.command("ping")
