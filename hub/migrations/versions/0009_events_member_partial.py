"""`events_member` holds only the events that name a member whose personal data they carry (member_id set:
a fifth of a sync's events); every other event skipped an index entry of NULL at its insert.

Its readers (an erasure's redaction, a member's card for another collective) look up one member_id, which
implies the index's condition, on SQLite as on PostgreSQL.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"


def upgrade() -> None:
    op.drop_index("events_member", table_name="events")
    where = sa.text("member_id IS NOT NULL")
    op.create_index("events_member", "events", ["member_id"], postgresql_where=where, sqlite_where=where)


def downgrade() -> None:
    op.drop_index("events_member", table_name="events")
    op.create_index("events_member", "events", ["member_id"])
