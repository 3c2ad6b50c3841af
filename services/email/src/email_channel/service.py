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

from sacchannel import service as channel  # the module, not the class: `nameko run` starts every class it finds

from . import domain, handlers
from .schemas import EmailSettings
from .smtp import Smtp


class EmailService(channel.ChannelService):
    name = "email"
    smtp = Smtp()

    def _settings(self) -> dict:
        c = self.config
        return EmailSettings().load({"address": c.get("EMAIL_ADDRESS"), "maildir": c.get("EMAIL_MAILDIR"),
                                     "default_petition_type": c.get("EMAIL_DEFAULT_PETITION_TYPE") or None,
                                     "max_attachment_bytes": int(c.get("EMAIL_MAX_ATTACHMENT_BYTES") or 5242880)})

    def _max_bytes(self):
        return self._settings()["max_attachment_bytes"]

    def _kit(self):
        return handlers.channel(self.config.get("CHANNEL_CODE") or domain.CHANNEL, self._max_bytes() / 1024 / 1024)

    def _send(self, message, now):
        return self.smtp.send_message(message, now)

    @timer(interval=1)
    def read_maildir(self):
        settings = self._settings()
        Path(settings["maildir"]).parent.mkdir(parents=True, exist_ok=True)
        box = mailbox.Maildir(settings["maildir"], create=True)
        for key in list(box.iterkeys())[:50]:
            result = handlers.receive(self.db, box.get_bytes(key), settings["default_petition_type"],
                                      settings["address"], settings["max_attachment_bytes"], self._kit().code)
            box.remove(key)
            self._after_inbound(result)

    @rpc
    def link_citizen(self, actor, address, citizen_number):
        return handlers.link_citizen(self.db, actor, address, citizen_number)
