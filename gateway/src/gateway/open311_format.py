"""Open311 GeoReport v2 documents (discovery, services, service definitions, errors)
rendered as the spec's JSON or XML. Plain Python: no FastAPI, no I/O.

XML follows the spec's shapes: ``<services><service>…``, ``<service_definition>`` with
``<attributes><attribute>…<values><value><key/><name/></value></values>``,
``<discovery>…<endpoints><endpoint>…<formats><format/>``, ``<errors><error><code/>
<description/></error></errors>``. Booleans are ``true``/``false``; a null is an empty element.
"""
from __future__ import annotations

import json
from xml.etree import ElementTree as ET

FORMATS = ("json", "xml")
MEDIA_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
#: when this server's GeoReport v2 endpoints last changed (discovery ``changeset``)
CHANGESET = "2026-01-01T00:00:00Z"

SERVICE_FIELDS = ("service_code", "service_name", "description", "metadata", "type", "keywords", "group")
ATTRIBUTE_FIELDS = ("variable", "code", "datatype", "required", "datatype_description", "order", "description")


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _leaf(parent: ET.Element, tag: str, value) -> ET.Element:
    el = ET.SubElement(parent, tag)
    el.text = _text(value)
    return el


def _xml(root: ET.Element) -> bytes:
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _json(doc) -> bytes:
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


# --------------------------------------------------------------------------- documents

def services_doc(services: list[dict]) -> list[dict]:
    return [{k: s.get(k) for k in SERVICE_FIELDS} for s in services]


def definition_doc(definition: dict) -> dict:
    return {"service_code": definition["service_code"], "attributes": [
        {k: a.get(k) for k in ATTRIBUTE_FIELDS}
        | {"values": [{"key": v.get("key"), "name": v.get("name")} for v in a.get("values") or []]}
        for a in definition.get("attributes") or []]}


def discovery_doc(endpoint_url: str, contact: str, key_service: str) -> dict:
    return {"changeset": CHANGESET, "contact": contact, "key_service": key_service,
            "endpoints": [{"specification": SPECIFICATION, "url": endpoint_url, "changeset": CHANGESET,
                           "type": "production", "formats": ["text/xml", "application/json"]}]}


def errors_doc(status: int, description: str) -> list[dict]:
    return [{"code": status, "description": description}]


# --------------------------------------------------------------------------- rendering

def render_services(services: list[dict], fmt: str) -> bytes:
    doc = services_doc(services)
    if fmt == "json":
        return _json(doc)
    root = ET.Element("services")
    for s in doc:
        el = ET.SubElement(root, "service")
        for k in SERVICE_FIELDS:
            _leaf(el, k, s[k])
    return _xml(root)


def render_definition(definition: dict, fmt: str) -> bytes:
    doc = definition_doc(definition)
    if fmt == "json":
        return _json(doc)
    root = ET.Element("service_definition")
    _leaf(root, "service_code", doc["service_code"])
    attrs = ET.SubElement(root, "attributes")
    for a in doc["attributes"]:
        el = ET.SubElement(attrs, "attribute")
        for k in ATTRIBUTE_FIELDS:
            _leaf(el, k, a[k])
        values = ET.SubElement(el, "values")
        for v in a["values"]:
            ve = ET.SubElement(values, "value")
            _leaf(ve, "key", v["key"])
            _leaf(ve, "name", v["name"])
    return _xml(root)


def render_discovery(doc: dict, fmt: str) -> bytes:
    if fmt == "json":
        return _json(doc)
    root = ET.Element("discovery")
    for k in ("changeset", "contact", "key_service"):
        _leaf(root, k, doc[k])
    endpoints = ET.SubElement(root, "endpoints")
    for e in doc["endpoints"]:
        el = ET.SubElement(endpoints, "endpoint")
        for k in ("specification", "url", "changeset", "type"):
            _leaf(el, k, e[k])
        formats = ET.SubElement(el, "formats")
        for f in e["formats"]:
            _leaf(formats, "format", f)
    return _xml(root)


def render_errors(status: int, description: str, fmt: str) -> bytes:
    doc = errors_doc(status, description)
    if fmt != "xml":
        return _json(doc)
    root = ET.Element("errors")
    for e in doc:
        el = ET.SubElement(root, "error")
        _leaf(el, "code", e["code"])
        _leaf(el, "description", e["description"])
    return _xml(root)
