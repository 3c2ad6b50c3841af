"""EmailService: the email channel. Thin: logic is in handlers.

Inbound mail arrives in a Maildir (written by ``email_channel.inbound``, aiosmtpd in its
own process, or by any MTA); a timer reads it, files each message in its own unit of
work and removes the file after commit (a crash re-reads it; the Message-ID claim makes
that harmless)."""
import logging
import mailbox
from pathlib import Path

from nameko.dependency_providers import Config
from nameko.rpc import RpcProxy, rpc
from nameko.timer import timer

from sacinfra.service import SqlService, reliable_event_handler

from . import domain, handlers
from .smtp import Smtp

log = logging.getLogger(__name__)


class EmailService(SqlService):
    name = "email"
    config = Config()
    smtp = Smtp()
    intake = RpcProxy("intake")
    routing = RpcProxy("routing")

    def _channel(self):
        return self.config.get("CHANNEL_CODE") or domain.CHANNEL

    def _max_bytes(self):
        return int(self.config.get("EMAIL_MAX_ATTACHMENT_BYTES", 5 * 1024 * 1024))

    def _file(self, keys=None):
        handlers.file_pending(self.db, self.intake.create_reports, self.config.get("PUBLIC_URL") or "",
                              self._channel(), keys=keys, max_mb=self._max_bytes() / 1024 / 1024)

    @timer(interval=1)
    def read_maildir(self):
        Path(self.config["EMAIL_MAILDIR"]).parent.mkdir(parents=True, exist_ok=True)
        box = mailbox.Maildir(self.config["EMAIL_MAILDIR"], create=True)
        for key in list(box.iterkeys())[:50]:
            raw = box.get_bytes(key)
            result = handlers.receive(self.db, raw, self.config.get("EMAIL_DEFAULT_PETITION_TYPE") or None,
                                      self.config.get("EMAIL_ADDRESS", ""), self._max_bytes(), self._channel())
            box.remove(key)
            if result["file"]:
                try:
                    self._file(result["file"])
                except Exception:  # intake unreachable: pending; the timer retries
                    log.exception("filing deferred")
            for request in result["reopen"]:
                handlers.request_reopen(self.db, self.routing, request)

    @timer(interval=1)
    def relay_messages(self):
        handlers.relay(lambda: self.db, self.smtp, max_attempts=int(self.config.get("SEND_MAX_ATTEMPTS", 8)))

    @timer(interval=15)
    def retry_filings(self):
        self._file()

    @reliable_event_handler("routing", "report_status_changed")
    def handle_report_status_changed(self, envelope):
        handlers.on_status_changed(self.db, envelope, self._closing_note)

    def _closing_note(self, folio):
        notes = self.routing.status_notes([folio])
        return notes[0]["status_notes"] if notes else None

    @reliable_event_handler("citizens", "citizen_cancelled")
    def handle_citizen_cancelled(self, envelope):
        handlers.on_citizen_cancelled(self.db, envelope)

    @reliable_event_handler("citizens", "citizen_opposed")
    def handle_citizen_opposed(self, envelope):
        handlers.on_citizen_opposed(self.db, envelope)

    @rpc
    def arco_access(self, citizen_numbers):
        return handlers.arco_access(self.db, citizen_numbers)

    @rpc
    def link_citizen(self, actor, address, citizen_number):
        return handlers.link_citizen(self.db, actor, address, citizen_number)
