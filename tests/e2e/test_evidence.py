"""Evidence files through the platform as `make up` runs it: agency staff attach a PNG and
a PDF to an intervention (multipart) and read them back byte-identical with their type,
ETag and nosniff; a disguised .exe named photo.jpg is refused (422) and stores nothing;
the count and size limits answer 422/413; another agency's staff get 403; the closing
intervention carries five files at the maximum size (a ~33 MiB RPC message)."""
import hashlib
import os
import struct
import time
import zlib

import pytest
import requests

pytestmark = pytest.mark.e2e
SHARED_PLATFORM = True  # asserts nothing platform-wide: runs on the session's shared platform

MAX_BYTES = 5 * 1024 * 1024  # EVIDENCE_MAX_BYTES's default, in routing and in the gateway


def png() -> bytes:
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00" + b"\xff\x00\x00" * 2 + b"\x00" + b"\x00\xff\x00" * 2))
            + chunk(b"IEND", b""))


PNG = png()
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
       b"trailer<</Root 1 0 R>>\n%%EOF\n")
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"This program cannot be run"


@pytest.fixture(scope="module")
def tokens(tokens, login, platform):
    """The demo users plus staff of another agency (SIAP), created by the admin."""
    base = platform.gateway_url
    r = requests.post(f"{base}/v1/users", headers=tokens["admin"], timeout=10, json={
        "username": "siap_staff", "password": "evidencia-siap-2026", "full_name": "Personal de SIAP",
        "role": "agency_staff", "agency": "SIAP", "department": "SIAP-ESPECIALES"})
    assert r.status_code == 201, r.text
    tokens["siap_staff"] = login(base, "siap_staff", "evidencia-siap-2026")
    return tokens


def interventions(base: str, folio: int, headers: dict) -> list[dict]:
    r = requests.get(f"{base}/v1/reports/{folio}/interventions", headers=headers, timeout=10)
    assert r.status_code == 200, r.text
    return r.json()


def test_agency_staff_attach_a_png_and_a_pdf_and_read_them_back(platform, tokens, file_report, wait_assigned, subscribe,
                                                                 contracts):
    base, staff = platform.gateway_url, tokens["agency_staff"]
    added = subscribe(platform.amqp_uri, "routing.events", "intervention_added")
    folio = file_report(base, tokens["operator"])
    wait_assigned(base, folio, staff)

    r = requests.post(f"{base}/v1/reports/{folio}/interventions", headers=staff, timeout=30,
                      data={"text": "Se revisó la luminaria; se adjunta foto y oficio"},
                      files=[("files", ("../luminaria.jpg", PNG, "image/jpeg")),
                             ("files", ("oficio de la cuadrilla", PDF, "application/octet-stream"))])
    assert r.status_code == 201, r.text
    note = r.json()
    assert note["kind"] == "note" and note["text"] == "Se revisó la luminaria; se adjunta foto y oficio"
    assert [(e["filename"], e["content_type"], e["size"], e["sha256"]) for e in note["evidence"]] == [
        ("luminaria.png", "image/png", len(PNG), hashlib.sha256(PNG).hexdigest()),
        ("oficio de la cuadrilla.pdf", "application/pdf", len(PDF), hashlib.sha256(PDF).hexdigest())]

    for meta, content, disposition in zip(note["evidence"], (PNG, PDF), ("inline", "attachment")):
        r = requests.get(f"{base}/v1/reports/{folio}/evidence/{meta['id']}", headers=staff, timeout=10)
        assert r.status_code == 200, r.text
        assert r.content == content  # byte-identical
        assert r.headers["content-type"] == meta["content_type"]
        assert r.headers["etag"] == f'"{hashlib.sha256(content).hexdigest()}"'
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["content-disposition"].startswith(f'{disposition}; filename="{meta["filename"]}"')
        again = requests.get(f"{base}/v1/reports/{folio}/evidence/{meta['id']}", timeout=10,
                             headers=staff | {"If-None-Match": r.headers["etag"]})
        assert again.status_code == 304 and not again.content

    # the listing carries the metadata (never the content); auditors read too
    (listed,) = interventions(base, folio, tokens["auditor"])
    assert listed["evidence"] == note["evidence"]
    assert requests.get(f"{base}/v1/reports/{folio}/evidence/{note['evidence'][1]['id']}",
                        headers=tokens["auditor"], timeout=10).content == PDF

    # the event carries the ids only, and matches its contract
    deadline = time.monotonic() + 15
    while not [m for m in added.messages if m["data"]["folio"] == folio] and time.monotonic() < deadline:
        time.sleep(0.1)
    (event,) = [m for m in added.messages if m["data"]["folio"] == folio]
    assert event["data"]["evidence_ids"] == [e["id"] for e in note["evidence"]]
    assert "luminaria" not in str(event)
    contracts.validate(event)

    # reads land in the audit log
    audit = requests.get(f"{base}/v1/audit", params={"target": f"report:{folio}"}, headers=tokens["auditor"],
                         timeout=10).json()
    assert {"report.intervention_added", "report.evidence_read"} <= {e["action"] for e in audit["items"]}


