"""The audit log append-only on SQLite too: DELETE refused like UPDATE

Revision ID: a18a0000d001
Revises: a15p0000n001

Until now the SQLite trigger refused UPDATE of ``audit_events`` but let DELETE through, so that the tests
could empty the tables between tests. The tests now start each test from a fresh copy of a migrated
database file instead, and SQLite refuses DELETE as PostgreSQL does (its trigger, from b7e4c1a9d2f0,
refuses both already). ``TRUNCATE`` on PostgreSQL and dropping the database file stay the ways to empty a
test database.
"""

from alembic import op

revision = "a18a0000d001"
down_revision = "a15p0000n001"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.execute("""
            CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
            BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END
        """)


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_delete")
