"""Evidence files (photos, documents) of interventions.

Files travel base64 in the RPC payload (``[{"filename", "content"}]``; a declared
``content_type`` is ignored: the type is the one the content's magic bytes show), are
checked here before anything is written (count, size, type, filename) and are stored as
``bytea`` in the ``evidence`` table in the same transaction as their intervention
(append-only, like interventions). The checks are shared with intake's attachments
(``sacinfra.files``: ``sniff``, ``safe_filename``, ``prepare``); here they raise routing's
``PayloadTooLarge``. Reading a file back is ``handlers.get_evidence``.
"""
from __future__ import annotations

from datetime import datetime

from sacinfra import files
from sacinfra.files import (ALLOWED_LABEL, DEFAULT_MAX_BYTES, DEFAULT_MAX_FILES, EXTENSIONS,  # noqa: F401
                            EvidenceFile, Limits, safe_filename, sniff)

from .exceptions import PayloadTooLarge


def prepare(raw, limits: Limits | None = None) -> list[EvidenceFile]:
    """The files of an intervention, checked before anything is written
    (``sacinfra.files.prepare``; over the size limit: ``PayloadTooLarge``)."""
    return files.prepare(raw, limits, per="intervención", too_large=PayloadTooLarge)


# --------------------------------------------------------------------------- rows

def metadata(row) -> dict:
    return {"id": row["id"], "intervention_id": row["intervention_id"], "filename": row["filename"],
            "content_type": row["content_type"], "size": row["size"], "sha256": row["sha256"]}


def rows(intervention_id: int, folio: int, uploaded_by: str, files: list[EvidenceFile], at: datetime) -> list[dict]:
    """The ``evidence`` rows of an intervention's files (the repository stores them in
    the intervention's transaction)."""
    return [{"intervention_id": intervention_id, "folio": folio, "filename": f.filename,
             "content_type": f.content_type, "size": f.size, "sha256": f.sha256, "content": f.content,
             "uploaded_by": uploaded_by, "at": at} for f in files]
