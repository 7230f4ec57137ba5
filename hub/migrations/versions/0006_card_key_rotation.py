"""The network card key rotation (issue 9): the next key while a rotation runs, and each card's hash under it.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"


def upgrade() -> None:
    op.add_column("networks", sa.Column("next_card_key", sa.String(64), nullable=True))
    op.add_column("networks", sa.Column("rotation_started_at", sa.String(40), nullable=True))
    op.add_column("cards", sa.Column("next_uid_hash", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cards") as cards:
        cards.drop_column("next_uid_hash")
    with op.batch_alter_table("networks") as networks_table:
        networks_table.drop_column("rotation_started_at")
        networks_table.drop_column("next_card_key")
