"""The secret ballot: nothing the kiosk stores links a ballot to its voter, before or after the close.

Voters grade the candidates differently, so the test (and only the test, which knows who cast what) can
find each voter's ballot. Then it looks everywhere a link could hide: the ballot box's columns, the order
its rows come back in, the order of its bytes in the database file, the write-ahead log, every other
table, the journal before and after the close, and the order of the ballots the close publishes.
"""

from __future__ import annotations

import itertools
import json
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from kiosk.clock import FixedClock
from kiosk.domain import Role
from kiosk.services import Services
from tests.unit.test_draws import people

RUNS = 20  # elections per test: enough that an order tied to the votes could not look spread by chance
# A distinct set of grades per voter (3 candidates), so each voter's ballot can be told apart.
PATTERNS = [(6, 0, 3), (5, 1, 2), (4, 2, 6), (3, 3, 0), (2, 4, 5), (1, 5, 4)]


def grades_key(grades: dict[str, int], candidates: list[str]) -> tuple[int, ...]:
    return tuple(grades[c] for c in candidates)


class Booth:
    """A librarian, three candidates and six voters, who hold one election after another at this kiosk."""

    def __init__(self, services: Services, clock: FixedClock) -> None:
        self.services, self.clock = services, clock
        self.librarian = services.members.register("Assesseur", "Belleville", roles=(Role.LIBRARIAN,)).id
        self.candidates = people(services, 3)
        self.voters = people(services, len(PATTERNS))

    def open_election(self) -> str:
        now = self.clock.now()
        elections = self.services.elections
        election = elections.announce(
            self.librarian, "Médiation", None, 1, "kiosk", now + timedelta(hours=1), now + timedelta(hours=2),
            now + timedelta(hours=3),
        )  # fmt: skip
        for candidate in self.candidates:
            elections.stand(election.id, candidate)
        self.clock.advance(hours=2)
        return election.id

    def vote(self, election_id: str, voters: int = len(PATTERNS)) -> list[tuple[int, ...]]:
        """The first `voters` vote, in order; returns what each cast (as the candidates' grades, in order)."""
        cast: list[tuple[int, ...]] = []
        for voter, pattern in itertools.islice(zip(self.voters, PATTERNS, strict=True), voters):
            self.services.elections.cast(election_id, voter, dict(zip(self.candidates, pattern, strict=True)))
            cast.append(pattern)
        return cast

    def close(self, election_id: str) -> None:
        self.clock.advance(hours=1)
        self.services.elections.close(self.librarian, election_id)

    def box(self, election_id: str) -> list[tuple[str, tuple[int, ...]]]:
        """The box's rows as SQLite gives them back, without ORDER BY."""
        rows = self.services.store.conn.execute(
            "SELECT ballot_id, grades FROM ballot_box WHERE election_id = ?", (election_id,)
        )
        return [(ballot_id, grades_key(json.loads(grades), self.candidates)) for ballot_id, grades in rows]


@pytest.fixture
def booth(services: Services, clock: FixedClock) -> Booth:
    return Booth(services, clock)


def test_the_box_holds_a_random_id_the_election_and_the_grades_and_nothing_else(
    booth: Booth, services: Services
) -> None:
    election_id = booth.open_election()
    booth.vote(election_id)
    conn = services.store.conn
    columns = [row[1] for row in conn.execute("PRAGMA table_info(ballot_box)")]
    assert columns == ["ballot_id", "election_id", "grades"]
    with pytest.raises(sqlite3.OperationalError):  # no rowid: no hidden insertion counter
        conn.execute("SELECT rowid FROM ballot_box")
    (sql,) = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'ballot_box'").fetchone()
    assert "WITHOUT ROWID" in sql
    assert not conn.execute(
        "SELECT name FROM sqlite_master WHERE tbl_name = 'ballot_box' AND type IN ('index', 'trigger')"
    ).fetchall()
    ballot_ids = [ballot_id for ballot_id, _ in booth.box(election_id)]
    assert all(len(ballot_id) == 32 and int(ballot_id, 16) >= 0 for ballot_id in ballot_ids)  # 128 bits, hex
    assert len(set(ballot_ids)) == len(PATTERNS)


