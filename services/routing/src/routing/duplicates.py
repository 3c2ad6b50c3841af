"""Marking a report as a duplicate of another (found with ``geo.nearby_reports`` or by
hand): the duplicate points to the original (``duplicate_of``), both histories say so,
and the duplicate leaves the nearby list. The original is the root: marking a report as a
duplicate of a duplicate links it to that one's original. Who may: whoever may act on
the duplicate (``policy.MARK_DUPLICATE``: admins, supervisors, the owning agency's staff)
and read the original.

The link is published as ``report_duplicate_marked`` (ids only: the two folios and the
staff username), in the same transaction; from then on each ``report_status_changed`` of
the original lists its duplicates (``duplicate_folios``), so the channels tell the
duplicates' citizens of the original's changes and stats counts duplicates apart."""
from __future__ import annotations

from datetime import datetime, timezone

from . import domain, handlers, policy, store
from .exceptions import Conflict, InvalidInput


def mark_duplicate(uow, actor, folio, version, original, *, now: datetime | None = None,
                   at_risk_share: float = domain.DEFAULT_AT_RISK_SHARE) -> dict:
    """``folio`` (at ``version``, optimistic lock) becomes a duplicate of ``original``;
    answers the duplicate's view (``duplicate_of``; the original's view lists it in
    ``duplicates``)."""
    who = policy.load_actor(actor)
    at = now or datetime.now(timezone.utc)
    with store.repository(uow) as repo:
        row, _ = handlers._load(repo, who, folio, policy.MARK_DUPLICATE)
        domain.check_version(row["folio"], row["version"], version)
        if row["status"] not in domain.OPEN:
            raise Conflict(f"El reporte {row['folio']} ya está cerrado; no se marca como duplicado.",
                           "reporte_cerrado")
        if row.get("duplicate_of"):
            raise Conflict(f"El reporte {row['folio']} ya es duplicado del folio {row['duplicate_of']}.",
                           "ya_es_duplicado")
        orig, _ = handlers._load(repo, who, original, policy.READ)
        if orig.get("duplicate_of"):  # link to the root, so a chain never forms
            orig, _ = handlers._load(repo, who, orig["duplicate_of"], policy.READ)
        if orig["folio"] == row["folio"]:
            raise InvalidInput("Un reporte no puede ser duplicado de sí mismo.", "duplicado_invalido")
        new_version = handlers._bump(repo, row, {"duplicate_of": orig["folio"], "updated_at": at})
        handlers._history(repo, row, "duplicate_of", who, at, text=f"Duplicado del folio {orig['folio']}.",
                          version=new_version)
        handlers._history(repo, orig, "duplicate_linked", who, at,
                          text=f"El folio {row['folio']} se marcó como duplicado de este.", version=orig["version"])
        repo.add_event("report_duplicate_marked", {
            "folio": row["folio"], "original_folio": orig["folio"], "petition_type": row["petition_type"],
            "agency": row["agency"], "department": row["department"], "original_status": orig["status"],
            "version": new_version, "by": who.username, "at": at.isoformat()})
        return handlers._view(repo, row["folio"], True, at_risk_share, now)
