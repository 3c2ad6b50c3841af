"""SurveysService: the auditable sample of finished reports, the call queue, questionnaires,
answers, app ratings, follow-up calls and the opt-out list. Thin: logic is in handlers."""
from nameko.dependency_providers import Config
from nameko.rpc import RpcProxy, rpc
from nameko.timer import timer

from sacinfra.batching import batch_event_handler
from sacinfra.service import SqlService, reliable_event_handler

from . import clients, handlers
from .settings import Settings


class SurveysService(SqlService):
    name = "surveys"
    config = Config()
    citizens = RpcProxy("citizens")
    routing = RpcProxy("routing")

    @property
    def settings(self) -> Settings:
        return Settings.from_config(self.config)

    # ---- events in
    @reliable_event_handler("citizens", "citizen_opposed")
    def handle_citizen_opposed(self, envelope):
        handlers.record_opposition(self.db, envelope)

    @reliable_event_handler("citizens", "citizen_cancelled")
    def handle_citizen_cancelled(self, envelope):
        handlers.record_cancellation(self.db, envelope)

    #: reports filed within 200 ms share one transaction (the sample needs them only when
    #: they are finished, long after)
    @batch_event_handler("intake", "report_created", window=0.2)
    def handle_report_created(self, envelopes):
        handlers.record_reports(self.db, envelopes)

    @reliable_event_handler("routing", "report_status_changed")
    def handle_report_status_changed(self, envelope):
        handlers.record_status_change(self.db, envelope, self.settings)

    @timer(interval=3600, eager=True)
    def commit_periods(self):
        handlers.commit_periods(self.db, self.settings)

    @timer(interval=600)
    def retry_reopens(self):
        handlers.retry_reopens(self.db, clients.reopener(self.routing), self.settings)

    # ---- the sample and its audit
    @rpc
    def list_periods(self, actor):
        return handlers.list_periods(self.db, actor)

    @rpc
    def period_decisions(self, actor, period):
        return handlers.period_decisions(self.db, actor, period)

    @rpc
    def audit_period(self, actor, period, finished=None):
        return handlers.audit_period(self.db, actor, period, finished)

    # ---- the call queue
    @rpc
    def take_next(self, actor):
        return handlers.take_next(self.db, actor, self.settings, clients.citizen_reader(self.citizens))

    @rpc
    def record_attempt(self, actor, folio, outcome, call_back_at=None):
        return handlers.record_attempt(self.db, actor, folio, outcome, self.settings, call_back_at)

    @rpc
    def submit_answers(self, actor, folio, answers, questionnaire_version=None):
        return handlers.submit_answers(self.db, actor, folio, answers, self.settings,
                                       clients.reopener(self.routing), questionnaire_version)

    @rpc
    def list_cases(self, actor, status=None, period=None, limit=100, offset=0):
        return handlers.list_cases(self.db, actor, self.settings, status, period, limit, offset)

    # ---- questionnaires
    @rpc
    def list_questionnaires(self, actor):
        return handlers.list_questionnaires(self.db, actor)

    @rpc
    def get_questionnaire(self, actor, code, version=None):
        return handlers.get_questionnaire(self.db, actor, code, version)

    @rpc
    def save_questionnaire(self, actor, code, title, questions):
        return handlers.save_questionnaire(self.db, actor, code, title, questions)

    # ---- app ratings, follow-up calls, results
    @rpc
    def rate_report(self, actor, folio, score, comment=None):
        return handlers.rate_report(self.db, actor, folio, score, self.settings, comment)

    @rpc
    def log_follow_up(self, actor, folio, kind, note=None):
        return handlers.log_follow_up(self.db, actor, folio, kind, note)

    @rpc
    def monthly_calls(self, actor, year):
        return handlers.monthly_calls(self.db, actor, year, self.settings)

    @rpc
    def list_surveys(self, actor, period=None, agency=None, source=None, after_id=0, limit=100):
        return handlers.list_surveys(self.db, actor, self.settings, period, agency, source, after_id, limit)

    @rpc
    def export_surveys(self, actor, period=None, agency=None, source=None, after_id=0, limit=1000):
        return handlers.export_surveys(self.db, actor, self.settings, period, agency, source, after_id, limit)

    @rpc
    def export_file(self, actor, period=None, agency=None, source=None):
        return handlers.export_file(self.db, actor, self.settings, period, agency, source)

    @rpc
    def survey_summary(self, actor, period=None, agency=None):
        return handlers.survey_summary(self.db, actor, self.settings, period, agency)

    # ---- the opt-out list and ARCO
    @rpc
    def may_contact(self, citizen_number):
        return handlers.may_contact(self.db, citizen_number)

    @rpc
    def arco_access(self, citizen_numbers):
        return handlers.arco_access(self.db, citizen_numbers)
