"""Open311 GeoReport v2 under /open311/v2: discovery, service list and service
definitions (public), service requests: POST (a channel API key with scope ``open311``),
GET list / one (public, public fields only), tokens. Errors are the spec's
``[{"code": 404, "description": "…"}]`` / ``<errors><error>…</error></errors>``.

Decisions (gateway/README.md, "Open311 GeoReport v2"):

- Requests are created synchronously: POST answers the folio as ``service_request_id``
  (never a ``token``). ``tokens/{token}`` accepts a folio as its token and answers it, so
  clients written for asynchronous servers still work.
- ``lat``/``long`` (both) or an ``address_string``, as the spec allows: this server does
  not geocode, so without coordinates ``address_string`` must read ``"street, colonia"``
  (400 otherwise) and the colonia is checked against the municipality's colonias by name
  when a layer is loaded (400 ``colonia_no_encontrada`` when it names none). ``address_string`` is read as
  ``"street, colonia"``; with coordinates, what is missing is stored as ``SIN ESPECIFICAR``.
- ``media_url`` is kept as a reference line of the description; ``attribute[…]`` is
  ignored; the citizen's ``email``, ``first_name``, ``last_name``, ``phone``,
  ``device_id``, ``account_id`` are accepted and neither stored nor echoed
  (``account_id`` answers null).
- GET requests: ``service_request_id`` (comma list; then the other filters are ignored),
  ``service_code`` (comma list), ``start_date``/``end_date`` (ISO 8601; default the last
  90 days), ``status`` (``open``/``closed``); at most 1000, newest first. Only public
  fields: no description, nothing of the citizen.
- api_key missing, unknown, revoked, of another kind or without ``open311`` → 403 (the
  spec's answer for an invalid key); over its rate limit → 429 with ``Retry-After``.
- ``service_request_id`` is a string in JSON, as clients and validators expect (XML has
  text anyway). Every error description is Spanish, validation messages included.
"""
from __future__ import annotations

import asyncio
import json
import os
import re
from datetime import datetime, timedelta

from fastapi import APIRouter, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import ValidationError

from .. import open311_format as fmt311
from ..auth import PUBLIC, actor_of, apikeys
from ..auth.deps import authenticate_key
from ..errors import ApiError, field_errors
from ..params import MAX_BIGINT
from ..report_view import open311_row, read_report
from ..schemas import ReportIn
from ..settings import LOCAL_TZ
from .reports import file_report

#: contact and key service advertised by discovery (deployment-specific)
CONTACT = os.environ.get("OPEN311_CONTACT", "Dirección de Atención Ciudadana del municipio")
KEY_SERVICE = os.environ.get("OPEN311_KEY_SERVICE",
                             "No se requiere api_key para consultar servicios ni solicitudes; para crear "
                             "solicitudes, solicite una a Atención Ciudadana.")
MAX_REQUESTS = 1000            # the spec's suggested ceiling of GET requests
DEFAULT_DAYS = 90              # the spec's default window of GET requests
UNSPECIFIED = "SIN ESPECIFICAR"
STATUSES = {"open": ["captured", "in_progress"], "closed": ["done", "not_viable"]}
MEDIA_URL = re.compile(r"^https?://\S{1,480}$")
CACHE = "public, max-age=60"


def _document(body: bytes, fmt: str, status: int = 200, cache: bool = True) -> Response:
    headers = {"Cache-Control": CACHE} if cache and status == 200 else {}
    return Response(body, status_code=status, media_type=fmt311.MEDIA_TYPES[fmt], headers=headers)


def _error(status: int, description: str, fmt: str) -> Response:
    fmt = fmt if fmt in fmt311.FORMATS else "json"
    return _document(fmt311.render_errors(status, description, fmt), fmt, status, cache=False)


def bad(status: int, description: str) -> ApiError:
    """An Open311 refusal (``ApiError`` answered in the spec's error format)."""
    return ApiError(status, "open311", description)


def _spec_error(err: ApiError, fmt: str) -> Response:
    """The spec's error document; an ApiError (the gateway's or a service's) in the spec's
    terms: bad input is 400, not found 404, refusals (a bad api_key too) 403; anything else
    keeps its status (503 when a service is down)."""
    response = _error({422: 400, 409: 400, 401: 403}.get(err.status, err.status), err.detail, fmt)
    response.headers.update(err.headers)
    return response


class Open311Route(APIRoute):
    """Every answer of an Open311 route in the format its path asks for (400 for another),
    errors as the spec's error document."""

    def get_route_handler(self):
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            fmt = request.path_params.get("fmt", "json")
            if fmt not in fmt311.FORMATS:
                return _error(400, f"Formato «{fmt}» no soportado: use .json o .xml.", "json")
            try:
                return await handler(request)
            except ApiError as err:
                return _spec_error(err, fmt)
            except RequestValidationError as exc:
                return _error(400, _invalid(field_errors(exc.errors())), fmt)

        return route


