"""widen case.district to 200 characters

Los Angeles exports name neighbourhood councils of up to 96 characters.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04 17:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # SQLite ignores the length of VARCHAR, so its column already stores 200
    # characters. Changing the declared type would need a copy of the case
    # table, which its foreign keys forbid inside the migration's transaction.
    if op.get_bind().dialect.name == "sqlite":
        return
    op.alter_column(
        "case",
        "district",
        type_=sa.String(length=200),
        existing_type=sa.String(length=64),
        existing_nullable=True,
    )


def downgrade() -> None:
    # Fails on PostgreSQL while a stored district is longer than 64 characters.
    if op.get_bind().dialect.name == "sqlite":
        return
    op.alter_column(
        "case",
        "district",
        type_=sa.String(length=64),
        existing_type=sa.String(length=200),
        existing_nullable=True,
    )
