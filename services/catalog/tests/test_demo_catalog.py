"""The León-sized demo catalog: integrity, sizes and the petition types named in the seeds."""
from __future__ import annotations

import copy
import json
import re
from datetime import date

import pytest

from catalog import demo_catalog as dc
from catalog.calendar import UNITS, BusinessCalendar

SEED_000_PETITIONS = {
    "OP-CIRCUITO APAGADO", "OP-CIRCUITO PRENDIDO", "OP-LAMPARA APAGADA", "OP-LAMPARA PRENDIDA",
    "SIAP- RECOLECCION DE ANIMALES MUERTOS",
    "SIAP- RECOLECCION DE RESIDUOS SOLIDOS VOLUMINOSOS MENOR A 3 PIEZAS",
    "ECO-QUEJ COMERCIA ESTABLECI", "OP-SOLICIT DE MANTENIN PODA Y/O DESHIERB", "MA - RUIDO",
}
REQUIRED_CHANNELS = {
    "072", "CHATBOT", "ANDROID", "IOS", "WEB", "MIÉRCOLES CIUDADANO", "CHAT CIUDADANO",
    "REDES SOCIALES", "PRESENCIAL", "BRIGADA", "GIRA", "JEFE DE MANZANA", "OFICIO", "CORREO", "WHATSAPP",
}


def by_code(rows):
    return {r["code"]: r for r in rows}


def test_validate_passes():
    assert dc.validate() is None


def test_sizes():
    assert len(dc.AGENCIES) >= 10
    assert len(dc.DEPARTMENTS) >= 25
    assert len(dc.PETITION_TYPES) >= 80
    assert len(dc.CHANNELS) >= len(REQUIRED_CHANNELS)
    assert len(dc.MUNICIPAL_DAYS_OFF) >= 3
    assert all(type(d) is date for d in dc.MUNICIPAL_DAYS_OFF)


def test_seed_petition_types_present():
    pts = by_code(dc.PETITION_TYPES)
    assert SEED_000_PETITIONS <= set(pts)


def test_street_lighting_as_in_seed_000():
    pts = by_code(dc.PETITION_TYPES)
    agencies, departments = by_code(dc.AGENCIES), by_code(dc.DEPARTMENTS)
    descriptions = {
        "OP-CIRCUITO APAGADO": "SE CONSIDERA LA CANTIDAD DE 5 O MAS LAMPARAS CONTINUAS APAGADAS",
        "OP-CIRCUITO PRENDIDO": "SE CONSIDERA LA CANTIDAD DE 5 O MAS LAMPARAS CONTINUAS ENCENDIDAS",
        "OP-LAMPARA APAGADA": "SE CONSIDERA SOLAMENTE LA CANTIDAD DE 1 LAMPARA CON FALLA",
        "OP-LAMPARA PRENDIDA": "SE CONSIDERA SOLAMENTE LA CANTIDAD DE 1 LAMPARA CON FALLA",
    }
    for code, description in descriptions.items():
        p = pts[code]
        assert agencies[p["agency"]]["name"] == "DIRECCION GENERAL DE OBRA PUBLICA"
        assert departments[p["department"]]["name"] == "ALUMBRADO PUBLICO"
        assert p["description"] == description
        assert p["sla_amount"] == 5 and p["active"] is True


def test_seed_owners():
    pts, agencies = by_code(dc.PETITION_TYPES), by_code(dc.AGENCIES)
    for code in ("SIAP- RECOLECCION DE ANIMALES MUERTOS",
                 "SIAP- RECOLECCION DE RESIDUOS SOLIDOS VOLUMINOSOS MENOR A 3 PIEZAS"):
        assert agencies[pts[code]["agency"]]["name"] == "SISTEMA INTEGRAL DE ASEO PUBLICO"
    assert "ECONOMIA" in agencies[pts["ECO-QUEJ COMERCIA ESTABLECI"]["agency"]]["name"]
    assert "COMERCIO" in by_code(dc.DEPARTMENTS)[pts["ECO-QUEJ COMERCIA ESTABLECI"]["department"]]["name"]
    assert pts["OP-SOLICIT DE MANTENIN PODA Y/O DESHIERB"]["agency"] == "OP"


@pytest.mark.parametrize("keyword", [
    "BACHE", "LAMPARA", "AGUA", "DRENAJE", "RECOLECCION", "PODA", "ANIMAL", "RUIDO", "COMERCI",
    "SEMAFORO", "PARQUE",
])
def test_usual_municipal_services_are_covered(keyword):
    assert any(keyword in p["name"] or keyword in p["description"] for p in dc.PETITION_TYPES)


def test_required_channels():
    codes = {c["code"] for c in dc.CHANNELS}
    assert REQUIRED_CHANNELS <= codes
    assert by_code(dc.CHANNELS)["072"]["name"] == "LÍNEA 072"


