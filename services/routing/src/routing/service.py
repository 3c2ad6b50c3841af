"""RoutingService: assignment and lifecycle; publishes the events departments subscribe to."""
from nameko.rpc import rpc

from sacinfra.service import SqlService, reliable_event_handler

from . import handlers


class RoutingService(SqlService):
    name = "routing"

    @reliable_event_handler("intake", "report_created")
    def handle_report_created(self, envelope):
        handlers.assign_report(self.db, envelope)

    @rpc
    def get_assignment(self, folio):
        return handlers.get_assignment(self.db, folio)