router = APIRouter(prefix="/open311/v2", tags=["open311"], route_class=Open311Route)


@router.get("/discovery.{fmt}", summary="Descubrimiento GeoReport v2 (json|xml)")
async def discovery(request: Request, fmt: str):
    url = str(request.url_for("open311_services", fmt="json")).rsplit("/", 1)[0]
    return _document(fmt311.render_discovery(fmt311.discovery_doc(url, CONTACT, KEY_SERVICE), fmt), fmt)


@router.get("/services.{fmt}", name="open311_services", summary="Lista de servicios GeoReport v2 (json|xml)")
async def services(request: Request, fmt: str, jurisdiction_id: str | None = None):
    result = await request.app.state.call("catalog", "list_services")
    return _document(fmt311.render_services(result, fmt), fmt)


@router.get("/services/{service_code:path}.{fmt}", summary="Definición de un servicio GeoReport v2 (json|xml)")
async def service_definition(request: Request, service_code: str, fmt: str, jurisdiction_id: str | None = None):
    result = await request.app.state.call("catalog", "service_definition", service_code)
    return _document(fmt311.render_definition(result, fmt), fmt)


# --------------------------------------------------------------------------- service requests

async def _fields(request: Request) -> dict:
    """The POST's fields: form-encoded per the spec (``application/x-www-form-urlencoded``
    or multipart), or a JSON object."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    try:
        if ctype == "application/json":
            body = json.loads(await request.body() or b"{}")
            if not isinstance(body, dict):
                raise ValueError
            return {k: v for k, v in body.items()}
        form = await request.form()
        return {k: v for k, v in form.items() if isinstance(v, str)}
    except (ValueError, UnicodeDecodeError):
        raise bad(400, "El cuerpo no es un formulario ni un objeto JSON válido.") from None


def _text(fields: dict, name: str) -> str | None:
    value = fields.get(name)
    if value is None:
        return None
    value = str(value).strip()
    return value or None


def _coordinate(fields: dict, name: str) -> float | None:
    value = _text(fields, name)
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        raise bad(400, f"{name} debe ser un número decimal.") from None


def _address(address: str | None) -> tuple[str, str]:
    """``"street, colonia"`` (the last comma splits them)."""
    if not address:
        return UNSPECIFIED, UNSPECIFIED
    street, _, colonia = address.rpartition(",")
    if not street:
        return colonia.strip()[:200] or UNSPECIFIED, UNSPECIFIED
    return street.strip()[:200] or UNSPECIFIED, colonia.strip()[:200] or UNSPECIFIED


async def _channel_key(request: Request, secret: str | None) -> apikeys.ApiKey:
    if not secret:
        raise bad(403, "api_key es obligatorio para crear solicitudes.")
    key = await authenticate_key(request, request.app.state.auth, secret)  # 401 → 403, 429 with Retry-After
    if key.kind != apikeys.CHANNEL or not key.has_scope(apikeys.OPEN311):
        raise bad(403, "Esta api_key no permite crear solicitudes Open311.")
    return key


def _report(fields: dict, key: apikeys.ApiKey) -> dict:
    service_code = _text(fields, "service_code")
    if service_code is None:
        raise bad(400, "service_code es obligatorio.")
    lat, lon = _coordinate(fields, "lat"), _coordinate(fields, "long")
    street, colonia = _address(_text(fields, "address_string"))
    if (lat is None) != (lon is None):
        raise bad(400, "lat y long van juntas: indique ambas o ninguna.")
    if lat is None and UNSPECIFIED in (street, colonia):
        raise bad(400, "Sin lat y long, address_string debe indicar «calle, colonia»: "
                                "este servidor no geocodifica.")
    description = _text(fields, "description") or f"Solicitud Open311 sin descripción ({service_code})."
    media_url = _text(fields, "media_url")
    if media_url is not None:
        if not MEDIA_URL.match(media_url):
            raise bad(400, "media_url debe ser una URL http(s) de hasta 500 caracteres.")
        description = f"{description}\nImagen (media_url): {media_url}"
    try:
        report = ReportIn(petition_type=service_code, channel=key.channel, description=description,
                          location={"lat": lat, "lon": lon, "colonia": colonia, "street": street})
    except ValidationError as exc:
        raise bad(400, _invalid(field_errors(exc.errors(), skip=0))) from None
    return report.model_dump()


#: a report's fields by their Open311 names
OPEN311_NAMES = {"petition_type": "service_code", "location.lat": "lat", "location.lon": "long",
                 "location.street": "address_string", "location.colonia": "address_string"}


def _invalid(errors: list[dict]) -> str:
    """``Datos inválidos: lat: Debe ser menor o igual a 90.; …``, in Open311's field names."""
    return "Datos inválidos: " + "; ".join(f"{OPEN311_NAMES.get(e['campo'], e['campo'])}: {e['mensaje']}"
                                          for e in errors)


