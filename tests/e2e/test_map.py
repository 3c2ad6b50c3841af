"""The municipality's map end to end, with the official layer (SEDUVI's colonias of
Cuauhtémoc, shipped in catalog/geodata): an admin loads it over HTTP; a report gets its
colonia and postal code from its coordinates and keeps what the caller typed; a point
outside the boundary is refused; a zone rule routes; nearby open reports of the same type
are listed closest first; a report is marked as a duplicate of another; a report without
coordinates gets the catalogue's colonia it names; duplicates count apart in stats."""
import json
import math
import time
from pathlib import Path

import pytest
import requests
import shapely
from shapely.geometry import shape

pytestmark = pytest.mark.e2e

OFFICIAL = Path(__file__).resolve().parents[2] / "services" / "catalog" / "src" / "catalog" / "geodata" \
    / "cuauhtemoc_colonias.geojson"
ROMA_NORTE = (19.4180, -99.1620)
ZOCALO = (19.4326, -99.1332)  # colonia CENTRO


def _north(lat: float, meters: float) -> float:
    return lat + math.degrees(meters / 6_371_008.8)


def _report(lat, lon, colonia="Roma", petition_type="OP-LAMPARA APAGADA"):
    return {"petition_type": petition_type, "channel": "072", "description": "Lámpara apagada",
            "location": {"lat": lat, "lon": lon, "colonia": colonia, "street": "Madero 10"}, "citizen_number": None}


@pytest.fixture(scope="module")
def layer(platform, tokens):
    official = json.loads(OFFICIAL.read_text(encoding="utf-8"))
    r = requests.put(f"{platform.gateway_url}/v1/geography/colonias", params={"source": "SEDUVI 11/2022"},
                     json=official, headers=tokens["admin"], timeout=60)
    assert r.status_code == 200, r.text
    assert r.json()["version"] == 1 and r.json()["features"] == 33
    return official


def _file(base, headers, body):
    return requests.post(f"{base}/v1/reports", json=body, headers=headers, timeout=20)


