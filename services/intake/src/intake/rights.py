"""Personal-data rights (ARCO) over the reports intake holds, plain functions over a UnitOfWork.

- ``erase_citizen_reports``: on ``citizens.citizen_cancelled`` the personal data in the
  citizen's reports is erased — the free-text description (replaced by a fixed note),
  the address references and the street number. The report stays countable: folio,
  petition type, channel, citizen number, colonia, street, location, agency, dates.
  The number is remembered (``cancelled_citizens``): a new report with it is refused
  (``ciudadano_cancelado``), so personal data does not gather again under it.
  Idempotent by ``event_id`` (and by nature: erasing twice changes nothing).
- ``arco_access``: the citizen's reports as received (without tracking tokens).
"""
from __future__ import annotations

import logging

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

from sacinfra.errors import InvalidInput

from . import store
from .handlers import _public

log = logging.getLogger(__name__)

ERASED_DESCRIPTION = "[Datos personales suprimidos por cancelación ARCO]"
CONSUMER = "intake.citizen_cancelled"
MAX_REPORTS = 10000

r = store.reports


def _numbers(value) -> list[int]:
    values = value if isinstance(value, (list, tuple)) else [value]
    out = []
    for v in values:
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise InvalidInput("Números de ciudadano inválidos.", "numero_invalido")
        out.append(v)
    return out


def erase_citizen_reports(uow, envelope: dict) -> int:
    """Erase the personal data of the reports of ``envelope["data"]["number"]``; returns
    how many reports were erased now (0 for a redelivery)."""
    if not uow.claim(CONSUMER, envelope["event_id"]):
        uow.rollback()
        return 0
    number = envelope["data"]["number"]
    uow.session.execute(pg_insert(store.cancelled_citizens).values(number=number).on_conflict_do_nothing())
    erased = uow.session.execute(
        sa.update(r).where(r.c.citizen_number == number,
                           sa.or_(r.c.description != ERASED_DESCRIPTION, r.c.references.is_not(None),
                                  r.c.number.is_not(None)))
        .values(description=ERASED_DESCRIPTION, references=None, number=None)).rowcount
    uow.commit()
    if erased:
        vacuum(uow.engine)
    return erased


def vacuum(engine) -> None:
    """Best effort: VACUUM drops the dead row versions that still held the old text."""
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("VACUUM reports"))
    except Exception:  # noqa: BLE001 — autovacuum does it later anyway
        log.warning("VACUUM after an ARCO cancellation failed; autovacuum will clean up", exc_info=True)


def arco_access(uow, citizen_numbers) -> dict:
    """The reports filed under ``citizen_numbers`` (a number or a list), as received."""
    numbers = _numbers(citizen_numbers)
    rows = uow.session.execute(sa.select(r).where(r.c.citizen_number.in_(numbers)).order_by(r.c.folio)
                               .limit(MAX_REPORTS)).mappings().all()
    uow.rollback()
    return {"citizen_numbers": numbers,
            "reports": [_public(row) | {"created_by": row["created_by"],
                                        "personal_data_erased": row["description"] == ERASED_DESCRIPTION}
                        for row in rows]}
