"""Errors raised over RPC by routing; each has a machine code and a Spanish message.
The class names are part of the RPC contract (mapped to HTTP at the gateway)."""
from sacinfra.errors import Conflict, Forbidden, InvalidInput, NotFound, ServiceError

__all__ = ["Conflict", "Forbidden", "InvalidInput", "NotFound", "PayloadTooLarge", "ServiceError", "UnknownDepartment"]


class PayloadTooLarge(InvalidInput):
    """A file over the size limit (``evidencia_muy_grande``); the gateway answers 413."""
    code = "evidencia_muy_grande"


class UnknownDepartment(InvalidInput):
    """A reassignment's or share's target is not an active department of that agency in
    routing's projection of catalog (``departamento_no_encontrado``, 422); nothing changes."""
    code = "departamento_no_encontrado"
