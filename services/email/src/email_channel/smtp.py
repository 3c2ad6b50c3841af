"""Outgoing mail by SMTP as a nameko dependency: ``send(to, subject, text) -> Message-ID``.
stdlib ``smtplib`` (cooperative under eventlet); a 4xx reply or a dropped connection is
transient, a 5xx reply permanent."""
from __future__ import annotations

import smtplib
import socket
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from nameko.extensions import DependencyProvider

from .exceptions import PermanentSendError, TransientSendError


class SmtpSender:
    def __init__(self, host: str, port: int, sender: str, name: str, user: str = "", password: str = "",
                 starttls: bool = False, timeout: float = 15.0):
        self.host, self.port, self.sender, self.name = host, port, sender, name
        self.user, self.password, self.starttls, self.timeout = user, password, starttls, timeout

    def send(self, to: str, subject: str, text: str) -> str:
        msg = EmailMessage()
        msg["From"] = formataddr((self.name, self.sender))
        msg["To"] = to
        msg["Subject"] = subject
        msg["Message-ID"] = make_msgid(domain=self.sender.split("@")[-1])
        msg["Auto-Submitted"] = "auto-replied"
        msg.set_content(text)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls()
                if self.user:
                    smtp.login(self.user, self.password)
                smtp.send_message(msg)
        except smtplib.SMTPResponseException as exc:
            if 400 <= exc.smtp_code < 500:
                raise TransientSendError(f"SMTP {exc.smtp_code}: {exc.smtp_error!r}") from exc
            raise PermanentSendError(f"SMTP {exc.smtp_code}: {exc.smtp_error!r}") from exc
        except smtplib.SMTPRecipientsRefused as exc:
            raise PermanentSendError(f"destinatario rechazado: {exc.recipients!r}") from exc
        except (smtplib.SMTPException, OSError, socket.timeout) as exc:
            raise TransientSendError(f"SMTP inalcanzable: {exc}") from exc
        return msg["Message-ID"]

    def send_message(self, message: dict, now) -> str:
        """The relay's call."""
        return self.send(message["address"], message["body"]["subject"], message["body"]["text"])


class Smtp(DependencyProvider):
    """Config: ``SMTP_HOST``, ``SMTP_PORT``, ``SMTP_USER``, ``SMTP_PASSWORD``,
    ``SMTP_STARTTLS``, ``EMAIL_ADDRESS`` (From), ``EMAIL_FROM_NAME``."""

    def setup(self):
        c = self.container.config
        self.sender = SmtpSender(c.get("SMTP_HOST", "127.0.0.1"), int(c.get("SMTP_PORT", 25)),
                                 c.get("EMAIL_ADDRESS", "reportes@municipio.example"),
                                 c.get("EMAIL_FROM_NAME", "Atención Ciudadana"), str(c.get("SMTP_USER") or ""),
                                 str(c.get("SMTP_PASSWORD") or ""), str(c.get("SMTP_STARTTLS", "")).lower() == "true")

    def get_dependency(self, worker_ctx):
        return self.sender
