"""CitizensService: the citizen registry (numbers, personal data, duplicates, search,
rectification, merge), personal-data rights (opposition, cancellation, ARCO access), the
block-leader roster and the personal-data access log.

Thin: every method hands its arguments to ``handlers`` with the worker's ``store.Store``
(the repository over its unit of work). Every method takes the ``actor`` of
contracts/actor and citizens decides (``domain.authorize``); reads of personal data also
take a ``reason`` and are written to the access log. See README.md for the rules.

Two answers are composed here with other services' (``documents``): the ARCO access
document and the block-leader map; every call they make is bounded (``_ask``)."""
import eventlet
from nameko.dependency_providers import Config
from nameko.rpc import RpcProxy, ServiceProxy, rpc

from sacinfra.refresh import asked, bounded
from sacinfra.service import SqlService

from . import block_leaders, documents, handlers, lookups, rights
from .store import Store


class AnyService(RpcProxy):
    """``services(name)``: an RPC proxy to a service named at run time (the ARCO document's
    channels are the setting ``CHANNEL_SERVICES``)."""

    def __init__(self):
        super().__init__("")

    def get_dependency(self, worker_ctx):
        return lambda name: ServiceProxy(worker_ctx, name, self.rpc_reply_listener)


def together(thunks):
    """The answers of ``thunks`` run at the same time, in order (the first error is raised;
    every call is bounded, so none outlives its timeout)."""
    threads = [eventlet.spawn(thunk) for thunk in thunks]
    return [thread.wait() for thread in threads]


class CitizensService(SqlService):
    name = "citizens"
    routing = RpcProxy("routing")  # which reports an actor sees (agency staff read only those citizens)
    services = AnyService()  # the ARCO document's and the map's sources (documents.py)
    config = Config()

    @property
    def store(self) -> Store:
        return Store(self.db)

    @rpc
    def register_citizen(self, actor, data, force=False):
        return handlers.register_citizen(self.store, actor, data, force)

    @rpc
    def get_citizen(self, actor, number, reason):
        return handlers.get_citizen(self.store, actor, number, reason, self._sees_reports)

    def _sees_reports(self, actor, numbers) -> bool:
        """Whether routing shows ``actor`` at least one report of these citizen numbers;
        routing not answering within ``ROUTING_TIMEOUT_SECONDS`` is ``Unavailable`` (503)."""
        seconds = float(self.config.get("ROUTING_TIMEOUT_SECONDS") or 5)
        found = bounded(seconds, "routing", self.routing.query_reports, actor, {"citizen_numbers": numbers}, 1, 1)
        return found["total"] > 0

    @rpc
    def search_citizens(self, actor, query, reason, limit=20):
        return handlers.search_citizens(self.store, actor, query, reason, limit)

    @rpc
    def update_citizen(self, actor, number, changes, reason):
        return handlers.update_citizen(self.store, actor, number, changes, reason)

    @rpc
    def citizen_changes(self, actor, number, reason):
        return handlers.citizen_changes(self.store, actor, number, reason)

    @rpc
    def merge_citizens(self, actor, keep, merge, reason=None):
        return handlers.merge_citizens(self.store, actor, keep, merge, reason)

    @rpc
    def list_access_log(self, actor, citizen_number=None, username=None, since=None, until=None,
                        limit=100, offset=0):
        return handlers.list_access_log(self.store, actor, citizen_number, username, since, until, limit, offset)

    # ------------------------------------------------------------------ rights (ARCO)
    @rpc
    def oppose(self, actor, number, scopes, reason):
        return rights.oppose(self.store, actor, number, scopes, reason)

    @rpc
    def cancel_citizen(self, actor, number, reason):
        return rights.cancel_citizen(self.store, actor, number, reason)

    @rpc
    def arco_access(self, actor, number, reason):
        return rights.arco_access(self.store, actor, number, reason)

    @rpc
    def arco_document(self, actor, number, reason):
        """The ARCO access document (``documents.arco_document``): citizens' part first
        (authorized and logged), then intake, surveys, routing and the channels."""
        held = rights.arco_access(self.store, actor, number, reason)
        channels = documents.channel_services(self.config.get("CHANNEL_SERVICES", documents.DEFAULT_CHANNELS))
        return documents.arco_document(held, actor, reason, self._ask, channels, together)

    def _ask(self, service, method, *args):
        """``service.method(*args)`` waiting at most the service's timeout: a channel's
        ``CHANNEL_ARCO_TIMEOUT`` (3 s), routing's ``ROUTING_TIMEOUT_SECONDS`` (5 s), else
        ``ARCO_TIMEOUT_SECONDS`` (5 s); late or away is ``Unavailable``. A remote refusal
        is raised as the same kind of error (the gateway maps it as it would the source's)."""
        if service == "routing":
            seconds = self.config.get("ROUTING_TIMEOUT_SECONDS") or 5
        elif service in ("intake", "surveys"):
            seconds = self.config.get("ARCO_TIMEOUT_SECONDS") or 5
        else:
            seconds = self.config.get("CHANNEL_ARCO_TIMEOUT") or 3
        return asked(float(seconds), service, getattr(self.services(service), method), *args)

    # ------------------------------------------------------------------ block-leader roster
    @rpc
    def create_block_leader(self, actor, data):
        return block_leaders.create_block_leader(self.store, actor, data)

    @rpc
    def update_block_leader(self, actor, leader_id, changes, version=None):
        return block_leaders.update_block_leader(self.store, actor, leader_id, changes, version)

    @rpc
    def delete_block_leader(self, actor, leader_id):
        return block_leaders.delete_block_leader(self.store, actor, leader_id)

    @rpc
    def get_block_leader(self, actor, leader_id, reason=None):
        return block_leaders.get_block_leader(self.store, actor, leader_id, reason)

    @rpc
    def list_block_leaders(self, actor, filters=None, reason=None, limit=100, offset=0):
        return block_leaders.list_block_leaders(self.store, actor, filters, reason, limit, offset)

    @rpc
    def active_block_leaders(self, actor):
        return block_leaders.active_block_leaders(self.store, actor)

    @rpc
    def block_leaders_geojson(self, actor):
        """The map of active leaders with the reports each login filed (routing's counts)."""
        leaders = block_leaders.active_block_leaders(self.store, actor)
        return documents.leaders_geojson(leaders, actor, self._ask, together)

    # ---- report lists (lookups.py): citizens of a page of reports, citizen filters, a person's numbers
    @rpc
    def get_citizens(self, actor, numbers, reason):
        return lookups.get_citizens(self.store, actor, numbers, reason)

    @rpc
    def find_numbers(self, actor, name=None, sex=None, age_min=None, age_max=None, reason=None,
                     limit=lookups.DEFAULT_FIND_LIMIT):
        return lookups.find_numbers(self.store, actor, name, sex, age_min, age_max, reason, limit)

    @rpc
    def related_numbers(self, actor, number):
        return lookups.related_numbers(self.store, actor, number)
