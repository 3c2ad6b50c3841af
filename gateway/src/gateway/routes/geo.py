"""The municipality's map: nearby open reports of the same type (before filing a new
one), the geography layers (catalog's: boundary, colonias, zones) and routing's rules by
zone. The services decide who may do what (catalog's and routing's policies); the
gateway authenticates and passes the actor.

``GET /v1/reports/nearby`` must be matched before any ``/v1/reports/{folio}`` route: this
router is registered first."""
from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query, Request
from pydantic import Field

from ..auth import CurrentUser, StaffOrKey, actor_of, audit_event
from ..errors import remote_to_api
from ..params import Folio
from ..rpc import RemoteCallError, ServiceUnavailable
from ..tracing import rpc_context
from .. import versioning
from ..auth.deps import unavailable
from .reports_lifecycle import IfMatch, Versioned

router = APIRouter(prefix="/v1", tags=["mapa del municipio"])

Layer = Literal["boundary", "colonias", "zones"]
LOAD_TIMEOUT = 120.0

NEARBY_EXAMPLE = {"radius_m": 250, "items": [
    {"folio": 1834, "petition_type": "OP-LAMPARA APAGADA", "status": "captured", "colonia": "CENTRO",
     "zone": "SECTOR 1", "lat": 19.4335, "lon": -99.1332, "distance_m": 100.1,
     "created_at": "2026-12-01T10:15:00-06:00", "due_at": "2026-12-06T10:15:00-06:00"}]}
RULE_EXAMPLE = {"selector_kind": "department", "selector": "OP-ALUMBRADO", "zone": "SECTOR 1",
                "department": "OP-BACHEO"}
LAYER_EXAMPLE = {"type": "FeatureCollection", "features": [{
    "type": "Feature", "properties": {"key": "0901500010007", "name": "CENTRO", "type": "COLONIA",
                                      "postal_code": "06000"},
    "geometry": {"type": "Polygon", "coordinates": [[[-99.14, 19.43], [-99.13, 19.43], [-99.13, 19.44],
                                                     [-99.14, 19.44], [-99.14, 19.43]]]}}]}


def _ok(example: Any) -> dict:
    return {200: {"content": {"application/json": {"example": example}}}}


@router.get("/reports/nearby", summary="Reportes abiertos del mismo tipo cerca de un punto",
            responses=_ok(NEARBY_EXAMPLE))
async def nearby_reports(request: Request, who: StaffOrKey,
                         petition_type: Annotated[str, Query(min_length=1, max_length=120, examples=["OP-LAMPARA APAGADA"])],
                         lat: Annotated[float, Query(ge=-90, le=90, examples=[19.4326])],
                         lon: Annotated[float, Query(ge=-180, le=180, examples=[-99.1332])]) -> dict[str, Any]:
    """Open reports of ``petition_type`` within its radius (250 m unless set), closest
    first, without personal data: show them before filing a duplicate."""
    return await request.app.state.call("routing", "nearby_reports", petition_type, lat, lon, actor_of(who))


@router.put("/reports/nearby/radius/{petition_type:path}", summary="Radio de reportes cercanos de un tipo (administradores)",
            responses=_ok({"petition_type": "OP-LAMPARA APAGADA", "radius_m": 150}))
async def set_nearby_radius(petition_type: str, request: Request, user: CurrentUser,
                            meters: Annotated[int, Body(embed=True, ge=10, le=5000, examples=[150])]) -> dict[str, Any]:
    out = await request.app.state.call("routing", "set_nearby_radius", actor_of(user), petition_type, meters)
    await audit_event(request, "routing.nearby_radius_set", target=f"petition_type:{petition_type}", detail=out)
    return out


class DuplicateIn(Versioned):
    model_config = {"extra": "forbid", "json_schema_extra": {"examples": [{"version": 1, "original": 1834}]}}
    original: int = Field(ge=1, le=2**63 - 1, description="folio del reporte original")


@router.post("/reports/{folio}/duplicate", summary="Marcar un reporte como duplicado de otro (ambos quedan ligados)",
             responses=_ok({"folio": 1840, "duplicate_of": 1834, "duplicates": [], "version": 2}))
async def mark_duplicate(folio: Folio, body: DuplicateIn, request: Request,
                         user: CurrentUser, if_match: IfMatch = None) -> dict[str, Any]:
    """Routing decides (who may reassign the report may mark it); the history of both
    reports keeps it; 409 ``reporte_cerrado``, ``ya_es_duplicado``, ``version_desactualizada``."""
    out = await request.app.state.call("routing", "mark_duplicate", actor_of(user), folio,
                                       versioning.version_of(body.version, if_match, "del reporte"), body.original)
    await audit_event(request, "report.marked_duplicate", target=f"report:{folio}",
                      detail={"original": out.get("duplicate_of")})
    return out


