"""Partnerships (a company adopts a school for one to five years) and their transitions

Revision ID: a17a0000p001
Revises: f0a1b2c3d4e5
"""

import sqlalchemy as sa
from alembic import op

revision = "a17a0000p001"
down_revision = "f0a1b2c3d4e5"
branch_labels = None
depends_on = None

_STATUSES = "'proposed', 'active', 'declined', 'ended'"


def upgrade():
    op.create_table(
        "partnerships",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("plan", sa.Text(), nullable=False),
        sa.Column("yearly_value_thb", sa.Numeric(14, 2), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("proposed_by_user_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(f"status IN ({_STATUSES})", name=op.f("ck_partnerships_status")),
        sa.CheckConstraint("ends_on > starts_on", name=op.f("ck_partnerships_dates")),
        sa.CheckConstraint("yearly_value_thb >= 0", name=op.f("ck_partnerships_yearly_value")),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_partnerships_company_id_companies")
        ),
        sa.ForeignKeyConstraint(
            ["school_id"], ["schools.id"], name=op.f("fk_partnerships_school_id_schools")
        ),
        sa.ForeignKeyConstraint(
            ["district_id"], ["districts.id"], name=op.f("fk_partnerships_district_id_districts")
        ),
        sa.ForeignKeyConstraint(
            ["proposed_by_user_id"], ["users.id"], name=op.f("fk_partnerships_proposed_by_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partnerships")),
    )
    with op.batch_alter_table("partnerships", schema=None) as batch_op:
        batch_op.create_index("ix_partnerships_company_id", ["company_id"], unique=False)
        batch_op.create_index("ix_partnerships_school_id", ["school_id"], unique=False)
        batch_op.create_index("ix_partnerships_district_id", ["district_id"], unique=False)
        batch_op.create_index("ix_partnerships_status", ["status"], unique=False)
        batch_op.create_index("ix_partnerships_pair", ["company_id", "school_id"], unique=False)

    op.create_table(
        "partnership_transitions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partnership_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("from_status", sa.String(12), nullable=True),
        sa.Column("to_status", sa.String(12), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["partnership_id"],
            ["partnerships.id"],
            name=op.f("fk_partnership_transitions_partnership_id_partnerships"),
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_partnership_transitions_actor_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partnership_transitions")),
    )
    with op.batch_alter_table("partnership_transitions", schema=None) as batch_op:
        batch_op.create_index("ix_partnership_transitions_partnership_id", ["partnership_id"], unique=False)


def downgrade():
    with op.batch_alter_table("partnership_transitions", schema=None) as batch_op:
        batch_op.drop_index("ix_partnership_transitions_partnership_id")
    op.drop_table("partnership_transitions")
    with op.batch_alter_table("partnerships", schema=None) as batch_op:
        for name in (
            "ix_partnerships_pair",
            "ix_partnerships_status",
            "ix_partnerships_district_id",
            "ix_partnerships_school_id",
            "ix_partnerships_company_id",
        ):
            batch_op.drop_index(name)
    op.drop_table("partnerships")
