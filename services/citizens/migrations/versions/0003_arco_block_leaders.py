"""Personal-data rights and the block-leader roster.

- ``citizens.cancelled_at`` / ``cancelled_by``: ARCO cancellation (the record is
  anonymised in place; the number stays so reports keep counting).
- ``citizen_oppositions``: ARCO opposition to surveys and contact (who, when, why).
- ``citizen_changes.kind`` gains ``opposition`` and ``cancellation``.
- ``block_leaders``: the roster of jefes de manzana / jefes de cuartel (area, location,
  accreditation, status, contact data, linked staff username, optional citizen number).
- ``personal_data_access_log.block_leader_id``: reads of a leader's contact data.

Revision ID: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("citizens", sa.Column("cancelled_at", sa.DateTime(timezone=True)))
    op.add_column("citizens", sa.Column("cancelled_by", sa.Text))
    op.drop_constraint("change_kind_known", "citizen_changes", type_="check")
    op.create_check_constraint("change_kind_known", "citizen_changes",
                               "kind IN ('rectification', 'merge', 'opposition', 'cancellation')")
    op.create_table(
        "citizen_oppositions",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("number", sa.BigInteger, sa.ForeignKey("citizens.number"), nullable=False),
        sa.Column("scope", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("author", sa.Text, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint("scope IN ('surveys', 'contact')", name="opposition_scope_known"),
        sa.UniqueConstraint("number", "scope", name="opposition_once_per_scope"),
    )
    op.create_table(
        "block_leaders",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("block", sa.Text, nullable=False),
        sa.Column("colonia", sa.Text, nullable=False),
        sa.Column("lat", sa.Float, nullable=False),
        sa.Column("lon", sa.Float, nullable=False),
        sa.Column("accredited_on", sa.Date, nullable=False),
        sa.Column("status", sa.Text, nullable=False, server_default="active"),
        sa.Column("full_name", sa.Text, nullable=False),
        sa.Column("phone", sa.Text),
        sa.Column("email", sa.Text),
        sa.Column("username", sa.Text),
        sa.Column("citizen_number", sa.BigInteger, sa.ForeignKey("citizens.number")),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.CheckConstraint("kind IN ('manzana', 'cuartel')", name="block_leader_kind_known"),
        sa.CheckConstraint("status IN ('active', 'suspended', 'ended')", name="block_leader_status_known"),
        sa.CheckConstraint("lat BETWEEN -90 AND 90 AND lon BETWEEN -180 AND 180", name="block_leader_location"),
    )
    op.create_index("block_leaders_username_uq", "block_leaders", ["username"], unique=True,
                    postgresql_where=sa.text("username IS NOT NULL"))
    op.create_index("block_leaders_colonia_idx", "block_leaders", ["colonia", "block"])
    op.create_index("block_leaders_status_idx", "block_leaders", ["status"])
    op.add_column("personal_data_access_log", sa.Column("block_leader_id", sa.BigInteger))
    op.create_index("access_log_block_leader_idx", "personal_data_access_log", ["block_leader_id", "at"],
                    postgresql_where=sa.text("block_leader_id IS NOT NULL"))


def downgrade():
    op.drop_index("access_log_block_leader_idx", "personal_data_access_log")
    op.drop_column("personal_data_access_log", "block_leader_id")
    op.drop_table("block_leaders")
    op.drop_table("citizen_oppositions")
    op.drop_constraint("change_kind_known", "citizen_changes", type_="check")
    op.create_check_constraint("change_kind_known", "citizen_changes", "kind IN ('rectification', 'merge')")
    op.drop_column("citizens", "cancelled_by")
    op.drop_column("citizens", "cancelled_at")
