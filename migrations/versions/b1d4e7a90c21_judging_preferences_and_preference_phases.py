"""judging: preferences and preference phases (bidding before assignment)

Revision ID: b1d4e7a90c21
Revises: dc5cfdce56ef
Create Date: 2026-11-26 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b1d4e7a90c21'
down_revision = 'dc5cfdce56ef'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('preferences',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Enum('gern', 'neutral', 'lieber_nicht', 'befangen', name='preference_value', native_enum=False, length=20), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['entries.id'], name=op.f('fk_preferences_entry_id_entries'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['judging_rounds.id'], name=op.f('fk_preferences_round_id_judging_rounds'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_preferences_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_preferences')),
    sa.UniqueConstraint('round_id', 'user_id', 'entry_id', name=op.f('uq_preferences_round_id_user_id_entry_id'))
    )
    with op.batch_alter_table('preferences', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_preferences_entry_id'), ['entry_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_preferences_round_id'), ['round_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_preferences_user_id'), ['user_id'], unique=False)

    op.create_table('preference_phases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('opened_by_id', sa.Integer(), nullable=True),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['closed_by_id'], ['users.id'], name=op.f('fk_preference_phases_closed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['opened_by_id'], ['users.id'], name=op.f('fk_preference_phases_opened_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['round_id'], ['judging_rounds.id'], name=op.f('fk_preference_phases_round_id_judging_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_preference_phases')),
    sa.UniqueConstraint('round_id', name=op.f('uq_preference_phases_round_id'))
    )


def downgrade():
    op.drop_table('preference_phases')
    with op.batch_alter_table('preferences', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_preferences_user_id'))
        batch_op.drop_index(batch_op.f('ix_preferences_round_id'))
        batch_op.drop_index(batch_op.f('ix_preferences_entry_id'))

    op.drop_table('preferences')
