"""Evidence files (photos, documents) of interventions.

Files travel base64 in the RPC payload (``[{"filename", "content"}]``; a declared
``content_type`` is ignored: the type is the one the content's magic bytes show), are
checked here before anything is written (count, size, type, filename) and are stored as
``bytea`` in the ``evidence`` table in the same transaction as their intervention
(append-only, like interventions). Everything here is pure (no I/O): the checks
(``sniff``, ``safe_filename``, ``prepare``) and the rows the repository stores
(``rows``); reading a file back is ``handlers.get_evidence``.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from .exceptions import InvalidInput, PayloadTooLarge

DEFAULT_MAX_FILES = 5
DEFAULT_MAX_BYTES = 5 * 1024 * 1024

JPEG, PNG, WEBP, HEIC, HEIF, PDF = ("image/jpeg", "image/png", "image/webp", "image/heic", "image/heif",
                                    "application/pdf")
#: accepted types and the extensions a stored filename may keep (the first one is given otherwise)
EXTENSIONS = {JPEG: ("jpg", "jpeg", "jfif"), PNG: ("png",), WEBP: ("webp",), HEIC: ("heic",),
              HEIF: ("heif", "heic"), PDF: ("pdf",)}
#: ISO-BMFF major brands (bytes 8–12, after ``ftyp``) of HEIC images and of generic HEIF
HEIC_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx"}
HEIF_BRANDS = {b"mif1", b"msf1"}
ALLOWED_LABEL = "una imagen JPEG, PNG, WebP o HEIC, o un PDF"

MAX_STEM = 100
WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
                    *(f"LPT{i}" for i in range(1, 10))}
UNSAFE = re.compile(r'[<>:"|?*;\\/]')

@dataclass(frozen=True)
class Limits:
    """How many files an intervention may carry and how big each may be (bytes)."""
    max_files: int = DEFAULT_MAX_FILES
    max_bytes: int = DEFAULT_MAX_BYTES

    @classmethod
    def from_config(cls, config) -> "Limits":
        return cls(max_files=int(config.get("EVIDENCE_MAX_FILES") or DEFAULT_MAX_FILES),
                   max_bytes=int(config.get("EVIDENCE_MAX_BYTES") or DEFAULT_MAX_BYTES))


@dataclass(frozen=True)
class EvidenceFile:
    filename: str
    content_type: str
    content: bytes

    @property
    def size(self) -> int:
        return len(self.content)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


# --------------------------------------------------------------------------- pure checks

def sniff(data: bytes) -> str | None:
    """The accepted type the content's leading bytes show, else None (the declared type
    and the filename's extension are not trusted)."""
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    if len(data) >= 12 and data[4:8] == b"ftyp":
        if data[8:12] in HEIC_BRANDS:
            return HEIC
        if data[8:12] in HEIF_BRANDS:
            return HEIF
    if data.startswith(b"%PDF-"):
        return PDF
    return None


def _clean(name) -> str:
    """The last path component of a declared name, without control or format characters
    (bidi overrides, zero-width) nor characters reserved by common file systems."""
    name = unicodedata.normalize("NFC", name if isinstance(name, str) else "")
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(c for c in name if unicodedata.category(c) not in ("Cc", "Cf", "Cs", "Co", "Zl", "Zp"))
    return " ".join(UNSAFE.sub("_", name).split())


def safe_filename(name, content_type: str) -> str:
    """The declared filename made safe to store and to send back in Content-Disposition
    (``_clean``), at most ``MAX_STEM`` characters before the extension, and with an
    extension that matches the content's type (``foto.jpg`` holding a PNG is stored as
    ``foto.png``; a name without one gets it)."""
    stem, dot, ext = _clean(name).rpartition(".")
    if not dot:
        stem, ext = ext, ""
    ext = ext.lower() if ext.lower() in EXTENSIONS[content_type] else EXTENSIONS[content_type][0]
    stem = stem.strip(" .")[:MAX_STEM].strip(" .") or "evidencia"
    if stem.upper() in WINDOWS_RESERVED:
        stem = f"_{stem}"
    return f"{stem}.{ext}"


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f}".rstrip("0").rstrip(".") + " MB"


def _label(item, index: int) -> str:
    name = _clean(item.get("filename"))[:MAX_STEM] if isinstance(item, dict) else ""
    return f"«{name}»" if name else f"número {index + 1}"


def prepare(raw, limits: Limits | None = None) -> list[EvidenceFile]:
    """The files of an intervention, checked (count, size, type by content, filename)
    before anything is written. ``raw``: None or a list of ``{"filename", "content"}``
    with ``content`` in base64. ``InvalidInput`` (``demasiadas_evidencias``,
    ``tipo_de_evidencia_no_permitido``, ``evidencia_invalida``, ``evidencia_vacia``) or
    ``PayloadTooLarge`` (``evidencia_muy_grande``)."""
    limits = limits or Limits()
    if raw is None:
        return []
    if not isinstance(raw, (list, tuple)):
        raise InvalidInput("La evidencia debe ser una lista de archivos.", "evidencia_invalida")
    if len(raw) > limits.max_files:
        raise InvalidInput(f"Se admiten hasta {limits.max_files} archivos de evidencia por intervención; "
                           f"recibió {len(raw)}.", "demasiadas_evidencias")
    out = []
    for index, item in enumerate(raw):
        label = _label(item, index)
        if not isinstance(item, dict) or not isinstance(item.get("content"), str):
            raise InvalidInput(f"El archivo {label} no trae su contenido (base64).", "evidencia_invalida")
        encoded = item["content"]
        # a base64 text this long cannot decode to max_bytes or less: refused without decoding it
        if len(encoded) > 4 * (limits.max_bytes // 3 + 1) + 4:
            raise PayloadTooLarge(f"El archivo {label} pesa {_mb(len(encoded) * 3 // 4)}; el máximo es "
                                  f"{_mb(limits.max_bytes)}.", "evidencia_muy_grande")
        try:
            content = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidInput(f"El contenido del archivo {label} no es base64 válido.",
                               "evidencia_invalida") from None
        if not content:
            raise InvalidInput(f"El archivo {label} está vacío.", "evidencia_vacia")
        if len(content) > limits.max_bytes:
            raise PayloadTooLarge(f"El archivo {label} pesa {_mb(len(content))}; el máximo es "
                                  f"{_mb(limits.max_bytes)}.", "evidencia_muy_grande")
        content_type = sniff(content)
        if content_type is None:
            raise InvalidInput(f"El archivo {label} no es {ALLOWED_LABEL} (se revisa su contenido, no su "
                               "nombre ni el tipo declarado).", "tipo_de_evidencia_no_permitido")
        out.append(EvidenceFile(safe_filename(item.get("filename"), content_type), content_type, content))
    return out


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
