"""Errors of the email channel. RPC errors (their dotted paths are part of the RPC
contract) have a machine code and a Spanish message; the send errors stay inside the
service and tell the relay whether to retry."""
from sacinfra.errors import Conflict, Forbidden, InvalidInput, NotFound, ServiceError

__all__ = ["Conflict", "Forbidden", "InvalidInput", "NotFound", "ServiceError",
           "TransientSendError", "PermanentSendError"]


class TransientSendError(Exception):
    """The SMTP server could not take the message now (connection, 4xx reply): retry later."""


class PermanentSendError(Exception):
    """The SMTP server refused the message (5xx reply): retrying will not help."""