# --------------------------------------------------------------------------- geography (catalog)

@router.get("/geography/{layer}", summary="Capa geográfica vigente (GeoJSON)", responses=_ok(LAYER_EXAMPLE))
async def export_layer(layer: Layer, request: Request, user: CurrentUser) -> dict[str, Any]:
    return await request.app.state.call("catalog", "export_geography", layer)


@router.get("/geography/{layer}/versions", summary="Versiones cargadas de una capa (autor y fecha)",
            responses=_ok([{"layer": "colonias", "version": 1, "author": "admin", "at": "2026-12-01T10:00:00+00:00",
                            "features": 33, "source": "SEDUVI"}]))
async def layer_versions(layer: Layer, request: Request, user: CurrentUser) -> list[dict[str, Any]]:
    return await request.app.state.call("catalog", "geography_versions", layer)


@router.put("/geography/{layer}", summary="Cargar una nueva versión de una capa desde GeoJSON (administradores)",
            responses=_ok({"layer": "colonias", "version": 2, "author": "admin", "at": "2026-12-01T10:00:00+00:00",
                           "features": 33, "source": "SEDUVI 11/2022"}))
async def load_layer(layer: Layer, request: Request, user: CurrentUser,
                     geojson: Annotated[dict[str, Any], Body(examples=[LAYER_EXAMPLE])],
                     source: Annotated[str | None, Query(max_length=200)] = None):
    """All or nothing: a problem in any feature (invalid geometry, projected coordinates or
    a CRS other than WGS84, overlapping colonias) answers 422 ``geografia_invalida`` with
    ``errors: [{feature, message}]`` and nothing is stored."""
    try:
        out = await request.app.state.rpc.call("catalog", "load_geography", actor_of(user), layer, geojson, source,
                                               context=rpc_context(), timeout=LOAD_TIMEOUT)
    except RemoteCallError as exc:  # the error table keeps catalog's per-feature ``errors``
        raise remote_to_api(exc) from None
    except ServiceUnavailable as exc:
        raise unavailable(f"No fue posible atender la solicitud: {exc}.") from None
    await audit_event(request, "catalog.geography_loaded", target=f"geography:{layer}", detail=out)
    return out


# --------------------------------------------------------------------------- routing rules by zone

@router.get("/zone-rules", summary="Reglas de asignación por zona", responses=_ok([RULE_EXAMPLE | {
    "agency": "OP", "updated_by": "admin", "updated_at": "2026-12-01T10:00:00+00:00"}]))
async def list_zone_rules(request: Request, user: CurrentUser) -> list[dict[str, Any]]:
    return await request.app.state.call("routing", "list_zone_rules", actor_of(user))


@router.get("/zone-rules/history", summary="Bitácora de cambios de las reglas por zona")
async def zone_rule_history(request: Request, user: CurrentUser) -> list[dict[str, Any]]:
    return await request.app.state.call("routing", "zone_rule_history", actor_of(user))


@router.put("/zone-rules", summary="Crear o cambiar una regla «tipo de petición o departamento + zona → departamento»",
            responses=_ok(RULE_EXAMPLE | {"agency": "OP", "updated_by": "admin",
                                          "updated_at": "2026-12-01T10:00:00+00:00"}))
async def set_zone_rule(request: Request, user: CurrentUser,
                        rule: Annotated[dict[str, Any], Body(examples=[RULE_EXAMPLE])]) -> dict[str, Any]:
    out = await request.app.state.call("routing", "set_zone_rule", actor_of(user), rule)
    await audit_event(request, "routing.zone_rule_set", target=f"zone:{out['zone']}", detail=out)
    return out


@router.delete("/zone-rules", summary="Quitar una regla por zona (vuelve la asignación por omisión)",
               responses=_ok({"deleted": True}))
async def delete_zone_rule(request: Request, user: CurrentUser,
                           selector_kind: Literal["petition_type", "department"],
                           selector: Annotated[str, Query(min_length=1, max_length=200)],
                           zone: Annotated[str, Query(min_length=1, max_length=200)]) -> dict[str, Any]:
    out = await request.app.state.call("routing", "delete_zone_rule", actor_of(user), selector_kind, selector, zone)
    await audit_event(request, "routing.zone_rule_deleted", target=f"zone:{zone}",
                      detail={"selector_kind": selector_kind, "selector": selector})
    return out
