"""RoutingService: assignment and lifecycle; publishes the events departments subscribe to.
Thin: every RPC is a plain function of ``handlers`` over the worker's unit of work."""
from functools import partial

from nameko.dependency_providers import Config
from nameko.rpc import RpcProxy, rpc
from nameko.timer import timer

from sacinfra.batching import batch_event_handler
from sacinfra.metrics import gauge
from sacinfra.refresh import Refresh, asked
from sacinfra.service import SqlService, reliable_event_handler

from . import by_citizen, domain, duplicates, exports, geo, handlers, public, queries
from .evidence import Limits as EvidenceLimits


class RoutingService(SqlService):
    name = "routing"
    config = Config()
    catalog = RpcProxy("catalog")
    #: lists and exports: the citizen's name and phone (its logged reads), the citizen
    #: criteria and the history's numbers; asked through ``_citizens``
    citizens = RpcProxy("citizens")
    intake = RpcProxy("intake")      # work orders: the text, location and tracking token
    #: routing's copy of catalog's departments: soon after start, then every
    #: ``DEPARTMENTS_REFRESH_SECONDS``; catalog asked within ``CATALOG_TIMEOUT_SECONDS``
    departments_copy = Refresh("DEPARTMENTS_REFRESH_SECONDS", source="catalog")

    def _reopen_days(self) -> int:
        return int(self.config.get("REOPEN_DAYS") or domain.DEFAULT_REOPEN_DAYS)

    def _at_risk_share(self) -> float:
        return float(self.config.get("TRAFFIC_AT_RISK_SHARE") or domain.DEFAULT_AT_RISK_SHARE)

    def _evidence_limits(self) -> EvidenceLimits:
        return EvidenceLimits.from_config(self.config)

    @timer(interval=60, eager=True)
    def measure_overdue(self):
        gauge("routing_reports_overdue", "Open reports past their due date").set(handlers.count_overdue(self.db))

    def _departments(self) -> list:
        """catalog's departments; a catalog that does not answer in time is an error."""
        return self.departments_copy.ask(self.catalog.list_departments)

    #: reports filed within 50 ms share one assignment transaction and one relay pass
    #: (at 15 reports/s, one each with the default 5 ms window)
    @batch_event_handler("intake", "report_created", window=0.05)
    def handle_report_created(self, envelopes):
        handlers.assign_reports(self.db, envelopes)

    @reliable_event_handler("catalog", "department_changed")
    def handle_department_changed(self, envelope):
        handlers.apply_department_changed(self.db, envelope)

    @timer(interval=5)
    def sync_departments(self):
        """Routing's copy of catalog's departments (events published before routing's queue
        existed never came); catalog not up yet: the next tick, or a reassignment, fills it."""
        self.departments_copy.tick(lambda: handlers.refresh_departments(self.db, self._departments))

    @rpc
    def get_assignment(self, folio, actor):
        return handlers.get_assignment(self.db, folio, actor, self._at_risk_share())

    @rpc
    def get_assignments_batch(self, folios, actor):
        return handlers.get_assignments_batch(self.db, folios, actor, self._at_risk_share())

    @rpc
    def start_report(self, actor, folio, version, text=None):
        return handlers.start_report(self.db, actor, folio, version, text, at_risk_share=self._at_risk_share())

    @rpc
    def finish_report(self, actor, folio, version, text, evidence=None):
        return handlers.finish_report(self.db, actor, folio, version, text, evidence,
                                      limits=self._evidence_limits(), at_risk_share=self._at_risk_share())

    @rpc
    def mark_not_viable(self, actor, folio, version, reason):
        return handlers.mark_not_viable(self.db, actor, folio, version, reason, at_risk_share=self._at_risk_share())

    @rpc
    def reopen_report(self, actor, folio, version, reason):
        return handlers.reopen_report(self.db, actor, folio, version, reason, reopen_days=self._reopen_days(),
                                      at_risk_share=self._at_risk_share())

    @rpc
    def reassign_report(self, actor, folio, version, agency, department, reason):
        return handlers.reassign_report(self.db, actor, folio, version, agency, department, reason,
                                        departments=self._departments, at_risk_share=self._at_risk_share())

    @rpc
    def share_report(self, actor, folio, version, agency, department):
        return handlers.share_report(self.db, actor, folio, version, agency, department,
                                     departments=self._departments, at_risk_share=self._at_risk_share())

    @rpc
    def add_intervention(self, actor, folio, text, evidence=None):
        return handlers.add_intervention(self.db, actor, folio, text, evidence, limits=self._evidence_limits())

    @rpc
    def get_evidence(self, actor, folio, evidence_id):
        return handlers.get_evidence(self.db, actor, folio, evidence_id)

    @rpc
    def list_interventions(self, folio, actor):
        return handlers.list_interventions(self.db, folio, actor)

    @rpc
    def list_interventions_batch(self, folios, actor):
        return handlers.list_interventions_batch(self.db, folios, actor)

    # ---- citizens: its RPCs as plain callables, bounded by CITIZENS_TIMEOUT_SECONDS (5), its
    # refusals (a number it does not know, a criterion it refuses) relayed as they are
    def _citizens(self, method: str):
        seconds = float(self.config.get("CITIZENS_TIMEOUT_SECONDS") or 5)
        return partial(asked, seconds, "citizens", getattr(self.citizens, method))

    def _resolved(self, actor, filters, options, default_reason: str):
        """``filters`` with the citizen criteria turned into citizen numbers (by_citizen.resolve)."""
        if not isinstance(filters, dict) or "citizen" not in filters:
            return filters
        reason = exports.Options.load(options, default_reason).reason
        return by_citizen.resolve(actor, filters, reason, self._citizens("find_numbers"))

    # ---- report queries (queries.py): Asuntos del día, Consultas, exports, grouped counts
    def _listed(self, answer: dict, actor, options) -> dict:
        """With ``options`` (a person's screen), the citizen columns as exports.list_page fills them."""
        return answer if options is None else exports.list_page(answer, actor, options, self._citizens("get_citizens"))

    @rpc
    def query_reports(self, actor, filters=None, page=1, per_page=queries.DEFAULT_PER_PAGE, sort="-created_at",
                      options=None):
        filters = self._resolved(actor, filters, options, exports.LIST_REASON)
        return self._listed(queries.query_reports(self.db, actor, filters, page, per_page, sort,
                                                  at_risk_share=self._at_risk_share()), actor, options)

    @rpc
    def today_reports(self, actor, filters=None, page=1, per_page=queries.DEFAULT_PER_PAGE, sort="-created_at",
                      options=None):
        filters = self._resolved(actor, filters, options, exports.LIST_REASON)
        return self._listed(queries.today_reports(self.db, actor, filters, page, per_page, sort,
                                                  at_risk_share=self._at_risk_share()), actor, options)

    @rpc
    def export_reports(self, actor, filters=None, after_folio=None, limit=queries.DEFAULT_EXPORT_LIMIT):
        return queries.export_reports(self.db, actor, self._resolved(actor, filters, None, exports.LIST_REASON),
                                      after_folio, limit, at_risk_share=self._at_risk_share())

    @rpc
    def citizen_history(self, actor, number=None, name=None, page=1, per_page=queries.DEFAULT_PER_PAGE,
                        sort="-created_at", options=None):
        def page_of(filters):
            return queries.query_reports(self.db, actor, filters, page, per_page, sort,
                                         at_risk_share=self._at_risk_share())
        return by_citizen.history(actor, number, name, options, page_of=page_of,
                                  related_numbers=self._citizens("related_numbers"),
                                  find_numbers=self._citizens("find_numbers"),
                                  get_citizens=self._citizens("get_citizens"))

    # ---- exports (exports.py): rendered here, the gateway streams them
    def _export_kwargs(self) -> dict:
        return {"get_citizens": self._citizens("get_citizens"), "at_risk_share": self._at_risk_share(),
                "max_rows": int(self.config.get("EXPORT_MAX_ROWS") or exports.DEFAULT_MAX_ROWS)}

    @rpc
    def export_csv_page(self, actor, filters=None, options=None, after=None):
        """The first page also answers ``filters`` as resolved, for the caller's next pages
        (citizens is asked, and logs the search, once per export)."""
        resolved = self._resolved(actor, filters, options, exports.CONSULTAS_REASON)
        out = exports.export_csv_page(self.db, actor, resolved, options, after, **self._export_kwargs())
        return out | {"filters": resolved} if after is None else out

    @rpc
    def export_xlsx(self, actor, filters=None, options=None):
        return exports.export_xlsx(self.db, actor, self._resolved(actor, filters, options, exports.CONSULTAS_REASON),
                                   options, **self._export_kwargs())

    @rpc
    def work_orders(self, actor, selection, options=None):
        if isinstance(selection, dict) and isinstance(selection.get("filters"), dict):
            selection = selection | {"filters": self._resolved(actor, selection["filters"], options,
                                                               exports.WORK_ORDER_REASON)}
        return exports.work_orders(self.db, actor, selection, options, get_citizens=self._citizens("get_citizens"),
                                   get_received=self.intake.get_reports, at_risk_share=self._at_risk_share(),
                                   public_url=self.config.get("PUBLIC_URL") or "http://127.0.0.1:8000")

    @rpc
    def group_reports(self, actor, filters=None, by=("agency",), options=None):
        filters = self._resolved(actor, filters, options, exports.LIST_REASON)
        return queries.group_reports(self.db, actor, filters, by, at_risk_share=self._at_risk_share())

    # ---- public status (public.py): what Open311 GeoReport v2 requests show of a closed report
    @rpc
    def status_notes(self, folios):
        return public.status_notes(self.db, folios)

    @rpc
    def public_requests(self, actor, filters=None, limit=public.MAX_FOLIOS):
        return public.requests(self.db, actor, filters, limit, at_risk_share=self._at_risk_share())

    # ---- the map (geo.py): routing rules by zone, nearby open reports
    @rpc
    def nearby_reports(self, petition_type, lat, lon, actor):
        return geo.nearby_reports(self.db, petition_type, lat, lon, actor)

    @rpc
    def set_nearby_radius(self, actor, petition_type, meters):
        return geo.set_nearby_radius(self.db, actor, petition_type, meters)

    @rpc
    def set_zone_rule(self, actor, rule):
        return handlers.with_departments(self.db, self._departments, lambda: geo.set_zone_rule(self.db, actor, rule))

    @rpc
    def delete_zone_rule(self, actor, selector_kind, selector, zone):
        return geo.delete_zone_rule(self.db, actor, selector_kind, selector, zone)

    @rpc
    def list_zone_rules(self, actor):
        return geo.list_zone_rules(self.db, actor)

    @rpc
    def zone_rule_history(self, actor):
        return geo.zone_rule_history(self.db, actor)

    @rpc
    def mark_duplicate(self, actor, folio, version, original):
        return duplicates.mark_duplicate(self.db, actor, folio, version, original,
                                         at_risk_share=self._at_risk_share())