def test_refused_files_store_nothing_and_json_still_works(platform, tokens, file_report, wait_assigned):
    base, staff = platform.gateway_url, tokens["agency_staff"]
    folio = file_report(base, tokens["operator"])
    wait_assigned(base, folio, staff)
    url = f"{base}/v1/reports/{folio}/interventions"

    r = requests.post(url, headers=staff, timeout=30, data={"text": "Foto del poste"},
                      files=[("files", ("poste.png", PNG, "image/png")),
                             ("files", ("photo.jpg", EXE, "image/jpeg"))])  # an .exe in disguise
    assert r.status_code == 422 and r.json()["code"] == "tipo_de_evidencia_no_permitido"
    assert r.headers["content-type"].startswith("application/problem+json")
    assert "«photo.jpg»" in r.json()["detail"]

    r = requests.post(url, headers=staff, timeout=30, data={"text": "Seis fotos"},
                      files=[("files", (f"f{i}.png", PNG, "image/png")) for i in range(6)])
    assert r.status_code == 422 and r.json()["code"] == "demasiadas_evidencias"

    r = requests.post(url, headers=staff, timeout=30, data={"text": "Muy grande"},
                      files=[("files", ("grande.png", PNG + b"\x00" * (MAX_BYTES + 1 - len(PNG)), "image/png"))])
    assert r.status_code == 413 and r.json()["code"] == "evidencia_muy_grande"

    r = requests.post(url, headers=staff, timeout=30, data={"text": ""}, files=[("files", ("a.png", PNG))])
    assert r.status_code == 422 and r.json()["code"] == "validacion"
    r = requests.post(url, headers=staff | {"Content-Type": "text/plain"}, data="hola", timeout=10)
    assert r.status_code == 415 and r.json()["code"] == "tipo_de_contenido_no_soportado"

    assert interventions(base, folio, staff) == []  # none of the refused requests left anything
    assert [h["kind"] for h in wait_assigned(base, folio, staff)["history"]] == ["assigned"]

    r = requests.post(url, headers=staff, json={"text": "Sin archivos, como siempre"}, timeout=10)
    assert r.status_code == 201 and r.json()["evidence"] == []
    r = requests.post(url, headers=staff, json={"text": "x", "files": []}, timeout=10)
    assert r.status_code == 422  # the JSON contract is unchanged (no unknown fields)

    # finish: a refused file leaves the report in progress; the JSON finish works as before
    assert requests.post(f"{base}/v1/reports/{folio}/start", json={"version": 1}, headers=staff,
                         timeout=10).status_code == 200
    r = requests.post(f"{base}/v1/reports/{folio}/finish", headers=staff, timeout=30,
                      data={"version": "2", "text": "Listo"}, files=[("files", ("cierre.jpg", EXE, "image/jpeg"))])
    assert r.status_code == 422 and r.json()["code"] == "tipo_de_evidencia_no_permitido"
    a = wait_assigned(base, folio, staff)
    assert (a["status"], a["version"], a["interventions_count"]) == ("in_progress", 2, 1)
    r = requests.post(f"{base}/v1/reports/{folio}/finish", json={"version": 2, "text": "Listo"}, headers=staff,
                      timeout=10)
    assert r.status_code == 200 and r.json()["status"] == "done" and r.headers["etag"] == '"3"'
    assert interventions(base, folio, staff)[-1]["evidence"] == []


