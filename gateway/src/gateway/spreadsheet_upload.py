"""The spreadsheet a person uploads for an import (CSV or XLSX): the raw body or the
``file`` part of a multipart form, at most ``MAX_BYTES``, its format from ``?format=``,
the file name or the content type. Import routes hand the bytes to their service."""
from __future__ import annotations

from fastapi import Request

from .errors import ApiError
from .routes.catalog import _format_from, parse_multipart

MAX_BYTES = 10 * 1024 * 1024


async def read_upload(request: Request, what: str, fmt: str | None) -> tuple[bytes, str, str | None]:
    """``(content, format, filename)``; 413 over the limit, 422 empty or of unknown format.
    ``what`` names the file in Spanish messages («del directorio»)."""
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > MAX_BYTES + 64 * 1024:
        raise ApiError(413, "archivo_demasiado_grande", "El archivo pasa de 10 MB.")
    body = await request.body()
    content_type = request.headers.get("content-type", "")
    filename = None
    if content_type.lower().startswith("multipart/form-data"):
        content, filename, part_type = parse_multipart(body, content_type)
    else:
        content, part_type = body, content_type.split(";")[0].strip().lower()
    if len(content) > MAX_BYTES:
        raise ApiError(413, "archivo_demasiado_grande", "El archivo pasa de 10 MB.")
    if not content:
        raise ApiError(422, "archivo_requerido", f"El archivo {what} está vacío.")
    fmt = fmt or _format_from(filename, part_type)
    if fmt is None:
        raise ApiError(422, "formato_requerido", "Indique el formato del archivo: ?format=csv o ?format=xlsx.")
    return content, fmt, filename
