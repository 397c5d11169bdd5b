"""Indexes for national scale: open needs counted from an index alone; suggestions' item-kind reads by index

Revision ID: a19s0000k001
Revises: a18a0000d001

- ``ix_needs_open`` (category, urgency_rank, school_id) over the open needs only: ``count(*)`` of the
  needs lists' default filter is an index-only scan (the cover index ``ix_needs_list_cover`` lacks
  ``expired``, so PostgreSQL read the whole table for it);
- ``ix_needs_unanalysed`` over the needs saved without their analysis (normally none): the suggestions'
  first tier asks for them beside the item-kind matches, and the OR of the two needs an index on each side;
- PostgreSQL only, ``ix_needs_kinds_trgm`` and ``ix_offers_kinds_trgm``: trigram GIN indexes on
  ``' ' || coalesce(item_kinds, '') || ' '``, the expression suggestions test with ``LIKE '% code %'``
  (``services/suggestions.py``), so a nationwide offer's candidates are found by the index instead of a
  parallel scan of every need. SQLite reads the same SQL by a scan.
"""

from alembic import op

revision = "a19s0000k001"
down_revision = "a18a0000d001"
branch_labels = None
depends_on = None

OPEN = {
    "postgresql": "cancelled IS false AND expired IS false AND committed_quantity < quantity",
    "sqlite": "cancelled IS 0 AND expired IS 0 AND committed_quantity < quantity",
}
UNANALYSED = "coalesce(search_text, '') = ''"
KINDS = "(' ' || coalesce(item_kinds, '') || ' ')"


def upgrade():
    dialect = op.get_bind().dialect.name
    where = OPEN.get(dialect, OPEN["sqlite"])
    op.execute(f"CREATE INDEX ix_needs_open ON needs (category, urgency_rank, school_id) WHERE {where}")
    op.execute(f"CREATE INDEX ix_needs_unanalysed ON needs (id) WHERE {UNANALYSED}")
    if dialect == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for table in ("needs", "offers"):
            op.execute(f"CREATE INDEX ix_{table}_kinds_trgm ON {table} USING gin ({KINDS} gin_trgm_ops)")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_offers_kinds_trgm")
        op.execute("DROP INDEX IF EXISTS ix_needs_kinds_trgm")
    op.execute("DROP INDEX IF EXISTS ix_needs_unanalysed")
    op.execute("DROP INDEX IF EXISTS ix_needs_open")
