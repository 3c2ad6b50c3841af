"""Routing on the municipality's map: rules "petition type (or department) + zone →
department" evaluated at assignment, and the open reports near a point (duplicates
before filing). Plain functions over the repository (``store.repository(uow)``), each
inside ``with repo:``; who may do what is ``policy``'s.

A report's zone comes in ``intake.report_created`` (``location.zone``, derived by catalog
from the coordinates). At assignment a rule for (its petition type, zone) wins over one
for (its default department, zone); a zone without a rule keeps the petition type's
default department, as quoted at filing."""
from __future__ import annotations

import math
from datetime import datetime, timezone

from . import policy, store
from .exceptions import InvalidInput, NotFound, UnknownDepartment

SELECTORS = ("petition_type", "department")
DEFAULT_NEARBY_METERS = 250
MAX_NEARBY_METERS = 5000
NEARBY_LIMIT = 20


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(timezone.utc)


def _text(value, name: str) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > 200 or "\x00" in value:
        raise InvalidInput(f"«{name}» debe ser un texto de 1 a 200 caracteres.", "regla_invalida")
    return value.strip()


# --------------------------------------------------------------------------- at assignment

def zone_routes(repo, datas: list[dict]) -> dict[int, dict]:
    """For the ``report_created`` data of a batch: ``{folio: rule}`` of the reports a zone
    rule sends elsewhere (petition-type rule first, then the default department's)."""
    wanted = {}
    for d in datas:
        zone = (d.get("location") or {}).get("zone")
        if zone:
            wanted[d["folio"]] = [("petition_type", d["petition_type"], zone), ("department", d["department"], zone)]
    if not wanted:
        return {}
    rules = repo.zone_rules_for(sorted({k for keys in wanted.values() for k in keys}))
    out = {}
    for folio, keys in wanted.items():
        rule = next((rules[k] for k in keys if k in rules), None)
        if rule is not None:
            out[folio] = rule
    return out


def rule_note(rule: dict | None) -> str | None:
    """The assignment history's text when a zone rule chose the department."""
    if rule is None:
        return None
    by = "tipo de petición" if rule["selector_kind"] == "petition_type" else "departamento"
    return f"Asignado por la regla de la zona «{rule['zone']}» ({by} {rule['selector']})."


# --------------------------------------------------------------------------- rules (admins, agency staff)

def _rule_view(row: dict) -> dict:
    return {"selector_kind": row["selector_kind"], "selector": row["selector"], "zone": row["zone"],
            "agency": row["agency"], "department": row["department"], "updated_by": row["updated_by"],
            "updated_at": row["updated_at"].isoformat() if row.get("updated_at") else None}


def _key(rule) -> tuple[str, str, str]:
    if not isinstance(rule, dict):
        raise InvalidInput("La regla debe ser un objeto.", "regla_invalida")
    kind = rule.get("selector_kind")
    if kind not in SELECTORS:
        raise InvalidInput("«selector_kind» debe ser petition_type o department.", "regla_invalida")
    return kind, _text(rule.get("selector"), "selector"), _text(rule.get("zone"), "zone")


def _selector_agency(repo, kind: str, selector: str) -> str | None:
    if kind != "department":
        return None  # routing does not own petition types: such rules are admins' (policy)
    dept = repo.department(selector)
    if dept is None:
        raise UnknownDepartment(f"No existe el departamento «{selector}».")
    return dept["agency"]


def set_zone_rule(uow, actor, rule, now: datetime | None = None) -> dict:
    """Create or replace the rule ``{selector_kind, selector, zone, department}``; the
    target must be an active department (routing's copy of catalog's); audited."""
    who = policy.load_actor(actor)
    kind, selector, zone = _key(rule)
    target = _text(rule.get("department"), "department")
    repo = store.repository(uow)
    with repo:
        dept = repo.department(target)
        if dept is None or not dept["active"]:
            raise UnknownDepartment(f"No existe el departamento activo «{target}».")
        policy.check_zone_rule(who, kind, _selector_agency(repo, kind, selector), dept["agency"])
        at = _now(now)
        before = repo.zone_rule(kind, selector, zone, lock=True)
        row = {"selector_kind": kind, "selector": selector, "zone": zone, "agency": dept["agency"],
               "department": target, "updated_by": who.username, "updated_at": at}
        repo.save_zone_rule(row)
        repo.add_zone_rule_change(selector_kind=kind, selector=selector, zone=zone, author=who.username, at=at,
                                  before=_rule_view(before) if before else None, after=_rule_view(row))
    return _rule_view(row)


