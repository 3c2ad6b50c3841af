"""Open311 GeoReport v2 shapes: services list and service definitions."""
import pytest

from sacinfra import errors

from catalog import handlers

pytestmark = pytest.mark.timeout(60)

ADMIN = {"username": "admin.catalogo", "role": "admin", "agency": None, "kind": "staff"}
SERVICE_KEYS = {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
ATTRIBUTE_KEYS = {"variable", "code", "datatype", "required", "datatype_description", "order", "description",
                  "values"}


def test_services_are_the_active_petition_types(uow, all_types):
    services = handlers.list_services(uow())
    active = [p for p in all_types(uow(), active=True)]
    assert [s["service_code"] for s in services] == [p["code"] for p in active]
    for s in services:
        assert set(s) == SERVICE_KEYS
        assert s["type"] == "realtime" and isinstance(s["metadata"], bool)
    lamp = next(s for s in services if s["service_code"] == "OP-CIRCUITO APAGADO")
    assert lamp == {"service_code": "OP-CIRCUITO APAGADO", "service_name": "OP-CIRCUITO APAGADO",
                    "description": "SE CONSIDERA LA CANTIDAD DE 5 O MAS LAMPARAS CONTINUAS APAGADAS",
                    "metadata": True, "type": "realtime", "keywords": "Servicio, ALUMBRADO PUBLICO",
                    "group": "DIRECCION GENERAL DE OBRA PUBLICA"}
    assert not next(s for s in services if s["service_code"] == "OP-CABLEADO EXPUESTO")["metadata"]
    handlers.update_petition_type(uow(), ADMIN, "OP-CIRCUITO APAGADO", {"active": False}, 1)
    assert "OP-CIRCUITO APAGADO" not in {s["service_code"] for s in handlers.list_services(uow())}


def test_service_definition(uow, all_types):
    d = handlers.service_definition(uow(), "OP-CIRCUITO APAGADO")
    assert d["service_code"] == "OP-CIRCUITO APAGADO"
    assert [a["code"] for a in d["attributes"]] == ["numero_lamparas", "numero_poste"]
    assert [a["order"] for a in d["attributes"]] == [1, 2]
    first = d["attributes"][0]
    assert set(first) == ATTRIBUTE_KEYS
    assert first == {"variable": True, "code": "numero_lamparas", "datatype": "number", "required": True,
                     "datatype_description": "Número.", "order": 1,
                     "description": "CANTIDAD DE LAMPARAS CON FALLA", "values": []}
    listed = next(p for p in all_types(uow())
                  if any(a["datatype"] == "singlevaluelist" for a in p["attributes"]))
    attr = next(a for a in handlers.service_definition(uow(), listed["code"])["attributes"]
                if a["datatype"] == "singlevaluelist")
    assert attr["values"] and all(set(v) == {"key", "name"} for v in attr["values"])
    assert handlers.service_definition(uow(), "OP-CABLEADO EXPUESTO")["attributes"] == []
    with pytest.raises(errors.NotFound) as caught:
        handlers.service_definition(uow(), "NO EXISTE")
    assert caught.value.code == "tipo_peticion_no_encontrado"
