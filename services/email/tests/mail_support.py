"""Helpers of the email tests: real SMTP servers (aiosmtpd, ``email_channel.inbound``)
in their own processes, one for the municipality's inbound address and one standing in
for the citizen's mailbox, and real MIME messages sent with smtplib."""
import mailbox
import smtplib
import socket
import sys
import time
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import make_msgid

from eventlet.patcher import original

# the unpatched module (see SmtpServer for why the error pipe must not be read)
subprocess = original("subprocess")

ADDRESS = "reportes@municipio.example"
CITIZEN = "vecina@correo.example"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SmtpServer:
    """``python -m email_channel.inbound`` on a free port writing into ``maildir``."""

    def __init__(self, maildir, address=None, max_bytes=30 * 1024 * 1024):
        self.port, self.maildir = free_port(), str(maildir)
        args = [sys.executable, "-m", "email_channel.inbound", "--host", "127.0.0.1", "--port", str(self.port),
                "--maildir", self.maildir, "--max-bytes", str(max_bytes)]
        if address:
            args += ["--address", address]
        # close_fds=False lets CPython use posix_spawn, which reads no error pipe: eventlet's
        # hub (os.read is green even in the unpatched subprocess) refused a file number an
        # earlier test's closed socket still had a listener on
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, close_fds=False)
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def messages(self) -> list[EmailMessage]:
        box = mailbox.Maildir(self.maildir, create=True)
        keys = sorted(box.iterkeys(), key=lambda k: box.get_message(k).get_date())  # arrival order
        return [BytesParser(policy=policy.default).parsebytes(box.get_bytes(k)) for k in keys]

    def texts(self) -> list[tuple[str, str]]:
        return [(str(m["Subject"]), m.get_body(("plain",)).get_content()) for m in self.messages()]

    def close(self):
        self.proc.terminate()
        self.proc.wait(10)


def mail(subject: str, text: str | None = None, html: str | None = None, sender: str = CITIZEN,
         attachments=(), in_reply_to: str | None = None) -> EmailMessage:
    m = EmailMessage()
    m["From"] = f"Vecina <{sender}>"
    m["To"] = ADDRESS
    m["Subject"] = subject
    m["Message-ID"] = make_msgid(domain="correo.example")
    if in_reply_to:
        m["In-Reply-To"] = in_reply_to
    if text is not None:
        m.set_content(text)
        if html is not None:
            m.add_alternative(html, subtype="html")
    elif html is not None:
        m.set_content(html, subtype="html")
    for name, ctype, data in attachments:
        maintype, subtype = ctype.split("/")
        m.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return m


def send(port: int, message: EmailMessage, to: str = ADDRESS) -> None:
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as s:
        s.send_message(message, to_addrs=[to])