def test_another_agencys_staff_get_404_and_unknown_ids_404(platform, tokens, file_report, wait_assigned):
    """Another agency's report is not there for its staff (routing's NotFound); a role that
    may not read interventions at all is 403 at the gateway."""
    base, staff, siap = platform.gateway_url, tokens["agency_staff"], tokens["siap_staff"]
    folio = file_report(base, tokens["operator"])
    wait_assigned(base, folio, staff)
    r = requests.post(f"{base}/v1/reports/{folio}/interventions", headers=staff, timeout=30,
                      data={"text": "Foto"}, files=[("files", ("a.png", PNG, "image/png"))])
    assert r.status_code == 201, r.text
    eid = r.json()["evidence"][0]["id"]

    r = requests.get(f"{base}/v1/reports/{folio}/evidence/{eid}", headers=siap, timeout=10)
    assert r.status_code == 404 and r.json()["code"] == "reporte_no_encontrado"
    assert r.headers["content-type"].startswith("application/problem+json")
    r = requests.post(f"{base}/v1/reports/{folio}/interventions", headers=siap, timeout=30,
                      data={"text": "Foto ajena"}, files=[("files", ("b.png", PNG, "image/png"))])
    assert r.status_code == 404
    assert len(interventions(base, folio, staff)) == 1
    assert requests.get(f"{base}/v1/reports/{folio}/evidence/{eid}", headers=tokens["operator"],
                        timeout=10).status_code == 403
    assert requests.get(f"{base}/v1/reports/{folio}/evidence/{eid}", timeout=10).status_code == 401

    r = requests.get(f"{base}/v1/reports/{folio}/evidence/{eid + 10_000}", headers=staff, timeout=10)
    assert r.status_code == 404 and r.json()["code"] == "evidencia_no_encontrada"
    other = file_report(base, tokens["operator"])
    wait_assigned(base, other, staff)
    r = requests.get(f"{base}/v1/reports/{other}/evidence/{eid}", headers=staff, timeout=10)
    assert r.status_code == 404  # an id of another report


def test_finish_with_five_files_at_the_maximum_size(platform, tokens, file_report, wait_assigned):
    """The worst case the limits allow: 5 × 5 MiB, a ~33 MiB base64 RPC message to routing."""
    base, staff = platform.gateway_url, tokens["agency_staff"]
    folio = file_report(base, tokens["operator"])
    wait_assigned(base, folio, staff)
    r = requests.post(f"{base}/v1/reports/{folio}/start", json={"version": 1}, headers=staff, timeout=10)
    assert r.status_code == 200, r.text

    photos = [PNG + os.urandom(MAX_BYTES - len(PNG)) for _ in range(5)]
    started = time.perf_counter()
    r = requests.post(f"{base}/v1/reports/{folio}/finish", headers=staff | {"If-Match": '"2"'}, timeout=120,
                      data={"text": "Se cambió la lámpara; fotos de antes y después"},
                      files=[("files", (f"foto{i}.png", p, "image/png")) for i, p in enumerate(photos)])
    upload_seconds = time.perf_counter() - started
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["version"]) == ("done", 3)
    closing = interventions(base, folio, staff)[-1]
    assert closing["kind"] == "closing" and [e["size"] for e in closing["evidence"]] == [MAX_BYTES] * 5

    started = time.perf_counter()
    r = requests.get(f"{base}/v1/reports/{folio}/evidence/{closing['evidence'][4]['id']}", headers=staff, timeout=60)
    download_seconds = time.perf_counter() - started
    assert r.status_code == 200 and r.content == photos[4]
    print(f"\nevidence: 5 x 5 MiB finish in {upload_seconds:.2f}s, one 5 MiB file back in {download_seconds:.2f}s")
