"""The spreadsheet a person uploads for an import (CSV or XLSX): the raw body or the
``file`` part of a multipart form, at most ``MAX_BYTES``, its format from ``?format=``,
the file name or the content type. Import routes (catalog, directory) hand the bytes to
their service."""
from __future__ import annotations

from fastapi import Request
from starlette.datastructures import UploadFile

from .errors import ApiError

MAX_BYTES = 10 * 1024 * 1024
EXTENSIONS = ("csv", "xlsx")


async def _uploaded_file(request: Request, what: str) -> tuple[bytes, str | None, str | None]:
    """The file of a ``multipart/form-data`` body: (content, filename, content type), from
    the part named ``file`` (``archivo``), else the first part carrying a file."""
    form = await request.form(max_files=1)
    upload = form.get("file") or form.get("archivo")
    if not isinstance(upload, UploadFile):
        upload = next((v for v in form.values() if isinstance(v, UploadFile)), None)
    if upload is None:
        raise ApiError(422, "archivo_requerido", f"Adjunte el archivo {what} en el campo «file».")
    return await upload.read(), upload.filename, upload.content_type


def format_from(filename: str | None, content_type: str | None) -> str | None:
    if filename and "." in filename:
        ext = filename.rsplit(".", 1)[1].lower()
        if ext in EXTENSIONS:
            return ext
    if content_type:
        if "spreadsheetml" in content_type:
            return "xlsx"
        if content_type in ("text/csv", "application/csv"):
            return "csv"
    return None


async def read_upload(request: Request, what: str, fmt: str | None) -> tuple[bytes, str, str | None]:
    """``(content, format, filename)``; 413 over the limit, 422 empty or of unknown format.
    ``what`` names the file in Spanish messages («del directorio», «del catálogo»)."""
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > MAX_BYTES + 64 * 1024:
        raise ApiError(413, "archivo_demasiado_grande", "El archivo pasa de 10 MB.")
    content_type = request.headers.get("content-type", "")
    filename = None
    if content_type.lower().startswith("multipart/form-data"):
        content, filename, part_type = await _uploaded_file(request, what)
    else:
        content, part_type = await request.body(), content_type.split(";")[0].strip().lower()
    if len(content) > MAX_BYTES:
        raise ApiError(413, "archivo_demasiado_grande", "El archivo pasa de 10 MB.")
    if not content:
        raise ApiError(422, "archivo_requerido", f"El archivo {what} está vacío.")
    fmt = fmt or format_from(filename, part_type)
    if fmt is None:
        raise ApiError(422, "formato_requerido", "Indique el formato del archivo: ?format=csv o ?format=xlsx.")
    return content, fmt, filename
