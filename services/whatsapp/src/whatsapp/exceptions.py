"""Errors of the WhatsApp channel. RPC errors (their dotted paths are part of the RPC
contract) have a machine code and a Spanish message; the send errors come from the
channel kit and tell the relay whether to retry."""
from sacchannel.errors import PermanentSendError, TransientSendError
from sacinfra.errors import Conflict, Forbidden, InvalidInput, NotFound, ServiceError

__all__ = ["Conflict", "Forbidden", "InvalidInput", "NotFound", "ServiceError",
           "TransientSendError", "PermanentSendError"]
