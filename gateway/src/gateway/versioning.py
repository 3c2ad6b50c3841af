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


def version_of(body_version: int | None, if_match: str | None, what: str) -> int:
    """The version a change was made against: the body's ``version`` or ``If-Match`` (422
    when both disagree, 428 without either)."""
    header = parse_if_match(if_match, what)
    if body_version is not None and header is not None and body_version != header:
        raise ApiError(422, "version_contradictoria",
                       f"La versión del cuerpo ({body_version}) no coincide con la de If-Match ({header}).")
    version = body_version if body_version is not None else header
    if version is None:
        raise ApiError(428, "version_requerida", f"Indique la versión {what} que leyó («version» en el cuerpo o If-Match).")
    return version