def _event(subscriber, folio, timeout=20.0) -> dict:
    """The data of ``subscriber``'s event about ``folio``, once it arrives."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [m["data"] for m in list(subscriber.messages) if m["data"]["folio"] == folio]
        if found:
            return found[0]
        time.sleep(0.1)
    raise AssertionError(f"no event for folio {folio}")


def test_the_map_at_filing_routing_and_nearby(platform, tokens, layer, subscribe):
    base, op, admin = platform.gateway_url, tokens["operator"], tokens["admin"]
    created = subscribe(platform.amqp_uri, "intake.events", "report_created")
    assigned = subscribe(platform.amqp_uri, "routing.events", "report_assigned")
    bad = json.loads(OFFICIAL.read_text(encoding="utf-8")) | {
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::32614"}}}
    r = requests.put(f"{base}/v1/geography/colonias", json=bad, headers=admin, timeout=60)
    assert r.status_code == 422 and r.json()["code"] == "geografia_invalida" and r.json()["errors"], r.text
    assert requests.put(f"{base}/v1/geography/colonias", json=layer, headers=op, timeout=30).status_code == 403

    r = _file(base, op, _report(*ROMA_NORTE))
    assert r.status_code == 201, r.text
    loc = _event(created, r.json()["folio"])["location"]
    assert (loc["colonia"], loc["colonia_typed"], loc["postal_code"]) == ("ROMA NORTE", "ROMA", "06700")

    r = _file(base, op, _report(40.7128, -74.0060, "Centro"))
    assert r.status_code == 422 and r.json()["code"] == "fuera_del_municipio", r.text

    # a zone over CENTRO and a rule sending its lamps to OP-BACHEO
    centro = next(f for f in layer["features"] if f["properties"]["nom_asen"] == "CENTRO")
    zones = {"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": centro["geometry"],
                                                        "properties": {"name": "SECTOR CENTRO", "kind": "sector"}}]}
    assert requests.put(f"{base}/v1/geography/zones", json=zones, headers=admin, timeout=60).status_code == 200
    rule = {"selector_kind": "petition_type", "selector": "OP-LAMPARA APAGADA", "zone": "SECTOR CENTRO",
            "department": "OP-BACHEO"}
    r = requests.put(f"{base}/v1/zone-rules", json=rule, headers=admin, timeout=20)
    assert r.status_code == 200, r.text
    assert shape(centro["geometry"]).contains(shapely.Point(ZOCALO[1], ZOCALO[0]))
    near = _file(base, op, _report(_north(ZOCALO[0], 100), ZOCALO[1], "Centro")).json()
    far = _file(base, op, _report(_north(ZOCALO[0], 400), ZOCALO[1], "Centro")).json()
    assert _event(created, near["folio"])["location"]["zone"] == "SECTOR CENTRO"
    assert _event(assigned, near["folio"])["department"] == "OP-BACHEO"
    assert _event(assigned, far["folio"])["department"] == "OP-BACHEO"  # same zone, same rule

    r = requests.get(f"{base}/v1/reports/nearby", params={"petition_type": "OP-LAMPARA APAGADA",
                                                          "lat": ZOCALO[0], "lon": ZOCALO[1]}, headers=op, timeout=20)
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    assert [i["folio"] for i in items] == [near["folio"]]
    assert 99 < items[0]["distance_m"] < 101 and "citizen_number" not in items[0]
    partner = requests.get(f"{base}/v1/reports/nearby", headers={"X-API-Key": "demo-chatbot-key-2026"},
                           params={"petition_type": "OP-LAMPARA APAGADA", "lat": ZOCALO[0], "lon": ZOCALO[1]},
                           timeout=20)  # an Open311 partner asks with its key before posting
    assert partner.status_code == 200 and partner.json()["items"] == items, partner.text
    r = requests.post(f"{base}/v1/reports/{far['folio']}/duplicate", json={"version": 1, "original": near["folio"]},
                      headers=admin, timeout=20)
    assert r.status_code == 200 and r.json()["duplicate_of"] == near["folio"], r.text
    r = requests.get(f"{base}/v1/reports/nearby", params={"petition_type": "OP-LAMPARA APAGADA", "lat": 91,
                                                          "lon": 0}, headers=op, timeout=20)
    assert r.status_code == 422


def test_without_coordinates_by_colonia_and_duplicates_counted_apart(platform, tokens, layer, subscribe):
    """A report phoned in with colonia and street only (POST /v1/reports and Open311's
    address_string): the colonia is the catalogue's one it names, no zone, default
    routing, in no nearby list; a name the layer does not hold is refused. Marking a
    duplicate publishes report_duplicate_marked, the original's status changes list it,
    and the public summary counts it apart from the total."""
    base, op, admin = platform.gateway_url, tokens["operator"], tokens["admin"]
    created = subscribe(platform.amqp_uri, "intake.events", "report_created")
    assigned = subscribe(platform.amqp_uri, "routing.events", "report_assigned")
    marked = subscribe(platform.amqp_uri, "routing.events", "report_duplicate_marked")
    changed = subscribe(platform.amqp_uri, "routing.events", "report_status_changed")
    phoned = {"petition_type": "OP-LAMPARA APAGADA", "channel": "072", "description": "Lámpara apagada",
              "location": {"colonia": "juarez", "street": "Versalles 20", "references": "frente al parque"},
              "citizen_number": None}
    r = _file(base, op, phoned)
    assert r.status_code == 201, r.text
    first = r.json()["folio"]
    loc = _event(created, first)["location"]
    assert (loc["lat"], loc["lon"], loc["colonia"], loc["colonia_typed"], loc["postal_code"], loc["zone"]) == (
        None, None, "JUÁREZ", "JUAREZ", "06600", None)
    assert _event(assigned, first)["department"] == "OP-ALUMBRADO"  # no zone: the petition type's default
    r = _file(base, op, phoned | {"location": {"colonia": "Polanco", "street": "Masaryk 1"}})
    assert r.status_code == 422 and r.json()["code"] == "colonia_no_encontrada", r.text
    r = _file(base, op, phoned | {"location": {"lat": 19.43, "colonia": "Centro", "street": "Madero 1"}})
    assert r.status_code == 422, r.text

    form = {"api_key": "demo-chatbot-key-2026", "service_code": "OP-LAMPARA APAGADA",
            "address_string": "Versalles 24, Juárez", "description": "Lámpara apagada"}
    r = requests.post(f"{base}/open311/v2/requests.json", data=form, timeout=20)
    assert r.status_code == 201, r.text
    second = int(r.json()[0]["service_request_id"])  # a string in JSON (GeoReport v2)
    assert _event(created, second)["location"]["colonia"] == "JUÁREZ"
    r = requests.post(f"{base}/open311/v2/requests.json", data=form | {"address_string": "Versalles 24"}, timeout=20)
    assert r.status_code == 400, r.text
    r = requests.get(f"{base}/open311/v2/requests/{second}.json", timeout=20)
    assert r.status_code == 200 and (r.json()[0]["lat"], r.json()[0]["long"]) == (None, None), r.text

    def summary():
        return requests.get(f"{base}/v1/stats/summary", timeout=20).json()

    def wait_for(check, what, timeout=30.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = check()
            if found:
                return found
            time.sleep(0.2)
        raise AssertionError(what)

    _event(assigned, second)
    # every report routing holds is counted (as a report or a duplicate) before the snapshot
    held = requests.get(f"{base}/v1/reports", params={"per_page": 1}, headers=admin, timeout=20).json()["total"]
    counted = wait_for(lambda: (s := summary())["total"] + s["duplicates"] == held and s, "stats counted the reports")
    view = requests.get(f"{base}/v1/reports/{second}/assignment", headers=admin, timeout=20).json()
    r = requests.post(f"{base}/v1/reports/{second}/duplicate", json={"version": view["version"], "original": first},
                      headers=admin, timeout=20)
    assert r.status_code == 200 and r.json()["duplicate_of"] == first, r.text
    link = _event(marked, second)
    assert (link["original_folio"], link["by"], link["version"]) == (first, "admin", view["version"] + 1)
    assert set(link) == {"folio", "original_folio", "petition_type", "agency", "department", "original_status",
                         "version", "by", "at"}  # ids only
    after = wait_for(lambda: (s := summary())["duplicates"] == counted["duplicates"] + 1 and s,
                     "stats counted the duplicate apart")
    assert after["total"] == counted["total"] - 1
    original = requests.get(f"{base}/v1/reports/{first}/assignment", headers=admin, timeout=20).json()
    r = requests.post(f"{base}/v1/reports/{first}/start", json={"version": original["version"]}, headers=admin,
                      timeout=20)
    assert r.status_code == 200, r.text
    assert _event(changed, first)["duplicate_folios"] == [second]
