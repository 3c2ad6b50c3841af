"""/v1/catalog and /open311/v2 over a fake catalog service (real gateway database for
users and the audit log): paths with encoded codes, roles, versions, import and export
bodies, Open311 shapes. The real catalog is exercised in tests/e2e/test_catalog_api.py."""
import base64
import json
from urllib.parse import quote
from xml.etree import ElementTree as ET

import pytest

from gateway.exports import MEDIA_TYPES
from gateway.rpc import RemoteCallError

SLASH = "OP-SOLICIT DE MANTENIN PODA Y/O DESHIERB"
ENYE = "SIAP- RECOLECCION DE ARBOLES NAVIDEÑOS"


def petition(code, agency="OP", version=1, **kw):
    return {"code": code, "name": code, "kind": "Servicio", "description": "", "sla_amount": 5,
            "sla_unit": "calendar_days", "agency": agency, "department": f"{agency}-X", "active": True,
            "attributes": [], "version": version} | kw


def remote(exc_type, code, message, **extra):
    return RemoteCallError(exc_type, json.dumps({"code": code, "message": message} | extra, ensure_ascii=False))


EDITORS, ADMINS = {"agency_staff", "admin"}, {"admin"}


def granted(roles, answer):
    """An answer that, like catalog's policy, refuses (403 ``prohibido``) an actor whose role
    is not in ``roles``: the gateway passes every staff user and maps catalog's refusal."""
    def respond(actor, *args):
        if actor["role"] not in roles:
            raise remote("Forbidden", "prohibido", "Su perfil no permite modificar el catálogo.")
        return answer(actor, *args) if callable(answer) else answer
    return respond


@pytest.fixture
def fake(fake_service):
    return fake_service("catalog")


def test_encoded_codes_reach_catalog_decoded(api, fake):
    c, h = api.client, api.as_("operator")
    fake.answers["get_petition_type"] = lambda code: petition(code, version=4)
    fake.answers["petition_type_history"] = lambda code: [{"code": code, "version": 1}]
    for code in (SLASH, ENYE):
        r = c.get(f"/v1/catalog/petition-types/{quote(code, safe='')}", headers=h)
        assert r.status_code == 200, r.text
        assert r.json()["code"] == code and r.headers["etag"] == '"4"'
        r = c.get(f"/v1/catalog/petition-types/{quote(code, safe='')}/history", headers=h)
        assert r.status_code == 200 and r.json()[0]["code"] == code
    fake.answers["get_petition_type"] = remote("NotFound", "tipo_peticion_no_encontrado", "No existe.")
    r = c.get("/v1/catalog/petition-types/NADA", headers=h)
    assert r.status_code == 404 and r.json()["code"] == "tipo_peticion_no_encontrado"
    assert r.headers["content-type"].startswith("application/problem+json")
    assert c.get("/v1/catalog/petition-types/NADA").status_code == 401


def test_list_passes_filters_page_and_actor_to_catalog(api, fake):
    """Catalog filters, pages and scopes petition types; the gateway only passes them on."""
    c = api.client
    fake.answers["list_petition_types"] = lambda filters, page, per_page, actor: {
        "items": [petition("OP-A", name="LAMPARA")], "total": 3, "page": page, "per_page": per_page}
    r = c.get("/v1/catalog/petition-types", headers=api.as_("agency_staff"))
    assert r.status_code == 200 and r.json()["total"] == 3 and r.json()["page"] == 1
    filters, page, per_page, actor = fake.last("list_petition_types")
    assert (filters, page, per_page) == ({}, 1, 500)
    assert (actor["kind"], actor["role"], actor["agency"]) == ("staff", "agency_staff", "OP")
    r = c.get("/v1/catalog/petition-types", params={"agency": "SIAP", "active": "false", "q": "lampara",
                                                    "sla_unit": "business_days", "page": 2, "per_page": 5},
              headers=api.as_("block_leader"))
    assert r.status_code == 200, r.text
    filters, page, per_page, actor = fake.last("list_petition_types")
    assert filters == {"agency": "SIAP", "active": False, "q": "lampara", "sla_unit": "business_days"}
    assert (page, per_page, actor["role"]) == (2, 5, "block_leader")
    assert c.get("/v1/catalog/petition-types", params={"per_page": 0}, headers=api.as_("operator")).status_code == 422


