"""Lifecycle: interventions (immutable), shares, closure time and reassignment count of
assignments; history entries point at their intervention and carry the new version.

Revision ID: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

IMMUTABLE = """
CREATE OR REPLACE FUNCTION routing_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% es de solo agregar: no se modifica ni se borra', TG_TABLE_NAME;
END $$;
"""


def upgrade():
    op.add_column("assignments", sa.Column("closed_at", sa.DateTime(timezone=True)))
    op.add_column("assignments", sa.Column("reassign_count", sa.Integer, nullable=False, server_default="0"))
    op.add_column("history", sa.Column("intervention_id", sa.BigInteger))
    op.add_column("history", sa.Column("version", sa.Integer))
    op.create_table(
        "interventions",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("folio", sa.BigInteger, sa.ForeignKey("assignments.folio"), nullable=False),
        sa.Column("author", sa.Text, nullable=False),
        sa.Column("agency", sa.Text),
        sa.Column("department", sa.Text),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint("kind IN ('note', 'start', 'closing')", name="interventions_kind_check"),
    )
    op.create_index("interventions_folio_idx", "interventions", ["folio", "id"])
    op.create_table(
        "shares",
        sa.Column("folio", sa.BigInteger, sa.ForeignKey("assignments.folio"), primary_key=True),
        sa.Column("agency", sa.Text, nullable=False),
        sa.Column("department", sa.Text, primary_key=True),
        sa.Column("shared_by", sa.Text, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_index("shares_agency_idx", "shares", ["agency", "department"])
    op.execute(IMMUTABLE)
    for table in ("interventions", "history"):
        op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                   "FOR EACH ROW EXECUTE FUNCTION routing_refuse_change()")


def downgrade():
    for table in ("interventions", "history"):
        op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    op.execute("DROP FUNCTION IF EXISTS routing_refuse_change()")
    op.drop_table("shares")
    op.drop_table("interventions")
    op.drop_column("history", "version")
    op.drop_column("history", "intervention_id")
    op.drop_column("assignments", "reassign_count")
    op.drop_column("assignments", "closed_at")
