"""Errors raised over RPC by routing; each has a machine code and a Spanish message.
The class names are part of the RPC contract (mapped to HTTP at the gateway)."""
from sacinfra.errors import Conflict, Forbidden, InvalidInput, NotFound, ServiceError

__all__ = ["Conflict", "Forbidden", "InvalidInput", "NotFound", "PayloadTooLarge", "ServiceError"]


class PayloadTooLarge(InvalidInput):
    """A file over the size limit (``evidencia_muy_grande``); the gateway answers 413."""
    code = "evidencia_muy_grande"
