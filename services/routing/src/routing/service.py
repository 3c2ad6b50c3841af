"""RoutingService: assignment and lifecycle; publishes the events departments subscribe to."""
from nameko.rpc import rpc

from sacinfra.batching import batch_event_handler
from sacinfra.service import SqlService

from . import handlers


class RoutingService(SqlService):
    name = "routing"

    @batch_event_handler("intake", "report_created")
    def handle_report_created(self, envelopes):
        handlers.assign_reports(self.db, envelopes)

    @rpc
    def get_assignment(self, folio):
        return handlers.get_assignment(self.db, folio)
