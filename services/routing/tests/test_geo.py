"""Routing on the map, on real PostgreSQL: a zone rule routes at assignment (petition type
first, then department; no rule → the default), rules are audited and decided by
policy; nearby finds the open report 100 m away and not the one 400 m away, nor a
closed one, nor another petition type; a duplicate is linked both ways."""
import json
import math
from pathlib import Path

import pytest
import sqlalchemy as sa
from jsonschema import Draft202012Validator, FormatChecker

from routing import duplicates, geo, handlers
from sacinfra.db import outbox_table
from routing.exceptions import Conflict, Forbidden, InvalidInput, NotFound, UnknownDepartment

ADMIN = {"kind": "staff", "username": "admin", "role": "admin"}
SUPERVISOR = {"kind": "staff", "username": "super", "role": "supervisor"}
OP_STAFF = {"kind": "staff", "username": "op1", "role": "agency_staff", "agency": "OP"}
SIAP_STAFF = {"kind": "staff", "username": "siap1", "role": "agency_staff", "agency": "SIAP"}
PUBLIC = {"kind": "public", "username": "public", "role": "public"}
#: Cuauhtémoc's Zócalo, in colonia CENTRO of the official layer
LAT, LON = 19.4326, -99.1332


def _north(meters: float) -> float:
    """The latitude ``meters`` north of LAT."""
    return LAT + math.degrees(meters / 6_371_008.8)


def _event(created_event, folio, zone=None, lat=LAT, lon=LON, petition_type="OP-LAMPARA APAGADA"):
    e = created_event(folio=folio)
    e["data"]["petition_type"] = petition_type
    e["data"]["location"] = {"lat": lat, "lon": lon, "colonia": "CENTRO", "street": "MADERO",
                             "colonia_key": "0901500010007", "postal_code": "06000", "zone": zone}
    return e


CONTRACTS = Path(__file__).resolve().parents[3] / "contracts"


def events(uow, event_type: str) -> list[dict]:
    rows = uow.session.execute(sa.select(outbox_table.c.payload).where(outbox_table.c.exchange == "routing.events")
                               .order_by(outbox_table.c.id)).scalars()
    return [e for e in rows if e["event_type"] == event_type]


def validate(envelope: dict) -> None:
    for name, doc in (("envelope.schema.json", envelope),
                      (f"events/routing.{envelope['event_type']}.v1.schema.json", envelope["data"])):
        Draft202012Validator(json.loads((CONTRACTS / name).read_text()), format_checker=FormatChecker()).validate(doc)


def _assigned(uow, folio):
    return handlers.get_assignment(uow, folio, ADMIN)


def test_a_zone_rule_routes_and_a_zone_without_rule_keeps_the_default(uow, created_event, departments):
    geo.set_zone_rule(uow, ADMIN, {"selector_kind": "petition_type", "selector": "OP-LAMPARA APAGADA",
                                   "zone": "SECTOR NORTE", "department": "OP-BACHEO"})
    handlers.assign_reports(uow, [_event(created_event, 1, "SECTOR NORTE"), _event(created_event, 2, "SECTOR SUR"),
                                  _event(created_event, 3, None)])
    one = _assigned(uow, 1)
    assert (one["agency"], one["department"]) == ("OP", "OP-BACHEO")
    assert "SECTOR NORTE" in one["history"][0]["text"]
    assert _assigned(uow, 2)["department"] == "OP-ALUMBRADO"
    assert _assigned(uow, 3)["department"] == "OP-ALUMBRADO"


def test_a_petition_type_rule_wins_over_a_department_rule(uow, created_event, departments):
    geo.set_zone_rule(uow, OP_STAFF, {"selector_kind": "department", "selector": "OP-ALUMBRADO",
                                      "zone": "Z1", "department": "OP-BACHEO"})
    handlers.assign_report(uow, _event(created_event, 1, "Z1"))
    assert _assigned(uow, 1)["department"] == "OP-BACHEO"
    geo.set_zone_rule(uow, ADMIN, {"selector_kind": "petition_type", "selector": "OP-LAMPARA APAGADA",
                                   "zone": "Z1", "department": "SIAP-OTRO"})
    handlers.assign_report(uow, _event(created_event, 2, "Z1"))
    assert (_assigned(uow, 2)["agency"], _assigned(uow, 2)["department"]) == ("SIAP", "SIAP-OTRO")