def test_patch_needs_a_version_and_an_editor(api, fake):
    c = api.client
    url = f"/v1/catalog/petition-types/{quote(SLASH, safe='')}"
    fake.answers["update_petition_type"] = granted(
        EDITORS, lambda actor, code, changes, version: petition(code, version=version + 1))
    staff = api.as_("agency_staff")
    r = c.patch(url, json={"sla_amount": 7}, headers=staff | {"If-Match": 'W/"3"'})
    assert r.status_code == 200, r.text
    assert r.headers["etag"] == '"4"'
    actor, code, changes, version = fake.last("update_petition_type")
    assert (code, changes, version) == (SLASH, {"sla_amount": 7}, 3)
    assert actor == {"kind": "staff", "username": "agency_staff", "role": "agency_staff", "agency": "OP",
                     "department": "OP-ALUMBRADO"}
    assert c.patch(url, json={"sla_amount": 7, "version": 3}, headers=staff).status_code == 200
    r = c.patch(url, json={"sla_amount": 7}, headers=staff)
    assert r.status_code == 428 and r.json()["code"] == "version_requerida"
    r = c.patch(url, json={"sla_amount": 7, "version": 2}, headers=staff | {"If-Match": '"3"'})
    assert r.status_code == 422 and r.json()["code"] == "version_contradictoria"
    r = c.patch(url, json={"version": 3, "sla_amount": 1}, headers=api.as_("operator"))
    assert r.status_code == 403 and r.json()["code"] == "prohibido"  # catalog's answer, mapped
    assert c.patch(url, json={"version": 3, "sla_amount": 1}).status_code == 401
    fake.answers["update_petition_type"] = remote("Conflict", "version_desactualizada", "El tipo cambió.")
    r = c.patch(url, json={"version": 1, "sla_amount": 1}, headers=staff)
    assert r.status_code == 409 and r.json()["code"] == "version_desactualizada"

    admin = api.as_("admin")
    audit = c.get("/v1/audit", params={"action": "petition_type.updated"}, headers=admin).json()
    assert audit["total"] == 2 and audit["items"][0]["target"] == f"petition_type:{SLASH}"
    assert audit["items"][0]["actor"] == "agency_staff"


def test_admin_only_maintenance(api, fake):
    c = api.client
    fake.answers["upsert_agency"] = granted(ADMINS, lambda actor, data: data)
    fake.answers["update_calendar"] = granted(ADMINS, lambda actor, data: {"weekend_days": [5, 6]} | data)
    fake.answers["get_calendar"] = {"weekend_days": [5, 6]}
    for user in ("agency_staff", "operator", "supervisor"):
        assert c.put("/v1/catalog/agencies/XX", json={"name": "X"}, headers=api.as_(user)).status_code == 403
    admin = api.as_("admin")
    r = c.put("/v1/catalog/agencies/XX", json={"name": "X"}, headers=admin)
    assert r.status_code == 200 and r.json() == {"code": "XX", "name": "X", "active": True}
    assert fake.last("upsert_agency")[0]["role"] == "admin"
    r = c.patch("/v1/catalog/calendar", json={"extra_days_off": ["2026-11-02"]}, headers=admin)
    assert r.status_code == 200 and fake.last("update_calendar")[1] == {"extra_days_off": ["2026-11-02"]}
    actions = {e["action"] for e in c.get("/v1/audit", headers=admin).json()["items"]}
    assert {"agency.upserted", "calendar.updated"} <= actions


def test_import_multipart_raw_and_line_errors(api, fake):
    c, h = api.client, api.as_("admin")
    content = "código,nombre\nX,Ñandú\n".encode()
    fake.answers["import_catalog"] = {"imported": 1, "created": 1, "updated": 0, "unchanged": 0}
    r = c.post("/v1/catalog/import", files={"file": ("catálogo.csv", content, "text/csv")}, headers=h)
    assert r.status_code == 200, r.text
    actor, fmt, b64 = fake.last("import_catalog")
    assert fmt == "csv" and base64.b64decode(b64) == content
    xlsx = b"PK\x03\x04\r\n--not-a-boundary\r\n\x00\xff binary"
    r = c.post("/v1/catalog/import", files={"file": ("c.xlsx", xlsx)}, headers=h)
    assert r.status_code == 200 and fake.last("import_catalog")[1:] == ("xlsx", base64.b64encode(xlsx).decode())
    r = c.post("/v1/catalog/import?format=csv", content=content, headers=h | {"Content-Type": "text/csv"})
    assert r.status_code == 200 and base64.b64decode(fake.last("import_catalog")[2]) == content
    r = c.post("/v1/catalog/import", content=content, headers=h | {"Content-Type": "application/octet-stream"})
    assert r.status_code == 422 and r.json()["code"] == "formato_requerido"
    errors = [{"line": 3, "message": "«sla_unidad»: inválida"}, {"line": 5, "message": "«dependencia»: no existe"}]
    fake.answers["import_catalog"] = remote("InvalidInput", "importacion_invalida",
                                            "No se importó nada: 2 líneas con errores.\nlínea 3: …\nlínea 5: …",
                                            errors=errors)
    r = c.post("/v1/catalog/import?format=csv", content=content, headers=h | {"Content-Type": "text/csv"})
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert body["code"] == "importacion_invalida" and body["errors"] == errors
    assert body["detail"] == "No se importó nada: 2 líneas con errores."
    fake.answers["import_catalog"] = granted(EDITORS, {"imported": 1, "created": 1, "updated": 0, "unchanged": 0})
    r = c.post("/v1/catalog/import?format=csv", content=content,
               headers=api.as_("operator") | {"Content-Type": "text/csv"})
    assert r.status_code == 403


