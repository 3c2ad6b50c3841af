"""Queries: what "Asuntos del día", "Consultas" and the citizen history filter and show.

``assignments`` gains the citizen number, kind (Trámite/Servicio), street, lat/lon and
who filed the report (from ``intake.report_created``), plus ``colonia_norm`` and
``street_norm`` (lower case, no accents, computed in Python like the filters) for
accent- and case-insensitive filters; viability is the status (``not_viable``) and
"reassigned" is ``reassign_count > 0``, so neither needs a column. Indexes serve the
scopes (agency, block leader, citizen) and the frequent filters, each followed by
``created_at`` (the default order and the date range).

Revision ID: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# the same key as routing.queries.search_key (lower case, accents off, non-alphanumerics
# to one space) for rows assigned before this revision
_KEY = ("btrim(regexp_replace(lower(translate({col}, 'ÁÉÍÓÚÜÑáéíóúüñ', 'AEIOUUNaeiouun')), "
        "'[^0-9a-z]+', ' ', 'g'))")


def upgrade():
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, type_ in (("citizen_number", sa.BigInteger), ("kind", sa.Text), ("street", sa.Text),
                        ("lat", sa.Float), ("lon", sa.Float), ("created_by", sa.Text),
                        ("colonia_norm", sa.Text), ("street_norm", sa.Text)):
        op.add_column("assignments", sa.Column(name, type_))
    op.execute(f"UPDATE assignments SET colonia_norm = {_KEY.format(col='colonia')} WHERE colonia IS NOT NULL")
    op.create_index("assignments_created_idx", "assignments", ["created_at"])
    op.create_index("assignments_agency_created_idx", "assignments", ["agency", "created_at"])
    op.create_index("assignments_petition_created_idx", "assignments", ["petition_type", "created_at"])
    op.create_index("assignments_colonia_created_idx", "assignments", ["colonia_norm", "created_at"])
    op.create_index("assignments_created_by_idx", "assignments", ["created_by", "created_at"],
                    postgresql_where=sa.text("created_by IS NOT NULL"))
    op.create_index("assignments_citizen_idx", "assignments", ["citizen_number", "created_at"],
                    postgresql_where=sa.text("citizen_number IS NOT NULL"))
    op.execute("CREATE INDEX assignments_street_trgm ON assignments USING gin (street_norm gin_trgm_ops)")
    # the semáforo: open reports by due date (overdue / at risk, and the overdue gauge) and
    # the reports closed late (overdue for good); both small next to the whole table
    op.create_index("assignments_open_due_idx", "assignments", ["agency", "due_at"],
                    postgresql_where=sa.text("status IN ('captured', 'in_progress')"))
    op.create_index("assignments_late_closed_idx", "assignments", ["agency", "created_at"],
                    postgresql_where=sa.text("status IN ('done', 'not_viable') AND closed_at > due_at"))
    op.create_index("shares_department_idx", "shares", ["department"])


def downgrade():
    op.drop_index("shares_department_idx", "shares")
    for name in ("assignments_late_closed_idx", "assignments_open_due_idx", "assignments_street_trgm", "assignments_citizen_idx", "assignments_created_by_idx",
                 "assignments_colonia_created_idx", "assignments_petition_created_idx",
                 "assignments_agency_created_idx", "assignments_created_idx"):
        op.drop_index(name, "assignments")
    for name in ("street_norm", "colonia_norm", "created_by", "lon", "lat", "street", "kind", "citizen_number"):
        op.drop_column("assignments", name)
