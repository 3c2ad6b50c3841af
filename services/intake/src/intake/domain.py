"""Pure rules of intake."""
import secrets


def new_tracking_token() -> str:
    """Short token given with the folio so that sequential folios cannot be read by others."""
    return secrets.token_urlsafe(9)


def normalise_text(value: str | None) -> str | None:
    return " ".join(value.split()).upper() if value else value
