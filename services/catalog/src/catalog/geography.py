"""The municipality's map in plain Python (no I/O): checking a GeoJSON layer, and locating
a point in the loaded layers.

Three layers, each loaded whole from a GeoJSON FeatureCollection in WGS84 lon/lat:

- ``boundary``: the municipal boundary (one or more features, their union is the
  municipality). When none is loaded but colonias are, the boundary is their union;
- ``colonias``: the unit of geographic analysis — ``key`` (official key, e.g. INEGI's
  ``cvegeo``), ``name``, ``type`` (COLONIA, BARRIO, FRACCIONAMIENTO…), ``postal_code``;
  they may not overlap;
- ``zones``: delegaciones, sectors, crews' areas — ``name``, ``kind``; zones of different
  kinds may overlap, so a point gets the first zone (by name) that covers it.

A report without coordinates (phoned in with colonia and street) is placed by the
colonia's name instead (``GeoIndex.find``): accents, case and spacing aside, it must name
exactly one loaded colonia, which gives its key and postal code; no zone (a zone needs a
point), and no boundary check.

Point in polygon runs on shapely's STRtree (a packed R-tree over the polygons' boxes),
then an exact ``covers`` test on the few candidates: a point on a border shared by two
colonias is covered by both, and gets the one whose key sorts first (exactly one).
"""
from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass

import shapely
from shapely.geometry import shape
from shapely.validation import explain_validity

LAYERS = ("boundary", "colonias", "zones")
#: property names accepted for each field, first match wins (SEDUVI/INEGI's names included)
FIELD_NAMES = {
    "key": ("key", "clave", "cvegeo", "cve_col", "id"),
    "name": ("name", "nombre", "nom_asen", "colonia", "nom_col"),
    "type": ("type", "tipo", "tipo_asen"),
    "postal_code": ("postal_code", "cp", "codigo_postal", "d_cp"),
    "kind": ("kind", "tipo_zona", "tipo"),
}
LAYER_FIELDS = {"boundary": ("name",), "colonias": ("key", "name", "type", "postal_code"), "zones": ("name", "kind")}
REQUIRED = {"boundary": (), "colonias": ("key", "name"), "zones": ("name",)}
WGS84_NAMES = ("CRS84", "EPSG:4326", "EPSG::4326", "WGS84", "WGS 84")
#: overlaps smaller than this (square degrees, ~1 m² at these latitudes) are digitising
#: noise, not two colonias claiming the same block
OVERLAP_TOLERANCE = 1e-10
MAX_FEATURES = 20_000


@dataclass(frozen=True)
class Problem:
    feature: int | None  # index in the collection (0-based), None for the whole file
    message: str

    def as_dict(self) -> dict:
        return {"feature": self.feature, "message": self.message}


def _crs_problem(collection: dict) -> Problem | None:
    crs = collection.get("crs")
    if crs is None:
        return None
    props = crs.get("properties") if isinstance(crs, dict) else None
    name = str(props.get("name", "")) if isinstance(props, dict) else str(crs)
    if any(name.upper().replace("URN:OGC:DEF:CRS:", "").endswith(w.upper()) for w in WGS84_NAMES):
        return None
    return Problem(None, f"El sistema de coordenadas «{name or crs}» no es WGS84 (longitud/latitud); "
                         "reproyecte la capa a EPSG:4326 antes de cargarla.")


def _field(props: dict, field: str):
    for name in FIELD_NAMES[field]:
        value = props.get(name)
        if value is not None and str(value).strip():
            return str(value).strip()
    return None


def check_layer(layer: str, collection) -> tuple[list[dict], list[Problem]]:
    """The features of a layer as ``{fields…, "geometry": GeoJSON}`` and every problem
    found, by feature: not a FeatureCollection, a CRS other than WGS84, coordinates out of
    lon/lat range (projected), invalid or empty geometry, not a polygon, a missing field,
    a repeated key, two colonias that overlap. Nothing is usable unless ``problems`` is empty."""
    if layer not in LAYERS:
        return [], [Problem(None, f"Capa desconocida «{layer}» (use: {', '.join(LAYERS)}).")]
    if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection" \
            or not isinstance(collection.get("features"), list):
        return [], [Problem(None, "Se esperaba un GeoJSON FeatureCollection.")]
    features = collection["features"]
    if not features:
        return [], [Problem(None, "La capa no tiene elementos.")]
    if len(features) > MAX_FEATURES:
        return [], [Problem(None, f"La capa tiene más de {MAX_FEATURES} elementos.")]
    crs = _crs_problem(collection)
    if crs:
        return [], [crs]
    out, problems, shapes, keys = [], [], [], {}
    for i, feat in enumerate(features):
        geom, err = _geometry(feat)
        if err:
            problems.append(Problem(i, err))
            continue
        props = feat.get("properties") if isinstance(feat.get("properties"), dict) else {}
        row = {f: _field(props, f) for f in LAYER_FIELDS[layer]}
        missing = [f for f in REQUIRED[layer] if not row[f]]
        if missing:
            problems.append(Problem(i, f"Falta {', '.join(missing)} en las propiedades."))
            continue
        if layer == "colonias":
            if row["key"] in keys:
                problems.append(Problem(i, f"La clave «{row['key']}» se repite (elemento {keys[row['key']]})."))
                continue
            keys[row["key"]] = i
        out.append(row | {"geometry": shapely.geometry.mapping(geom)})
        shapes.append((i, geom))
    if layer == "colonias" and not problems:
        problems += _overlaps(shapes, out)
    return (out if not problems else []), problems


