"""The state is a projection of the journal: replay events onto an empty store, and compare states.

`replay` applies events through `kiosk.projections.apply` on a store that was bootstrapped with the same
config and catalogue (reference rows: collective, site, themes) but holds no event yet. `snapshot` reads
every state table in a canonical order, so two stores can be compared with `==`: the property and crash
tests check that replaying a store's journal on an empty store gives the same snapshot as the store itself.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import Any

from kiosk import projections
from kiosk.journal import Event
from kiosk.store import Store

# Bookkeeping, not state: the kiosk's identity and counters, the journal itself, and the sync client's
# pairing and reports (no event produces them, so a replay cannot either).
NOT_STATE = frozenset(
    {
        "kiosk_state",
        "journal",
        "hub_link",
        "sync_rejections",
        "sync_apply_errors",
        "admin_pins",  # the kiosk's admin PINs and wrong-PIN count: local, never journaled (schema V7)
        "admin_pin_failures",
        "ballot_box",  # an election's secret ballots: local until the close carries them (schema V8)
    }
)

Snapshot = dict[str, list[tuple[Any, ...]]]


def replay(events: Iterable[Event], store: Store) -> None:
    """Apply `events`, in order, to the state of `store` (in one transaction: all or nothing).

    The events are not appended to the store's journal: only the state is rebuilt.
    """
    with store.transaction() as conn:
        for event in events:
            projections.apply(conn, event)


def snapshot(store: Store) -> Snapshot:
    """Every state table's rows, sorted; the full-text index as (listing, term, column, offset) rows.

    Left out: `kiosk_state`, `journal`, SQLite's own tables and the shadow tables of virtual tables,
    which are compared through what a search sees instead (`<fts table>:index` and `<fts table>:search`).
    """
    conn = store.conn
    virtual = [
        str(name)
        for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%'"
        )
    ]
    result: Snapshot = {}
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"):
        table = str(name)
        if (
            table in NOT_STATE
            or table.startswith("sqlite_")
            or table in virtual
            or any(table.startswith(v + "_") for v in virtual)
        ):
            continue
        columns = len(conn.execute(f'SELECT * FROM "{table}" LIMIT 0').description)
        order = ", ".join(str(i) for i in range(1, columns + 1))
        result[table] = [tuple(row) for row in conn.execute(f'SELECT * FROM "{table}" ORDER BY {order}')]
    for table in virtual:
        result.update(_fts_snapshot(conn, table))
    return result


def _fts_snapshot(conn: sqlite3.Connection, table: str) -> Snapshot:
    """What searching `table` sees: its indexed terms per document, and each term's matches.

    Documents are named by the id of the row they index (`listings_fts` rowid = `listings` rowid),
    not by rowid, which is an accident of insertion order.
    """
    source = table.removesuffix("_fts")
    vocab = f"temp.{table}_snapshot_vocab"
    conn.execute(f"DROP TABLE IF EXISTS {vocab}")
    conn.execute(f"CREATE VIRTUAL TABLE {vocab} USING fts5vocab(main, {table}, instance)")
    try:
        index = [
            tuple(row)
            for row in conn.execute(
                f"SELECT s.id, v.term, v.col, v.offset FROM {vocab} v"
                f' JOIN "{source}" s ON s.rowid = v.doc ORDER BY 1, 2, 3, 4'
            )
        ]
        terms = [str(term) for (term,) in conn.execute(f"SELECT DISTINCT term FROM {vocab} ORDER BY 1")]
    finally:
        conn.execute(f"DROP TABLE IF EXISTS {vocab}")
    search: list[tuple[Any, ...]] = []
    for term in terms:
        quoted = '"' + term.replace('"', '""') + '"*'
        search.extend(
            (term, str(found))
            for (found,) in conn.execute(
                f'SELECT s.id FROM "{table}" f JOIN "{source}" s ON s.rowid = f.rowid'
                f' WHERE "{table}" MATCH ? ORDER BY 1',
                (quoted,),
            )
        )
    return {f"{table}:index": index, f"{table}:search": search}
