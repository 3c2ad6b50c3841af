"""StatsService: read models built from events; never reads other services' databases."""
from nameko.rpc import rpc

from sacinfra.service import SqlService, reliable_event_handler

from . import handlers


class StatsService(SqlService):
    name = "stats"

    @reliable_event_handler("intake", "report_created")
    def handle_report_created(self, envelope):
        handlers.project_report_created(self.db, envelope)

    @reliable_event_handler("routing", "report_assigned")
    def handle_report_assigned(self, envelope):
        handlers.project_report_assigned(self.db, envelope)

    @rpc
    def summary(self):
        return handlers.summary(self.db)

    @rpc
    def count_by(self, dimension):
        return handlers.count_by(self.db, dimension)
