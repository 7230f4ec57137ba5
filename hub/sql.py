"""Hand-written SQL for the hub's hot paths (push, pull, a kiosk's token), run on the DBAPI cursor under a
SQLAlchemy connection — inside its transaction, so savepoints and group commit see these statements too.

Building, caching and binding a SQLAlchemy Core statement costs 20–140 µs per execution; the same statement
as cached text on the driver's cursor costs 1–15 µs. A push runs about ten statements and 200 kiosks
pushing at once made that a quarter of the hub's CPU. The texts use `?` placeholders, rewritten once to
psycopg's `%s`; the table definitions stay in hub/schema.py. Driver errors are raised as SQLAlchemy's
(IntegrityError, OperationalError…), as `Connection.execute` raises them: the retries of
`Database.write_retrying` and the hub's 503 answer rely on those.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any, TypeVar, cast

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError

from hub.pg_pipeline import PipelinedTransaction

T = TypeVar("T")
PIPELINED = "hub_pipelined"  # the execution option that holds a push's PipelinedTransaction


@lru_cache(maxsize=512)
def _for_postgres(sql: str) -> str:
    return sql.replace("?", "%s")


def _prepare(sql: str) -> bool:
    """The hot paths' statements are prepared on the server at their first run on a connection (psycopg
    waited for the fifth: with 16 connections opened by a burst of 200 kiosks, a third of their runs were
    parsed and planned anew; measured side by side, PostgreSQL's CPU for that burst fell by 0–12 %).
    PostgreSQL then reuses a generic plan made with the statistics of that moment, which only suits plans
    that do not depend on them: a look-up of one key, the pull, a batch's keys probed one by one
    (`Sql.probe`). A look-up of a batch's keys as `= ANY(?)` (`Sql.among`, rare statements) is planned at
    every run: a young hub's tables grow faster than autovacuum analyses them, and generic plans cached
    while they were nearly empty scanned them whole."""
    return "ANY(?)" not in sql


def array_literal(values: Sequence[Any]) -> str:
    """A PostgreSQL array as its text (`{"a","b"}`, cast in the statement): psycopg's list dumper spent
    50–60 µs in Python per 50-value array, six times a push. Every element is quoted (so `NULL`, commas
    and spaces stay text), `"` and `\\` escaped; numbers too (a `bigint[]` reads "5" as 5)."""
    texts = [str(value) for value in values]
    if not texts:
        return "{}"
    plain = "".join(texts)  # not the joined literal: its `","` separators are quotes themselves
    if '"' in plain or "\\" in plain:
        texts = [text.replace("\\", "\\\\").replace('"', '\\"') for text in texts]
    return '{"' + '","'.join(texts) + '"}'


def marks(count: int) -> str:
    """`?, ?, ?` for an IN list of `count` values."""
    return ", ".join("?" * count)


class Sql:
    """The DBAPI cursor of one SQLAlchemy connection, with the placeholders of its driver."""

    __slots__ = ("conn", "cursor", "dbapi", "postgres", "tx")

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.postgres = conn.dialect.name == "postgresql"
        self.dbapi: Any = cast(Any, conn.connection.dbapi_connection)
        self.cursor: Any = self.dbapi.cursor()
        # A push's transaction on PostgreSQL (hub/pg_pipeline.py); None elsewhere.
        self.tx: PipelinedTransaction | None = conn.get_execution_options().get(PIPELINED)

    def _text(self, sql: str) -> str:
        return _for_postgres(sql) if self.postgres else sql

    def among(self, column: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
        """`column IN (…)` for a batch's keys, and its parameters. PostgreSQL gets one array parameter
        (`= ANY(?)`): the statement's text no longer depends on the batch, so psycopg converts it once, where
        texts of more than 50 parameters (a push's 50 ids) were parsed again at every run."""
        if self.postgres:
            return f"{column} = ANY(?)", [list(values)]
        return f"{column} IN ({marks(len(values))})", list(values)

    def probe(
        self, select: str, params: Sequence[Any], key: str, values: Sequence[Any], kind: str = "text"
    ) -> tuple[str, list[Any]]:
        """`select` (`SELECT … FROM t WHERE …`, its `params`) narrowed to rows whose `key` is among
        `values` (of SQL type `kind`), and its parameters. PostgreSQL gets one index probe per value (a
        LATERAL subquery that OFFSET 0 keeps from being merged into a join): for `network_id = ? AND
        uid_hash = ANY(?)` on tables that autovacuum had not analysed yet, the planner guessed the network
        condition selective and read every card of the network at each push — 1–2 ms a push, growing with
        the hub. A probe's plan does not depend on statistics, so it is also prepared once and reused."""
        if not self.postgres:
            return f"{select} AND {key} IN ({marks(len(values))})", [*params, *values]
        return (
            f"SELECT p.* FROM unnest(?::{kind}[]) AS probe(value)"
            f" CROSS JOIN LATERAL ({select} AND {key} = probe.value OFFSET 0) AS p",
            [array_literal(values), *params],
        )

    def _execute(self, sql: str, params: Sequence[Any]) -> None:
        if not self.postgres:
            self.cursor.execute(sql, params)
            return
        text, prepare = _for_postgres(sql), _prepare(sql)
        if self.tx is not None and self.tx.waiting:  # with BEGIN or the queued statements: one round trip
            self.tx.flush(self.dbapi, lambda _cursor: self.cursor.execute(text, params, prepare=prepare))
        else:
            self.cursor.execute(text, params, prepare=prepare)

    def _call(self, sql: str, params: Any, action: Callable[[], T]) -> T:
        dialect = self.conn.dialect
        try:
            return action()
        except dialect.loaded_dbapi.Error as error:
            lost = dialect.is_disconnect(error, self.conn.connection.dbapi_connection, self.cursor)
            if lost:  # the pool replaces it, and the connections opened before it (as SQLAlchemy does)
                self.conn.engine.pool._invalidate(self.conn.connection, error)
                self.conn.invalidate(error)
            raise DBAPIError.instance(
                sql, params, error, dialect.loaded_dbapi.Error, connection_invalidated=lost, dialect=dialect
            ) from error

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        def run() -> list[tuple[Any, ...]]:
            self._execute(sql, params)
            rows: list[tuple[Any, ...]] = self.cursor.fetchall()
            return rows

        return self._call(sql, params, run)

    def first(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        def run() -> tuple[Any, ...] | None:
            self._execute(sql, params)
            row: tuple[Any, ...] | None = self.cursor.fetchone()
            return row

        return self._call(sql, params, run)

    def run(self, sql: str, params: Sequence[Any] = ()) -> int:
        """An UPDATE, INSERT or DELETE; its row count."""

        def run() -> int:
            self._execute(sql, params)
            count: int = self.cursor.rowcount
            return count

        return self._call(sql, params, run)

    def run_many(self, sql: str, params: Sequence[Sequence[Any]]) -> None:
        if self.tx is not None:
            self.send_many(sql, params)
            return
        self._call(sql, params, lambda: self.cursor.executemany(self._text(sql), params))

    def send(self, sql: str, params: Sequence[Any] = ()) -> None:
        """A statement whose result no one reads: in a push's transaction on PostgreSQL it waits and
        travels with the next statement that has an answer, or with the COMMIT (hub/pg_pipeline.py)."""
        if self.tx is None:
            self.run(sql, params)
            return
        text, prepare = _for_postgres(sql), _prepare(sql)
        self.tx.queued.append(lambda cursor: cursor.execute(text, params, prepare=prepare))

    def send_many(self, sql: str, params: Sequence[Sequence[Any]]) -> None:
        if self.tx is None:
            self.run_many(sql, params)
            return
        text = _for_postgres(sql)
        self.tx.queued.append(lambda cursor: cursor.executemany(text, params))

    def commit(self) -> None:
        """The end of a push's transaction on PostgreSQL: what waits, and COMMIT, in one round trip."""
        if self.tx is not None:
            self._call("COMMIT", (), lambda: self.tx.commit(self.dbapi) if self.tx else None)

    def insert(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """Rows into `table`: SQLite's executemany loops in C; PostgreSQL gets them by COPY, a quarter of
        the client CPU of psycopg's executemany and a seventh of one multi-row INSERT (whose long text
        psycopg parses again every time)."""
        if not rows:
            return
        names = ", ".join(columns)
        if not self.postgres:
            self.run_many(f"INSERT INTO {table} ({names}) VALUES ({marks(len(columns))})", rows)
            return
        if self.tx is not None and table != "events":
            # In a push's transaction: one statement that waits for the next round trip (COPY cannot run
            # in pipeline mode). The events stay a COPY: for 50 rows of JSON text, a COPY cost 0.6 ms of
            # the hub's CPU and 1.8 ms of the server's, an INSERT of arrays 1.0 and 2.1 (measured side by
            # side): more than the round trips it saves.
            statement = _unnest_insert(table, tuple(columns))
            self.send(statement, [_array_text(column) for column in zip(*rows, strict=True)])
            return
        statement = f"COPY {table} ({names}) FROM STDIN"

        def copy() -> None:
            if self.tx is not None and self.tx.waiting:
                self.tx.flush(self.dbapi)
            with self.cursor.copy(statement) as copy:
                for row in rows:
                    copy.write_row(row)

        self._call(statement, rows, copy)


@lru_cache(maxsize=64)
def _unnest_insert(table: str, columns: tuple[str, ...]) -> str:
    """`INSERT INTO table (columns) SELECT * FROM unnest(?::type[], …)`: rows as one array per column, each
    of the column's type (hub/schema.py), passed as its text (`_array_text`)."""
    from sqlalchemy.dialects import postgresql

    from hub.schema import metadata

    dialect = postgresql.dialect()  # type: ignore[no-untyped-call]
    found = metadata.tables[table].c
    # Without lengths: an explicit cast to VARCHAR(36) would cut a longer value where the insert refuses it.
    kinds = [str(found[name].type.compile(dialect=dialect)).partition("(")[0] for name in columns]
    arrays = ", ".join(f"?::{kind}[]" for kind in kinds)
    return f"INSERT INTO {table} ({', '.join(columns)}) SELECT * FROM unnest({arrays})"


def _array_text(values: Sequence[Any]) -> str:
    """`array_literal`, where None is SQL NULL."""
    if None not in values:
        return array_literal(values)
    return "{" + ",".join("NULL" if value is None else array_literal([value])[1:-1] for value in values) + "}"
