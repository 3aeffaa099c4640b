"""import uploads apart from their jobs, and batch progress

Revision ID: a3c5e7f9b1d2
Revises: f6c8d0e2a4b3
Create Date: 2026-11-28 19:30:00

An import's file moves from the job row to a table of its own (import_upload), which holds it
only while the import may still need it: the row goes when the job ends or the retention period
passes. Files of jobs that had already ended are not kept. The job records the file's size, when
it last moved on (a job that stopped moving has stopped), when its file was removed, and a new
status: interrupted, for an import that wrote some batches and not the rest.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tracker.models._base

revision: str = 'a3c5e7f9b1d2'
down_revision: str | None = 'f6c8d0e2a4b3'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_STATUSES = "'checking', 'checked', 'committing', 'committed', 'refused', 'failed'"
NEW_STATUSES = (
    "'checking', 'checked', 'committing', 'committed', 'interrupted', 'refused', 'failed'"
)
WHEN = tracker.models._base.UTCDateTime(timezone=True)


def upgrade() -> None:
    # import_job first, while no table refers to it: on SQLite a batch copies the table, and
    # dropping the old copy would cascade to the rows of a table that refers to it.
    with op.batch_alter_table('import_job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('size', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('updated_at', WHEN, nullable=True))
        batch_op.add_column(sa.Column('file_removed_at', WHEN, nullable=True))
    op.execute(
        'UPDATE import_job SET size = length(content), '
        'updated_at = COALESCE(finished_at, created_at)'
    )
    with op.batch_alter_table('import_job', schema=None) as batch_op:
        batch_op.alter_column('size', server_default=None)
        batch_op.alter_column('updated_at', existing_type=WHEN, nullable=False)
        batch_op.drop_constraint(op.f('ck_import_job_status_allowed'), type_='check')
        batch_op.create_check_constraint('status_allowed', f'status IN ({NEW_STATUSES})')
        batch_op.create_check_constraint('size_not_negative', 'size >= 0')

    op.create_table(
        'import_upload',
        sa.Column('job_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('content', sa.LargeBinary(), nullable=False),
        sa.Column('created_at', WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ['job_id'],
            ['import_job.id'],
            name=op.f('fk_import_upload_job_id_import_job'),
            ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('job_id', name=op.f('pk_import_upload')),
    )
    op.execute(
        'INSERT INTO import_upload (job_id, content, created_at) '
        'SELECT id, content, created_at FROM import_job '
        "WHERE status IN ('checking', 'checked', 'committing')"
    )
    op.execute(
        'UPDATE import_job SET file_removed_at = COALESCE(finished_at, created_at) '
        "WHERE status NOT IN ('checking', 'checked', 'committing')"
    )
    # A plain DROP COLUMN on SQLite too: copying import_job now would cascade to its uploads.
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE import_job DROP COLUMN content')
    else:
        op.drop_column('import_job', 'content')


def downgrade() -> None:
    op.add_column('import_job', sa.Column('content', sa.LargeBinary(), nullable=True))
    op.execute(
        'UPDATE import_job SET content = '
        '(SELECT content FROM import_upload WHERE import_upload.job_id = import_job.id)'
    )
    op.drop_table('import_upload')
    op.execute(
        "UPDATE import_job SET status = 'failed' WHERE status = 'interrupted'"
    )
    if op.get_bind().dialect.name == 'sqlite':
        op.execute("UPDATE import_job SET content = x'' WHERE content IS NULL")
    else:
        op.execute("UPDATE import_job SET content = ''::bytea WHERE content IS NULL")
    with op.batch_alter_table('import_job', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_import_job_size_not_negative'), type_='check')
        batch_op.drop_constraint(op.f('ck_import_job_status_allowed'), type_='check')
        batch_op.create_check_constraint('status_allowed', f'status IN ({OLD_STATUSES})')
        batch_op.alter_column('content', existing_type=sa.LargeBinary(), nullable=False)
        batch_op.drop_column('file_removed_at')
        batch_op.drop_column('updated_at')
        batch_op.drop_column('size')
