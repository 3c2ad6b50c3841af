"""WhatsappService: the WhatsApp Cloud API channel. Thin: logic is in handlers.

The webhook is nameko's own ``@http`` entrypoint (werkzeug, already in the service):
the delivery is handled in the same process, unit of work and tracing as the events,
with no second server to run or secure. GET is Meta's verification handshake; POST
checks ``X-Hub-Signature-256`` before reading anything."""
import json
import logging

from marshmallow import ValidationError
from nameko.dependency_providers import Config
from nameko.rpc import RpcProxy, rpc
from nameko.timer import timer
from nameko.web.handlers import http

from sacinfra.service import SqlService, reliable_event_handler

from . import domain, handlers
from .exceptions import InvalidInput
from .graph import GraphApi
from .schemas import MenuItem

log = logging.getLogger(__name__)

DEFAULT_MENU = [
    {"code": "OP-LAMPARA APAGADA", "label": "Lámpara apagada"},
    {"code": "OP-BACHEO", "label": "Bache"},
    {"code": "SIAP- FALTA DE RECOLECCION DOMICILIARIA", "label": "No pasó la basura"},
    {"code": "SIAP- RECOLECCION DE ANIMALES MUERTOS", "label": "Animal muerto en la vía pública"},
    {"code": "OP-ENCHARCAMIENTO EN VIALIDAD", "label": "Encharcamiento"},
]


class WhatsappService(SqlService):
    name = "whatsapp"
    config = Config()
    graph = GraphApi()
    intake = RpcProxy("intake")
    routing = RpcProxy("routing")

    # -- settings -------------------------------------------------------------------
    def _menu(self):
        try:
            return MenuItem(many=True).load(self.config.get("WHATSAPP_MENU") or DEFAULT_MENU)
        except ValidationError as exc:
            raise InvalidInput(f"Menú de WhatsApp mal configurado: {exc.messages}", "menu_invalido") from exc

    def _channel(self):
        return self.config.get("CHANNEL_CODE") or domain.CHANNEL

    def _public_url(self):
        return self.config.get("PUBLIC_URL") or "http://127.0.0.1:8000"

    # -- webhook --------------------------------------------------------------------
    @http("GET", "/webhook")
    def verify_webhook(self, request):
        challenge = domain.verify_challenge(request.args, str(self.config.get("WHATSAPP_VERIFY_TOKEN") or ""))
        return (200, challenge) if challenge is not None else (403, "verificación rechazada")

    @http("POST", "/webhook")
    def webhook(self, request):
        body = request.get_data()
        if not domain.signature_ok(str(self.config.get("WHATSAPP_APP_SECRET") or ""), body,
                                   request.headers.get("X-Hub-Signature-256")):
            return 401, "firma inválida"
        try:
            payload = json.loads(body)
        except ValueError:
            return 400, "cuerpo inválido"
        if not isinstance(payload, dict):
            return 400, "cuerpo inválido"
        result = handlers.receive(self.db, payload, self._menu(), self._channel())
        if result["file"]:
            try:
                handlers.file_pending(self.db, self.intake.create_reports, self._public_url(), self._channel(),
                                      keys=result["file"])
            except Exception:  # intake unreachable: the filings stay pending, the timer retries
                log.exception("filing deferred")
        for request_ in result["reopen"]:
            handlers.request_reopen(self.db, self.routing, request_)
        return 200, "ok"

    # -- background -----------------------------------------------------------------
    @timer(interval=1)
    def relay_messages(self):
        handlers.relay(lambda: self.db, self.graph, max_attempts=int(self.config.get("SEND_MAX_ATTEMPTS", 8)))

    @timer(interval=15)
    def retry_filings(self):
        handlers.file_pending(self.db, self.intake.create_reports, self._public_url(), self._channel())

    # -- events ---------------------------------------------------------------------
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

    # -- RPC ------------------------------------------------------------------------
    @rpc
    def arco_access(self, citizen_numbers):
        return handlers.arco_access(self.db, citizen_numbers)

    @rpc
    def link_citizen(self, actor, address, citizen_number):
        return handlers.link_citizen(self.db, actor, address, citizen_number)
