"""Open311 GeoReport v2: discovery, service list and service definitions (public, no
authentication). Requests (``requests.{fmt}``) live elsewhere. Errors are the spec's
``[{"code": 404, "description": "…"}]`` / ``<errors><error>…</error></errors>``."""
from __future__ import annotations

import os

from fastapi import APIRouter, Request, Response

from .. import open311_format as fmt311
from ..errors import ApiError

router = APIRouter(prefix="/open311/v2", tags=["open311"])

#: contact and key service advertised by discovery (deployment-specific)
CONTACT = os.environ.get("OPEN311_CONTACT", "Dirección de Atención Ciudadana del municipio")
KEY_SERVICE = os.environ.get("OPEN311_KEY_SERVICE",
                             "No se requiere api_key para consultar servicios; solicítela a Atención Ciudadana.")
CACHE = "public, max-age=60"


def _document(body: bytes, fmt: str, status: int = 200, cache: bool = True) -> Response:
    headers = {"Cache-Control": CACHE} if cache and status == 200 else {}
    return Response(body, status_code=status, media_type=fmt311.MEDIA_TYPES[fmt], headers=headers)


def _error(status: int, description: str, fmt: str) -> Response:
    fmt = fmt if fmt in fmt311.FORMATS else "json"
    return _document(fmt311.render_errors(status, description, fmt), fmt, status, cache=False)


def _bad_format(fmt: str) -> Response:
    return _error(400, f"Formato «{fmt}» no soportado: use .json o .xml.", "json")


async def _call(request: Request, method: str, *args):
    try:
        return await request.app.state.call("catalog", method, *args), None
    except ApiError as exc:
        return None, exc


@router.get("/discovery.{fmt}", summary="Descubrimiento GeoReport v2 (json|xml)")
async def discovery(request: Request, fmt: str):
    if fmt not in fmt311.FORMATS:
        return _bad_format(fmt)
    url = str(request.url_for("open311_services", fmt="json")).rsplit("/", 1)[0]
    return _document(fmt311.render_discovery(fmt311.discovery_doc(url, CONTACT, KEY_SERVICE), fmt), fmt)


@router.get("/services.{fmt}", name="open311_services", summary="Lista de servicios GeoReport v2 (json|xml)")
async def services(request: Request, fmt: str, jurisdiction_id: str | None = None):
    if fmt not in fmt311.FORMATS:
        return _bad_format(fmt)
    result, err = await _call(request, "list_services")
    if err is not None:
        return _error(err.status, err.detail, fmt)
    return _document(fmt311.render_services(result, fmt), fmt)


@router.get("/services/{service_code:path}.{fmt}", summary="Definición de un servicio GeoReport v2 (json|xml)")
async def service_definition(request: Request, service_code: str, fmt: str, jurisdiction_id: str | None = None):
    if fmt not in fmt311.FORMATS:
        return _bad_format(fmt)
    result, err = await _call(request, "service_definition", service_code)
    if err is not None:
        return _error(err.status, err.detail, fmt)
    return _document(fmt311.render_definition(result, fmt), fmt)