def delete_zone_rule(uow, actor, selector_kind, selector, zone, now: datetime | None = None) -> dict:
    """Remove a rule (reports of that zone go to the default again); audited."""
    who = policy.load_actor(actor)
    kind, selector, zone = _key({"selector_kind": selector_kind, "selector": selector, "zone": zone})
    repo = store.repository(uow)
    with repo:
        before = repo.zone_rule(kind, selector, zone, lock=True)
        if before is None:
            raise NotFound("No existe esa regla de asignación por zona.", "regla_no_encontrada")
        policy.check_zone_rule(who, kind, _selector_agency(repo, kind, selector), before["agency"])
        repo.delete_zone_rule(kind, selector, zone)
        repo.add_zone_rule_change(selector_kind=kind, selector=selector, zone=zone, author=who.username,
                                  at=_now(now), before=_rule_view(before), after=None)
    return {"deleted": True}


def list_zone_rules(uow, actor) -> list[dict]:
    scope = policy.zone_rules_scope(policy.load_actor(actor))
    with store.repository(uow) as repo:
        return [_rule_view(r) for r in repo.zone_rules(scope)]


def zone_rule_history(uow, actor) -> list[dict]:
    """The audit trail, newest first: who changed which rule when, before and after."""
    scope = policy.zone_rules_scope(policy.load_actor(actor))
    with store.repository(uow) as repo:
        return [{"selector_kind": c["selector_kind"], "selector": c["selector"], "zone": c["zone"],
                 "author": c["author"], "at": c["at"].isoformat(), "before": c["before"], "after": c["after"]}
                for c in repo.zone_rule_changes(scope)]


# --------------------------------------------------------------------------- nearby reports

def _coordinate(value, low: float, high: float, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or not low <= value <= high:
        raise InvalidInput(f"«{name}» debe ser un número entre {low:g} y {high:g}.", "coordenadas_invalidas")
    return float(value)


def nearby_reports(uow, petition_type, lat, lon, actor, limit: int = NEARBY_LIMIT) -> dict:
    """Open reports of ``petition_type`` within its radius (default 250 m) of the point,
    closest first, without personal data: ``{radius_m, items: [{folio, petition_type,
    status, colonia, zone, lat, lon, distance_m, created_at, due_at}]}``."""
    policy.check_nearby(policy.load_actor(actor))
    petition_type = _text(petition_type, "petition_type")
    lat, lon = _coordinate(lat, -90, 90, "lat"), _coordinate(lon, -180, 180, "lon")
    with store.repository(uow) as repo:
        meters = repo.nearby_radius(petition_type) or DEFAULT_NEARBY_METERS
        rows = repo.nearby(petition_type, lat, lon, meters, max(1, min(int(limit), 100)))
    return {"radius_m": meters, "items": [
        {"folio": r["folio"], "petition_type": r["petition_type"], "status": r["status"], "colonia": r["colonia"],
         "zone": r["zone"], "lat": r["lat"], "lon": r["lon"], "distance_m": round(r["distance_m"], 1),
         "created_at": r["created_at"].isoformat(), "due_at": r["due_at"].isoformat()} for r in rows]}


def set_nearby_radius(uow, actor, petition_type, meters, now: datetime | None = None) -> dict:
    who = policy.load_actor(actor)
    policy.check_nearby_radius(who)
    petition_type = _text(petition_type, "petition_type")
    if isinstance(meters, bool) or not isinstance(meters, int) or not 10 <= meters <= MAX_NEARBY_METERS:
        raise InvalidInput(f"El radio debe ser un entero de 10 a {MAX_NEARBY_METERS} metros.", "radio_invalido")
    with store.repository(uow) as repo:
        repo.save_nearby_radius(petition_type, meters, who.username, _now(now))
    return {"petition_type": petition_type, "radius_m": meters}
