"""Errors raised over RPC by intake; each has a machine code and a Spanish message.
The class names are part of the RPC contract (mapped to HTTP at the gateway)."""
from sacinfra.errors import Conflict, Forbidden, InvalidInput, NotFound, ServiceError

__all__ = ["Conflict", "Forbidden", "InvalidInput", "NotFound", "ServiceError"]
