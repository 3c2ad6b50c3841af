"""Bodies that may carry evidence files: JSON (as before) or ``multipart/form-data``
(the same fields as form fields, plus files), and the files sent back.

The gateway bounds what it reads (``Content-Length`` at most ``EVIDENCE_MAX_FILES`` ×
``EVIDENCE_MAX_BYTES`` plus 1 MiB for the text fields, each file at most
``EVIDENCE_MAX_BYTES``, at most ``EVIDENCE_MAX_FILES`` files) and forwards the files to
routing base64 in the RPC payload; routing is the authority on every rule (count, size,
type by magic bytes, filename) and checks them again. python-multipart spools each file
over 1 MiB to a temporary file while parsing; the bytes, their base64 and the JSON message
are then in memory while the call is made (an estimated ~4× the files: ~100 MB at worst).

RPC size: 5 files × 5 MiB is a 33.4 MiB message (base64 is 4/3 of the bytes). RabbitMQ
3.x accepts messages up to 128 MiB by default (``max_message_size``; 4.x lowers the
default to 16 MiB: set it to 64 MiB there), AMQP splits the message into frames of
``frame_max`` (128 KiB) on both clients (aio-pika/aiormq here, kombu/py-amqp in nameko),
neither of which caps the message size.
"""
from __future__ import annotations

import base64
import os
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeVar
from urllib.parse import quote

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException

from .errors import ApiError

M = TypeVar("M", bound=BaseModel)

TEXT_FIELDS_BYTES = 1024 * 1024  # room for the text fields and the multipart framing
MAX_TEXT_PART = 64 * 1024        # one text field (the texts are at most 4000 characters)
MAX_FIELDS = 20
CHUNK = 1024 * 1024


@dataclass(frozen=True)
class UploadLimits:
    max_files: int = 5
    max_bytes: int = 5 * 1024 * 1024
    rpc_timeout: float = 60.0  # an RPC carrying files (a 33 MiB message) gets this long

    @property
    def max_request_bytes(self) -> int:
        return self.max_files * self.max_bytes + TEXT_FIELDS_BYTES


@lru_cache(maxsize=1)
def upload_limits() -> UploadLimits:
    """From ``EVIDENCE_MAX_FILES``, ``EVIDENCE_MAX_BYTES`` (the same variables as routing's)
    and ``EVIDENCE_RPC_TIMEOUT``."""
    return UploadLimits(max_files=int(os.environ.get("EVIDENCE_MAX_FILES", "5")),
                        max_bytes=int(os.environ.get("EVIDENCE_MAX_BYTES", str(5 * 1024 * 1024))),
                        rpc_timeout=float(os.environ.get("EVIDENCE_RPC_TIMEOUT", "60")))


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f}".rstrip("0").rstrip(".") + " MB"


def _validated(model: type[M], data) -> M:
    try:
        return model.model_validate_json(data) if isinstance(data, (bytes, str)) else model.model_validate(data)
    except ValidationError as exc:  # answered like FastAPI's own body validation (422 validacion)
        raise RequestValidationError([{**e, "loc": ("body", *e.get("loc", ()))} for e in exc.errors()]) from None


def too_many(limits: UploadLimits, got: int | None = None) -> ApiError:
    return ApiError(422, "demasiadas_evidencias",
                    f"Se admiten hasta {limits.max_files} archivos de evidencia por intervención"
                    + (f"; recibió {got}." if got is not None else "."))


async def _encoded(upload: UploadFile, limits: UploadLimits) -> dict:
    """The file as routing takes it; 413 over the size limit (read at most one byte more)."""
    data = bytearray()
    while chunk := await upload.read(min(CHUNK, limits.max_bytes + 1 - len(data))):
        data += chunk
        if len(data) > limits.max_bytes:
            raise ApiError(413, "evidencia_muy_grande",
                           f"El archivo «{upload.filename or 'sin nombre'}» pasa del máximo de "
                           f"{_mb(limits.max_bytes)}.")
    return {"filename": upload.filename or "", "content": base64.b64encode(bytes(data)).decode("ascii")}


