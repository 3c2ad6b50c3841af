"""DirectoryService (MODINFO): the guide of government offices, tickets with a Número de
Atención, the consult and print log and its statistics, on MongoDB.

Thin: every method hands its arguments to ``handlers``; each takes the ``actor``
(contracts/actor) and directory decides what it may do (``domain.may``)."""
from nameko.extensions import DependencyProvider
from nameko.rpc import rpc

from sacinfra.service import MongoService

from . import handlers
from .relay import LogRelay
from .search_index import SearchIndex
from .store import Store


class DirectoryStore(DependencyProvider):
    """The service's ``Store`` over its MongoDB database; indexes ensured at start."""

    def setup(self):
        from sacinfra.mongo import make_client
        cfg = self.container.config
        self.client = make_client(cfg["MONGO_URI"])
        self.store = Store(self.client[cfg.get("MONGO_DB", self.container.service_name)])

    def start(self):
        self.store.ensure_indexes()

    def stop(self):
        self.client.close()

    def get_dependency(self, worker_ctx):
        return self.store


class SearchIndexProvider(DependencyProvider):
    """The process's in-memory mirror of the guide's search fields (search_index)."""

    def setup(self):
        self.index = SearchIndex()

    def get_dependency(self, worker_ctx):
        return self.index


class DirectoryService(MongoService):
    name = "directory"
    store = DirectoryStore()
    index = SearchIndexProvider()
    relay = LogRelay()

    # ---- offices
    @rpc
    def create_office(self, actor, data):
        return handlers.create_office(self.store, actor, data)

    @rpc
    def update_office(self, actor, office_id, changes, version=None):
        return handlers.update_office(self.store, actor, office_id, changes, version)

    @rpc
    def get_office(self, actor, office_id):
        return handlers.get_office(self.store, actor, office_id)

    @rpc
    def office_history(self, actor, office_id):
        return handlers.office_history(self.store, actor, office_id)

    @rpc
    def search_offices(self, actor, query=None, level=None, parent_id=None, include_inactive=False, limit=20,
                       offset=0):
        return handlers.search_offices(self.store, actor, query, level, parent_id, include_inactive, limit,
                                       offset, self.index)

    @rpc
    def office_tree(self, actor, expand="none", expanded=None, level=None, include_inactive=False):
        return handlers.office_tree(self.store, actor, expand, expanded, level, include_inactive,
                                    self.index)

    @rpc
    def import_offices(self, actor, fmt, content_b64):
        return handlers.import_offices(self.store, actor, fmt, content_b64)

    @rpc
    def export_offices(self, actor, fmt):
        return handlers.export_offices(self.store, actor, fmt)

    # ---- consults and tickets (each recorded; the relay publishes the event)
    @rpc
    def consult_office(self, actor, office_id, channel):
        try:
            return handlers.consult_office(self.store, actor, office_id, channel)
        finally:
            self.relay.nudge()

    @rpc
    def public_office(self, actor, office_id):
        try:
            return handlers.public_office(self.store, actor, office_id)
        finally:
            self.relay.nudge()

    @rpc
    def print_ticket(self, actor, office_id, channel, fmt="thermal"):
        try:
            return handlers.print_ticket(self.store, actor, office_id, channel, fmt)
        finally:
            self.relay.nudge()

    # ---- statistics
    @rpc
    def consult_stats(self, actor, date_from, date_to, group="detail", query=None):
        return handlers.consult_stats(self.store, actor, date_from, date_to, group, query)

    @rpc
    def stats_file(self, actor, date_from, date_to, group="detail", query=None, fmt="xlsx"):
        return handlers.stats_file(self.store, actor, date_from, date_to, group, query, fmt)

    @rpc
    def consult_log(self, actor, date_from, date_to, office_id=None, limit=50, offset=0):
        return handlers.consult_log(self.store, actor, date_from, date_to, office_id, limit, offset)
