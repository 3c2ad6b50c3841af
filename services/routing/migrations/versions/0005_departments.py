"""Routing's copy of catalog's departments (catalog.department_changed, and a bootstrap
from catalog's list_departments): a reassignment's or share's target must be an active
department of its agency. Last write wins by changed_at.

Revision ID: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "departments",
        sa.Column("code", sa.Text, primary_key=True),
        sa.Column("agency", sa.Text, nullable=False),
        sa.Column("name", sa.Text),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True)),
    )


def downgrade():
    op.drop_table("departments")