def test_export_streams_the_file_catalog_names(api, fake):
    """Catalog scopes the export and names the file; the gateway passes the actor and streams it."""
    c = api.client
    fake.answers["export_file"] = lambda actor, fmt, agency: {
        "content_b64": base64.b64encode(f"{actor['role']}:{fmt}:{agency}".encode()).decode(),
        "media_type": MEDIA_TYPES[fmt], "filename": f"catálogo-de-peticiones-OP-2026-12-07.{fmt}"}
    r = c.get("/v1/catalog/export", params={"format": "xlsx"}, headers=api.as_("agency_staff"))
    assert r.status_code == 200 and r.content == b"agency_staff:xlsx:None"
    assert r.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    cd = r.headers["content-disposition"]
    assert cd.startswith('attachment; filename="catalogo-de-peticiones-OP-') and ".xlsx" in cd
    assert "filename*=UTF-8''cat%C3%A1logo-de-peticiones-OP-" in cd
    r = c.get("/v1/catalog/export", params={"agency": "SIAP"}, headers=api.as_("admin"))
    assert r.content == b"admin:csv:SIAP" and r.headers["content-type"].startswith("text/csv")
    assert c.get("/v1/catalog/export", params={"format": "pdf"}, headers=api.as_("admin")).status_code == 422


def test_open311_documents(client, fake):
    c = client
    fake.answers["list_services"] = [{"service_code": ENYE, "service_name": "Árboles", "description": "",
                                      "metadata": True, "type": "realtime", "keywords": "Servicio, X",
                                      "group": "SIAP"}]
    fake.answers["service_definition"] = lambda code: {"service_code": code, "attributes": [
        {"variable": True, "code": "tipo", "datatype": "singlevaluelist", "required": True,
         "datatype_description": None, "order": 1, "description": "TIPO",
         "values": [{"key": "A", "name": "Á"}]}]}
    r = c.get("/open311/v2/services.json")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    assert r.json()[0]["service_code"] == ENYE and r.json()[0]["metadata"] is True
    r = c.get("/open311/v2/services.xml")
    assert r.headers["content-type"].startswith("text/xml")
    root = ET.fromstring(r.content)
    assert root.tag == "services" and root.find("service/service_code").text == ENYE
    assert root.find("service/metadata").text == "true"
    r = c.get(f"/open311/v2/services/{quote(SLASH, safe='')}.xml")
    root = ET.fromstring(r.content)
    assert root.tag == "service_definition" and root.find("service_code").text == SLASH
    assert root.find("attributes/attribute/values/value/name").text == "Á"
    assert root.find("attributes/attribute/datatype_description").text is None
    r = c.get(f"/open311/v2/services/{quote(SLASH, safe='')}.json")
    assert r.json()["attributes"][0]["values"] == [{"key": "A", "name": "Á"}]
    fake.answers["service_definition"] = remote("NotFound", "tipo_peticion_no_encontrado", "No existe «X».")
    r = c.get("/open311/v2/services/X.json")
    assert r.status_code == 404 and r.json() == [{"code": 404, "description": "No existe «X»."}]
    r = c.get("/open311/v2/services/X.xml")
    root = ET.fromstring(r.content)
    assert r.status_code == 404 and root.tag == "errors" and root.find("error/code").text == "404"
    assert c.get("/open311/v2/services.html").status_code == 400
    r = c.get("/open311/v2/discovery.xml")
    root = ET.fromstring(r.content)
    assert root.tag == "discovery" and root.find("endpoints/endpoint/url").text.endswith("/open311/v2")
    assert c.get("/open311/v2/discovery.json").json()["endpoints"][0]["formats"] == ["text/xml", "application/json"]