def test_rules_are_audited_and_decided_by_policy(uow, departments):
    rule = {"selector_kind": "department", "selector": "OP-ALUMBRADO", "zone": "Z1", "department": "OP-BACHEO"}
    geo.set_zone_rule(uow, OP_STAFF, rule)
    with pytest.raises(Forbidden):  # another agency's departments
        geo.set_zone_rule(uow, SIAP_STAFF, rule)
    with pytest.raises(Forbidden):  # petition-type rules are admins'
        geo.set_zone_rule(uow, OP_STAFF, rule | {"selector_kind": "petition_type", "selector": "OP-LAMPARA APAGADA"})
    with pytest.raises(Forbidden):  # sending its reports to another agency
        geo.set_zone_rule(uow, OP_STAFF, rule | {"department": "SIAP-OTRO"})
    with pytest.raises(Forbidden):
        geo.list_zone_rules(uow, PUBLIC)
    with pytest.raises(UnknownDepartment):
        geo.set_zone_rule(uow, ADMIN, rule | {"department": "NO-EXISTE"})
    with pytest.raises(InvalidInput):
        geo.set_zone_rule(uow, ADMIN, rule | {"selector_kind": "colonia"})
    geo.set_zone_rule(uow, ADMIN, rule | {"department": "OP-ALUMBRADO"})
    assert geo.delete_zone_rule(uow, OP_STAFF, "department", "OP-ALUMBRADO", "Z1") == {"deleted": True}
    with pytest.raises(NotFound):
        geo.delete_zone_rule(uow, OP_STAFF, "department", "OP-ALUMBRADO", "Z1")
    trail = geo.zone_rule_history(uow, SUPERVISOR)
    assert [(c["author"], (c["before"] or {}).get("department"), (c["after"] or {}).get("department"))
            for c in trail] == [("op1", "OP-ALUMBRADO", None), ("admin", "OP-BACHEO", "OP-ALUMBRADO"),
                                ("op1", None, "OP-BACHEO")]
    assert geo.list_zone_rules(uow, SIAP_STAFF) == []
    assert len(geo.zone_rule_history(uow, OP_STAFF)) == 3


def test_nearby_finds_the_open_report_100_m_away_only(uow, created_event, departments):
    handlers.assign_reports(uow, [
        _event(created_event, 1, lat=_north(100)),                     # 100 m: found
        _event(created_event, 2, lat=_north(400)),                     # 400 m: outside 250 m
        _event(created_event, 3, lat=_north(50)),                      # 50 m but closed below
        _event(created_event, 4, lat=_north(30), petition_type="SIAP-BASURA"),  # another type
        _event(created_event, 5, lat=_north(200))])                    # 200 m: found, after folio 1
    handlers.mark_not_viable(uow, ADMIN, 3, 1, "Propiedad privada")
    found = geo.nearby_reports(uow, "OP-LAMPARA APAGADA", LAT, LON, PUBLIC)
    assert found["radius_m"] == 250
    assert [i["folio"] for i in found["items"]] == [1, 5]
    assert found["items"][0]["distance_m"] == pytest.approx(100, abs=0.5)
    assert set(found["items"][0]) == {"folio", "petition_type", "status", "colonia", "zone", "lat", "lon",
                                      "distance_m", "created_at", "due_at"}  # no citizen, street nor author
    geo.set_nearby_radius(uow, ADMIN, "OP-LAMPARA APAGADA", 500)
    assert [i["folio"] for i in geo.nearby_reports(uow, "OP-LAMPARA APAGADA", LAT, LON, PUBLIC)["items"]] == [1, 5, 2]
    with pytest.raises(Forbidden):
        geo.set_nearby_radius(uow, OP_STAFF, "OP-LAMPARA APAGADA", 100)
    with pytest.raises(InvalidInput):
        geo.nearby_reports(uow, "OP-LAMPARA APAGADA", 91, LON, PUBLIC)


