"""tag suggestions

Revision ID: c4e6a8b0d2f3
Revises: b8d2f4a6c1e9
Create Date: 2026-11-29 01:47:38

The trained suggestion model, kept in the database so that every process loads the same one,
and the suggestions dismissed for a project, which are never offered for it again.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import tracker.models._base

revision: str = 'c4e6a8b0d2f3'
down_revision: str | None = 'b8d2f4a6c1e9'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('suggestion_model',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('trained_at', tracker.models._base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('fingerprint', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('framework_id', sa.Integer(), nullable=True),
    sa.Column('projects', sa.Integer(), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['framework_id'], ['framework.id'], name=op.f('fk_suggestion_model_framework_id_framework'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_suggestion_model'))
    )
    op.create_table('suggestion_dismissal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('objective_id', sa.Integer(), nullable=True),
    sa.Column('theme_id', sa.Integer(), nullable=True),
    sa.Column('dismissed_by_id', sa.Integer(), nullable=True),
    sa.Column('dismissed_at', tracker.models._base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(objective_id IS NULL) <> (theme_id IS NULL)', name=op.f('ck_suggestion_dismissal_objective_or_theme')),
    sa.ForeignKeyConstraint(['dismissed_by_id'], ['user_account.id'], name=op.f('fk_suggestion_dismissal_dismissed_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['objective_id'], ['objective.id'], name=op.f('fk_suggestion_dismissal_objective_id_objective'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_suggestion_dismissal_project_id_project'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['theme_id'], ['theme.id'], name=op.f('fk_suggestion_dismissal_theme_id_theme'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_suggestion_dismissal')),
    sa.UniqueConstraint('project_id', 'objective_id', name=op.f('uq_suggestion_dismissal_project_id_objective_id')),
    sa.UniqueConstraint('project_id', 'theme_id', name=op.f('uq_suggestion_dismissal_project_id_theme_id'))
    )
    with op.batch_alter_table('suggestion_dismissal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_suggestion_dismissal_project_id'), ['project_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('suggestion_dismissal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_suggestion_dismissal_project_id'))

    op.drop_table('suggestion_dismissal')
    op.drop_table('suggestion_model')
