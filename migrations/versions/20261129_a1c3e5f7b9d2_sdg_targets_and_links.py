"""SDG targets and links from the framework to SDGs

Revision ID: a1c3e5f7b9d2
Revises: a3c5e7f9b1d2
Create Date: 2026-11-29 02:10:00

The 169 SDG targets (`sdg_target`) and the SDGs' official titles in four languages; goals and
objectives link to SDG targets or to whole SDGs (`sdg_link`), replacing `goal_sdg`, whose links
are carried over as links of goals to whole SDGs.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = 'a1c3e5f7b9d2'
down_revision: str | None = 'a3c5e7f9b1d2'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')


def upgrade() -> None:
    op.add_column('sdg', sa.Column('title', sa.Text(), server_default='', nullable=False))
    op.add_column('sdg', sa.Column('translations', JSON, server_default='{}', nullable=False))
    op.create_table(
        'sdg_target',
        sa.Column('code', sa.String(length=8), nullable=False),
        sa.Column('sdg_number', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('short_title', sa.String(length=200), nullable=False),
        sa.Column('title', sa.Text(), nullable=False),
        sa.Column('translations', JSON, nullable=False),
        sa.ForeignKeyConstraint(
            ['sdg_number'], ['sdg.number'],
            name=op.f('fk_sdg_target_sdg_number_sdg'), ondelete='RESTRICT',
        ),
        sa.PrimaryKeyConstraint('code', name=op.f('pk_sdg_target')),
    )
    op.create_index(op.f('ix_sdg_target_sdg_number'), 'sdg_target', ['sdg_number'])
    op.create_table(
        'sdg_link',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('framework_id', sa.Integer(), nullable=False),
        sa.Column('goal_id', sa.Integer(), nullable=True),
        sa.Column('objective_id', sa.Integer(), nullable=True),
        sa.Column('sdg_number', sa.Integer(), nullable=False),
        sa.Column('target_code', sa.String(length=8), nullable=True),
        sa.Column('weight', sa.Numeric(precision=5, scale=2), nullable=True),
        sa.Column('note', sa.String(length=500), nullable=True),
        sa.Column('proposed', sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            '(goal_id IS NULL) <> (objective_id IS NULL)',
            name=op.f('ck_sdg_link_goal_or_objective'),
        ),
        sa.CheckConstraint(
            'weight IS NULL OR (weight >= 0 AND weight <= 100)',
            name=op.f('ck_sdg_link_weight_range'),
        ),
        sa.ForeignKeyConstraint(
            ['framework_id'], ['framework.id'],
            name=op.f('fk_sdg_link_framework_id_framework'), ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['goal_id'], ['goal.id'], name=op.f('fk_sdg_link_goal_id_goal'), ondelete='CASCADE'
        ),
        sa.ForeignKeyConstraint(
            ['objective_id'], ['objective.id'],
            name=op.f('fk_sdg_link_objective_id_objective'), ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['sdg_number'], ['sdg.number'],
            name=op.f('fk_sdg_link_sdg_number_sdg'), ondelete='RESTRICT',
        ),
        sa.ForeignKeyConstraint(
            ['target_code'], ['sdg_target.code'],
            name=op.f('fk_sdg_link_target_code_sdg_target'), ondelete='RESTRICT',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sdg_link')),
    )
    op.create_index(op.f('ix_sdg_link_framework_id'), 'sdg_link', ['framework_id'])
    op.create_index(op.f('ix_sdg_link_goal_id'), 'sdg_link', ['goal_id'])
    op.create_index(op.f('ix_sdg_link_objective_id'), 'sdg_link', ['objective_id'])
    op.execute(
        'INSERT INTO sdg_link (framework_id, goal_id, sdg_number, proposed) '
        'SELECT goal.framework_id, goal_sdg.goal_id, goal_sdg.sdg_number, false '
        'FROM goal_sdg JOIN goal ON goal.id = goal_sdg.goal_id'
    )
    op.drop_table('goal_sdg')


def downgrade() -> None:
    op.create_table(
        'goal_sdg',
        sa.Column('goal_id', sa.Integer(), nullable=False),
        sa.Column('sdg_number', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ['goal_id'], ['goal.id'], name=op.f('fk_goal_sdg_goal_id_goal'), ondelete='CASCADE'
        ),
        sa.ForeignKeyConstraint(
            ['sdg_number'], ['sdg.number'],
            name=op.f('fk_goal_sdg_sdg_number_sdg'), ondelete='RESTRICT',
        ),
        sa.PrimaryKeyConstraint('goal_id', 'sdg_number', name=op.f('pk_goal_sdg')),
    )
    op.execute(
        'INSERT INTO goal_sdg (goal_id, sdg_number) SELECT DISTINCT goal_id, sdg_number '
        'FROM sdg_link WHERE goal_id IS NOT NULL'
    )
    op.drop_table('sdg_link')
    op.drop_table('sdg_target')
    with op.batch_alter_table('sdg') as batch:
        batch.drop_column('translations')
        batch.drop_column('title')
