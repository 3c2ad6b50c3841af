"""Fixtures of the email tests: real SMTP servers (aiosmtpd in their own processes) for
the municipality's inbound address and the citizen's mailbox, the core services (root
conftest's ``core_services``) and the email service on the test's vhost."""
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from mail_support import ADDRESS, SmtpServer  # noqa: E402

MAX_BYTES = 200_000


@pytest.fixture
def inbox(tmp_path):
    """The municipality's inbound SMTP server: mail to ADDRESS lands in a Maildir."""
    server = SmtpServer(tmp_path / "inbound", address=ADDRESS)
    yield server
    server.close()


@pytest.fixture
def citizen_mailbox(tmp_path):
    """Stands in for the citizen's provider: what the channel sends arrives here."""
    server = SmtpServer(tmp_path / "citizen")
    yield server
    server.close()


def email_config(vhost_uri, db_url, maildir, smtp_port) -> dict:
    return {"AMQP_URI": vhost_uri, "DATABASE_URL": db_url, "METRICS_PORT": 0, "CHANNEL_CODE": "CORREO",
            "PUBLIC_URL": "https://sac.municipio.example", "EMAIL_ADDRESS": ADDRESS, "EMAIL_MAILDIR": str(maildir),
            "EMAIL_MAX_ATTACHMENT_BYTES": MAX_BYTES, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": smtp_port}
