"""marshmallow plumbing with Spanish messages, for every service's payload schemas.
No domain rules here: fields and messages only."""
from __future__ import annotations

import re

from marshmallow import ValidationError, fields, validate

CONTROL = re.compile(r"[\x00-\x1f\x7f]")
BASE_MESSAGES = {"required": "Es obligatorio.", "null": "No puede ser nulo.", "validator_failed": "Valor inválido."}


def messages(invalid: str) -> dict:
    """marshmallow ``error_messages`` in Spanish, with ``invalid`` for a wrong type."""
    return BASE_MESSAGES | {"invalid": invalid}


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
