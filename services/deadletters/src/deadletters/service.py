"""DeadlettersService: keeps the events that failed their delivery limit (RabbitMQ's
``sac.dead-letter``) in its own table, for administrators to list and replay. Thin: each
entrypoint calls a plain function of ``handlers``."""
from nameko.dependency_providers import Config
from nameko.rpc import rpc
from nameko.timer import timer

from sacinfra.service import SqlService

from . import handlers
from .consumer import consume_dead_letters


class DeadlettersService(SqlService):
    name = "deadletters"
    config = Config()

    @consume_dead_letters()
    def store_dead_letter(self, body, headers, properties):
        """Committed, then acked; an error requeues it (a database outage holds it unacked)."""
        handlers.store_message(self.db, body, headers, properties)

    @timer(interval=15, eager=True)
    def measure(self):
        """The ``deadletters_waiting`` gauge, also between arrivals and replays."""
        handlers.count(self.db)

    @rpc
    def list_dead_letters(self, actor, filters=None, limit=50, offset=0):
        return handlers.list_dead_letters(self.db, actor, filters, limit, offset)

    @rpc
    def replay_dead_letters(self, actor, ids=None, limit=handlers.MAX_REPLAY):
        return handlers.replay_dead_letters(self.db, self.config["AMQP_URI"], actor, ids, limit)

    @rpc
    def count_dead_letters(self, actor):
        handlers.admin(actor)
        return {"waiting": handlers.count(self.db)}
