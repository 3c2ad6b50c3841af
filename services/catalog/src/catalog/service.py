"""CatalogService: agencies, departments, petition types with SLA, channels, calendar.

Thin: every method hands its arguments to ``handlers``.  Mutating methods take the
``actor`` the gateway vouches for (``{"username", "role", "agency"}``) and raise
``Forbidden`` when it may not act; see README.md for the rules."""
from nameko.rpc import rpc

from sacinfra.service import SqlService

from . import handlers


class CatalogService(SqlService):
    name = "catalog"

    # ---- reports
    @rpc
    def quote_report(self, petition_type, channel, created_at):
        return handlers.quote_report(self.db, petition_type, channel, created_at)

    @rpc
    def quote_reports(self, requests):
        return handlers.quote_reports(self.db, requests)

    # ---- petition types
    @rpc
    def get_petition_type(self, code):
        return handlers.get_petition_type(self.db, code)

    @rpc
    def list_petition_types(self, agency=None, active_only=False):
        return handlers.list_petition_types(self.db, agency, active_only)

    @rpc
    def create_petition_type(self, actor, data):
        return handlers.create_petition_type(self.db, actor, data)

    @rpc
    def update_petition_type(self, actor, code, changes, version):
        return handlers.update_petition_type(self.db, actor, code, changes, version)

    @rpc
    def petition_type_history(self, code):
        return handlers.petition_type_history(self.db, code)

    @rpc
    def import_catalog(self, actor, fmt, content_b64):
        return handlers.import_catalog(self.db, actor, fmt, content_b64)

    @rpc
    def export_catalog(self, fmt, agency=None):
        return handlers.export_catalog(self.db, fmt, agency)

    # ---- agencies, departments, channels, calendar
    @rpc
    def list_agencies(self, active_only=False):
        return handlers.list_agencies(self.db, active_only)

    @rpc
    def upsert_agency(self, actor, data):
        return handlers.upsert_agency(self.db, actor, data)

    @rpc
    def list_departments(self, agency=None, active_only=False):
        return handlers.list_departments(self.db, agency, active_only)

    @rpc
    def upsert_department(self, actor, data):
        return handlers.upsert_department(self.db, actor, data)

    @rpc
    def list_channels(self):
        return handlers.list_channels(self.db)

    @rpc
    def upsert_channel(self, actor, data):
        return handlers.upsert_channel(self.db, actor, data)

    @rpc
    def get_calendar(self):
        return handlers.get_calendar(self.db)

    @rpc
    def update_calendar(self, actor, data):
        return handlers.update_calendar(self.db, actor, data)

    # ---- Open311 GeoReport v2
    @rpc
    def list_services(self):
        return handlers.list_services(self.db)

    @rpc
    def service_definition(self, code):
        return handlers.service_definition(self.db, code)
