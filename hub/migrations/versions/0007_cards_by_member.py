"""Cards looked up by member through `cards_member` alone: `cards_network_member` (0002) goes.

On PostgreSQL tables that autovacuum had not analysed yet, the planner took that index for the push's look-up
of cards by hash too (its network column as the only condition, the hash as a filter): every card of the
network read for each hash of a batch. Without it, a look-up by hash can only use the primary key
(network, hash), and one by member `cards_member`.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"


def upgrade() -> None:
    op.drop_index("cards_network_member", table_name="cards")


def downgrade() -> None:
    op.create_index("cards_network_member", "cards", ["network_id", "member_id"])
