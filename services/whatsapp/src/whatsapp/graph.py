"""The Graph API client (WhatsApp Cloud API ``POST /{version}/{phone_number_id}/messages``)
as a nameko dependency: ``send(to, text, template) -> message id``, and
``download_media(media_id, max_bytes) -> (bytes, mime type)`` for what a citizen sent
(``GET /{version}/{media_id}`` gives a short-lived url, fetched with the same token).

Plain ``requests`` (cooperative under eventlet): the Cloud API is one JSON POST with a
bearer token, and the official/community SDKs (heyoo, pywa) bring web frameworks and
async clients the service does not need."""
from __future__ import annotations

import requests
from nameko.extensions import DependencyProvider

from . import domain
from .exceptions import PermanentSendError, TransientSendError


class GraphClient:
    def __init__(self, base_url: str, version: str, phone_number_id: str, token: str, template: str,
                 language: str, timeout: float = 10.0):
        self.url = f"{base_url.rstrip('/')}/{version}/{phone_number_id}/messages"
        self.media_url = f"{base_url.rstrip('/')}/{version}/"
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        self.template, self.language, self.timeout = template, language, timeout
        self.http = requests.Session()

    def body(self, to: str, text: str, template: list[str] | None) -> dict:
        if template is not None:
            return {"messaging_product": "whatsapp", "to": to, "type": "template",
                    "template": {"name": self.template, "language": {"code": self.language},
                                 "components": [{"type": "body", "parameters": [
                                     {"type": "text", "text": p} for p in template]}]}}
        return {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to, "type": "text",
                "text": {"preview_url": False, "body": text}}

    def send(self, to: str, text: str, template: list[str] | None = None) -> str:
        try:
            r = self.http.post(self.url, json=self.body(to, text, template), headers=self.headers,
                               timeout=self.timeout)
        except requests.RequestException as exc:
            raise TransientSendError(f"Graph API inalcanzable: {exc}") from exc
        if r.status_code == 429 or r.status_code >= 500:
            raise TransientSendError(f"Graph API {r.status_code}: {r.text[:200]}")
        if r.status_code >= 400:
            raise PermanentSendError(f"Graph API {r.status_code}: {r.text[:200]}")
        try:
            return r.json()["messages"][0]["id"]
        except (ValueError, KeyError, IndexError) as exc:
            raise TransientSendError(f"respuesta inesperada de Graph API: {r.text[:200]}") from exc

    def download_media(self, media_id: str, max_bytes: int) -> tuple[bytes, str]:
        """The bytes of a media id and their declared type (the receiver checks the
        content). ``TransientSendError`` when the API or the url does not answer, or the
        file is larger than ``max_bytes`` (read at most one byte more)."""
        auth = {"Authorization": self.headers["Authorization"]}
        try:
            r = self.http.get(self.media_url + str(media_id), headers=auth, timeout=self.timeout)
            if r.status_code != 200:
                raise TransientSendError(f"Graph API {r.status_code} al pedir el medio {media_id}")
            info = r.json()
            with self.http.get(info["url"], headers=auth, timeout=self.timeout, stream=True) as got:
                if got.status_code != 200:
                    raise TransientSendError(f"descarga del medio {media_id}: {got.status_code}")
                data = bytearray()
                for chunk in got.iter_content(64 * 1024):
                    data += chunk
                    if len(data) > max_bytes:
                        raise TransientSendError(f"el medio {media_id} pasa de {max_bytes} bytes")
        except (requests.RequestException, ValueError, KeyError) as exc:
            raise TransientSendError(f"medio {media_id} inalcanzable: {exc}") from exc
        return bytes(data), str(info.get("mime_type") or "")

    def send_message(self, message: dict, now) -> str:
        """The relay's call: free text within the citizen's 24-hour window, else the
        approved template (status notices carry its parameters)."""
        template = message["body"].get("template")
        if template is not None and domain.in_window(message["last_inbound_at"], now):
            template = None
        return self.send(message["address"], message["body"]["text"], template)

    def close(self):
        self.http.close()


class GraphApi(DependencyProvider):
    """Config: ``GRAPH_API_URL``, ``GRAPH_API_VERSION``, ``WHATSAPP_PHONE_NUMBER_ID``,
    ``WHATSAPP_ACCESS_TOKEN``, ``WHATSAPP_TEMPLATE``, ``WHATSAPP_TEMPLATE_LANGUAGE``."""

    def setup(self):
        c = self.container.config
        token = str(c.get("WHATSAPP_ACCESS_TOKEN") or "")
        if not token or token.startswith("change-me"):
            raise RuntimeError("WHATSAPP_ACCESS_TOKEN is missing or a placeholder: refusing to start")
        self.client = GraphClient(c.get("GRAPH_API_URL", "https://graph.facebook.com"),
                                  str(c.get("GRAPH_API_VERSION", "v21.0")), str(c["WHATSAPP_PHONE_NUMBER_ID"]),
                                  token, c.get("WHATSAPP_TEMPLATE", "sac_cambio_estado"),
                                  c.get("WHATSAPP_TEMPLATE_LANGUAGE", "es_MX"))

    def stop(self):
        self.client.close()

    def get_dependency(self, worker_ctx):
        return self.client
