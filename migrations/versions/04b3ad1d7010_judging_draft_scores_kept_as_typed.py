"""judging: draft scores kept as typed (an invalid score is stored as its text, with no value)

Revision ID: 04b3ad1d7010
Revises: e51c677632ca
Create Date: 2026-12-05 06:35:12.973273

"""
import sqlalchemy as sa
from alembic import op

revision = '04b3ad1d7010'
down_revision = 'e51c677632ca'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('scores', schema=None) as batch_op:
        batch_op.add_column(sa.Column('typed', sa.String(length=100), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('scores', schema=None) as batch_op:
        batch_op.drop_column('typed')
