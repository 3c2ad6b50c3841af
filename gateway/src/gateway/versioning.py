"""Optimistic locking over HTTP: the version a client read travels back in ``If-Match``."""
from __future__ import annotations

from .errors import ApiError


def etag(version: int) -> str:
    return f'"{version}"'


def parse_if_match(value: str | None, what: str = "del recurso") -> int | None:
    """The version in an ``If-Match`` header (``"3"``, ``W/"3"`` or ``3``), or None.
    ``what`` names the resource in the Spanish message (``"del reporte"``)."""
    if value is None:
        return None
    tag = value.strip()
    if tag.startswith("W/"):
        tag = tag[2:]
    tag = tag.strip().strip('"')
    if tag == "*" or "," in tag:
        raise ApiError(428, "version_requerida",
                       f"Indique en If-Match la versión exacta {what} que leyó (por ejemplo \"3\").")
    try:
        return int(tag)
    except ValueError:
        raise ApiError(422, "version_invalida", "El encabezado If-Match debe llevar la versión leída (un número).") from None