def _geometry(feat) -> tuple[object, str | None]:
    if not isinstance(feat, dict) or feat.get("type") != "Feature" or not isinstance(feat.get("geometry"), dict):
        return None, "No es un Feature con geometría."
    gtype = feat["geometry"].get("type")
    if gtype not in ("Polygon", "MultiPolygon"):
        return None, f"La geometría es «{gtype}»; se esperaba Polygon o MultiPolygon."
    try:
        geom = shape(feat["geometry"])
    except Exception as exc:  # shapely/GEOS reject malformed rings with several types
        return None, f"Geometría mal formada: {exc}."
    if geom.is_empty:
        return None, "La geometría está vacía."
    minx, miny, maxx, maxy = geom.bounds
    if not all(math.isfinite(v) for v in (minx, miny, maxx, maxy)) \
            or minx < -180 or maxx > 180 or miny < -90 or maxy > 90:
        return None, ("Coordenadas fuera de longitud/latitud (¿proyectadas, p. ej. UTM?); "
                      "la capa debe estar en WGS84.")
    if not geom.is_valid:
        return None, f"Geometría inválida: {explain_validity(geom)}."
    return geom, None


def _overlaps(shapes: list[tuple[int, object]], rows: list[dict]) -> list[Problem]:
    geoms = [g for _, g in shapes]
    tree = shapely.STRtree(geoms)
    problems = []
    for a, b in zip(*tree.query(geoms, predicate="intersects")):
        if a < b and geoms[a].intersection(geoms[b]).area > OVERLAP_TOLERANCE:
            problems.append(Problem(shapes[b][0], f"La colonia «{rows[b]['name']}» se traslapa con "
                                                  f"«{rows[a]['name']}» (elemento {shapes[a][0]})."))
    return problems


def to_collection(layer: str, rows: list[dict], version: dict | None) -> dict:
    """The GeoJSON export of a stored layer (properties in the names of ``LAYER_FIELDS``)."""
    out = {"type": "FeatureCollection", "name": layer,
           "features": [{"type": "Feature", "properties": {f: r.get(f) for f in LAYER_FIELDS[layer]},
                         "geometry": r["geometry"]} for r in rows]}
    if version:
        out["version"] = version
    return out


class GeoIndex:
    """The loaded layers, ready to locate points. ``versions`` identifies what it was
    built from (one id per layer), so a process rebuilds it only when a layer changes."""

    def __init__(self, versions: tuple, colonias: list[dict], zones: list[dict], boundary: list[dict]):
        self.versions = versions
        self.colonias = sorted(colonias, key=lambda c: c["key"])
        self.zones = sorted(zones, key=lambda z: (z["name"], z.get("kind") or ""))
        self._col = [shape(c["geometry"]) for c in self.colonias]
        self._zon = [shape(z["geometry"]) for z in self.zones]
        for g in self._col + self._zon:
            shapely.prepare(g)
        self._col_tree = shapely.STRtree(self._col) if self._col else None
        self._zon_tree = shapely.STRtree(self._zon) if self._zon else None
        bounds = [shape(b["geometry"]) for b in boundary] or self._col
        self.boundary = shapely.union_all(bounds) if bounds else None
        if self.boundary is not None:
            shapely.prepare(self.boundary)
        self._by_name: dict[str, list[int]] = {}
        for i, c in enumerate(self.colonias):
            self._by_name.setdefault(name_key(c.get("name")), []).append(i)

    @property
    def empty(self) -> bool:
        return self.boundary is None and not self.zones

    def _first(self, tree, geoms, point):
        if tree is None:
            return None
        hits = [int(i) for i in tree.query(point) if geoms[int(i)].covers(point)]
        return min(hits) if hits else None

    def find(self, name) -> dict | None:
        """Where a report without coordinates falls, by its colonia's ``name``: that
        colonia's fields with ``located_by`` ``colonia`` (``inside``, ``zone`` None), or
        ``{"unknown_colonia": name}`` when it names no loaded colonia or several; None when
        no colonias are loaded (nothing to check against)."""
        if not self.colonias:
            return None
        hits = self._by_name.get(name_key(name), []) if isinstance(name, str) else []
        if len(hits) != 1:
            return {"inside": None, "colonia": None, "unknown_colonia": name}
        col = self.colonias[hits[0]]
        return {"inside": None, "colonia": col.get("name"), "colonia_key": col.get("key"),
                "colonia_type": col.get("type"), "postal_code": col.get("postal_code"),
                "zone": None, "zone_kind": None, "located_by": "colonia"}

    def locate(self, lat: float, lon: float) -> dict:
        """``{inside, colonia, colonia_key, colonia_type, postal_code, zone, zone_kind}`` of
        a point; ``inside`` is None when no boundary is known (no check)."""
        point = shapely.Point(lon, lat)
        inside = None if self.boundary is None else bool(self.boundary.covers(point))
        c = self._first(self._col_tree, self._col, point)
        z = self._first(self._zon_tree, self._zon, point)
        col = self.colonias[c] if c is not None else {}
        zone = self.zones[z] if z is not None else {}
        return {"inside": inside, "colonia": col.get("name"), "colonia_key": col.get("key"),
                "colonia_type": col.get("type"), "postal_code": col.get("postal_code"),
                "zone": zone.get("name"), "zone_kind": zone.get("kind")}


def name_key(name) -> str:
    """A colonia's name as compared: without accents, upper case, single spaces."""
    if not isinstance(name, str):
        return ""
    plain = "".join(ch for ch in unicodedata.normalize("NFD", name) if unicodedata.category(ch) != "Mn")
    return " ".join(plain.upper().split())
