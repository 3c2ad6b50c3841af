"""Intake with catalog's geography in the quote: the derived colonia, postal code and zone
are stored and travel in report_created; a typed colonia that disagrees is kept beside
it; a point outside the boundary is refused (or accepted flagged, by setting). The
stand-in answers as catalog does with a layer loaded (catalog/tests/test_geography.py
checks catalog's side on the official layer; tests/geo/ runs both together)."""
import pytest
import sqlalchemy as sa

from sacinfra.db import outbox_table
from sacinfra.errors import InvalidInput

from intake import handlers

CENTRO = {"inside": True, "colonia": "CENTRO", "colonia_key": "0901500010007", "colonia_type": "COLONIA",
          "postal_code": "06000", "zone": "SECTOR 1", "zone_kind": "sector"}
OUTSIDE = {"inside": False, "colonia": None, "colonia_key": None, "colonia_type": None, "postal_code": None,
           "zone": None, "zone_kind": None}


class GeoCatalog:
    """catalog.quote_reports with a geography: ``places[(lat, lon)]`` is where a point falls."""

    def __init__(self, places):
        self.places, self.requests = places, []

    def quote_reports(self, requests):
        self.requests += requests
        return [{"quote": {"petition_type": r["petition_type"], "kind": "Servicio", "channel": r["channel"],
                           "agency": "OP", "department": "OP-ALUMBRADO", "sla_amount": 5,
                           "sla_unit": "calendar_days", "version": 1, "due_at": "2026-12-05T23:59:59-06:00",
                           "geo": self.places[(r["lat"], r["lon"]) if r["lat"] is not None else r["colonia"]]}}
                for r in requests]


def _payload(lat, lon, colonia):
    return {"petition_type": "OP-LAMPARA APAGADA", "channel": "072", "description": "Lámpara apagada",
            "citizen_number": None,
            "location": {"lat": lat, "lon": lon, "colonia": colonia, "street": "Madero 10"}}


def _file(uow, catalog, payload):
    [result] = handlers.create_reports(uow, catalog, [{"data": handlers.validate_report(payload),
                                                       "idempotency_key": None, "created_by": "operator"}])
    if isinstance(result, BaseException):
        raise result
    return result


def _events(raw):
    with raw.engine.connect() as c:
        return [r.payload["data"] for r in c.execute(sa.select(outbox_table.c.payload))]


def test_the_derived_colonia_wins_and_the_typed_one_is_kept(uow, raw):
    catalog = GeoCatalog({(19.4326, -99.1332): CENTRO})
    report = _file(uow, catalog, _payload(19.4326, -99.1332, "c"))
    assert catalog.requests[0]["lat"] == 19.4326 and catalog.requests[0]["lon"] == -99.1332
    loc = report["location"]
    assert (loc["colonia"], loc["colonia_typed"], loc["colonia_key"], loc["postal_code"], loc["zone"]) == (
        "CENTRO", "C", "0901500010007", "06000", "SECTOR 1")
    assert loc["outside_municipality"] is False
    [event] = _events(raw)
    assert event["location"]["colonia"] == "CENTRO" and event["location"]["zone"] == "SECTOR 1"
    assert event["location"]["colonia_key"] == "0901500010007"
    with uow:
        assert uow.by_folio(report["folio"])["colonia_typed"] == "C"


def test_a_point_outside_the_municipality_is_refused(uow, raw, monkeypatch):
    monkeypatch.delenv("ACCEPT_OUTSIDE_MUNICIPALITY", raising=False)
    with pytest.raises(InvalidInput) as exc:
        _file(uow, GeoCatalog({(40.7128, -74.006): OUTSIDE}), _payload(40.7128, -74.006, "CENTRO"))
    assert exc.value.code == "fuera_del_municipio"
    assert _events(raw) == []


def test_a_setting_accepts_it_flagged(uow, raw, monkeypatch):
    monkeypatch.setenv("ACCEPT_OUTSIDE_MUNICIPALITY", "true")
    report = _file(uow, GeoCatalog({(40.7128, -74.006): OUTSIDE}), _payload(40.7128, -74.006, "Centro"))
    assert report["location"]["outside_municipality"] is True and report["location"]["colonia"] == "CENTRO"
    assert report["location"]["colonia_typed"] is None  # nothing derived: the typed colonia stands
    [event] = _events(raw)
    assert event["location"]["outside_municipality"] is True


def test_without_geography_the_typed_colonia_stands(uow, catalog):
    report = _file(uow, catalog, _payload(21.1221, -101.6824, "Centro"))
    assert report["location"]["colonia"] == "CENTRO" and report["location"]["colonia_key"] is None


#: catalog's answer to a colonia named without coordinates (GeoIndex.find, checked on the
#: official layer in catalog/tests/test_geography.py)
JUAREZ = {"inside": None, "colonia": "JUÁREZ", "colonia_key": "0901500010018", "colonia_type": "COLONIA",
          "postal_code": "06600", "zone": None, "zone_kind": None, "located_by": "colonia"}


def test_without_coordinates_the_colonia_comes_from_the_catalogue(uow, raw):
    """A report phoned in with colonia and street: catalog is asked by the colonia's name;
    the catalogue's colonia, key and postal code are stored and travel; no point, no zone."""
    catalog = GeoCatalog({"JUAREZ": JUAREZ, "POLANCO": {"inside": None, "colonia": None,
                                                        "unknown_colonia": "POLANCO"}})
    report = _file(uow, catalog, _payload(None, None, "juarez"))
    assert catalog.requests[0]["colonia"] == "JUAREZ" and catalog.requests[0]["lat"] is None
    loc = report["location"]
    assert (loc["lat"], loc["lon"], loc["colonia"], loc["colonia_typed"], loc["postal_code"], loc["zone"]) == (
        None, None, "JUÁREZ", "JUAREZ", "06600", None)
    [event] = _events(raw)
    assert (event["location"]["lat"], event["location"]["colonia"], event["location"]["colonia_key"]) == (
        None, "JUÁREZ", "0901500010018")
    with pytest.raises(InvalidInput) as err:  # a name the catalogue does not hold
        _file(uow, catalog, _payload(None, None, "Polanco"))
    assert err.value.code == "colonia_no_encontrada" and "POLANCO" in err.value.message
    assert len(_events(raw)) == 1


def test_without_coordinates_and_without_geography_the_typed_colonia_stands(uow, catalog, raw):
    report = _file(uow, catalog, _payload(None, None, "Centro"))
    assert (report["location"]["lat"], report["location"]["colonia"]) == (None, "CENTRO")
    assert _events(raw)[0]["location"]["lat"] is None


@pytest.mark.parametrize("location", [
    {"lat": 19.43, "colonia": "CENTRO", "street": "MADERO"},            # half a point
    {"lat": None, "lon": -99.13, "colonia": "CENTRO", "street": "MADERO"},
    {"lat": None, "lon": None, "colonia": "CENTRO"},                    # no street
    {"colonia": "", "street": "MADERO"},                                # no colonia
])
def test_a_location_is_a_point_or_colonia_and_street(location):
    payload = _payload(None, None, "x") | {"location": location}
    with pytest.raises(InvalidInput) as err:
        handlers.validate_report(payload)
    assert err.value.code == "reporte_invalido"
