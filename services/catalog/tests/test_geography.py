"""The municipality's map on real PostgreSQL with the official layer (SEDUVI's colonias of
Cuauhtémoc, shipped in catalog/geodata): loading, rejection by feature, export, and
colonia/postal code/zone in the quote."""
import copy

import pytest
import shapely
from shapely.geometry import shape

from catalog import geo, handlers
from catalog.exceptions import Forbidden, InvalidInput
from catalog.geo_seed import SOURCE, load_official, official_colonias

ADMIN = {"kind": "staff", "username": "admin", "role": "admin"}
OPERATOR = {"kind": "staff", "username": "operator", "role": "operator"}
AT = "2026-03-02T10:00:00-06:00"
#: points inside colonias of the official layer (each checked against its polygon below)
INSIDE = {"CENTRO": (19.4326, -99.1332), "ROMA NORTE": (19.4180, -99.1620),
          "CONDESA": (19.4118, -99.1738), "JUÁREZ": (19.4270, -99.1590)}
NEW_YORK = (40.7128, -74.0060)


def _quote(uow, lat, lon):
    [answer] = handlers.quote_reports(uow, [{"petition_type": "OP-LAMPARA APAGADA", "channel": "072",
                                             "created_at": AT, "lat": lat, "lon": lon}])
    return answer["quote"]


@pytest.fixture
def loaded(engine, uow):
    return load_official(engine)


def test_the_official_layer_loads_as_version_1_with_author_and_source(loaded, uow):
    assert loaded["layer"] == "colonias" and loaded["version"] == 1 and loaded["features"] == 33
    assert loaded["author"] == "system:catalog-geo-seed" and loaded["source"] == SOURCE
    again = geo.load_geography(uow(), ADMIN, "colonias", official_colonias())
    assert again["version"] == 2 and again["author"] == "admin"
    assert [v["version"] for v in geo.geography_versions(uow(), "colonias")] == [2, 1]


def test_a_point_inside_each_colonia_gets_that_colonia_and_its_postal_code(loaded, uow):
    by_name = {f["properties"]["nom_asen"]: f for f in official_colonias()["features"]}
    for name, (lat, lon) in INSIDE.items():
        assert shape(by_name[name]["geometry"]).contains(shapely.Point(lon, lat)), name
        place = _quote(uow(), lat, lon)["geo"]
        assert place["inside"] is True
        assert (place["colonia"], place["postal_code"], place["colonia_key"]) == (
            name, by_name[name]["properties"]["cp"], by_name[name]["properties"]["cvegeo"])


def test_every_colonias_own_interior_point_is_located_in_it(loaded, uow):
    requests = []
    features = official_colonias()["features"]
    for f in features:
        p = shape(f["geometry"]).representative_point()
        requests.append({"petition_type": "OP-LAMPARA APAGADA", "channel": "072", "created_at": AT,
                         "lat": p.y, "lon": p.x})
    answers = handlers.quote_reports(uow(), requests)
    assert [a["quote"]["geo"]["colonia_key"] for a in answers] == [f["properties"]["cvegeo"] for f in features]


def test_a_point_outside_the_boundary_is_flagged_outside(loaded, uow):
    place = _quote(uow(), *NEW_YORK)["geo"]
    assert place["inside"] is False and place["colonia"] is None


def test_a_point_on_a_shared_border_gets_exactly_one_colonia(loaded, uow):
    features = official_colonias()["features"]
    shapes = [shape(f["geometry"]) for f in features]
    vertices = [set(map(tuple, shapely.get_coordinates(s).tolist())) for s in shapes]
    a, b, vertex = next((i, j, min(vertices[i] & vertices[j])) for i in range(len(shapes))
                        for j in range(i + 1, len(shapes)) if vertices[i] & vertices[j])
    point = shapely.Point(vertex)  # a vertex both colonias share: on the border of both
    assert shapes[a].covers(point) and shapes[b].covers(point)
    place = _quote(uow(), point.y, point.x)["geo"]
    keys = {features[a]["properties"]["cvegeo"], features[b]["properties"]["cvegeo"]}
    assert place["inside"] is True and place["colonia_key"] == min(keys)


def test_zones_are_loaded_and_travel_in_the_quote(loaded, uow):
    features = official_colonias()["features"]
    north = shapely.union_all([shape(f["geometry"]) for f in features
                               if f["properties"]["nom_asen"] in ("CENTRO", "GUERRERO", "MORELOS")])
    zones = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "SECTOR CENTRO", "kind": "sector"},
         "geometry": shapely.geometry.mapping(north)}]}
    geo.load_geography(uow(), ADMIN, "zones", zones)
    assert _quote(uow(), *INSIDE["CENTRO"])["geo"]["zone"] == "SECTOR CENTRO"
    assert _quote(uow(), *INSIDE["CONDESA"])["geo"]["zone"] is None
    exported = geo.export_geography(uow(), "zones")
    assert exported["features"][0]["properties"] == {"name": "SECTOR CENTRO", "kind": "sector"}


def test_without_geography_quotes_check_nothing(uow):
    assert "geo" not in _quote(uow(), *NEW_YORK)
    [answer] = handlers.quote_reports(uow(), [{"petition_type": "OP-LAMPARA APAGADA", "channel": "072",
                                               "created_at": AT, "lat": None, "lon": None, "colonia": "C"}])
    assert "geo" not in answer["quote"]  # no layer: the typed colonia stands


