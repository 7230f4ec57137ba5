"""Each event's pull `Change` as JSON text, written once at ingest (see hub/wire.py); cards by
(network, member), the look-up every push makes.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    # NULL for rows stored before this revision and for redacted rows: the pull builds those on the fly.
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("change_json", sa.Text(), nullable=True))
    op.create_index("cards_network_member", "cards", ["network_id", "member_id"])


def downgrade() -> None:
    op.drop_index("cards_network_member", table_name="cards")
    with op.batch_alter_table("events") as batch:
        batch.drop_column("change_json")
