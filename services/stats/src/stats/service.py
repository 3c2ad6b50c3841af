"""StatsService: every statistic, from read models built from events; never reads other
services' databases. Thin: each entrypoint calls a plain function of ``handlers``."""
from nameko.dependency_providers import Config
from nameko.rpc import RpcProxy, rpc
from nameko.timer import timer

from sacinfra.batching import batch_event_handler
from sacinfra.refresh import Refresh
from sacinfra.service import SqlService

from . import closures, files, handlers, indicators

#: events arriving within 200 ms share one projection transaction (one lock, one pass over
#: the counts); a figure is visible well within a second at León's peak rates
WINDOW = 0.2


class StatsService(SqlService):
    name = "stats"
    catalog = RpcProxy("catalog")
    config = Config()
    #: the municipal calendar copied from catalog: soon after start, then every
    #: ``CALENDAR_REFRESH_SECONDS``; catalog asked within ``CATALOG_TIMEOUT_SECONDS``
    calendar_copy = Refresh("CALENDAR_REFRESH_SECONDS", source="catalog")

    # ---- events in: each logged once, then projected (see handlers.project)
    @batch_event_handler("intake", "report_created", window=WINDOW)
    def handle_report_created(self, envelopes):
        handlers.project(self.db, envelopes)

    @batch_event_handler("routing", "report_assigned", window=WINDOW)
    def handle_report_assigned(self, envelopes):
        handlers.project(self.db, envelopes)

    @batch_event_handler("routing", "report_status_changed", window=WINDOW)
    def handle_status_changed(self, envelopes):
        handlers.project(self.db, envelopes)

    @batch_event_handler("routing", "report_shared", window=WINDOW)
    def handle_report_shared(self, envelopes):
        handlers.project(self.db, envelopes)

    @batch_event_handler("routing", "report_duplicate_marked", window=WINDOW)
    def handle_report_duplicate_marked(self, envelopes):
        handlers.project(self.db, envelopes)

    @batch_event_handler("routing", "intervention_added", window=WINDOW)
    def handle_intervention_added(self, envelopes):
        handlers.project(self.db, envelopes)

    @batch_event_handler("surveys", "survey_completed", window=WINDOW)
    def handle_survey_completed(self, envelopes):
        handlers.project(self.db, envelopes)

    @batch_event_handler("surveys", "follow_up_call_logged", window=WINDOW)
    def handle_follow_up_call(self, envelopes):
        handlers.project(self.db, envelopes)

    @batch_event_handler("directory", "directory_consulted", window=WINDOW)
    def handle_directory_consulted(self, envelopes):
        handlers.project(self.db, envelopes)

    @batch_event_handler("directory", "ticket_printed", window=WINDOW)
    def handle_ticket_printed(self, envelopes):
        handlers.project(self.db, envelopes)

    @batch_event_handler("channels", "channel_interaction_recorded", window=WINDOW)
    def handle_channel_interaction(self, envelopes):
        handlers.project(self.db, envelopes)

    @batch_event_handler("catalog", "department_changed", window=WINDOW)
    def handle_department_changed(self, envelopes):
        handlers.project(self.db, envelopes)

    # ---- timers
    @timer(interval=5)
    def refresh_calendar(self):
        """The municipal calendar from catalog, cached in stats' database (business hours).
        Not an eager timer: an RPC made at start loses its reply (the reply queue is not
        consumed yet). Catalog down: the cached calendar stays, the next tick tries again."""
        copy = self.calendar_copy
        copy.tick(lambda: handlers.save_calendar(self.db, copy.ask(self.catalog.get_calendar)))

    @timer(interval=3600, eager=True)
    def close_ended_months(self):
        """Generates the monthly closure of every agency for the month that just ended."""
        closures.close_ended_months(self.db)

    # ---- the Estadístico
    @rpc
    def summary(self):
        return handlers.summary(self.db)

    @rpc
    def totals(self, actor, params=None):
        return handlers.totals(self.db, actor, params or {})

    @rpc
    def status_by_agency(self, actor, params=None):
        return handlers.status_by_agency(self.db, actor, params or {})

    @rpc
    def time_series(self, actor, params=None):
        return handlers.time_series(self.db, actor, params or {})

    @rpc
    def shares(self, actor, params=None):
        return handlers.shares(self.db, actor, params or {})

    @rpc
    def compliance(self, actor, params=None):
        return handlers.compliance(self.db, actor, params or {})

    @rpc
    def productivity(self, actor, params=None):
        return handlers.productivity(self.db, actor, params or {})

    @rpc
    def geography(self, actor, params=None):
        return handlers.geography(self.db, actor, params or {})

    @rpc
    def channel_interactions(self, actor, params=None):
        return handlers.channel_interactions(self.db, actor, params or {})

    @rpc
    def directory_usage(self, actor, params=None):
        return handlers.directory_usage(self.db, actor, params or {})

    # ---- public
    @rpc
    def transparency(self, actor):
        return handlers.transparency(self.db, actor)

    @rpc
    def open_data(self, actor, params=None):
        return handlers.open_data(self.db, actor, params or {})

    @rpc
    def record_interaction(self, actor, data):
        return handlers.record_interaction(self.db, actor, data)

    @rpc
    def open_data_file(self, actor, params=None, fmt="csv"):
        """A page of ``open_data`` as a piece of the CSV or JSON file (the start on the page after folio 0)."""
        params = params or {}
        return files.open_data_file(handlers.open_data(self.db, actor, params), not params.get("after"), fmt)

    # ---- any table as a file (files.py)
    @rpc
    def table_file(self, actor, table, args=None, fmt="csv"):
        """The rows of the table RPC ``table`` (called with ``actor, *args``) as CSV or XLSX."""
        args = [] if args is None else args
        files.check(table, args, fmt)
        return files.table_file(table, args, getattr(self, table)(actor, *args), fmt)

    # ---- monthly closure
    @rpc
    def generate_closure(self, actor, agency, month, reason=None):
        return closures.generate(self.db, actor, agency, month, reason)

    @rpc
    def list_closures(self, actor, params=None):
        return closures.list_(self.db, actor, params or {})

    @rpc
    def get_closure(self, actor, agency, month, version=None, fmt="json"):
        return closures.get(self.db, actor, agency, month, version, fmt)

    # ---- indicators
    @rpc
    def list_indicators(self, actor):
        return indicators.list_(self.db, actor)

    @rpc
    def upsert_indicator(self, actor, data):
        return indicators.upsert(self.db, actor, data)

    @rpc
    def indicator_values(self, actor, code, year, agency=None):
        return indicators.values(self.db, actor, code, year, agency)
