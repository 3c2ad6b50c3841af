"""IntakeService: accepts reports from every channel. Thin: logic is in handlers.

``create_report`` workers validate, then hand the report to a group-commit batcher:
concurrent reports share one catalog call and one transaction (and one fsync)."""
from nameko.rpc import RpcProxy, rpc

from sacinfra.batching import Batcher
from sacinfra.envelope import current_trace_context
from sacinfra.metrics import histogram
from sacinfra.service import SqlService, reliable_event_handler

from . import handlers, reads, rights


class ReportBatcher(Batcher):
    def setup(self):
        super().setup()
        self.sizes = histogram("intake_batch_size", "Reports filed per transaction",
                               buckets=(1, 2, 5, 10, 20, 50, 100, 200))

    def on_batch(self, size):
        self.sizes.observe(size)


class IntakeService(SqlService):
    name = "intake"
    catalog = RpcProxy("catalog")
    batcher = ReportBatcher()

    @rpc
    def create_report(self, payload, idempotency_key=None, created_by=None):
        data = handlers.validate_report(payload)
        item = {"data": data, "idempotency_key": idempotency_key, "created_by": created_by,
                "trace": current_trace_context()}
        return self.batcher.submit(item, self._file_batch)

    @rpc
    def create_reports(self, requests):
        """Many reports in one call and one transaction (the gateway batches concurrent
        POSTs); one answer each, ``{"report": ...}`` or ``{"error": ...}``."""
        return handlers.file_requests(self.db, self.catalog, requests)

    def _file_batch(self, items):
        # run by whichever worker leads the batch, with its own unit of work and proxy
        try:
            return handlers.create_reports(self.db, self.catalog, items)
        except Exception:
            self.db.rollback()
            raise

    @rpc
    def get_report(self, folio):
        return handlers.get_report(self.db, folio)

    @rpc
    def track_report(self, folio, token):
        return handlers.check_tracking(self.db, folio, token)

    # personal-data rights (ARCO): see rights.py
    @reliable_event_handler("citizens", "citizen_cancelled")
    def handle_citizen_cancelled(self, envelope):
        rights.erase_citizen_reports(self.db, envelope)

    @rpc
    def arco_access(self, citizen_numbers):
        return rights.arco_access(self.db, citizen_numbers)

    # batch reads for the gateway's work orders: see reads.py
    @rpc
    def get_reports(self, folios, include_token=False):
        return reads.get_reports(self.db, folios, include_token)
