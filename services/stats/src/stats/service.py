"""StatsService: read models built from events; never reads other services' databases."""
from nameko.rpc import rpc

from sacinfra.batching import batch_event_handler
from sacinfra.service import SqlService

from . import handlers


class StatsService(SqlService):
    name = "stats"

    @batch_event_handler("intake", "report_created")
    def handle_report_created(self, envelopes):
        handlers.project_reports_created(self.db, envelopes)

    @batch_event_handler("routing", "report_assigned")
    def handle_report_assigned(self, envelopes):
        handlers.project_reports_assigned(self.db, envelopes)

    @batch_event_handler("routing", "report_status_changed")
    def handle_status_changed(self, envelopes):
        handlers.project_status_changes(self.db, envelopes)

    @rpc
    def summary(self):
        return handlers.summary(self.db)

    @rpc
    def count_by(self, dimension):
        return handlers.count_by(self.db, dimension)
