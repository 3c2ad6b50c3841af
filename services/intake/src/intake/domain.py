"""Pure rules of intake: tracking tokens, text normalisation, ``filing_rights`` (who may
file a report, with which channel) and ``report_view``, the one policy deciding who may
read a report record as received.

Filing (``filing_rights``): operators, supervisors and admins file with any channel;
block leaders only with the block-leader channel (setting ``BLOCK_LEADER_CHANNEL``, «JEFE
DE MANZANA»); a channel key only with its own channel (which API a key may call, its
scopes, is the gateway's: keys are its credentials); a named internal process (the channel services: WhatsApp, email) files
its citizens' reports. Everyone else, and any role intake does not know, is refused
(``prohibido``): agency staff and auditors do not capture reports.

``get_report`` answers from intake's own record, so a report can be read back the moment
it is filed, before routing has seen it (routing then decides for its own views):

- staff with global read (operator, supervisor, auditor, admin): the whole record;
- whoever filed it — the same username (``created_by``: the staff user, block leader or
  ``api-key:<name>``), or a channel key of the report's channel: the whole record;
- the citizen actor of that folio (tracking token checked by the caller) and the public
  actor: the public fields only (no description, no citizen number, no street number
  nor references);
- everyone else, and any role intake does not know: nothing (the caller answers
  ``NotFound`` ``reporte_no_encontrado``, so that a folio's existence is not revealed).
"""
from __future__ import annotations

import secrets

from sacinfra.actor import Actor

GLOBAL_READERS = frozenset({"operator", "supervisor", "auditor", "admin"})
#: staff roles that file reports (block leaders: with their channel only)
STAFF_FILERS = frozenset({"operator", "supervisor", "admin", "block_leader"})
FULL, PUBLIC = "full", "public"
#: what the public view leaves out (personal data a citizen may have written)
PRIVATE_FIELDS = ("description", "citizen_number")
PRIVATE_LOCATION = ("number", "references")


def new_tracking_token() -> str:
    """Short token given with the folio so that sequential folios cannot be read by others."""
    return secrets.token_urlsafe(9)


def normalise_text(value: str | None) -> str | None:
    return " ".join(value.split()).upper() if value else value


def filing_rights(who: Actor, block_leader_channel: str) -> tuple[bool, str | None]:
    """``(may file, the only channel it may file with or None for any)``."""
    if who.kind == "staff" and who.role in STAFF_FILERS:
        return True, block_leader_channel if who.role == "block_leader" else None
    if who.kind == "key" and who.role == "channel_key":
        return True, who.channel
    return who.kind == "system", None


def report_view(who: Actor, report: dict) -> str | None:
    """``"full"``, ``"public"`` or None (may not read) for ``who`` and a stored report
    (``folio``, ``channel``, ``created_by``)."""
    if who.kind == "staff" and who.role in GLOBAL_READERS:
        return FULL
    if report.get("created_by") and who.username == report["created_by"] and who.kind in ("staff", "key"):
        return FULL
    if who.role == "channel_key" and who.channel is not None and who.channel == report["channel"]:
        return FULL
    if who.role == "citizen" and who.folio == report["folio"]:
        return PUBLIC
    if who.role == "public":
        return PUBLIC
    return None


def public_fields(view: dict) -> dict:
    """A report's public view: ``view`` without the personal fields."""
    out = {k: v for k, v in view.items() if k not in PRIVATE_FIELDS}
    out["location"] = {k: v for k, v in view["location"].items() if k not in PRIVATE_LOCATION}
    return out
