"""The inbound SMTP server: ``python -m email_channel.inbound --host H --port P --maildir DIR
[--address reportes@municipio.example] [--max-bytes N]``.

aiosmtpd (asyncio) runs in **its own process**, not inside the nameko service: nameko
monkey-patches the process with eventlet, and an asyncio loop on patched sockets and
threads is not something either library supports. The server accepts mail for the
configured address only and writes each message into a Maildir (``mailbox.Maildir``:
written to ``tmp/`` then renamed into ``new/``, so a message is on disk before the 250
reply and never read half-written); the service polls the Maildir and removes each
message only after its transaction committed. In production a real MTA (Postfix) can
deliver into the same Maildir instead of this server."""
from __future__ import annotations

import argparse
import asyncio
import mailbox
import signal
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from aiosmtpd.controller import Controller


class MaildirHandler:
    def __init__(self, maildir: str, address: str | None, max_bytes: int):
        Path(maildir).parent.mkdir(parents=True, exist_ok=True)
        self.box = mailbox.Maildir(maildir, create=True)
        self.address = address.lower() if address else None
        self.max_bytes = max_bytes

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.address and address.lower() != self.address:
            return "550 5.1.1 buzón desconocido"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if len(envelope.content) > self.max_bytes:
            return "552 5.3.4 mensaje demasiado grande"
        self.box.add(mailbox.MaildirMessage(envelope.original_content or envelope.content))
        return "250 Mensaje recibido"


def serve_health(port: int, smtp_port: int) -> None:
    """``/healthz`` (the process runs) and ``/readyz`` (SMTP accepts connections) for
    the probes, on a thread of their own."""
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            ok = self.path == "/healthz" or (self.path == "/readyz" and _accepting(smtp_port))
            self.send_response(200 if ok else 503)
            self.end_headers()

    server = ThreadingHTTPServer(("0.0.0.0", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()


def _accepting(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


def serve(host: str, port: int, maildir: str, address: str | None, max_bytes: int) -> Controller:
    controller = Controller(MaildirHandler(maildir, address, max_bytes), hostname=host, port=port,
                            data_size_limit=max_bytes)
    controller.start()
    return controller


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--host", default="0.0.0.0")
    p.add_argument("--port", type=int, default=2525)
    p.add_argument("--maildir", required=True)
    p.add_argument("--address", default=None, help="the only recipient accepted (all when omitted)")
    p.add_argument("--max-bytes", type=int, default=30 * 1024 * 1024)
    p.add_argument("--health-port", type=int, default=0, help="/healthz and /readyz for probes (0: none)")
    a = p.parse_args(argv)
    controller = serve(a.host, a.port, a.maildir, a.address, a.max_bytes)
    if a.health_port:
        serve_health(a.health_port, a.port)
    print(f"smtp listening on {a.host}:{a.port} → {a.maildir}", flush=True)
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    loop.run_until_complete(stop.wait())
    controller.stop()


if __name__ == "__main__":
    main()
