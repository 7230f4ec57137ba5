"""Elections of mediators by majority judgment, with a secret ballot and one vote per member (issue 8).

Two ways to run one, because an offline kiosk cannot see a vote cast at another kiosk:
- mode "kiosk": one booth kiosk holds the sign-in register and the ballot box. A vote writes the register's
  `election.voter_signed` event and a row of the LOCAL `ballot_box` (random id, election, grades — no time,
  no kiosk, no member) in one transaction; the ballots become an event only at the close, all of them,
  shuffled. With fewer than 5 voters the box is destroyed unread: too few to keep the secret.
- mode "hub": the kiosk sends the ballot to the hub (sync_client), and journals only the register's event
  once the hub said « a voté » (`record_hub_vote`).
"""

from __future__ import annotations

import hashlib
import json
import secrets
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from kiosk.domain_governance import (
    MAX_SEATS,
    STATEMENT_MAX,
    Candidate,
    ElectionMode,
    ElectionResult,
    ElectionStatus,
    ElectionView,
    VoterStatus,
    shown_time,
    with_offset,
)
from kiosk.errors import KioskError, codes
from kiosk.governance.majority import MENTIONS, PUBLISH_MIN_VOTERS, tally
from kiosk.ids import new_id
from kiosk.services.context import Context
from kiosk.services.listings import check_theme, check_title
from kiosk.text import clean

_REFUSALS = {
    VoterStatus.ALREADY_VOTED: codes.ALREADY_VOTED,
    VoterStatus.OTHER_KIOSK: codes.OTHER_KIOSK,
    VoterStatus.HUB_NEEDED: codes.HUB_NEEDED,
    VoterStatus.CLOSED: codes.ELECTION_CLOSED,
}


def _grades_text(grades: Mapping[str, int]) -> str:
    return json.dumps(dict(grades), sort_keys=True, separators=(",", ":"))