@router.post("/requests.{fmt}", status_code=201,
             summary="Crear una solicitud GeoReport v2 (formulario o JSON; api_key de canal con permiso open311)")
async def create_request(request: Request, fmt: str):
    fields = await _fields(request)
    key = await _channel_key(request, _text(fields, "api_key") or request.headers.get("x-api-key"))
    payload = _report(fields, key)
    try:
        out = await file_report(request, payload, actor_of(key), request.headers.get("idempotency-key"))
    except ApiError as error:
        if error.code == "tipo_peticion_no_encontrado":
            raise bad(400, f"service_code «{payload['petition_type']}» no existe o no está activo.")
        raise
    notice = (f"Folio {out['folio']}, atendido por {out['agency']}; fecha límite {out['due_at'][:10]}. "
              f"Clave de seguimiento: {out['tracking_token']}.")
    body = fmt311.render_created([{"service_request_id": str(out["folio"]), "service_notice": notice,
                                   "account_id": None}], fmt)
    return _document(body, fmt, status=201, cache=False)


def _moment(value: str | None, name: str) -> datetime | None:
    if value is None or not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace(" ", "+"))
    except ValueError:
        raise bad(400, f"{name} debe ser una fecha ISO 8601 (p. ej. 2026-11-05T08:15:30-06:00).") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=LOCAL_TZ)


def _list(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def _folios(values: list[str], status: int = 400) -> list[int]:
    try:
        folios = [int(v) for v in values]
    except ValueError:
        folios = []
    if len(folios) != len(values) or any(not 1 <= f <= MAX_BIGINT for f in folios):
        raise bad(status, "service_request_id debe ser un número de folio.")
    if len(folios) > MAX_REQUESTS:
        raise bad(400, f"Como máximo {MAX_REQUESTS} service_request_id.")
    return folios


async def _public(request: Request, rows: list[dict]) -> list[dict]:
    """Routing's rows (``public_requests``: with ``updated_at`` and ``status_notes``) as the
    spec's service requests, with catalog's service and agency names."""
    if not rows:
        return []
    services, agencies = await asyncio.gather(request.app.state.call("catalog", "list_services"),
                                              request.app.state.call("catalog", "list_agencies"))
    names = {s["service_code"]: s["service_name"] for s in services}
    agency_names = {a["code"]: a["name"] for a in agencies}
    return [fmt311.public_request(r, notes=r, service_names=names, agency_names=agency_names) for r in rows]


@router.get("/requests.{fmt}", summary="Consultar solicitudes GeoReport v2 (públicas; como máximo 1000)")
async def list_requests(request: Request, fmt: str, service_request_id: str | None = None,
                        service_code: str | None = None, start_date: str | None = None,
                        end_date: str | None = None, status: str | None = None,
                        jurisdiction_id: str | None = None):
    if service_request_id:  # the spec: the other parameters are then ignored
        filters = {"folios": _folios(_list(service_request_id))}
    else:  # the spec's window: the 90 days before end_date (now), or from start_date on
        end, start = _moment(end_date, "end_date"), _moment(start_date, "start_date")
        if start is None:
            end = end or datetime.now(LOCAL_TZ)
            start = end - timedelta(days=DEFAULT_DAYS)
        filters = {"created_from": start.isoformat(), "created_to": end.isoformat() if end else None,
                   "petition_type": _list(service_code) or None}
        if status:
            wanted = _list(status.lower())
            if not wanted or any(s not in STATUSES for s in wanted):
                raise bad(400, "status es «open» o «closed».")
            filters["status"] = sorted({x for s in wanted for x in STATUSES[s]})
    rows = (await request.app.state.call("routing", "public_requests", PUBLIC, filters, MAX_REQUESTS))["items"]
    items = await _public(request, rows)
    return _document(fmt311.render_requests(items, fmt), fmt, cache=False)


@router.get("/requests/{service_request_id}.{fmt}", summary="Consultar una solicitud GeoReport v2 (pública)")
async def get_request(request: Request, service_request_id: str, fmt: str, jurisdiction_id: str | None = None):
    (folio,) = _folios([service_request_id], status=404)
    call = request.app.state.call
    row, notes = await asyncio.gather(read_report(call, folio, PUBLIC), call("routing", "status_notes", [folio]))
    items = await _public(request, [open311_row(row) | (notes[0] if notes else {})])
    return _document(fmt311.render_requests(items, fmt), fmt, cache=False)


@router.get("/tokens/{token}.{fmt}", summary="Solicitud de un token GeoReport v2 (aquí el token es el folio)")
async def get_token(request: Request, token: str, fmt: str, jurisdiction_id: str | None = None):
    """Requests are created synchronously, so POST answers the folio and no real token
    exists; a folio given as token answers itself."""
    (folio,) = _folios([token], status=404)
    await read_report(request.app.state.call, folio, PUBLIC)  # 404 when there is no such request
    return _document(fmt311.render_tokens([{"service_request_id": str(folio), "token": token}], fmt), fmt, cache=False)
