"""What a channel's sender raises; the relay retries the first and gives up on the second."""


class TransientSendError(Exception):
    """The provider could not take the message now (timeout, 5xx, 429, SMTP 4xx): retry later."""


class PermanentSendError(Exception):
    """The provider refused the message (4xx, SMTP 5xx): retrying will not help."""
