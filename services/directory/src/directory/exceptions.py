"""Errors raised over RPC by directory; each has a machine code and a Spanish message.
The class names are part of the RPC contract (mapped to HTTP at the gateway)."""
from __future__ import annotations

import json

from sacinfra import errors
from sacinfra.errors import Conflict, Forbidden, NotFound, ServiceError

__all__ = ["Conflict", "Forbidden", "InvalidInput", "NotFound", "ServiceError"]


class InvalidInput(errors.InvalidInput):
    """sacinfra's ``InvalidInput`` carrying, for an import, the per-line ``errors``
    ``[{"line": 5, "message": "…"}]`` next to ``code`` and ``message``."""

    def __init__(self, message: str, code: str | None = None, errors: list[dict] | None = None):
        super().__init__(message, code)
        self.errors = errors or []

    def __str__(self) -> str:
        if not self.errors:
            return super().__str__()
        return json.dumps(json.loads(super().__str__()) | {"errors": self.errors}, ensure_ascii=False)
