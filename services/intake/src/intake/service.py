"""IntakeService: accepts reports from every channel. Thin: logic is in handlers.

``create_report`` workers validate, then hand the report to a group-commit batcher:
concurrent reports share one catalog call and one transaction (and one fsync)."""
from nameko.rpc import RpcProxy, rpc
from nameko.standalone.rpc import ClusterRpcProxy

from sacinfra.batching import Batcher
from sacinfra.db import UnitOfWork, make_engine, nudge_relay
from sacinfra.envelope import current_trace_context
from sacinfra.metrics import histogram
from sacinfra.service import SqlService

from . import handlers


class ReportBatcher(Batcher):
    def setup(self):
        super().setup()
        cfg = self.container.config
        self.engine = make_engine(cfg["DATABASE_URL"], pool_size=self.runners, max_overflow=0)
        self.sizes = histogram("intake_batch_size", "Reports filed per transaction",
                               buckets=(1, 2, 5, 10, 20, 50, 100, 200))
        self._proxies = []

    def start(self):
        # one catalog proxy per runner greenthread (proxies are not shareable)
        self._free = [ClusterRpcProxy(self.container.config, timeout=10) for _ in range(self.runners)]
        super().start()

    def stop(self):
        for p in self._proxies:
            try:
                p.stop()
            except Exception:
                pass
        self.engine.dispose()

    def on_batch(self, size):
        self.sizes.observe(size)

    def process(self, items):
        standalone = self._free.pop()
        try:
            if standalone not in self._proxies:
                self._proxies.append(standalone)
                standalone._catalog = standalone.start()
            with UnitOfWork(self.engine, "intake", on_commit=lambda: nudge_relay(self.container)) as uow:
                return handlers.create_reports(uow, standalone._catalog.catalog, items)
        finally:
            self._free.append(standalone)


class IntakeService(SqlService):
    name = "intake"
    catalog = RpcProxy("catalog")
    batcher = ReportBatcher()

    @rpc
    def create_report(self, payload, idempotency_key=None, created_by=None):
        data = handlers.validate_report(payload)
        return self.batcher.submit({"data": data, "idempotency_key": idempotency_key,
                                    "created_by": created_by, "trace": current_trace_context()})

    @rpc
    def get_report(self, folio):
        return handlers.get_report(self.db, folio)

    @rpc
    def track_report(self, folio, token):
        return handlers.check_tracking(self.db, folio, token)
