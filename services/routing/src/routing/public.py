"""What a public status page (Open311 GeoReport v2 ``requests``) shows besides a report's
row: when it last changed and, once closed, the note that closed it — the last
intervention of a finished report, the reason of a not-viable one. One query for a page
of folios."""
from __future__ import annotations

import sqlalchemy as sa

from . import domain, store
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
    a, h, i = store.assignments, store.history, store.interventions
    last_note = (sa.select(i.c.text).where(i.c.folio == a.c.folio).order_by(i.c.id.desc()).limit(1)
                 .correlate(a).scalar_subquery())
    last_reason = (sa.select(h.c.text).where(h.c.folio == a.c.folio, h.c.kind == "not_viable")
                   .order_by(h.c.id.desc()).limit(1).correlate(a).scalar_subquery())
    rows = uow.session.execute(sa.select(a.c.folio, a.c.status, a.c.updated_at, a.c.assigned_at, a.c.created_at,
                                         last_note.label("note"), last_reason.label("reason"))
                               .where(a.c.folio.in_(folios)).order_by(a.c.folio)).mappings()
    out = []
    for r in rows:
        notes = r["note"] if r["status"] == domain.DONE else r["reason"] if r["status"] == domain.NOT_VIABLE else None
        moment = r["updated_at"] or r["assigned_at"] or r["created_at"]
        out.append({"folio": r["folio"], "updated_at": moment.isoformat() if moment else None,
                    "status_notes": notes})
    return out
