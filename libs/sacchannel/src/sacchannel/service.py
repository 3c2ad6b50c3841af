"""``ChannelService``: the entrypoints every channel service has the same way (thin: the
work is ``kit``'s). A channel subclasses it and adds its name, its inbound entrypoint
(webhook, mailbox…), ``_kit()`` (its ``kit.Channel``), ``_send(message, now)`` (its
sender) and its own ``link_citizen`` policy.

- timers: the delivery relay (every second) and the retry of pending filings (15 s);
- ``routing.report_status_changed`` → one queued message per event;
- ``citizens.citizen_cancelled`` / ``citizen_opposed`` → erase / stop notices;
- RPC ``arco_access(citizen_numbers, actor, reason)`` (the gateway's ARCO access document
  gathers it from every channel service; the read is logged in ``access_log``).
"""
import logging

from nameko.dependency_providers import Config
from nameko.rpc import RpcProxy, rpc
from nameko.timer import timer

from sacinfra.service import SqlService, reliable_event_handler

from . import kit

log = logging.getLogger(__name__)


class ChannelService(SqlService):
    name = "channel"
    config = Config()
    intake = RpcProxy("intake")
    routing = RpcProxy("routing")

    # -- what a channel provides ------------------------------------------------------
    def _kit(self) -> kit.Channel:
        raise NotImplementedError

    def _send(self, message: dict, now) -> str:
        raise NotImplementedError

    # -- shared -------------------------------------------------------------------------
    def _public_url(self) -> str:
        return self.config.get("PUBLIC_URL") or "http://127.0.0.1:8000"

    def _after_inbound(self, result: dict) -> None:
        """Files what an inbound message completed (intake unreachable: the filings stay
        pending and the timer retries) and hands "no se resolvió" to routing."""
        if result.get("file"):
            try:
                kit.file_pending(self.db, self._kit(), self.intake.create_reports, self._public_url(),
                                 keys=result["file"])
            except Exception:
                log.exception("filing deferred")
        for request in result.get("reopen") or []:
            kit.request_reopen(self.db, self._kit(), self.routing, request)

    @timer(interval=1)
    def relay_messages(self):
        kit.relay(lambda: self.db, self._send, max_attempts=int(self.config.get("SEND_MAX_ATTEMPTS", 8)))

    @timer(interval=15)
    def retry_filings(self):
        kit.file_pending(self.db, self._kit(), self.intake.create_reports, self._public_url())

    @reliable_event_handler("routing", "report_status_changed")
    def handle_report_status_changed(self, envelope):
        kit.on_status_changed(self.db, self._kit(), envelope, self._closing_note)

    def _closing_note(self, folio):
        notes = self.routing.status_notes([folio])
        return notes[0]["status_notes"] if notes else None

    @reliable_event_handler("citizens", "citizen_cancelled")
    def handle_citizen_cancelled(self, envelope):
        kit.on_citizen_cancelled(self.db, self._kit(), envelope)

    @reliable_event_handler("citizens", "citizen_opposed")
    def handle_citizen_opposed(self, envelope):
        kit.on_citizen_opposed(self.db, self._kit(), envelope)

    @rpc
    def arco_access(self, citizen_numbers, actor=None, reason=None):
        return kit.arco_access(self.db, self._kit(), citizen_numbers, actor, reason)
