"""`Sql.probe`, the push's look-up of a batch's keys (one index probe per key on PostgreSQL, whose array is
passed as its text by `array_literal`): every key a kiosk may send comes back, odd characters included,
and on PostgreSQL the plan probes the index whatever the statistics."""

from __future__ import annotations

import uuid

from hub.sql import Sql, _array_text, array_literal
from tests.hub.kiosks import HubHandle

# Keys a kiosk could send (`_is_id` lets any text of 1–64 characters through): an array literal's
# separators, quotes, backslashes, braces, the word NULL, spaces, accents.
ODD_KEYS = ["a,b", "NULL", 'x"y', "back\\slash", "{brace}", "espace ici", "Noël", "'", '\\"', "null"]


def test_every_odd_key_comes_back(hub: HubHandle) -> None:
    prefix = uuid.uuid4().hex[:8]
    keys = [f"{prefix}{key}" for key in ODD_KEYS] + [f"{prefix}-plain-{n}" for n in range(50)]
    absent = [f"{prefix}absent", f"{prefix}NULL,x"]
    collective = hub.collective("Clés étranges")
    with hub.db.write() as conn:
        rows = [(key, collective, None) for key in keys]
        Sql(conn).insert("members", ("id", "collective_id", "erased_at"), rows)
    with hub.db.read() as conn:
        sql = Sql(conn)
        query, params = sql.probe("SELECT id FROM members WHERE TRUE", (), "id", keys + absent)
        found = [row[0] for row in sql.rows(query, params)]
    with hub.db.write() as conn:
        Sql(conn).run("DELETE FROM members WHERE collective_id = ?", (collective,))
    assert sorted(found) == sorted(keys)


def test_numbers_probe_a_bigint_column(hub: HubHandle) -> None:
    with hub.db.read() as conn:
        sql = Sql(conn)
        query, params = sql.probe(
            "SELECT kiosk_seq FROM events WHERE kiosk_id = ?", ("aucune",), "kiosk_seq", [1, 2], "bigint"
        )
        assert sql.rows(query, params) == []  # a valid statement for numbers (bigint[] on PostgreSQL)


def test_array_literal_text() -> None:
    assert array_literal([]) == "{}"
    assert array_literal(["a", "b"]) == '{"a","b"}'
    assert array_literal(['x"y', "b\\s"]) == '{"x\\"y","b\\\\s"}'
    assert array_literal([5, 6]) == '{"5","6"}'
    assert array_literal(['"', "plain"]) == '{"\\"","plain"}'
    assert _array_text([None, None]) == "{NULL,NULL}"
    assert _array_text([None, 'a"b', "c"]) == '{NULL,"a\\"b","c"}'


def test_postgres_plan_probes_the_primary_key(hub: HubHandle) -> None:
    """On a network of 3,000 cards never analysed (a young hub), each hash is one probe of the primary key:
    with `network_id = ? AND uid_hash = ANY(?)` the planner read every card of the network instead."""
    with hub.db.read() as conn:
        if not Sql(conn).postgres:
            return  # SQLite keeps its IN list
    network, member = f"net-{uuid.uuid4().hex[:8]}", str(uuid.uuid4())
    cards = [(network, f"{n:064x}", member, "c", "2026-11-26T10:00:00.000+00:00", None) for n in range(3000)]
    with hub.db.write() as conn:
        sql = Sql(conn)
        sql.run("INSERT INTO networks (id, name, created_at) VALUES (?, ?, ?)", (network, "Sondes", "2026"))
        columns = ("network_id", "uid_hash", "member_id", "collective_id", "enrolled_at", "revoked_at")
        sql.insert("cards", columns, cards)
    try:
        with hub.db.read() as conn:
            sql = Sql(conn)
            query, params = sql.probe(
                "SELECT uid_hash FROM cards WHERE network_id = ?", (network,), "uid_hash", [f"{7:064x}", "h"]
            )
            plan = "\n".join(row[0] for row in sql.rows("EXPLAIN (ANALYZE, BUFFERS) " + query, params))
            found = sql.rows(query, params)
    finally:
        with hub.db.write() as conn:
            Sql(conn).run("DELETE FROM cards WHERE network_id = ?", (network,))
            Sql(conn).run("DELETE FROM networks WHERE id = ?", (network,))
    assert found == [(f"{7:064x}",)]
    assert "using cards_pkey" in plan and "Seq Scan" not in plan and "Bitmap" not in plan, plan
