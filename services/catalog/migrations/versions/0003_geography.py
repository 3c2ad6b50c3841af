"""The municipality's map: versioned layers (boundary, colonias, zones) and their features.

Geometry is GeoJSON in JSONB (WGS84 lon/lat): catalog locates points in memory with
shapely's STRtree (catalog.geography), so the database needs no spatial extension.

Revision ID: 0003
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "geo_versions",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("layer", sa.Text, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("author", sa.Text, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("features", sa.Integer, nullable=False),
        sa.Column("source", sa.Text),
        sa.CheckConstraint("layer IN ('boundary', 'colonias', 'zones')", name="geo_layer_known"),
        sa.UniqueConstraint("layer", "version", name="geo_versions_layer_version_key"),
    )
    op.create_table(
        "geo_features",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("version_id", sa.BigInteger, sa.ForeignKey("geo_versions.id"), nullable=False),
        sa.Column("key", sa.Text),
        sa.Column("name", sa.Text),
        sa.Column("type", sa.Text),
        sa.Column("postal_code", sa.Text),
        sa.Column("kind", sa.Text),
        sa.Column("geometry", JSONB, nullable=False),
    )
    op.create_index("geo_features_version_idx", "geo_features", ["version_id", "id"])


def downgrade():
    op.drop_table("geo_features")
    op.drop_table("geo_versions")