async def read_body(request: Request, model: type[M]) -> tuple[M, list[dict]]:
    """The body as ``model`` and its evidence files (``[{"filename", "content"}]``, base64;
    empty for JSON). JSON: the model's fields, as before. ``multipart/form-data``: the same
    fields as form fields, and the files as parts with a filename (any field name;
    ``files`` by convention)."""
    limits = upload_limits()
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > limits.max_request_bytes:
        raise ApiError(413, "evidencia_muy_grande",
                       f"La solicitud pasa del máximo de {limits.max_files} archivos de {_mb(limits.max_bytes)}.")
    if media in ("", "application/json") or media.endswith("+json"):
        return _validated(model, await request.body()), []
    if media != "multipart/form-data":
        raise ApiError(415, "tipo_de_contenido_no_soportado",
                       "Envíe JSON (application/json) o un formulario multipart/form-data con los archivos.")
    if not (length and length.isdigit()):
        raise ApiError(411, "longitud_requerida", "Indique Content-Length al enviar archivos.")
    try:
        form = await request.form(max_files=limits.max_files, max_fields=MAX_FIELDS, max_part_size=MAX_TEXT_PART)
    except StarletteHTTPException as exc:  # python-multipart: too many parts, a malformed body
        if "files" in str(exc.detail).lower():
            raise too_many(limits) from None
        raise ApiError(422, "formulario_invalido", "El formulario multipart no es válido o trae demasiados "
                                                   "campos.") from None
    try:
        fields: dict[str, str] = {}
        uploads: list[UploadFile] = []
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                uploads.append(value)
            elif key in fields:
                raise ApiError(422, "validacion", f"El campo «{key}» viene más de una vez.")
            else:
                fields[key] = value
        if len(uploads) > limits.max_files:
            raise too_many(limits, len(uploads))
        body = _validated(model, fields)
        return body, [await _encoded(u, limits) for u in uploads]
    finally:
        await form.close()


def multipart_openapi(model: type[BaseModel], what: str) -> dict:
    """``openapi_extra`` of a route that takes ``model`` as JSON or as a form with files."""
    schema = model.model_json_schema()
    form = {"type": "object", "properties": dict(schema.get("properties", {})) | {
        "files": {"type": "array", "items": {"type": "string", "format": "binary"},
                  "description": f"{what}: hasta {upload_limits().max_files} archivos JPEG, PNG, WebP, HEIC o PDF "
                                 f"de {_mb(upload_limits().max_bytes)} cada uno (se revisa el contenido)"}}}
    if schema.get("required"):
        form["required"] = schema["required"]
    return {"requestBody": {"required": True, "content": {
        "application/json": {"schema": schema},
        "multipart/form-data": {"schema": form}}}}


# --------------------------------------------------------------------------- serving back

INLINE_TYPES = {"image/jpeg", "image/png", "image/webp"}


def content_disposition(filename: str, disposition: str = "attachment") -> str:
    """``attachment`` (or ``inline``) with an ASCII fallback name and the Spanish one (RFC 6266 / 5987)."""
    ascii_name = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
    ascii_name = "".join(c for c in ascii_name if " " <= c <= "~" and c not in '"\\')
    return f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


#: the OpenAPI answers of a route that serves one file as ``evidence_response`` does
FILE_RESPONSES = {200: {"description": "El archivo, con su tipo real (revisado por contenido), ETag = sha256",
                        "content": {t: {} for t in ("image/jpeg", "image/png", "image/webp", "image/heic",
                                                    "image/heif", "application/pdf")}},
                  304: {"description": "Sin cambios (If-None-Match)"}}


def evidence_response(evidence: dict, if_none_match: str | None = None) -> Response:
    """The stored bytes with their sniffed type; images inline, the rest as attachment;
    never sniffed again by the browser and never run as a page."""
    etag = f'"{evidence["sha256"]}"'
    headers = {"ETag": etag, "X-Content-Type-Options": "nosniff",
               # RFC 6266 (ASCII fallback + UTF-8 name); images inline
               "Content-Disposition": content_disposition(
                   evidence["filename"], "inline" if evidence["content_type"] in INLINE_TYPES else "attachment"),
               "Content-Security-Policy": "default-src 'none'; sandbox", "Cache-Control": "private, max-age=3600"}
    if if_none_match and etag in [t.strip() for t in if_none_match.split(",")]:
        return Response(status_code=304, headers=headers)
    return Response(base64.b64decode(evidence["content"]), media_type=evidence["content_type"], headers=headers)
