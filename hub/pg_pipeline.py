"""A PostgreSQL write transaction that spends as few round trips as it can: psycopg's pipeline mode.

Each round trip costs the server a wake-up and a reply (30–40 µs of its CPU on loopback, whatever the
statement) and, with the server on another machine, the network's latency. A push made the server answer
16 times (strace of its backend): a ping, BEGIN, eight statements (the COPYs two round trips each),
COMMIT; 8 now. Measured on a transaction of six statements, the server's CPU fell by a fifth (700 → 550 µs)
and the hub's barely (624 → 582 µs: each statement still costs its own work).

Here BEGIN travels with the transaction's first statement; statements whose result no one reads
(`Sql.send`: the inserts of members and cards, the kiosk's and collective's marks) wait in a queue and
travel with the next statement that needs an answer, or with the COMMIT. What is queued runs in order
before anything that follows it, so the transaction sees what it wrote; an error anywhere aborts the whole
transaction, and is raised at the next answer or at the commit (the transaction is then rolled back, as
before).

The connection is in autocommit for psycopg (which would otherwise send BEGIN alone, and sync the pipeline
after it): BEGIN and COMMIT are ours. A statement that SQLAlchemy runs itself (a Core statement, a rare
event type's handler) first sends what is waiting, through `before_cursor_execute` (hub/db.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Queued = Callable[[Any], None]  # runs one statement on a psycopg cursor


class PipelinedTransaction:
    __slots__ = ("begun", "queued")

    def __init__(self) -> None:
        self.begun = False  # BEGIN sent
        self.queued: list[Queued] = []

    @property
    def waiting(self) -> bool:
        """Whether something must be sent before the next statement: BEGIN, or queued statements."""
        return not self.begun or bool(self.queued)

    def flush(self, connection: Any, then: Queued | None = None) -> None:
        """BEGIN (once), the queued statements, and `then` (a statement whose answer is wanted: it is on its
        cursor afterwards), in one round trip. Raises the first error of any of them."""
        with connection.pipeline():
            cursor = connection.cursor()
            if not self.begun:
                cursor.execute(b"BEGIN")
                self.begun = True
            queued, self.queued = self.queued, []
            for statement in queued:
                statement(cursor)
            if then is not None:
                then(cursor)

    def commit(self, connection: Any) -> None:
        """The queued statements and COMMIT, in one round trip (nothing at all if nothing was sent)."""
        if not self.begun and not self.queued:
            return
        self.flush(connection, lambda cursor: cursor.execute(b"COMMIT"))
        self.begun = False

    def rollback(self, connection: Any) -> None:
        self.queued = []
        if self.begun:
            self.begun = False
            connection.rollback()  # in autocommit psycopg still ends an open (or failed) transaction
