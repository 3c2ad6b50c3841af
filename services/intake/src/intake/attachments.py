"""Files a citizen sent with a report (a WhatsApp photo, an email's attachments), stored
with the report, FixMyStreet-style: the channel passes them in the filing request
(``create_reports``: ``{"payload", …, "attachments": [{"filename", "content"}]}``,
content base64) and intake checks them with the same rules as routing's evidence
(``sacinfra.files``: type by content — JPEG, PNG, WebP, HEIC/HEIF, PDF —, at most
``EVIDENCE_MAX_FILES`` files of ``EVIDENCE_MAX_BYTES``, a safe filename) before anything
is written; they are inserted in the same transaction as the report (a refused file
refuses that report only, with the file's code). Bytes stay in intake's database
(``attachments``, ``bytea``); ARCO cancellation deletes those of the citizen's reports.

Who reads them: ``list_attachments``/``get_attachment`` with an ``actor`` decide as
``get_report`` does (``domain.report_view``: the whole record, else ``NotFound``); with no
actor, the caller already checked with routing that the user may read the report (the
gateway does so, as for ``get_reports``)."""
from __future__ import annotations

import os
from datetime import datetime

from sacinfra import files
from sacinfra.actor import Actor, ActorInvalid
from sacinfra.errors import InvalidInput, NotFound

from . import domain


def limits() -> files.Limits:
    """``EVIDENCE_MAX_FILES`` and ``EVIDENCE_MAX_BYTES`` (routing's and the gateway's variables)."""
    return files.Limits(max_files=int(os.environ.get("EVIDENCE_MAX_FILES") or files.DEFAULT_MAX_FILES),
                        max_bytes=int(os.environ.get("EVIDENCE_MAX_BYTES") or files.DEFAULT_MAX_BYTES))


def prepare(raw) -> list[files.EvidenceFile]:
    """A filing request's ``attachments``, checked (``InvalidInput`` with the file's code)."""
    return files.prepare(raw, limits(), per="reporte")


def rows(folio: int, uploaded_by: str | None, checked: list[files.EvidenceFile], at: datetime) -> list[dict]:
    return [{"folio": folio, "filename": f.filename, "content_type": f.content_type, "size": f.size,
             "sha256": f.sha256, "content": f.content, "uploaded_by": uploaded_by, "at": at} for f in checked]


def metadata(row: dict) -> dict:
    return {"id": row["id"], "folio": row["folio"], "filename": row["filename"], "content_type": row["content_type"],
            "size": row["size"], "sha256": row["sha256"], "at": row["at"].isoformat()}


def _not_found(folio) -> NotFound:
    return NotFound(f"No existe el reporte con folio {folio}.", "reporte_no_encontrado")


def _positive(value) -> bool:
    return not isinstance(value, bool) and isinstance(value, int) and value >= 1


def _check_reader(uow, folio, actor) -> None:
    """``actor`` None: the caller checked access already; else ``report_view`` decides."""
    if not _positive(folio):
        raise _not_found(folio)
    if actor is None:
        return
    try:
        who = Actor.load(actor)
    except ActorInvalid as exc:
        raise InvalidInput(str(exc), exc.code) from None
    with uow:
        report = uow.by_folio(folio)
    if report is None or domain.report_view(who, report) != domain.FULL:
        raise _not_found(folio)


def list_attachments(uow, folio, actor=None) -> list[dict]:
    """The metadata (no bytes) of the files sent with ``folio``."""
    _check_reader(uow, folio, actor)
    with uow:
        return [metadata(r) for r in uow.attachments_of([folio])]


def get_attachment(uow, folio, attachment_id, actor=None) -> dict:
    """One file with its bytes (``content`` base64), as routing's ``get_evidence`` answers."""
    _check_reader(uow, folio, actor)
    if not _positive(attachment_id):
        raise NotFound(f"No existe el adjunto {attachment_id} del folio {folio}.", "adjunto_no_encontrado")
    with uow:
        row = uow.attachment(folio, attachment_id)
    if row is None:
        raise NotFound(f"No existe el adjunto {attachment_id} del folio {folio}.", "adjunto_no_encontrado")
    return metadata(row) | files.payload_item(row["filename"], bytes(row["content"]))
