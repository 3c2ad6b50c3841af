"""Bodies with evidence files (gateway.uploads) on a small app, no services: JSON as
before, multipart text + files (base64 for the RPC), the gateway's own bounds (count,
size of each file, Content-Length, media type), the files served back, and routing's
``PayloadTooLarge`` mapped to 413."""
import base64
import json

import pytest
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.testclient import TestClient
from pydantic import BaseModel, ConfigDict, Field

from gateway import uploads
from gateway.errors import ApiError, api_error_handler, remote_to_api, validation_error_handler
from gateway.rpc import RemoteCallError

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=4000)
    version: int | None = None


@pytest.fixture
def client(monkeypatch):
    monkeypatch.setenv("EVIDENCE_MAX_FILES", "2")
    monkeypatch.setenv("EVIDENCE_MAX_BYTES", "100")
    uploads.upload_limits.cache_clear()
    app = FastAPI()
    app.add_exception_handler(ApiError, api_error_handler)
    app.add_exception_handler(RequestValidationError, validation_error_handler)

    @app.post("/x")
    async def x(request: Request):
        body, files = await uploads.read_body(request, Body)
        return {"body": body.model_dump(), "files": files}

    with TestClient(app) as c:
        yield c
    uploads.upload_limits.cache_clear()


def test_json_bodies_are_as_before(client):
    r = client.post("/x", json={"text": "hola", "version": 2})
    assert r.json() == {"body": {"text": "hola", "version": 2}, "files": []}
    r = client.post("/x", json={"text": "hola", "files": []})
    assert r.status_code == 422 and r.json()["code"] == "validacion"
    assert r.json()["errors"][0]["campo"] == "files"
    assert client.post("/x", content=b"{no es json", headers={"Content-Type": "application/json"}).status_code == 422


def test_multipart_text_and_files_travel_base64(client):
    r = client.post("/x", data={"text": "con foto", "version": "3"},
                    files=[("files", ("a.png", PNG, "image/png")), ("foto", ("b.jpg", b"\xff\xd8\xff", "image/jpeg"))])
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["body"] == {"text": "con foto", "version": 3}
    assert [(f["filename"], base64.b64decode(f["content"])) for f in out["files"]] == [
        ("a.png", PNG), ("b.jpg", b"\xff\xd8\xff")]


@pytest.mark.parametrize("files, status, code", [
    ([("files", (f"{i}.png", PNG, "image/png")) for i in range(3)], 422, "demasiadas_evidencias"),
    ([("files", ("grande.png", PNG + b"\x00" * 100, "image/png"))], 413, "evidencia_muy_grande"),
])
def test_the_gateway_bounds_count_and_size(client, files, status, code):
    r = client.post("/x", data={"text": "x"}, files=files)
    assert (r.status_code, r.json()["code"]) == (status, code)
    assert r.headers["content-type"].startswith("application/problem+json")


def test_other_refusals(client):
    r = client.post("/x", content=b"x" * 2_000_000, headers={"Content-Type": "multipart/form-data; boundary=b"})
    assert (r.status_code, r.json()["code"]) == (413, "evidencia_muy_grande")  # Content-Length over the bound
    r = client.post("/x", content=b"hola", headers={"Content-Type": "text/plain"})
    assert (r.status_code, r.json()["code"]) == (415, "tipo_de_contenido_no_soportado")
    r = client.post("/x", content=iter([b"--b\r\n"]), headers={"Content-Type": "multipart/form-data; boundary=b"})
    assert (r.status_code, r.json()["code"]) == (411, "longitud_requerida")  # chunked: no Content-Length
    r = client.post("/x", files=[("files", ("a.png", PNG))], data={"text": ["uno", "dos"]})
    assert (r.status_code, r.json()["code"]) == (422, "validacion")
    r = client.post("/x", files=[("files", ("a.png", PNG))], data={"text": "x", "otro": "y"})
    assert (r.status_code, r.json()["code"]) == (422, "validacion")


def test_files_are_served_with_their_type_etag_and_nosniff():
    meta = {"id": 1, "intervention_id": 1, "filename": "Lámpara ñ.png", "content_type": "image/png", "size": len(PNG),
            "sha256": "ab" * 32, "content": base64.b64encode(PNG).decode()}
    r = uploads.evidence_response(meta)
    assert r.body == PNG and r.media_type == "image/png"
    assert r.headers["etag"] == f'"{"ab" * 32}"' and r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["content-disposition"] == ("inline; filename=\"Lampara n.png\"; "
                                                "filename*=UTF-8''L%C3%A1mpara%20%C3%B1.png")
    assert "sandbox" in r.headers["content-security-policy"]
    pdf = uploads.evidence_response(meta | {"filename": "acta.pdf", "content_type": "application/pdf"})
    assert pdf.headers["content-disposition"].startswith('attachment; filename="acta.pdf"')
    assert uploads.evidence_response(meta, f'"x", "{"ab" * 32}"').status_code == 304


def test_routing_payload_too_large_is_413():
    exc = RemoteCallError("PayloadTooLarge", json.dumps({"code": "evidencia_muy_grande", "message": "Pesa 6 MB."}))
    error = remote_to_api(exc)
    assert (error.status, error.code, error.detail) == (413, "evidencia_muy_grande", "Pesa 6 MB.")
