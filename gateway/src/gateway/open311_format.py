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

#: the element of each item of a list, by the list's own element
ITEM_TAGS = {"services": "service", "service_requests": "request", "attributes": "attribute", "values": "value",
             "endpoints": "endpoint", "formats": "format", "errors": "error"}


def _element(parent: ET.Element, tag: str, value) -> None:
    """``value`` under ``parent`` as ``<tag>``: a dict's keys in order, a list's items as
    ``ITEM_TAGS[tag]`` elements, anything else as text."""
    if isinstance(value, dict) or (isinstance(value, list) and tag in ITEM_TAGS):
        el = ET.SubElement(parent, tag)
        for k, v in value.items() if isinstance(value, dict) else ((ITEM_TAGS[tag], v) for v in value):
            _element(el, k, v)
    else:
        _leaf(parent, tag, value)


def _render(doc, root_tag: str, fmt: str) -> bytes:
    if fmt != "xml":
        return _json(doc)
    holder = ET.Element("documento")
    _element(holder, root_tag, doc)
    return _xml(holder[0])


def render_services(services: list[dict], fmt: str) -> bytes:
    return _render(services_doc(services), "services", fmt)


def render_definition(definition: dict, fmt: str) -> bytes:
    return _render(definition_doc(definition), "service_definition", fmt)


def render_discovery(doc: dict, fmt: str) -> bytes:
    return _render(doc, "discovery", fmt)


def render_errors(status: int, description: str, fmt: str) -> bytes:
    return _render(errors_doc(status, description), "errors", fmt)


# --------------------------------------------------------------------------- service requests

REQUEST_FIELDS = ("service_request_id", "status", "status_notes", "service_name", "service_code", "description",
                  "agency_responsible", "service_notice", "requested_datetime", "updated_datetime",
                  "expected_datetime", "address", "address_id", "zipcode", "lat", "long", "media_url")
CREATED_FIELDS = ("service_request_id", "service_notice", "account_id")
TOKEN_FIELDS = ("service_request_id", "token")


def _request_list(items: list[dict], fields: tuple[str, ...], fmt: str) -> bytes:
    return _render([{k: item.get(k) for k in fields} for item in items], "service_requests", fmt)


def render_requests(items: list[dict], fmt: str) -> bytes:
    """GET requests / requests/{id}: ``<service_requests><request>…`` with every spec field."""
    return _request_list(items, REQUEST_FIELDS, fmt)


def render_created(items: list[dict], fmt: str) -> bytes:
    """POST requests: ``[{"service_request_id", "service_notice", "account_id"}]``."""
    return _request_list(items, CREATED_FIELDS, fmt)


def render_tokens(items: list[dict], fmt: str) -> bytes:
    """GET tokens/{token}: ``[{"service_request_id", "token"}]``."""
    return _request_list(items, TOKEN_FIELDS, fmt)


def public_request(row: dict, *, notes: dict | None = None, service_names: dict | None = None,
                   agency_names: dict | None = None) -> dict:
    """A routing report row (``query_reports``) as a GeoReport v2 service request: only
    public fields. The citizen's description is not published (free text often carries
    names and phone numbers), nor anything about the citizen."""
    notes = notes or {}
    street, colonia = row.get("street"), row.get("colonia")
    return {
        "service_request_id": str(row["folio"]),  # a string in JSON, as Open311 clients expect
        "status": "closed" if row["status"] in ("done", "not_viable") else "open",
        "status_notes": notes.get("status_notes"),
        "service_name": (service_names or {}).get(row["petition_type"], row["petition_type"]),
        "service_code": row["petition_type"],
        "description": None,
        "agency_responsible": (agency_names or {}).get(row["agency"], row["agency"]),
        "service_notice": None,
        "requested_datetime": row.get("created_at"),
        "updated_datetime": notes.get("updated_at") or row.get("closed_at") or row.get("created_at"),
        "expected_datetime": row.get("due_at"),
        "address": ", ".join(p for p in (street, colonia) if p) or None,
        "address_id": None,
        "zipcode": None,
        "lat": row.get("lat"),
        "long": row.get("lon"),
        "media_url": None,
    }
