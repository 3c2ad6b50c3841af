"""IntakeService: accepts reports from every channel. Thin: logic is in handlers."""
from nameko.rpc import RpcProxy, rpc

from sacinfra.service import SqlService

from . import handlers


class IntakeService(SqlService):
    name = "intake"
    catalog = RpcProxy("catalog")

    @rpc
    def create_report(self, payload, idempotency_key=None, created_by=None):
        return handlers.create_report(self.db, self.catalog, payload, idempotency_key, created_by)

    @rpc
    def get_report(self, folio):
        return handlers.get_report(self.db, folio)

    @rpc
    def track_report(self, folio, token):
        return handlers.check_tracking(self.db, folio, token)
