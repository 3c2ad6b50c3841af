"""CitizensService: the citizen registry (numbers, personal data, duplicates, search,
rectification, merge) and the personal-data access log.

Thin: every method hands its arguments to ``handlers``. Every method takes the ``actor``
the gateway vouches for (``{"username", "role", "agency"}``); reads of personal data also
take a ``reason`` and are written to the access log. See README.md for the rules."""
from nameko.rpc import rpc

from sacinfra.service import SqlService

from . import handlers


class CitizensService(SqlService):
    name = "citizens"

    @rpc
    def register_citizen(self, actor, data, force=False):
        return handlers.register_citizen(self.db, actor, data, force)

    @rpc
    def get_citizen(self, actor, number, reason):
        return handlers.get_citizen(self.db, actor, number, reason)

    @rpc
    def search_citizens(self, actor, query, reason, limit=20):
        return handlers.search_citizens(self.db, actor, query, reason, limit)

    @rpc
    def update_citizen(self, actor, number, changes, reason):
        return handlers.update_citizen(self.db, actor, number, changes, reason)

    @rpc
    def citizen_changes(self, actor, number, reason):
        return handlers.citizen_changes(self.db, actor, number, reason)

    @rpc
    def merge_citizens(self, actor, keep, merge, reason=None):
        return handlers.merge_citizens(self.db, actor, keep, merge, reason)

    @rpc
    def list_access_log(self, actor, citizen_number=None, username=None, since=None, until=None,
                        limit=100, offset=0):
        return handlers.list_access_log(self.db, actor, citizen_number, username, since, until, limit, offset)
