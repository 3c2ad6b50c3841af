"""Use cases of intake, plain functions: ``uow`` is a sacinfra UnitOfWork and
``catalog`` anything with catalog's ``quote_report`` RPC."""
from __future__ import annotations

from datetime import datetime, timezone

from nameko.exceptions import RemoteError
from sqlalchemy.exc import IntegrityError

from sacinfra.errors import parse_remote_value

from . import domain, store
from .exceptions import InvalidInput, NotFound
from .schemas import ReportIn, ValidationError


def _public(row, include_token: bool = False) -> dict:
    out = {
        "folio": row["folio"],
        "petition_type": row["petition_type"],
        "channel": row["channel"],
        "description": row["description"],
        "citizen_number": row["citizen_number"],
        "location": {"lat": row["lat"], "lon": row["lon"], "colonia": row["colonia"],
                     "street": row["street"], "number": row["number"], "references": row["references"]},
        "agency": row["agency"],
        "department": row["department"],
        "sla": {"amount": row["sla_amount"], "unit": row["sla_unit"]},
        "created_at": row["created_at"].isoformat(),
        "due_at": row["due_at"].isoformat(),
    }
    if include_token:
        out["tracking_token"] = row["tracking_token"]
    return out


def validate_report(payload: dict) -> dict:
    try:
        return ReportIn().load(payload)
    except ValidationError as exc:
        raise InvalidInput(f"Datos del reporte inválidos: {exc.messages}", "reporte_invalido") from exc


def quote(catalog, petition_type: str, channel: str, created_at: datetime) -> dict:
    try:
        return catalog.quote_report(petition_type, channel, created_at.isoformat())
    except RemoteError as exc:
        if exc.exc_type in ("NotFound", "InvalidInput"):  # the catalog's own code and message
            code, message = parse_remote_value(exc.value)
            raise InvalidInput(message, code or "catalogo_invalido") from None
        raise


def create_report(uow, catalog, payload: dict, idempotency_key: str | None = None,
                  created_by: str | None = None, now: datetime | None = None) -> dict:
    data = validate_report(payload)
    if idempotency_key:
        existing = store.by_idempotency_key(uow.session, idempotency_key)
        if existing is not None:
            return _public(existing, include_token=True) | {"created": False}
    created_at = now or datetime.now(timezone.utc)
    q = quote(catalog, data["petition_type"], data["channel"], created_at)
    loc = data["location"]
    folio = store.next_folio(uow.session)
    row = {
        "folio": folio, "petition_type": q["petition_type"], "channel": q["channel"],
        "description": data["description"].strip(), "citizen_number": data["citizen_number"],
        "lat": loc["lat"], "lon": loc["lon"], "colonia": domain.normalise_text(loc["colonia"]),
        "street": domain.normalise_text(loc["street"]), "number": loc["number"], "references": loc["references"],
        "agency": q["agency"], "department": q["department"],
        "sla_amount": q["sla_amount"], "sla_unit": q["sla_unit"],
        "created_at": created_at, "due_at": datetime.fromisoformat(q["due_at"]),
        "idempotency_key": idempotency_key, "tracking_token": domain.new_tracking_token(),
        "created_by": created_by,
    }
    store.insert_report(uow.session, row)
    uow.add_event("report_created", report_created_data(row))
    try:
        uow.commit()
    except IntegrityError:
        uow.rollback()
        if idempotency_key:  # a concurrent retry with the same key won the race
            existing = store.by_idempotency_key(uow.session, idempotency_key)
            if existing is not None:
                return _public(existing, include_token=True) | {"created": False}
        raise
    return _public(row, include_token=True) | {"created": True}


def report_created_data(row: dict) -> dict:
    """The event carries the citizen number only: never names, phones or the free text."""
    return {
        "folio": row["folio"], "petition_type": row["petition_type"], "channel": row["channel"],
        "citizen_number": row["citizen_number"], "agency": row["agency"], "department": row["department"],
        "location": {"lat": row["lat"], "lon": row["lon"], "colonia": row["colonia"], "street": row["street"]},
        "created_at": row["created_at"].isoformat(), "due_at": row["due_at"].isoformat(),
    }


def get_report(uow, folio: int) -> dict:
    row = store.by_folio(uow.session, int(folio))
    if row is None:
        raise NotFound(f"No existe el reporte con folio {folio}.", "reporte_no_encontrado")
    return _public(row)


def check_tracking(uow, folio: int, token: str) -> dict:
    row = store.by_folio(uow.session, int(folio))
    if row is None or not token or row["tracking_token"] != token:
        raise NotFound(f"No existe el reporte con folio {folio} o la clave no coincide.", "reporte_no_encontrado")
    return _public(row)
