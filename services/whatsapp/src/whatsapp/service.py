"""WhatsappService: the WhatsApp Cloud API channel. Thin: logic is in handlers and the
channel kit (``sacchannel.service.ChannelService``: relay, filings retry, routing's and
citizens' events, ``arco_access``).

The webhook is nameko's own ``@http`` entrypoint (werkzeug, already in the service):
the delivery is handled in the same process, unit of work and tracing as the events,
with no second server to run or secure. GET is Meta's verification handshake; POST
checks ``X-Hub-Signature-256`` before reading anything."""
import json

from marshmallow import ValidationError
from nameko.rpc import rpc
from nameko.web.handlers import http

from sacinfra import files
from sacchannel import service as channel  # the module, not the class: `nameko run` starts every class it finds

from . import domain, handlers
from .exceptions import InvalidInput
from .graph import GraphApi
from .schemas import MenuItem

DEFAULT_MENU = [
    {"code": "OP-LAMPARA APAGADA", "label": "Lámpara apagada"},
    {"code": "OP-BACHEO", "label": "Bache"},
    {"code": "SIAP- FALTA DE RECOLECCION DOMICILIARIA", "label": "No pasó la basura"},
    {"code": "SIAP- RECOLECCION DE ANIMALES MUERTOS", "label": "Animal muerto en la vía pública"},
    {"code": "OP-ENCHARCAMIENTO EN VIALIDAD", "label": "Encharcamiento"},
]


class WhatsappService(channel.ChannelService):
    name = "whatsapp"
    graph = GraphApi()

    def _kit(self):
        return handlers.channel(self._channel(), download=self.graph.download_media,
                                limits=files.Limits.from_config(self.config))

    def _send(self, message, now):
        return self.graph.send_message(message, now)

    def _channel(self):
        return self.config.get("CHANNEL_CODE") or domain.CHANNEL

    def _menu(self):
        try:
            return MenuItem(many=True).load(self.config.get("WHATSAPP_MENU") or DEFAULT_MENU)
        except ValidationError as exc:
            raise InvalidInput(f"Menú de WhatsApp mal configurado: {exc.messages}", "menu_invalido") from exc

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
        self._after_inbound(handlers.receive(self.db, payload, self._menu(), self._channel()))
        return 200, "ok"

    @rpc
    def link_citizen(self, actor, address, citizen_number):
        return handlers.link_citizen(self.db, actor, address, citizen_number)