class Elections:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    @property
    def kiosk_id(self) -> str:
        return str(self.ctx.store.conn.execute("SELECT kiosk_id FROM kiosk_state").fetchone()[0])

    # Announce and stand ---------------------------------------------------------------------------

    def announce(
        self,
        actor_id: str,
        title: str,
        theme_id: str | None,
        seats: int,
        mode: str,
        candidacy_until: datetime,
        opens_at: datetime,
        closes_at: datetime,
    ) -> ElectionView:
        """Librarians only. Mode "kiosk" makes this kiosk the booth: the only one where the vote is cast."""
        self.ctx.require_librarian(actor_id)
        title = check_title(title)
        if theme_id is not None:
            check_theme(self.ctx, theme_id)
        if isinstance(seats, bool) or not 1 <= seats <= MAX_SEATS:
            raise KioskError(codes.INVALID_SEATS, max=MAX_SEATS)
        if mode not in tuple(ElectionMode):
            raise KioskError(codes.ELECTION_INVALID_MODE, mode=mode)
        now = self.ctx.clock.now()
        until, opens, closes = (with_offset(m, now) for m in (candidacy_until, opens_at, closes_at))
        if not now < until <= opens < closes:
            raise KioskError(codes.ELECTION_BAD_DATES)
        election_id = new_id()
        self.ctx.write(
            "election.announced",
            {
                "election_id": election_id,
                "title": title,
                "theme_id": theme_id,
                "seats": seats,
                "mode": str(mode),
                "kiosk_id": self.kiosk_id if mode == ElectionMode.KIOSK else None,
                "candidacy_until": until.isoformat(timespec="minutes"),
                "opens_at": opens.isoformat(timespec="minutes"),
                "closes_at": closes.isoformat(timespec="minutes"),
                "announced_by": actor_id,
            },
        )
        return self.get(election_id)

    def stand(self, election_id: str, member_id: str, statement: str = "") -> None:
        self._before_candidacy_ends(election_id)
        self.ctx.member(member_id)
        statement = clean(statement)
        if len(statement) > STATEMENT_MAX:
            raise KioskError(codes.STATEMENT_TOO_LONG, max=STATEMENT_MAX)
        with self.ctx.store.transaction() as conn:
            if self._standing(conn, election_id, member_id):
                raise KioskError(codes.ALREADY_CANDIDATE)
            payload = {"election_id": election_id, "member_id": member_id, "statement": statement}
            self.ctx.write_in(conn, "election.candidate_stood", payload)

    def withdraw_candidacy(self, election_id: str, member_id: str) -> None:
        self._before_candidacy_ends(election_id)
        with self.ctx.store.transaction() as conn:
            if not self._standing(conn, election_id, member_id):
                raise KioskError(codes.NOT_CANDIDATE)
            payload = {"election_id": election_id, "member_id": member_id}
            self.ctx.write_in(conn, "election.candidate_withdrawn", payload)

    def _before_candidacy_ends(self, election_id: str) -> None:
        row = self._row(election_id)
        if row["status"] == "closed" or self.ctx.clock.now() >= datetime.fromisoformat(
            row["candidacy_until"]
        ):
            raise KioskError(codes.CANDIDACY_CLOSED)

    @staticmethod
    def _standing(conn: sqlite3.Connection, election_id: str, member_id: str) -> bool:
        return bool(
            conn.execute(
                "SELECT 1 FROM election_candidates WHERE election_id = ? AND member_id = ?"
                " AND status = 'standing'",
                (election_id, member_id),
            ).fetchone()
        )

    def candidates(self, election_id: str) -> list[Candidate]:
        """The ballot's order: drawn from the election id, the same on every kiosk, favouring nobody."""
        self._row(election_id)
        rows = self.ctx.store.query(
            "SELECT c.member_id, c.statement, m.pseudonym FROM election_candidates c"
            " JOIN members m ON m.id = c.member_id WHERE c.election_id = ? AND c.status = 'standing'",
            (election_id,),
        )
        found = [Candidate(row["member_id"], row["pseudonym"], row["statement"]) for row in rows]

        def ballot_order(candidate: Candidate) -> str:
            return hashlib.sha256(f"{election_id}|{candidate.member_id}".encode()).hexdigest()

        return sorted(found, key=ballot_order)

    # Read -----------------------------------------------------------------------------------------

    def _row(self, election_id: str) -> sqlite3.Row:
        row = self.ctx.store.query_one("SELECT * FROM elections WHERE id = ?", (election_id,))
        if row is None:
            raise KioskError(codes.ELECTION_NOT_FOUND)
        return row

    def get(self, election_id: str) -> ElectionView:
        return self._view(self._row(election_id))

    def current(self) -> list[ElectionView]:
        """Announced and not closed by a librarian yet (past its closing time it waits to be counted)."""
        rows = self.ctx.store.query("SELECT * FROM elections WHERE status = 'announced'")
        return sorted((self._view(row) for row in rows), key=lambda v: datetime.fromisoformat(v.opens_at))

    def recent(self, limit: int = 20) -> list[ElectionView]:
        """Every election, the most recently announced first."""
        rows = self.ctx.store.query("SELECT * FROM elections ORDER BY hlc DESC LIMIT ?", (limit,))
        return [self._view(row) for row in rows]

    def _status(self, row: sqlite3.Row) -> ElectionStatus:
        now = self.ctx.clock.now()
        if row["status"] == "closed" or now >= datetime.fromisoformat(row["closes_at"]):
            return ElectionStatus.CLOSED
        if now < datetime.fromisoformat(row["opens_at"]):
            return ElectionStatus.CANDIDACY
        return ElectionStatus.OPEN

    def _view(self, row: sqlite3.Row) -> ElectionView:
        return ElectionView(
            id=row["id"],
            title=row["title"],
            theme_id=row["theme_id"],
            seats=row["seats"],
            mode=ElectionMode(row["mode"]),
            kiosk_id=row["kiosk_id"],
            candidacy_until=row["candidacy_until"],
            opens_at=row["opens_at"],
            closes_at=row["closes_at"],
            status=self._status(row),
            candidates=len(self.candidates(row["id"])),
            voters=self.voters(row["id"]),
            counted=row["status"] == "closed",
        )

    def voters(self, election_id: str) -> int:
        row = self.ctx.store.conn.execute(
            "SELECT count(*) FROM election_register WHERE election_id = ?", (election_id,)
        ).fetchone()
        return int(row[0])

    # Vote -----------------------------------------------------------------------------------------

    def voter_status(self, election_id: str, member_id: str) -> VoterStatus:
        """All the assessor's screen may know: « peut voter », « a déjà voté », or why not here."""
        return self._voter_status(self.ctx.store.conn, self._row(election_id), member_id)

    def _voter_status(self, conn: sqlite3.Connection, row: sqlite3.Row, member_id: str) -> VoterStatus:
        status = self._status(row)
        if status is ElectionStatus.CLOSED:
            return VoterStatus.CLOSED
        if status is ElectionStatus.CANDIDACY:
            return VoterStatus.NOT_OPEN
        signed = conn.execute(
            "SELECT 1 FROM election_register WHERE election_id = ? AND member_id = ?", (row["id"], member_id)
        ).fetchone()
        if signed:
            return VoterStatus.ALREADY_VOTED
        if row["mode"] == ElectionMode.HUB:
            return VoterStatus.HUB_NEEDED
        if row["kiosk_id"] != self.kiosk_id:
            return VoterStatus.OTHER_KIOSK
        return VoterStatus.CAN_VOTE

    def cast(self, election_id: str, member_id: str, grades: Mapping[str, int | None]) -> None:
        """A booth vote: the register's event and the ballot in one transaction, or neither.

        A blank grade counts as « À rejeter » (0). The ballot names candidates, never the voter.
        """
        self.ctx.member(member_id)
        candidates = [c.member_id for c in self.candidates(election_id)]
        with self.ctx.store.transaction() as conn:
            row = self._row(election_id)
            status = self._voter_status(conn, row, member_id)
            if status is VoterStatus.NOT_OPEN:
                raise KioskError(codes.ELECTION_NOT_OPEN, opens_at=shown_time(row["opens_at"]))
            if status is not VoterStatus.CAN_VOTE:
                raise KioskError(_REFUSALS[status])
            ballot = self._ballot(candidates, grades)
            payload = {"election_id": election_id, "member_id": member_id, "via": "kiosk"}
            self.ctx.write_in(conn, "election.voter_signed", payload)
            with _secure_delete(conn):
                _put_in_box(conn, election_id, ballot)
        _forget_history(self.ctx)

    @staticmethod
    def _ballot(candidates: list[str], grades: Mapping[str, int | None]) -> dict[str, int]:
        if not candidates:
            raise KioskError(codes.NO_CANDIDATES)
        if any(key not in candidates for key in grades):
            raise KioskError(codes.INVALID_GRADES)
        ballot: dict[str, int] = {}
        for candidate in candidates:
            grade = grades.get(candidate)
            grade = 0 if grade is None else grade
            if isinstance(grade, bool) or not isinstance(grade, int) or not 0 <= grade < len(MENTIONS):
                raise KioskError(codes.INVALID_GRADES)
            ballot[candidate] = grade
        return ballot

    def record_hub_vote(self, election_id: str, member_id: str) -> None:
        """Mode "hub": the hub said « a voté »; the register here says so too (no ballot ever here)."""
        row = self._row(election_id)
        if row["mode"] != ElectionMode.HUB:
            raise KioskError(codes.WRONG_MODE)
        self.ctx.member(member_id, allow_erased=True)
        with self.ctx.store.transaction() as conn:
            signed = conn.execute(
                "SELECT 1 FROM election_register WHERE election_id = ? AND member_id = ?",
                (election_id, member_id),
            ).fetchone()
            if not signed:  # the hub's answer, asked twice, is still one vote
                payload = {"election_id": election_id, "member_id": member_id, "via": "hub"}
                self.ctx.write_in(conn, "election.voter_signed", payload)

    # Close and count ------------------------------------------------------------------------------

    def close(self, actor_id: str, election_id: str) -> ElectionView:
        """Librarians only, after the closing time. A booth election is closed at the booth: its box goes
        into `election.closed`, shuffled, when at least 5 voted; with fewer it is destroyed unread (the
        election is not counted: too few voters to keep the secret). The local box is emptied either way."""
        self.ctx.require_librarian(actor_id)
        with self.ctx.store.transaction() as conn:
            row = self._row(election_id)
            if row["status"] == "closed":
                raise KioskError(codes.ELECTION_ALREADY_CLOSED)
            if self.ctx.clock.now() < datetime.fromisoformat(row["closes_at"]):
                raise KioskError(codes.ELECTION_STILL_OPEN, closes_at=shown_time(row["closes_at"]))
            ballots: list[dict[str, Any]] = []
            if row["mode"] == ElectionMode.KIOSK:
                if row["kiosk_id"] != self.kiosk_id:
                    raise KioskError(codes.CLOSE_AT_BOOTH)
                if self.voters(election_id) >= PUBLISH_MIN_VOTERS:
                    ballots = [
                        {"ballot_id": ballot_id, "grades": json.loads(grades)}
                        for ballot_id, grades in conn.execute(
                            "SELECT ballot_id, grades FROM ballot_box WHERE election_id = ?", (election_id,)
                        )
                    ]
                    secrets.SystemRandom().shuffle(ballots)
            payload = {"election_id": election_id, "closed_by": actor_id, "ballots": ballots}
            self.ctx.write_in(conn, "election.closed", payload)
            with _secure_delete(conn):
                conn.execute("DELETE FROM ballot_box WHERE election_id = ?", (election_id,))
        _forget_history(self.ctx)
        return self.get(election_id)

    def result(self, election_id: str) -> ElectionResult | None:
        """A booth election's result once closed (None before, and in mode "hub": the hub counts those)."""
        row = self._row(election_id)
        if row["status"] != "closed" or row["mode"] != ElectionMode.KIOSK:
            return None
        voters = self.voters(election_id)
        ballots = tuple(json.loads(row["ballots"] or "[]"))
        candidates = tuple(self.candidates(election_id))
        published = voters >= PUBLISH_MIN_VOTERS and bool(ballots)
        majority = None
        if published:
            majority = tally([c.member_id for c in candidates], [b["grades"] for b in ballots], election_id)
        return ElectionResult(election_id, voters, published, majority, ballots, candidates)