def test_a_report_marked_duplicate_is_linked_both_ways_and_leaves_nearby(uow, created_event, departments):
    handlers.assign_reports(uow, [_event(created_event, 1), _event(created_event, 2, lat=_north(50)),
                                  _event(created_event, 3, lat=_north(80))])
    view = duplicates.mark_duplicate(uow, OP_STAFF, 2, 1, 1)
    assert view["duplicate_of"] == 1 and view["version"] == 2
    assert view["history"][-1]["kind"] == "duplicate_of" and view["history"][-1]["author"] == "op1"
    duplicates.mark_duplicate(uow, ADMIN, 3, 1, 2)  # a duplicate of a duplicate: linked to the original
    original = _assigned(uow, 1)
    assert original["duplicates"] == [2, 3] and original["history"][-1]["kind"] == "duplicate_linked"
    assert [i["folio"] for i in geo.nearby_reports(uow, "OP-LAMPARA APAGADA", LAT, LON, PUBLIC)["items"]] == [1]
    with pytest.raises(Conflict):
        duplicates.mark_duplicate(uow, ADMIN, 2, 2, 1)
    with pytest.raises(Forbidden):
        duplicates.mark_duplicate(uow, SUPERVISOR | {"role": "operator"}, 1, 1, 3)


def test_a_zone_rule_for_a_department_routing_has_not_heard_of_yet_asks_catalog_once(uow):
    """Right after start routing's copy may still be empty: the rule's target is looked up
    in catalog (once), as a reassignment's is; a department catalog does not know is still
    refused."""
    listed = [{"code": "OP-BACHEO", "agency": "OP", "name": "BACHEO", "active": True}]
    asked = []

    def fetch():
        asked.append(1)
        return listed

    rule = {"selector_kind": "petition_type", "selector": "OP-LAMPARA APAGADA", "zone": "Z1",
            "department": "OP-BACHEO"}
    saved = handlers.with_departments(uow, fetch, lambda: geo.set_zone_rule(uow, ADMIN, rule))
    assert saved["department"] == "OP-BACHEO" and asked == [1]
    with pytest.raises(UnknownDepartment):
        handlers.with_departments(uow, fetch, lambda: geo.set_zone_rule(uow, ADMIN, {**rule, "department": "NO-EXISTE"}))
    assert asked == [1, 1]


def test_the_link_is_an_event_and_the_originals_changes_list_its_duplicates(uow, created_event, departments):
    """report_duplicate_marked (ids only) in the same transaction; from then on the
    original's report_status_changed names its duplicates (the channels notify their
    citizens), never on the departments' feed. Both match contracts/."""
    handlers.assign_reports(uow, [_event(created_event, 1), _event(created_event, 2, lat=_north(50))])
    handlers.start_report(uow, OP_STAFF, 1, 1)  # before the link: no duplicates listed
    duplicates.mark_duplicate(uow, OP_STAFF, 2, 1, 1)
    handlers.finish_report(uow, OP_STAFF, 1, 2, "Se cambió la lámpara")
    (marked,) = events(uow, "report_duplicate_marked")
    assert marked["data"] == {"folio": 2, "original_folio": 1, "petition_type": "OP-LAMPARA APAGADA",
                              "agency": "OP", "department": "OP-ALUMBRADO", "original_status": "in_progress",
                              "version": 2, "by": "op1", "at": marked["data"]["at"]}
    started, finished = events(uow, "report_status_changed")
    assert "duplicate_folios" not in started["data"] and finished["data"]["duplicate_folios"] == [2]
    for e in (marked, started, finished):
        validate(e)
    feed = list(uow.session.execute(sa.select(outbox_table.c.payload).where(
        outbox_table.c.exchange == "sac.integration")).scalars())
    assert feed and all("duplicate_folios" not in e["data"] for e in feed)
    assert "report_duplicate_marked" not in {e["event_type"] for e in feed}


def test_a_report_without_coordinates_keeps_the_default_and_is_in_no_nearby_list(uow, created_event, departments):
    """Filed by colonia and street (a call to 072): no zone, so the petition type's default
    department, even with a zone rule in force; no point, so no nearby list holds it."""
    geo.set_zone_rule(uow, ADMIN, {"selector_kind": "petition_type", "selector": "OP-LAMPARA APAGADA",
                                   "zone": "SECTOR NORTE", "department": "OP-BACHEO"})
    e = _event(created_event, 1, lat=None, lon=None)
    e["data"]["location"] |= {"colonia": "JUÁREZ", "colonia_key": "0901500010018", "postal_code": "06600"}
    handlers.assign_reports(uow, [e, _event(created_event, 2)])
    a = _assigned(uow, 1)
    assert (a["department"], a["colonia"]) == ("OP-ALUMBRADO", "JUÁREZ")
    assert [i["folio"] for i in geo.nearby_reports(uow, "OP-LAMPARA APAGADA", LAT, LON, PUBLIC)["items"]] == [2]
