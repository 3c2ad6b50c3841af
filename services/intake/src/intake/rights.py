"""Personal-data rights (ARCO) over the reports intake holds, plain functions over a UnitOfWork.

- ``erase_citizen_reports``: on ``citizens.citizen_cancelled`` the personal data in the
  citizen's reports is erased — the free-text description (replaced by a fixed note),
  the address references and the street number. The report stays countable: folio,
  petition type, channel, citizen number, colonia, street, location, agency, dates.
  The number is remembered (``cancelled_citizens``): a new report with it is refused
  (``ciudadano_cancelado``), so personal data does not gather again under it. The
  files sent with those reports (``attachments``) are deleted.
  Idempotent by ``event_id`` (and by nature: erasing twice changes nothing).
- ``arco_access``: the citizen's reports as received (without tracking tokens), with the
  metadata of the files sent with them (``attachments``; the bytes through the gateway's
  ``/v1/reports/{folio}/attachments/{id}``).
"""
from __future__ import annotations

from sacinfra.errors import InvalidInput

from . import attachments
from .handlers import _public

ERASED_DESCRIPTION = "[Datos personales suprimidos por cancelación ARCO]"
CONSUMER = "intake.citizen_cancelled"
MAX_REPORTS = 10000


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
    how many reports were erased now (0 for a redelivery). Then a best-effort VACUUM
    (outside the transaction) drops the old row versions that still held the text."""
    number = envelope["data"]["number"]
    with uow:
        if not uow.claim(CONSUMER, envelope["event_id"]):
            return 0
        uow.remember_cancelled(number)
        erased = uow.erase_personal_data(number, ERASED_DESCRIPTION)
        files = uow.delete_attachments_of_citizen(number)  # photos may show the person or their home
    if erased or files:
        uow.vacuum_reports()
    return erased


def arco_access(uow, citizen_numbers) -> dict:
    """The reports filed under ``citizen_numbers`` (a number or a list), as received."""
    numbers = _numbers(citizen_numbers)
    with uow:
        rows = uow.by_citizens(numbers, MAX_REPORTS)
        files = uow.attachments_of([r["folio"] for r in rows]) if rows else []
    return {"citizen_numbers": numbers,
            "reports": [_public(row) | {"created_by": row["created_by"],
                                        "personal_data_erased": row["description"] == ERASED_DESCRIPTION,
                                        "attachments": [attachments.metadata(f) for f in files
                                                        if f["folio"] == row["folio"]]}
                        for row in rows]}