def test_without_coordinates_the_colonia_is_found_by_name(loaded, uow):
    """A report phoned in with colonia and street: the colonia must name exactly one loaded
    colonia (accents, case and spaces aside); it gives key and postal code, no zone."""
    def by_name(colonia):
        [answer] = handlers.quote_reports(uow(), [{"petition_type": "OP-LAMPARA APAGADA", "channel": "072",
                                                   "created_at": AT, "lat": None, "lon": None,
                                                   "colonia": colonia}])
        return answer["quote"]["geo"]
    found = by_name("  juarez ")
    assert (found["colonia"], found["postal_code"], found["zone"], found["inside"], found["located_by"]) == (
        "JUÁREZ", _quote(uow(), *INSIDE["JUÁREZ"])["geo"]["postal_code"], None, None, "colonia")
    assert found["colonia_key"] == _quote(uow(), *INSIDE["JUÁREZ"])["geo"]["colonia_key"]
    assert by_name("Santa María la Ribera")["colonia"] == "SANTA MARÍA LA RIBERA"
    for unknown in ("C", "POLANCO", "ROMA"):
        assert by_name(unknown) == {"inside": None, "colonia": None, "unknown_colonia": unknown}


def test_export_gives_back_the_layer(loaded, uow):
    out = geo.export_geography(uow(), "colonias")
    assert out["version"]["version"] == 1 and len(out["features"]) == 33
    centro = next(f for f in out["features"] if f["properties"]["name"] == "CENTRO")
    assert centro["properties"]["postal_code"] == "06000" and centro["properties"]["type"] == "COLONIA"
    reloaded = geo.load_geography(uow(), ADMIN, "colonias", out)  # an export loads back
    assert reloaded["features"] == 33


def _rejected(uow, collection, layer="colonias"):
    with pytest.raises(InvalidInput) as exc:
        geo.load_geography(uow(), ADMIN, layer, collection)
    assert exc.value.code == "geografia_invalida"
    assert geo.geography_versions(uow()) == []  # nothing stored
    return exc.value.errors


def test_invalid_geometry_is_reported_by_feature(uow):
    bad = official_colonias()
    bad["features"][5]["geometry"] = {"type": "Polygon", "coordinates": [
        [[-99.15, 19.42], [-99.14, 19.43], [-99.15, 19.43], [-99.14, 19.42], [-99.15, 19.42]]]}  # a bow tie
    [problem] = _rejected(uow, bad)
    assert problem["feature"] == 5 and "inválida" in problem["message"]


def test_projected_coordinates_and_a_foreign_crs_are_refused(uow):
    utm = official_colonias()
    del utm["crs"]
    utm["features"][2]["geometry"] = {"type": "Polygon", "coordinates": [
        [[483000, 2145000], [484000, 2145000], [484000, 2146000], [483000, 2145000]]]}
    [problem] = _rejected(uow, utm)
    assert problem["feature"] == 2 and "WGS84" in problem["message"]
    named = official_colonias()
    named["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::32614"}}
    [problem] = _rejected(uow, named)
    assert problem["feature"] is None and "32614" in problem["message"]


def test_overlapping_colonias_are_refused(uow):
    overlapping = official_colonias()
    extra = copy.deepcopy(overlapping["features"][0])
    extra["properties"] |= {"cvegeo": "0901599999999", "nom_asen": "COPIA"}
    overlapping["features"].append(extra)
    problems = _rejected(uow, overlapping)
    assert [p["feature"] for p in problems] == [33] and "traslapa" in problems[0]["message"]


def test_only_admins_load_geography(uow):
    with pytest.raises(Forbidden):
        geo.load_geography(uow(), OPERATOR, "colonias", official_colonias())


@pytest.mark.parametrize("collection", [
    None, [], "x", {"type": "FeatureCollection"}, {"type": "FeatureCollection", "features": []},
    {"type": "FeatureCollection", "features": [1, {"type": "Feature", "geometry": {"type": "Polygon",
                                                                                  "coordinates": "x"}}]},
    {"type": "FeatureCollection", "crs": {"properties": ["x"]}, "features": [{"type": "Feature", "properties": [1],
                                                                             "geometry": {"type": "Point"}}]},
])
def test_malformed_files_are_refused_not_crashed(uow, collection):
    with pytest.raises(InvalidInput) as exc:
        geo.load_geography(uow(), ADMIN, "colonias", collection)
    assert exc.value.code == "geografia_invalida" and exc.value.errors


def test_the_demo_seed_loads_the_layer_once(engine, uow, monkeypatch, capsys):
    """What ``make up`` runs (``python -m catalog.geo_seed --if-missing``): the official
    layer the first time; afterwards the layer in force is left alone."""
    from catalog import geo_seed
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    geo_seed.main(["--if-missing"])
    geo_seed.main(["--if-missing"])
    assert [v["version"] for v in geo.geography_versions(uow(), "colonias")] == [1]
    assert "already in force" in capsys.readouterr().out
    assert _quote(uow(), *INSIDE["CENTRO"])["geo"]["colonia"] == "CENTRO"
