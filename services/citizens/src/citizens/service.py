"""CitizensService: the citizen registry (numbers, personal data, duplicates, search,
rectification, merge), personal-data rights (opposition, cancellation, ARCO access), the
block-leader roster and the personal-data access log.

Thin: every method hands its arguments to ``handlers`` with the worker's ``store.Store``
(the repository over its unit of work). Every method takes the ``actor`` of
contracts/actor and citizens decides (``domain.authorize``); reads of personal data also
take a ``reason`` and are written to the access log. See README.md for the rules."""
from nameko.dependency_providers import Config
from nameko.rpc import RpcProxy, rpc

from sacinfra.refresh import bounded
from sacinfra.service import SqlService

from . import block_leaders, handlers, lookups, rights
from .store import Store


class CitizensService(SqlService):
    name = "citizens"
    routing = RpcProxy("routing")  # which reports an actor sees (agency staff read only those citizens)
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
