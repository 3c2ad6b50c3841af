"""Use cases of the municipality's map (reference data of catalog): load a layer from
GeoJSON (admins; all or nothing, problems reported by feature), export it, list its
versions, and locate points for ``quote_reports``. Plain functions over ``store.Store``,
each inside ``with uow:``; the rules are ``geography.py``, the permission ``domain.authorize``.

The index of the loaded layers lives in memory, one per process, keyed by the layers'
version ids: each quote batch reads those ids (one small query) and rebuilds the index
only when an admin has loaded a new version, so every catalog replica follows a load
at its next quote."""
from __future__ import annotations

import json
import threading
from datetime import datetime, timezone

from . import geography
from .domain import authorize
from .exceptions import InvalidInput

MAX_GEOJSON_CHARS = 50 * 1024 * 1024
_index: geography.GeoIndex | None = None
_index_lock = threading.Lock()


def _version(row: dict | None) -> dict | None:
    if row is None:
        return None
    return {"layer": row["layer"], "version": row["version"], "author": row["author"],
            "at": row["at"].isoformat(), "features": row["features"], "source": row["source"]}


def _layer(layer) -> str:
    if layer not in geography.LAYERS:
        raise InvalidInput(f"Capa desconocida «{layer}» (use: {', '.join(geography.LAYERS)}).", "capa_invalida")
    return layer


def _whole_file(message: str) -> InvalidInput:
    return InvalidInput(message, "geografia_invalida", errors=[{"feature": None, "message": message}])


def load_geography(uow, actor, layer: str, geojson, source: str | None = None) -> dict:
    """A new version of ``layer`` from a GeoJSON FeatureCollection (a dict or its text).
    Any problem → ``InvalidInput`` ``geografia_invalida`` whose ``errors`` list
    ``{feature, message}`` (feature: index in the file, None for the whole file), and
    nothing is stored."""
    who = authorize(actor, "load_geography")
    _layer(layer)
    if isinstance(geojson, str):
        if len(geojson) > MAX_GEOJSON_CHARS:
            raise _whole_file("El archivo GeoJSON es demasiado grande.")
        try:
            geojson = json.loads(geojson)
        except ValueError as exc:
            raise _whole_file(f"El archivo no es JSON válido: {exc}.") from None
    rows, problems = geography.check_layer(layer, geojson)
    if problems:
        shown = "; ".join(f"elemento {p.feature}: {p.message}" if p.feature is not None else p.message
                          for p in problems[:20])
        raise InvalidInput(f"La capa «{layer}» no se cargó: {shown}", "geografia_invalida",
                           errors=[p.as_dict() for p in problems])
    with uow:
        version = uow.add_geo_version(layer, who.username, datetime.now(timezone.utc),
                                      (source or "")[:200] or None, rows)
    return _version(version)


def geography_versions(uow, layer: str | None = None) -> list[dict]:
    if layer is not None:
        _layer(layer)
    with uow:
        return [_version(v) for v in uow.geo_versions(layer)]


def export_geography(uow, layer: str) -> dict:
    """The current version of ``layer`` as a GeoJSON FeatureCollection (empty when none
    is loaded), with ``version`` {layer, version, author, at, features, source}."""
    _layer(layer)
    with uow:
        current = uow.current_geo_versions().get(layer)
        rows = uow.geo_features(current["id"]) if current else []
    return geography.to_collection(layer, rows, _version(current))


def _ids(versions: dict) -> tuple:
    return tuple(versions[layer]["id"] if layer in versions else None for layer in geography.LAYERS)


def current_index(uow, versions: dict) -> geography.GeoIndex:
    """The index of the layers named by ``versions`` (``uow.current_geo_versions()``),
    rebuilt only when they changed."""
    global _index
    ids = _ids(versions)
    if _index is not None and _index.versions == ids:
        return _index
    with _index_lock:
        if _index is None or _index.versions != ids:
            with uow:
                layers = {layer: uow.geo_features(vid) if vid else [] for layer, vid in zip(geography.LAYERS, ids)}
            _index = geography.GeoIndex(ids, layers["colonias"], layers["zones"], layers["boundary"])
        return _index


def locate_requests(uow, versions: dict, requests: list[dict]) -> list[dict | None]:
    """For each quote request with numeric ``lat`` and ``lon``, where it falls (see
    ``GeoIndex.locate``); without coordinates, the colonia its ``colonia`` names
    (``GeoIndex.find``); None when no geography is loaded (then nothing is checked) or a
    request has neither."""
    if not versions:
        return [None] * len(requests)
    index = current_index(uow, versions)
    out = []
    for r in requests:
        lat, lon = r.get("lat"), r.get("lon")
        ok = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (lat, lon))
        if ok:
            out.append(index.locate(float(lat), float(lon)))
        else:
            out.append(index.find(r["colonia"]) if r.get("colonia") else None)
    return out
