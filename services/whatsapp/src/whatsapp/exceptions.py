"""Errors of the WhatsApp channel. RPC errors (their dotted paths are part of the RPC
contract) have a machine code and a Spanish message; the send errors stay inside the
service and tell the relay whether to retry."""
from sacinfra.errors import Conflict, Forbidden, InvalidInput, NotFound, ServiceError

__all__ = ["Conflict", "Forbidden", "InvalidInput", "NotFound", "ServiceError",
           "TransientSendError", "PermanentSendError"]


class TransientSendError(Exception):
    """The Graph API could not take the message now (timeout, 5xx, 429): retry later."""


class PermanentSendError(Exception):
    """The Graph API refused the message (4xx other than 429): retrying will not help."""
