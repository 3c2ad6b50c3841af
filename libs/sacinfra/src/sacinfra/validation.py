"""marshmallow plumbing with Spanish messages, for every service's payload schemas.
No domain rules here: fields and messages only."""
from __future__ import annotations

import re

from marshmallow import RAISE, Schema, ValidationError, fields, validate

CONTROL = re.compile(r"[\x00-\x1f\x7f]")
BASE_MESSAGES = {"required": "Es obligatorio.", "null": "No puede ser nulo.", "validator_failed": "Valor inválido."}


def messages(invalid: str) -> dict:
    """marshmallow ``error_messages`` in Spanish, with ``invalid`` for a wrong type."""
    return BASE_MESSAGES | {"invalid": invalid}


class StrictSchema(Schema):
    """A payload schema that refuses unknown fields, with Spanish messages."""
    error_messages = {"unknown": "Campo desconocido.", "type": "Se esperaba un objeto."}

    class Meta:
        unknown = RAISE


def no_control(value: str) -> None:
    if CONTROL.search(value):
        raise ValidationError("No puede contener saltos de línea ni caracteres de control.")


class Text(fields.String):
    """A string, stripped of surrounding blanks, with a length and (when ``single_line``)
    no control characters."""

    def __init__(self, *, max_length: int = 200, min_length: int = 1, single_line: bool = True, **kw):
        validators = [validate.Length(min=min_length, max=max_length,
                                      error=f"Debe tener entre {min_length} y {max_length} caracteres.")]
        if single_line:
            validators.append(no_control)
        validators += list(kw.pop("validate", []) or [])
        self.single_line = single_line
        super().__init__(validate=validators, error_messages=messages("Debe ser texto."), **kw)

    def _deserialize(self, value, attr, data, **kw):
        return super()._deserialize(value, attr, data, **kw).strip()


def field_errors(messages, labels: dict | None = None, prefix: str = "") -> list[str]:
    """Flatten marshmallow's error dict into ``["«campo»: motivo", …]``; ``labels`` name
    the fields as a person reads them (``{"postal_code": "código postal"}``), list items
    are numbered from 1 (``«teléfonos[2]»``)."""
    labels = labels or {}
    out: list[str] = []
    if isinstance(messages, dict):
        for key, value in messages.items():
            if key == "_schema":
                out += field_errors(value, labels, prefix)
                continue
            name = labels.get(key, str(key)) if not prefix else f"{prefix}.{key}"
            if isinstance(key, int):
                name = f"{prefix}[{key + 1}]" if prefix else f"[{key + 1}]"
            out += field_errors(value, labels, name)
    elif isinstance(messages, list):
        for m in messages:
            out += field_errors(m, labels, prefix)
    else:
        out.append(f"«{prefix}»: {messages}" if prefix else str(messages))
    return out
