"""CatalogService: agencies, departments, petition types with SLA, channels, calendar.

Thin: every method hands its arguments to ``handlers`` with the worker's ``store.Store``
(the repository over its unit of work). Mutating methods and the petition-type listing
take the ``actor`` (contracts/actor) and catalog decides (``domain.authorize``); see
README.md for the rules."""
from nameko.rpc import rpc

from sacinfra.service import SqlService

from . import geo, handlers
from .store import Store


class CatalogService(SqlService):
    name = "catalog"

    @property
    def store(self) -> Store:
        return Store(self.db)

    # ---- reports
    @rpc
    def quote_reports(self, requests):
        return handlers.quote_reports(self.store, requests)

    # ---- petition types
    @rpc
    def get_petition_type(self, code):
        return handlers.get_petition_type(self.store, code)

    @rpc
    def list_petition_types(self, filters, page, per_page, actor):
        return handlers.list_petition_types(self.store, filters, page, per_page, actor)

    @rpc
    def create_petition_type(self, actor, data):
        return handlers.create_petition_type(self.store, actor, data)

    @rpc
    def update_petition_type(self, actor, code, changes, version):
        return handlers.update_petition_type(self.store, actor, code, changes, version)

    @rpc
    def petition_type_history(self, code):
        return handlers.petition_type_history(self.store, code)

    @rpc
    def import_catalog(self, actor, fmt, content_b64):
        return handlers.import_catalog(self.store, actor, fmt, content_b64)

    @rpc
    def export_file(self, actor, fmt, agency=None):
        return handlers.export_file(self.store, actor, fmt, agency)

    # ---- agencies, departments, channels, calendar
    @rpc
    def list_agencies(self, active_only=False):
        return handlers.list_agencies(self.store, active_only)

    @rpc
    def upsert_agency(self, actor, data):
        return handlers.upsert_agency(self.store, actor, data)

    @rpc
    def list_departments(self, agency=None, active_only=False):
        return handlers.list_departments(self.store, agency, active_only)

    @rpc
    def upsert_department(self, actor, data):
        return handlers.upsert_department(self.store, actor, data)

    @rpc
    def list_channels(self):
        return handlers.list_channels(self.store)

    @rpc
    def upsert_channel(self, actor, data):
        return handlers.upsert_channel(self.store, actor, data)

    @rpc
    def get_calendar(self):
        return handlers.get_calendar(self.store)

    @rpc
    def update_calendar(self, actor, data):
        return handlers.update_calendar(self.store, actor, data)

    # ---- the municipality's map (catalog/geo.py)
    @rpc
    def load_geography(self, actor, layer, geojson, source=None):
        return geo.load_geography(self.store, actor, layer, geojson, source)

    @rpc
    def export_geography(self, layer):
        return geo.export_geography(self.store, layer)

    @rpc
    def geography_versions(self, layer=None):
        return geo.geography_versions(self.store, layer)

    # ---- Open311 GeoReport v2
    @rpc
    def list_services(self):
        return handlers.list_services(self.store)

    @rpc
    def service_definition(self, code):
        return handlers.service_definition(self.store, code)
