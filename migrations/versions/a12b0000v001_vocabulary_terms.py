"""Vocabulary terms added by central officers (merged over the package's vocabulary file)

Revision ID: a12b0000v001
Revises: f0a1b2c3d4e5
"""

import sqlalchemy as sa
from alembic import op

revision = "a12b0000v001"
down_revision = "f0a1b2c3d4e5"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "vocabulary_terms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_code", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("term", sa.String(100), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name="fk_vocabulary_terms_created_by_id_users",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_vocabulary_terms"),
        sa.UniqueConstraint("item_code", "term", name="uq_vocabulary_terms_item_code"),
    )
    with op.batch_alter_table("vocabulary_terms", schema=None) as batch_op:
        batch_op.create_index("ix_vocabulary_terms_item_code", ["item_code"], unique=False)


def downgrade():
    with op.batch_alter_table("vocabulary_terms", schema=None) as batch_op:
        batch_op.drop_index("ix_vocabulary_terms_item_code")
    op.drop_table("vocabulary_terms")
