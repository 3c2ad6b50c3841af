"""The map's pure rules (catalog/geography.py), no I/O: layer checks by feature, point in
polygon, the boundary, and the speed of locating with 2,000 colonias."""
import random
import time

import shapely

from catalog import geography


def _square(x, y, size=0.01, **props):
    return {"type": "Feature", "properties": props,
            "geometry": shapely.geometry.mapping(shapely.box(x, y, x + size, y + size))}


def _layer(*features, **extra):
    return {"type": "FeatureCollection", "features": list(features), **extra}


def test_fields_come_from_seduvi_or_plain_names():
    rows, problems = geography.check_layer("colonias", _layer(
        _square(-99.2, 19.4, cvegeo="0901", nom_asen="CENTRO", tipo="COLONIA", cp="06000"),
        _square(-99.19, 19.4, key="0902", name="JUÁREZ", type="COLONIA", postal_code="06600")))
    assert problems == []
    assert [(r["key"], r["name"], r["type"], r["postal_code"]) for r in rows] == [
        ("0901", "CENTRO", "COLONIA", "06000"), ("0902", "JUÁREZ", "COLONIA", "06600")]


def test_problems_are_reported_by_feature_and_nothing_is_usable():
    rows, problems = geography.check_layer("colonias", _layer(
        _square(-99.2, 19.4, key="1", name="A"),
        _square(483000, 2145000, size=100, key="2", name="UTM"),
        _square(-99.1, 19.4, key="3"),
        {"type": "Feature", "properties": {"key": "4", "name": "P"}, "geometry": {"type": "Point", "coordinates": [0, 0]}},
        _square(-99.0, 19.4, key="1", name="REPETIDA")))
    assert rows == []
    assert [p.feature for p in problems] == [1, 2, 3, 4]
    assert "WGS84" in problems[0].message and "name" in problems[1].message
    assert "Point" in problems[2].message and "se repite" in problems[3].message


def test_touching_colonias_pass_and_overlapping_ones_do_not():
    touching = _layer(_square(-99.2, 19.4, key="1", name="A"), _square(-99.19, 19.4, key="2", name="B"))
    assert geography.check_layer("colonias", touching)[1] == []
    overlapping = _layer(_square(-99.2, 19.4, key="1", name="A"), _square(-99.195, 19.4, key="2", name="B"))
    [problem] = geography.check_layer("colonias", overlapping)[1]
    assert problem.feature == 1 and "traslapa" in problem.message


def test_a_crs_other_than_wgs84_is_refused_and_crs84_accepted():
    feature = _square(-99.2, 19.4, key="1", name="A")
    crs84 = {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}
    assert geography.check_layer("colonias", _layer(feature, crs=crs84))[1] == []
    utm = {"type": "name", "properties": {"name": "EPSG:32614"}}
    [problem] = geography.check_layer("colonias", _layer(feature, crs=utm))[1]
    assert problem.feature is None and "EPSG:32614" in problem.message


def _rows(layer, collection):
    rows, problems = geography.check_layer(layer, collection)
    assert problems == []
    return rows


def test_a_shared_border_gives_the_first_key_and_outside_is_outside():
    cols = _rows("colonias", _layer(_square(-99.2, 19.4, key="B", name="SEGUNDA"),
                                    _square(-99.19, 19.4, key="A", name="PRIMERA")))
    index = geography.GeoIndex((1, 2, None), cols, [], [])
    assert index.locate(19.405, -99.19)["colonia_key"] == "A"  # on the border of both
    assert index.locate(19.405, -99.195)["colonia"] == "SEGUNDA"
    outside = index.locate(40.7, -74.0)
    assert outside["inside"] is False and outside["colonia"] is None
    assert geography.GeoIndex((None, None, None), [], [], []).locate(40.7, -74.0)["inside"] is None


def test_an_explicit_boundary_wins_over_the_union_of_colonias():
    cols = _rows("colonias", _layer(_square(-99.2, 19.4, key="A", name="A")))
    boundary = _rows("boundary", _layer(_square(-99.3, 19.3, size=0.3, name="MUNICIPIO")))
    index = geography.GeoIndex((1, 2, None), cols, [], boundary)
    gap = index.locate(19.35, -99.25)
    assert gap["inside"] is True and gap["colonia"] is None


def test_locating_is_fast_with_2000_colonias():
    """Under 1 ms a point with 2,025 colonias (a 45 × 45 grid)."""
    cells = [{"key": f"{i:05d}", "name": f"C{i}", "type": "COLONIA", "postal_code": None,
              "geometry": shapely.geometry.mapping(shapely.box(-99.2 + (i % 45) * 0.01, 19.3 + (i // 45) * 0.01,
                                                               -99.19 + (i % 45) * 0.01, 19.31 + (i // 45) * 0.01))}
             for i in range(2025)]
    index = geography.GeoIndex((1, 2, None), cells, [], [])
    rnd = random.Random(7)
    points = [(19.3 + rnd.random() * 0.45, -99.2 + rnd.random() * 0.45) for _ in range(2000)]
    start = time.perf_counter()
    found = [index.locate(lat, lon) for lat, lon in points]
    per_point = (time.perf_counter() - start) / len(points)
    assert all(f["colonia"] for f in found) and per_point < 0.001, per_point
