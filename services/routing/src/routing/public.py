"""What a public status page (Open311 GeoReport v2 ``requests``) shows: the newest reports
of a query (``requests``: the window, filters and paging decided here) and, besides a
report's row, when it last changed and, once closed, the note that closed it — the last
intervention of a finished report, the reason of a not-viable one (``status_notes``: one
query for a page of folios; public data by design, so it takes no actor)."""
from __future__ import annotations

from . import domain, queries, store
from .exceptions import InvalidInput

MAX_FOLIOS = 1000


def status_notes(uow, folios) -> list[dict]:
    """``[{"folio", "updated_at", "status_notes"}]`` for the assigned folios among
    ``folios`` (``status_notes`` None while the report is open)."""
    if not isinstance(folios, list) or len(folios) > MAX_FOLIOS or \
            any(isinstance(f, bool) or not isinstance(f, int) for f in folios):
        raise InvalidInput(f"Indique una lista de hasta {MAX_FOLIOS} folios.", "folios_invalidos")
    if not folios:
        return []
    out = []
    with store.repository(uow) as repo:
        for r in repo.status_notes(folios):
            notes = r["note"] if r["status"] == domain.DONE else r["reason"] if r["status"] == domain.NOT_VIABLE \
                else None
            moment = r["updated_at"] or r["assigned_at"] or r["created_at"]
            out.append({"folio": r["folio"], "updated_at": moment.isoformat() if moment else None,
                        "status_notes": notes})
    return out


def requests(uow, actor, filters=None, limit: int = MAX_FOLIOS, *, at_risk_share: float) -> dict:
    """``{"items"}``: the reports ``actor`` may list that match ``filters`` (those of the
    report queries, with ``created_from``/``created_to`` instants), newest first, at most
    ``limit`` (1–1000), each with its ``updated_at`` and ``status_notes``."""
    items = queries.newest_reports(uow, actor, filters, limit, at_risk_share=at_risk_share)
    notes = {n["folio"]: n for n in status_notes(uow, [r["folio"] for r in items])}
    return {"items": [r | {k: notes.get(r["folio"], {}).get(k) for k in ("updated_at", "status_notes")}
                      for r in items]}

