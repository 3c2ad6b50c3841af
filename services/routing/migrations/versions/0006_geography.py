"""The map in routing: the zone of each assignment, routing rules by zone (with their
audit trail), the nearby radius per petition type, and the index of the nearby search.

Nearby search is a box pre-filter on a btree (petition_type, lat, lon) over open reports
only (a partial index), then the exact haversine distance on the few rows in the box:
plain PostgreSQL, no spatial extension.

Revision ID: 0006
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("assignments", sa.Column("zone", sa.Text))
    op.add_column("assignments", sa.Column("colonia_key", sa.Text))
    op.create_index("assignments_nearby_idx", "assignments", ["petition_type", "lat", "lon"],
                    postgresql_where=sa.text("status IN ('captured', 'in_progress')"))
    op.create_table(
        "zone_rules",
        sa.Column("selector_kind", sa.Text, primary_key=True),  # petition_type | department
        sa.Column("selector", sa.Text, primary_key=True),
        sa.Column("zone", sa.Text, primary_key=True),
        sa.Column("agency", sa.Text, nullable=False),
        sa.Column("department", sa.Text, nullable=False),
        sa.Column("updated_by", sa.Text, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("selector_kind IN ('petition_type', 'department')", name="zone_rule_selector_known"),
    )
    op.create_table(
        "zone_rule_changes",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("selector_kind", sa.Text, nullable=False),
        sa.Column("selector", sa.Text, nullable=False),
        sa.Column("zone", sa.Text, nullable=False),
        sa.Column("author", sa.Text, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("before", JSONB),
        sa.Column("after", JSONB),
    )
    op.create_table(
        "nearby_radii",
        sa.Column("petition_type", sa.Text, primary_key=True),
        sa.Column("meters", sa.Integer, nullable=False),
        sa.Column("updated_by", sa.Text, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade():
    op.drop_table("nearby_radii")
    op.drop_table("zone_rule_changes")
    op.drop_table("zone_rules")
    op.drop_index("assignments_nearby_idx", "assignments")
    op.drop_column("assignments", "colonia_key")
    op.drop_column("assignments", "zone")
