"""round inputs revision: a counter bumped by every write to a round's sheets, scores, assignments or criteria,
recorded with each ranking snapshot (issue 17: the "out of date" check in one query)

Revision ID: a7b8c9d0e1f2
Revises: 929a58b3d640
Create Date: 2026-12-05 08:02:00

"""
import sqlalchemy as sa
from alembic import op

revision = "a7b8c9d0e1f2"
down_revision = "929a58b3d640"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("judging_rounds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("inputs_revision", sa.Integer(), server_default="0", nullable=False))
    # Older snapshots keep NULL: their freshness is decided by the exact hash, as before.
    with op.batch_alter_table("ranking_snapshots", schema=None) as batch_op:
        batch_op.add_column(sa.Column("inputs_revision", sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table("ranking_snapshots", schema=None) as batch_op:
        batch_op.drop_column("inputs_revision")
    with op.batch_alter_table("judging_rounds", schema=None) as batch_op:
        batch_op.drop_column("inputs_revision")
