"""intake's repository: the reports table, the folio sequence, the cancelled numbers,
and every SQL statement.

``Store`` wraps one sacinfra ``UnitOfWork``: ``with store:`` is the unit of work's ``with``
(commit on success, rollback on error); the use cases (``handlers``, ``reads``,
``rights``) call its methods and never write SQL. ``tests/unit`` has an in-memory twin."""
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

from sacinfra.db import Repository

metadata = sa.MetaData()

reports = sa.Table(
    "reports", metadata,
    sa.Column("folio", sa.BigInteger, primary_key=True),
    sa.Column("petition_type", sa.Text), sa.Column("channel", sa.Text),
    sa.Column("description", sa.Text), sa.Column("citizen_number", sa.BigInteger),
    sa.Column("lat", sa.Float), sa.Column("lon", sa.Float),
    sa.Column("colonia", sa.Text), sa.Column("street", sa.Text),
    sa.Column("number", sa.Text), sa.Column("references", sa.Text),
    sa.Column("agency", sa.Text), sa.Column("department", sa.Text),
    sa.Column("sla_amount", sa.Integer), sa.Column("sla_unit", sa.Text),
    sa.Column("created_at", sa.DateTime(timezone=True)), sa.Column("due_at", sa.DateTime(timezone=True)),
    sa.Column("idempotency_key", sa.Text), sa.Column("tracking_token", sa.Text),
    sa.Column("created_by", sa.Text),
    sa.Column("colonia_typed", sa.Text), sa.Column("colonia_key", sa.Text), sa.Column("postal_code", sa.Text),
    sa.Column("zone", sa.Text), sa.Column("outside_municipality", sa.Boolean),
)

folio_seq = sa.Sequence("folio_seq")

#: numbers whose holder exercised ARCO cancellation (see rights.py): no new reports
cancelled_citizens = sa.Table(
    "cancelled_citizens", metadata,
    sa.Column("number", sa.BigInteger, primary_key=True), sa.Column("at", sa.DateTime(timezone=True)),
)

#: files a citizen sent with a report (migration 0004; see attachments.py)
attachments = sa.Table(
    "attachments", metadata,
    sa.Column("id", sa.BigInteger, primary_key=True), sa.Column("folio", sa.BigInteger),
    sa.Column("filename", sa.Text), sa.Column("content_type", sa.Text), sa.Column("size", sa.Integer),
    sa.Column("sha256", sa.Text), sa.Column("content", sa.LargeBinary), sa.Column("uploaded_by", sa.Text),
    sa.Column("at", sa.DateTime(timezone=True)),
)
ATTACHMENT_FIELDS = [c for c in attachments.c if c.name != "content"]


class Store(Repository):
    """intake's repository over one unit of work (see the module docstring)."""

    # -- filing ----------------------------------------------------------------------
    def cancelled_among(self, numbers) -> set[int]:
        """Which of ``numbers`` belong to a cancelled citizen (one indexed query)."""
        c = cancelled_citizens
        return set(self.session.execute(sa.select(c.c.number).where(c.c.number.in_(list(numbers)))).scalars())

    def next_folios(self, n: int) -> list[int]:
        """``n`` folios from the sequence, ascending, in one round trip."""
        if n == 0:
            return []
        return list(self.session.execute(sa.text("SELECT nextval('folio_seq') FROM generate_series(1, :n) ORDER BY 1"),
                                    {"n": n}).scalars())

    def insert_reports(self, rows: list[dict]) -> set[int]:
        """Insert in one executemany (SQLAlchemy batches it into multi-row statements and
        caches the compiled form); returns the folios inserted (a row whose idempotency key
        another transaction stored first is skipped)."""
        if not rows:
            return set()
        stmt = (pg_insert(reports).on_conflict_do_nothing(index_elements=["idempotency_key"])
                .returning(reports.c.folio))
        return set(self.session.execute(stmt, rows).scalars())

    def by_idempotency_keys(self, keys) -> dict:
        rows = self.session.execute(sa.select(reports).where(reports.c.idempotency_key.in_(list(keys)))).mappings()
        return {r["idempotency_key"]: dict(r) for r in rows}

    # -- attachments -----------------------------------------------------------------
    def insert_attachments(self, rows: list[dict]) -> None:
        if rows:
            self.session.execute(sa.insert(attachments), rows)

    def attachments_of(self, folios) -> list[dict]:
        """The attachments' metadata (no bytes) of ``folios``, by id."""
        q = sa.select(*ATTACHMENT_FIELDS).where(attachments.c.folio.in_(list(folios))).order_by(attachments.c.id)
        return [dict(r) for r in self.session.execute(q).mappings()]

    def attachment(self, folio: int, attachment_id: int) -> dict | None:
        row = self.session.execute(sa.select(attachments).where(attachments.c.folio == folio,
                                                                attachments.c.id == attachment_id)).mappings().first()
        return dict(row) if row else None

    def delete_attachments_of_citizen(self, number: int) -> int:
        """ARCO cancellation: a photo may show the person or their home; the files go."""
        folios = sa.select(reports.c.folio).where(reports.c.citizen_number == number)
        return self.session.execute(sa.delete(attachments).where(attachments.c.folio.in_(folios))).rowcount

    # -- reading ---------------------------------------------------------------------
    def by_folio(self, folio: int) -> dict | None:
        row = self.session.execute(sa.select(reports).where(reports.c.folio == folio)).mappings().first()
        return dict(row) if row else None

    def by_folios(self, folios) -> dict[int, dict]:
        rows = self.session.execute(sa.select(reports).where(reports.c.folio.in_(list(set(folios))))).mappings()
        return {r["folio"]: dict(r) for r in rows}

    def by_citizens(self, numbers, limit: int) -> list[dict]:
        q = sa.select(reports).where(reports.c.citizen_number.in_(list(numbers))).order_by(reports.c.folio).limit(limit)
        return [dict(r) for r in self.session.execute(q).mappings()]

    # -- ARCO cancellation -------------------------------------------------------------
    def remember_cancelled(self, number: int) -> None:
        self.session.execute(pg_insert(cancelled_citizens).values(number=number).on_conflict_do_nothing())

    def erase_personal_data(self, number: int, note: str) -> int:
        """Replace the description by ``note`` and drop references and street number of the
        reports of ``number`` not erased yet; how many changed."""
        r = reports
        return self.session.execute(
            sa.update(r).where(r.c.citizen_number == number,
                               sa.or_(r.c.description != note, r.c.references.is_not(None), r.c.number.is_not(None)))
            .values(description=note, references=None, number=None)).rowcount

    def vacuum_reports(self) -> None:
        """Best effort, after an erasure: drops the dead row versions of ``reports`` that
        still held erased text (outside the transaction; see ``Repository.vacuum``)."""
        self.vacuum(("reports", "attachments"))
