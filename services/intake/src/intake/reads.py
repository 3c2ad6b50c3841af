"""Batch reads of reports as received, for the gateway's work orders (orden de trabajo):
many folios in one call, with the tracking token the printed QR code links with.

Intake does not decide who may read a report: the gateway asks routing first (which
reports the user may see) and only then asks for those folios."""
from __future__ import annotations

from sacinfra.errors import InvalidInput

from .handlers import _public

MAX_FOLIOS = 1000


def get_reports(uow, folios, include_token: bool = False) -> list[dict]:
    """The reports of ``folios`` that exist (the order of ``folios``; unknown ones are left
    out), each as ``get_report`` answers it, plus ``tracking_token`` when asked."""
    if not isinstance(folios, (list, tuple)) or len(folios) > MAX_FOLIOS or any(
            isinstance(f, bool) or not isinstance(f, int) or f < 1 for f in folios):
        raise InvalidInput(f"Indique una lista de hasta {MAX_FOLIOS} folios (enteros positivos).", "folio_invalido")
    if not folios:
        return []
    with uow:
        rows = uow.by_folios(folios)
    return [_public(rows[f], include_token=include_token) for f in dict.fromkeys(folios) if f in rows]
