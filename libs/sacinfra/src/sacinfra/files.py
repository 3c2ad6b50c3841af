"""Files a person sends as evidence (photos, documents): the checks every service that
stores them applies the same way — routing's intervention evidence, intake's attachments
of a report (from the channels). Pure, no I/O.

Files travel base64 in RPC payloads (``[{"filename", "content"}]``; a declared
``content_type`` is ignored: the type is the one the content's magic bytes show).
``prepare`` checks count, size, type by content and filename before anything is written;
``check`` is the same test for one file in bytes (a channel drops what would be refused
before filing). The error classes are the caller's (``too_large`` is mapped to 413 by the
gateway through the service's own subclass), the wording says what the files belong to
(``per``: "intervención", "reporte").
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import re
import unicodedata
from dataclasses import dataclass

from .errors import InvalidInput

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


def check(content: bytes, limits: Limits | None = None) -> str | None:
    """Why one file (bytes) would be refused (``evidencia_vacia``, ``evidencia_muy_grande``,
    ``tipo_de_evidencia_no_permitido``), or None when ``prepare`` accepts it."""
    limits = limits or Limits()
    if not content:
        return "evidencia_vacia"
    if len(content) > limits.max_bytes:
        return "evidencia_muy_grande"
    return None if sniff(content) else "tipo_de_evidencia_no_permitido"


def payload_item(filename: str, content: bytes) -> dict:
    """A file as it travels in an RPC payload."""
    return {"filename": filename, "content": base64.b64encode(content).decode("ascii")}


def prepare(raw, limits: Limits | None = None, *, per: str = "intervención",
            too_large: type[InvalidInput] = InvalidInput) -> list[EvidenceFile]:
    """The files of an intervention (or of what ``per`` names), checked (count, size, type
    by content, filename) before anything is written. ``raw``: None or a list of
    ``{"filename", "content"}`` with ``content`` in base64. ``InvalidInput``
    (``demasiadas_evidencias``, ``tipo_de_evidencia_no_permitido``, ``evidencia_invalida``,
    ``evidencia_vacia``) or ``too_large`` (``evidencia_muy_grande``)."""
    limits = limits or Limits()
    if raw is None:
        return []
    if not isinstance(raw, (list, tuple)):
        raise InvalidInput("La evidencia debe ser una lista de archivos.", "evidencia_invalida")
    if len(raw) > limits.max_files:
        raise InvalidInput(f"Se admiten hasta {limits.max_files} archivos de evidencia por {per}; "
                           f"recibió {len(raw)}.", "demasiadas_evidencias")
    out = []
    for index, item in enumerate(raw):
        label = _label(item, index)
        if not isinstance(item, dict) or not isinstance(item.get("content"), str):
            raise InvalidInput(f"El archivo {label} no trae su contenido (base64).", "evidencia_invalida")
        encoded = item["content"]
        # a base64 text this long cannot decode to max_bytes or less: refused without decoding it
        if len(encoded) > 4 * (limits.max_bytes // 3 + 1) + 4:
            raise too_large(f"El archivo {label} pesa {_mb(len(encoded) * 3 // 4)}; el máximo es "
                                  f"{_mb(limits.max_bytes)}.", "evidencia_muy_grande")
        try:
            content = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidInput(f"El contenido del archivo {label} no es base64 válido.",
                               "evidencia_invalida") from None
        if not content:
            raise InvalidInput(f"El archivo {label} está vacío.", "evidencia_vacia")
        if len(content) > limits.max_bytes:
            raise too_large(f"El archivo {label} pesa {_mb(len(content))}; el máximo es "
                                  f"{_mb(limits.max_bytes)}.", "evidencia_muy_grande")
        content_type = sniff(content)
        if content_type is None:
            raise InvalidInput(f"El archivo {label} no es {ALLOWED_LABEL} (se revisa su contenido, no su "
                               "nombre ni el tipo declarado).", "tipo_de_evidencia_no_permitido")
        out.append(EvidenceFile(safe_filename(item.get("filename"), content_type), content_type, content))
    return out