def test_shapes():
    for a in dc.AGENCIES:
        assert set(a) == {"code", "name"} and re.fullmatch(r"[A-Z]{2,8}", a["code"])
    for d in dc.DEPARTMENTS:
        assert set(d) == {"code", "agency", "name"}
    for c in dc.CHANNELS:
        assert set(c) == {"code", "name"}
    keys = {"code", "name", "kind", "description", "sla_amount", "sla_unit", "agency", "department",
            "active", "attributes"}
    for p in dc.PETITION_TYPES:
        assert set(p) == keys
        assert p["code"] == p["name"] == p["name"].upper()
        assert p["kind"] in ("Servicio", "Trámite")
        assert p["sla_unit"] in UNITS
        if p["sla_unit"] == "business_hours":
            assert 8 <= p["sla_amount"] <= 120
        else:
            assert 1 <= p["sla_amount"] <= 30
    json.dumps([dc.AGENCIES, dc.DEPARTMENTS, dc.PETITION_TYPES, dc.CHANNELS])  # JSON-storable


def test_mix_of_units_kinds_and_attributes():
    units = {p["sla_unit"] for p in dc.PETITION_TYPES}
    assert units == set(UNITS)
    assert any(p["sla_unit"] == "business_hours" and p["sla_amount"] == 48 for p in dc.PETITION_TYPES)
    assert {p["kind"] for p in dc.PETITION_TYPES} == {"Servicio", "Trámite"}
    with_attrs = [p for p in dc.PETITION_TYPES if p["attributes"]]
    assert len(with_attrs) >= 5
    datatypes = {a["datatype"] for p in with_attrs for a in p["attributes"]}
    assert {"number", "string", "singlevaluelist", "multivaluelist", "datetime"} <= datatypes
    lamp = by_code(dc.PETITION_TYPES)["OP-CIRCUITO APAGADO"]["attributes"]
    assert {"numero_lamparas", "numero_poste"} <= {a["code"] for a in lamp}


def test_every_department_has_petitions_and_every_agency_departments():
    used = {p["department"] for p in dc.PETITION_TYPES}
    assert used == {d["code"] for d in dc.DEPARTMENTS}
    assert {d["agency"] for d in dc.DEPARTMENTS} == {a["code"] for a in dc.AGENCIES}


def test_attribute_dicts_are_not_shared_between_types():
    a = by_code(dc.PETITION_TYPES)["OP-LAMPARA APAGADA"]["attributes"][0]
    b = by_code(dc.PETITION_TYPES)["OP-LAMPARA PRENDIDA"]["attributes"][0]
    assert a == b and a is not b


def test_days_off_make_a_calendar():
    cal = BusinessCalendar(extra_days_off=frozenset(dc.MUNICIPAL_DAYS_OFF))
    assert not cal.is_business_day(date(2026, 4, 3))  # Viernes Santo
    assert BusinessCalendar.from_dict(cal.to_dict()) == cal


# ---------------------------------------------------------------- validate() catches errors

def _broken(mutate):
    data = copy.deepcopy({"agencies": dc.AGENCIES, "departments": dc.DEPARTMENTS,
                          "petition_types": dc.PETITION_TYPES, "channels": dc.CHANNELS})
    mutate(data)
    return data


@pytest.mark.parametrize("mutate, message", [
    (lambda d: d["departments"].append({"code": "XX-FOO", "agency": "XX", "name": "FOO"}), "inexistente"),
    (lambda d: d["petition_types"][0].update(department="SIAP-BARRIDO"), "no pertenece"),
    (lambda d: d["petition_types"][0].update(agency="NOPE"), "dependencia inexistente"),
    (lambda d: d["petition_types"][0].update(department="NOPE-X"), "departamento inexistente"),
    (lambda d: d["petition_types"].append(dict(d["petition_types"][0])), "duplicado"),
    (lambda d: d["agencies"].append(dict(d["agencies"][0])), "duplicado"),
    (lambda d: d["channels"].append({"code": "072", "name": "OTRA"}), "duplicado"),
    (lambda d: d["petition_types"][0].update(sla_unit="weeks"), "unidad de SLA"),
    (lambda d: d["petition_types"][0].update(sla_amount=-1), "SLA inválido"),
    (lambda d: d["petition_types"][0].update(kind="Otro"), "Trámite/Servicio"),
    (lambda d: d["petition_types"][0]["attributes"].append(
        {"code": "x", "description": "X", "datatype": "singlevaluelist", "required": False, "values": []}),
     "no tiene valores"),
])
def test_validate_rejects(mutate, message):
    with pytest.raises(ValueError, match=message):
        dc.validate(**_broken(mutate))
    assert dc.validate() is None  # the module's data was not touched
