"""The RPC error contract: a machine ``code`` and a Spanish ``message``.

nameko sends ``str(exc)`` as the remote error's value; these errors render as JSON
``{"code": ..., "message": ...}`` so the gateway can answer problem+json with both.
The class name (``NotFound``, ``InvalidInput``, ``Conflict``, ``Forbidden``) picks the
HTTP status at the gateway.
"""
from __future__ import annotations

import json


class ServiceError(Exception):
    code = "error"

    def __init__(self, message: str, code: str | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code

    def __str__(self) -> str:
        return json.dumps({"code": self.code, "message": self.message}, ensure_ascii=False)


class NotFound(ServiceError):
    code = "no_encontrado"


class InvalidInput(ServiceError):
    code = "datos_invalidos"


class Conflict(ServiceError):
    code = "conflicto"


class Forbidden(ServiceError):
    code = "prohibido"


def parse_remote_value(value) -> tuple[str | None, str]:
    """(code, message) from a remote error's value."""
    if isinstance(value, str):
        try:
            data = json.loads(value)
            if isinstance(data, dict) and "message" in data:
                return data.get("code"), data["message"]
        except ValueError:
            pass
        return None, value
    return None, str(value)
