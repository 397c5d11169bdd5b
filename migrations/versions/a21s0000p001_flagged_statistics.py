"""Statistics on the duplicate flag, so PostgreSQL plans a director's flagged-needs list by its index

Revision ID: a21s0000p001
Revises: a20d0000n001

``duplicates.for_district`` lists an ESA's needs whose ``possible_duplicates`` is not the empty list,
newest first. PostgreSQL keeps no statistics for ``CAST(possible_duplicates AS VARCHAR)``, so it guessed
that most of Bangkok's 11,000 needs were flagged, walked the primary key backwards through all 100,000
needs to find 50 of them, and found none (61 ms per dashboard). Extended statistics on the expression
(PostgreSQL 14 and later) tell it how few are flagged: the partial index ``ix_needs_flagged`` answers in
0.02 ms. SQLite plans by the index already; nothing to do there.
"""

from alembic import op

revision = "a21s0000p001"
down_revision = "a20d0000n001"
branch_labels = None
depends_on = None


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name != "postgresql" or bind.dialect.server_version_info < (14,):
        return
    op.execute(
        "CREATE STATISTICS IF NOT EXISTS st_needs_flagged ON ((CAST(possible_duplicates AS VARCHAR))) FROM needs"
    )
    op.execute("ANALYZE needs")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP STATISTICS IF EXISTS st_needs_flagged")
