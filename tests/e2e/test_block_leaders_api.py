"""The block-leader roster over HTTP against the platform: who writes and reads, contact
data only with a reason (logged) and never for auditors, the link to a block_leader login,
the GeoJSON map with report counts, and the rule that a block leader's reports are the
ones it filed (routing's created_by, checked through routing's query_reports)."""
import pytest
import requests

from sacinfra import testing
from sacinfra.rpcpool import RpcPool

pytestmark = pytest.mark.e2e
SHARED_PLATFORM = True  # asserts nothing platform-wide: its own roster entries and its leader's reports

LEADER = {"kind": "manzana", "block": "M-12", "colonia": "Centro", "location": {"lat": 19.1738, "lon": -96.1342},
          "accredited_on": "2023-03-15", "full_name": "Ana Ruiz Pérez", "phone": "229 123 4567",
          "email": "ana@example.mx", "username": "block_leader"}


def report(channel, lat=19.17):
    return {"petition_type": "OP-LAMPARA APAGADA", "channel": channel, "description": "Lámpara apagada",
            "location": {"lat": lat, "lon": -96.13, "colonia": "Centro", "street": "Independencia"}}


def test_roster_map_and_the_reports_of_a_block_leader(platform, login):
    base = platform.gateway_url
    sup, op, aud, jm = (login(base, u) for u in ("supervisor", "operator", "auditor", "block_leader"))

    # -- writes: supervisors and admins; the login must be a block_leader
    assert requests.post(f"{base}/v1/block-leaders", json=LEADER, headers=op, timeout=10).status_code == 403
    r = requests.post(f"{base}/v1/block-leaders", json=LEADER | {"username": "operator"}, headers=sup, timeout=10)
    assert r.status_code == 422 and r.json()["code"] == "usuario_no_es_jefe_de_manzana", r.text
    r = requests.post(f"{base}/v1/block-leaders", json=LEADER | {"kind": "colonia"}, headers=sup, timeout=10)
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")
    r = requests.post(f"{base}/v1/block-leaders", json=LEADER, headers=sup, timeout=10)
    assert r.status_code == 201, r.text
    leader = r.json()
    assert r.headers["location"] == f"/v1/block-leaders/{leader['id']}" and leader["contact"]["phone"] == "2291234567"
    r = requests.post(f"{base}/v1/block-leaders", json=LEADER | {"block": "M-13"}, headers=sup, timeout=10)
    assert r.status_code == 409 and r.json()["code"] == "usuario_ya_en_padron"
    ward = requests.post(f"{base}/v1/block-leaders", headers=sup, timeout=10, json=LEADER | {
        "kind": "cuartel", "block": "Cuartel 4", "username": None, "location": {"lat": 19.18, "lon": -96.14}}).json()

    # -- reads: contact data only with a reason, logged; never for auditors
    r = requests.get(f"{base}/v1/block-leaders", headers=op, timeout=10)
    assert r.status_code == 200 and r.json()["total"] == 2 and all(i["contact"] is None for i in r.json()["items"])
    r = requests.get(f"{base}/v1/block-leaders", headers=op, params={"reason": "convocatoria a reunión",
                                                                    "kind": "manzana"}, timeout=10)
    assert [i["contact"]["full_name"] for i in r.json()["items"]] == ["Ana Ruiz Pérez"]
    r = requests.get(f"{base}/v1/block-leaders/{leader['id']}", headers=aud, params={"reason": "revisión"}, timeout=10)
    assert r.status_code == 200 and r.json()["contact"] is None and r.json()["block"] == "M-12"
    assert requests.get(f"{base}/v1/block-leaders", headers=jm, timeout=10).status_code == 403
    r = requests.get(f"{base}/v1/citizens/access-log", headers=aud, params={"username": "operator"}, timeout=10)
    assert [(x["block_leader_id"], x["action"], x["reason"]) for x in r.json()["items"]
            if x["action"] == "block_leader_read"] == [(leader["id"], "block_leader_read", "convocatoria a reunión")]

    # -- a block leader files reports only through its channel; the operator files another
    r = requests.post(f"{base}/v1/reports", json=report("072"), headers=jm, timeout=10)
    assert r.status_code == 403, r.text
    mine = []
    for i in range(2):
        r = requests.post(f"{base}/v1/reports", json=report("JEFE DE MANZANA", 19.17 + i / 100), headers=jm,
                          timeout=10)
        assert r.status_code == 201, r.text
        mine.append(r.json()["folio"])
    other = requests.post(f"{base}/v1/reports", json=report("072"), headers=op, timeout=10).json()["folio"]
    for folio in mine + [other]:
        testing.wait_until(lambda f=folio: requests.get(f"{base}/v1/reports/{f}/assignment", headers=sup,
                                                        timeout=10).status_code == 200, timeout=30)

    # the reports of a block leader are the ones it created (routing's created_by)
    pool = RpcPool({"AMQP_URI": platform.amqp_uri}, size=1)
    try:
        with pool.proxy() as p:
            seen = p.routing.query_reports({"kind": "staff", "username": "block_leader", "role": "block_leader"}, {})
            everything = p.routing.query_reports({"kind": "staff", "username": "supervisor", "role": "supervisor"}, {})
    finally:
        pool.close()
    assert sorted(x["folio"] for x in seen["items"]) == sorted(mine) and seen["total"] == 2
    assert {x["created_by"] for x in seen["items"]} == {"block_leader"}
    assert other in {x["folio"] for x in everything["items"]}

    # -- the map: active leaders, Point [lon, lat], report counts, no personal data
    r = requests.get(f"{base}/v1/block-leaders.geojson", headers=aud, timeout=10)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/geo+json"), r.text
    fc = r.json()
    assert fc["type"] == "FeatureCollection"
    features = {f["properties"]["id"]: f for f in fc["features"]}
    assert set(features) == {leader["id"], ward["id"]}
    f = features[leader["id"]]
    assert f["geometry"] == {"type": "Point", "coordinates": [-96.1342, 19.1738]}
    assert f["properties"] == {"id": leader["id"], "kind": "manzana", "block": "M-12", "colonia": "Centro",
                               "status": "active", "report_count": 2}
    assert features[ward["id"]]["properties"]["report_count"] == 0
    assert "Ana" not in r.text and "2291234567" not in r.text and "ana@example" not in r.text
    assert requests.get(f"{base}/v1/block-leaders.geojson", headers=jm, timeout=10).status_code == 403

    # -- changes: suspended leaders leave the map; a stale version is refused; delete
    r = requests.patch(f"{base}/v1/block-leaders/{ward['id']}", json={"status": "suspended", "version": 1},
                       headers=sup, timeout=10)
    assert r.status_code == 200 and r.json()["version"] == 2, r.text
    r = requests.patch(f"{base}/v1/block-leaders/{ward['id']}", json={"status": "active", "version": 1},
                       headers=sup, timeout=10)
    assert r.status_code == 409 and r.json()["code"] == "version_desactualizada"
    ids = [f["properties"]["id"] for f in requests.get(f"{base}/v1/block-leaders.geojson", headers=op,
                                                        timeout=10).json()["features"]]
    assert ids == [leader["id"]]
    assert requests.patch(f"{base}/v1/block-leaders/{ward['id']}", json={"status": "ended"}, headers=op,
                          timeout=10).status_code == 403
    assert requests.delete(f"{base}/v1/block-leaders/{ward['id']}", headers=sup, timeout=10).status_code == 204
    assert requests.get(f"{base}/v1/block-leaders/{ward['id']}", headers=sup, timeout=10).status_code == 404
    r = requests.get(f"{base}/v1/audit", headers=aud, params={"target": f"block_leader:{ward['id']}"}, timeout=10)
    assert {x["action"] for x in r.json()["items"]} == {"block_leader.created", "block_leader.updated",
                                                         "block_leader.deleted"}
