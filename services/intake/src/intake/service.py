"""IntakeService: accepts reports from every channel. Thin: logic is in handlers, over
the worker's ``store.Store`` (the repository over its unit of work).

Reports arrive in batches (``create_reports``: the gateway groups concurrent POSTs), so a
batch shares one catalog call and one transaction (and one fsync)."""
from nameko.rpc import RpcProxy, rpc

from sacinfra.metrics import histogram
from sacinfra.service import SqlService, reliable_event_handler

from . import attachments, handlers, reads, rights
from .store import Store

BATCH_SIZES = histogram("intake_batch_size", "Reports filed per transaction",
                        buckets=(1, 2, 5, 10, 20, 50, 100, 200))


class IntakeService(SqlService):
    name = "intake"
    catalog = RpcProxy("catalog")

    @property
    def store(self) -> Store:
        return Store(self.db)

    @rpc
    def create_reports(self, requests):
        """Many reports in one call and one transaction (the gateway batches concurrent
        POSTs); one answer each, ``{"report": ...}`` or ``{"error": ...}``."""
        BATCH_SIZES.observe(len(requests) if isinstance(requests, list) else 0)
        return handlers.file_requests(self.store, self.catalog, requests)

    @rpc
    def get_report(self, folio, actor):
        return handlers.get_report(self.store, folio, actor)

    @rpc
    def track_report(self, folio, token):
        return handlers.check_tracking(self.store, folio, token)

    # personal-data rights (ARCO): see rights.py
    @reliable_event_handler("citizens", "citizen_cancelled")
    def handle_citizen_cancelled(self, envelope):
        rights.erase_citizen_reports(self.store, envelope)

    @rpc
    def arco_access(self, citizen_numbers):
        return rights.arco_access(self.store, citizen_numbers)

    # batch reads for the gateway's work orders: see reads.py
    @rpc
    def get_reports(self, folios, include_token=False):
        return reads.get_reports(self.store, folios, include_token)

    # the files citizens sent with their reports: see attachments.py
    @rpc
    def list_attachments(self, folio, actor=None):
        return attachments.list_attachments(self.store, folio, actor)

    @rpc
    def get_attachment(self, folio, attachment_id, actor=None):
        return attachments.get_attachment(self.store, folio, attachment_id, actor)