@contextmanager
def _secure_delete(conn: sqlite3.Connection) -> Iterator[None]:
    """SQLite overwrites with zeros what it deletes meanwhile (no ballot lingers in free space)."""
    before = int(conn.execute("PRAGMA secure_delete").fetchone()[0])
    conn.execute("PRAGMA secure_delete = ON")
    try:
        yield
    finally:
        conn.execute(f"PRAGMA secure_delete = {before}")


def _put_in_box(conn: sqlite3.Connection, election_id: str, ballot: Mapping[str, int]) -> None:
    """Add the ballot under a random id, then write the whole box again in the order of the ids.

    Keyed by a random id, the rows read back in an order unrelated to the votes. Writing every row again in
    that order also puts the bytes of each row in the file in id order: left alone, SQLite would place each
    new row's bytes next to the previous one's, and the layout of the page would tell the order of the votes.
    """
    rows = conn.execute("SELECT ballot_id, election_id, grades FROM ballot_box").fetchall()
    rows.append((secrets.token_hex(16), election_id, _grades_text(ballot)))
    conn.execute("DELETE FROM ballot_box")
    conn.executemany("INSERT INTO ballot_box (ballot_id, election_id, grades) VALUES (?, ?, ?)", sorted(rows))


def _forget_history(ctx: Context) -> None:
    """Fold the write-ahead log into the database and empty it: the WAL keeps each transaction's pages in
    order, and successive copies of the box's page would tell which ballot came with which signature.
    Best effort, waiting a moment at most: while the sync worker reads (or inside a caller's transaction,
    as the demo's), the next vote or the close does it.
    """
    conn = ctx.store.conn
    if conn.in_transaction:
        return
    waited = int(conn.execute("PRAGMA busy_timeout").fetchone()[0])
    conn.execute("PRAGMA busy_timeout = 200")
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    except sqlite3.OperationalError:
        pass  # busy: the pages stay in the log until the next checkpoint
    finally:
        conn.execute(f"PRAGMA busy_timeout = {waited}")
