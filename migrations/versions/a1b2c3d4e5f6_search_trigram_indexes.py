"""Trigram GIN indexes for free-text search on PostgreSQL (SQLite uses LIKE on the same column)

Revision ID: a1b2c3d4e5f6
Revises: d569f1e269c3
"""
from alembic import op

revision = "a1b2c3d4e5f6"
down_revision = "d569f1e269c3"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute("CREATE INDEX IF NOT EXISTS ix_needs_search_trgm ON needs USING gin (search_text gin_trgm_ops)")
    op.execute("CREATE INDEX IF NOT EXISTS ix_offers_search_trgm ON offers USING gin (search_text gin_trgm_ops)")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_offers_search_trgm")
    op.execute("DROP INDEX IF EXISTS ix_needs_search_trgm")
