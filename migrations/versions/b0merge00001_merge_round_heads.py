"""Merge this round's branches: vocabulary terms, jobs, time in the workflow, partnerships

Revision ID: b0merge00001
Revises: a12b0000v001, a13f0000j001, a16c10c00001, a17a0000p001
"""

revision = "b0merge00001"
down_revision = ("a12b0000v001", "a13f0000j001", "a16c10c00001", "a17a0000p001")
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
