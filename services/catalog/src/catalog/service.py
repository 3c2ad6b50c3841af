"""CatalogService: agencies, departments, petition types with SLA, channels, calendar."""
from nameko.rpc import rpc

from sacinfra.service import SqlService

from . import handlers


class CatalogService(SqlService):
    name = "catalog"

    @rpc
    def quote_report(self, petition_type, channel, created_at):
        return handlers.quote_report(self.db, petition_type, channel, created_at)

    @rpc
    def quote_reports(self, requests):
        return handlers.quote_reports(self.db, requests)

    @rpc
    def get_petition_type(self, code):
        return handlers.get_petition_type(self.db, code)

    @rpc
    def list_petition_types(self, agency=None, active_only=False):
        return handlers.list_petition_types(self.db, agency, active_only)

    @rpc
    def list_channels(self):
        return handlers.list_channels(self.db)
