"""Catalog maintenance: a petition type's department belongs to its agency, known
kinds, one history row per (code, version).

Revision ID: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_unique_constraint("departments_agency_code_key", "departments", ["agency", "code"])
    op.create_foreign_key("petition_types_agency_department_fkey", "petition_types", "departments",
                          ["agency", "department"], ["agency", "code"])
    op.create_check_constraint("kind_known", "petition_types", sa.text("kind IN ('Servicio', 'Trámite')"))
    op.create_index("petition_types_agency_idx", "petition_types", ["agency"])
    op.create_foreign_key("petition_type_changes_code_fkey", "petition_type_changes", "petition_types",
                          ["code"], ["code"])
    op.create_unique_constraint("petition_type_changes_code_version_key", "petition_type_changes",
                                ["code", "version"])


def downgrade():
    op.drop_constraint("petition_type_changes_code_version_key", "petition_type_changes", type_="unique")
    op.drop_constraint("petition_type_changes_code_fkey", "petition_type_changes", type_="foreignkey")
    op.drop_index("petition_types_agency_idx", "petition_types")
    op.drop_constraint("kind_known", "petition_types", type_="check")
    op.drop_constraint("petition_types_agency_department_fkey", "petition_types", type_="foreignkey")
    op.drop_constraint("departments_agency_code_key", "departments", type_="unique")