def test_the_order_of_the_box_is_independent_of_the_order_of_the_votes(booth: Booth) -> None:
    """Over many elections, the first voter's ballot comes back anywhere; the rows follow their random ids."""
    positions = []
    for _ in range(RUNS):
        election_id = booth.open_election()
        cast = booth.vote(election_id)
        box = booth.box(election_id)
        assert sorted(grades for _, grades in box) == sorted(cast)
        assert [ballot_id for ballot_id, _ in box] == sorted(ballot_id for ballot_id, _ in box)
        positions.append([grades for _, grades in box].index(cast[0]))
        booth.close(election_id)
    assert len(set(positions)) >= 3, positions  # tied to the vote order, it would always be the same


def test_the_bytes_of_the_box_in_the_file_follow_the_ids_and_the_log_is_emptied(
    booth: Booth, services: Services
) -> None:
    """SQLite lays a new row's bytes next to the previous one's: left alone, the file would keep the vote
    order. The box is rewritten in id order at each vote, and the write-ahead log emptied."""
    election_id = booth.open_election()
    booth.vote(election_id)
    path = Path(services.store.path)
    assert Path(f"{path}-wal").stat().st_size == 0
    data = path.read_bytes()
    ids = [ballot_id for ballot_id, _ in booth.box(election_id)]
    offsets = {ballot_id: data.find(ballot_id.encode()) for ballot_id in ids}
    assert all(offset >= 0 and data.count(ballot_id.encode()) == 1 for ballot_id, offset in offsets.items())
    by_place = sorted(ids, key=offsets.__getitem__)
    assert by_place in (sorted(ids), sorted(ids, reverse=True))


def test_no_other_table_and_no_event_knows_a_ballot_before_the_close(
    booth: Booth, services: Services
) -> None:
    election_id = booth.open_election()
    booth.vote(election_id)
    conn = services.store.conn
    ballot_ids = [ballot_id for ballot_id, _ in booth.box(election_id)]
    tables = [name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    for table in tables:
        if table == "ballot_box":
            continue
        text = json.dumps([list(row) for row in conn.execute(f'SELECT * FROM "{table}"')], default=str)
        assert not any(ballot_id in text for ballot_id in ballot_ids), table
    signed = conn.execute(
        "SELECT payload FROM journal WHERE type = 'election.voter_signed' ORDER BY pos"
    ).fetchall()
    assert len(signed) == len(PATTERNS)
    for (payload,) in signed:  # who voted, never how
        assert set(json.loads(payload)) == {"election_id", "member_id", "via"}
    assert not conn.execute("SELECT 1 FROM journal WHERE payload LIKE '%grades%'").fetchone()
    assert not conn.execute("SELECT 1 FROM journal WHERE type = 'election.closed'").fetchone()


def test_the_close_publishes_the_ballots_shuffled_and_nothing_links_them_to_the_register(
    booth: Booth,
) -> None:
    positions, id_ordered = [], 0
    for _ in range(RUNS):
        election_id = booth.open_election()
        cast = booth.vote(election_id)
        booth.close(election_id)
        conn = booth.services.store.conn
        (payload,) = conn.execute(
            "SELECT payload FROM journal WHERE type = 'election.closed' AND payload LIKE ?",
            (f"%{election_id}%",),
        ).fetchone()
        ballots = json.loads(payload)["ballots"]
        assert all(set(ballot) == {"ballot_id", "grades"} for ballot in ballots)
        published = [grades_key(ballot["grades"], booth.candidates) for ballot in ballots]
        assert sorted(published) == sorted(cast)
        positions.append(published.index(cast[0]))
        ids = [ballot["ballot_id"] for ballot in ballots]
        id_ordered += ids == sorted(ids)
        assert not conn.execute("SELECT 1 FROM ballot_box WHERE election_id = ?", (election_id,)).fetchone()
    assert len(set(positions)) >= 3, positions
    assert id_ordered < RUNS // 2  # shuffled, not in the box's order either (1 chance in 720 each time)


def test_a_box_too_small_to_keep_the_secret_is_destroyed_without_a_trace(
    booth: Booth, services: Services
) -> None:
    election_id = booth.open_election()
    booth.vote(election_id, voters=4)
    ballot_ids = [ballot_id for ballot_id, _ in booth.box(election_id)]
    booth.close(election_id)
    path = Path(services.store.path)
    for file in (path, Path(f"{path}-wal")):
        data = file.read_bytes() if file.exists() else b""
        assert not any(ballot_id.encode() in data for ballot_id in ballot_ids), file.name
    result = services.elections.result(election_id)
    assert result is not None and result.voters == 4 and not result.published and result.ballots == ()
