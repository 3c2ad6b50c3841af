"""The RPC error contract: a machine ``code`` and a Spanish ``message``.

nameko sends ``str(exc)`` as the remote error's value; these errors render as JSON
``{"code": ..., "message": ...}`` so the gateway can answer problem+json with both.
The class (``NotFound``, ``InvalidInput``, ``Conflict``, ``Forbidden``, ``Unavailable``; ``kind`` in the
value for a service's own subclass) picks the HTTP status at the gateway. An unexpected
error (anything else) gets an incident id, logged by the service (``incidents``).
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
        return json.dumps({"code": self.code, "message": self.message, "kind": self.kind}, ensure_ascii=False)

    @property
    def kind(self) -> str:
        """The class of this module the error is (``NotFound``…): a service's own subclass
        is mapped to HTTP by it at the gateway."""
        return next(c.__name__ for c in type(self).__mro__ if c.__module__ == __name__)


class NotFound(ServiceError):
    code = "no_encontrado"


class InvalidInput(ServiceError):
    code = "datos_invalidos"


class Conflict(ServiceError):
    code = "conflicto"


class Forbidden(ServiceError):
    code = "prohibido"


class Unavailable(ServiceError):
    """A service this one needs did not answer in time (``sacinfra.refresh.bounded``): the
    gateway answers 503 with ``Retry-After``, and nothing was changed."""
    code = "servicio_no_disponible"


def parse_remote_value(value) -> tuple[str | None, str, str | None]:
    """(code, message, kind) from a remote error's value."""
    if isinstance(value, str):
        try:
            data = json.loads(value)
            if isinstance(data, dict) and "message" in data:
                return data.get("code"), data["message"], data.get("kind")
        except ValueError:
            pass
        return None, value, None
    return None, str(value), None


_RELAYED = {cls.__name__: cls for cls in (NotFound, InvalidInput, Conflict, Forbidden, Unavailable)}


def relayed(remote) -> Exception:
    """A refusal of a service this one called (nameko's ``RemoteError`` of one of these
    classes, or of a subclass that names it as ``kind``) as the same error of this service,
    so that its caller gets the code and the Spanish message as they were; anything else
    (an unexpected error, a dependency away) comes back as it was::

        try:
            return self.citizens.related_numbers(actor, number)
        except RemoteError as exc:
            raise relayed(exc) from None
    """
    code, message, kind = parse_remote_value(getattr(remote, "value", None))
    cls = _RELAYED.get(kind or "") or _RELAYED.get(getattr(remote, "exc_type", None) or "")
    return cls(message, code) if cls is not None and code else remote
