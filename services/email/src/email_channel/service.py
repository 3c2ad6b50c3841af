"""EmailService: the email channel. Thin: logic is in handlers and the channel kit
(``sacchannel.service.ChannelService``: relay, filings retry, routing's and citizens'
events, ``arco_access``).

Inbound mail arrives in a Maildir (written by ``email_channel.inbound``, aiosmtpd in its
own process, or by any MTA); a timer reads it, handles each message in its own unit of
work and removes the file after commit (a crash re-reads it; the Message-ID claim makes
that harmless)."""
import mailbox
from pathlib import Path

from nameko.rpc import rpc
from nameko.timer import timer

from sacchannel.service import ChannelService

from . import domain, handlers
from .smtp import Smtp


class EmailService(ChannelService):
    name = "email"
    smtp = Smtp()

    def _max_bytes(self):
        return int(self.config.get("EMAIL_MAX_ATTACHMENT_BYTES", 5 * 1024 * 1024))

    def _kit(self):
        return handlers.channel(self.config.get("CHANNEL_CODE") or domain.CHANNEL, self._max_bytes() / 1024 / 1024)

    def _send(self, message, now):
        return self.smtp.send_message(message, now)

    @timer(interval=1)
    def read_maildir(self):
        Path(self.config["EMAIL_MAILDIR"]).parent.mkdir(parents=True, exist_ok=True)
        box = mailbox.Maildir(self.config["EMAIL_MAILDIR"], create=True)
        for key in list(box.iterkeys())[:50]:
            result = handlers.receive(self.db, box.get_bytes(key), self.config.get("EMAIL_DEFAULT_PETITION_TYPE") or None,
                                      self.config.get("EMAIL_ADDRESS", ""), self._max_bytes(), self._kit().code)
            box.remove(key)
            self._after_inbound(result)

    @rpc
    def link_citizen(self, actor, address, citizen_number):
        return handlers.link_citizen(self.db, actor, address, citizen_number)
