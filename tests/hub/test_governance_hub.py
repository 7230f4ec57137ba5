"""Elections in mode "hub" and published draws, over real HTTP (issue 8), on SQLite and on PostgreSQL.

Kiosks are real stores and services paired through the real pairing; they cast ballots through
sync_client.ballots.RemoteBallotBox and sync their journals with the real sync engine. The hub's clock is
the real one: an election is announced from a kiosk whose clock is set two hours back, so that its
candidacy period is over (for the hub) while its vote is open, and closed from the same kiosk two hours on.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import func, inspect, select, text
from sqlalchemy.exc import DBAPIError

from hub import schema as t
from hub.governance import BallotCode
from kiosk.clock import HlcState, format_hlc
from kiosk.domain import Role
from kiosk.domain_governance import VoterStatus
from kiosk.governance.majority import tally
from kiosk.governance.sortition import verify_record
from sync_client.ballots import BallotAnswer, HubElectionResult, RemoteBallotBox
from sync_client.engine import read_link
from tests.hub.kiosks import PARIS, HubHandle, Kiosk

BACK, ON = timedelta(hours=-2), timedelta(hours=2)
_names = itertools.count(1)


@pytest.fixture
def kiosks(hub: HubHandle, tmp_path: Path) -> Iterator[tuple[Kiosk, Kiosk, str]]:
    """Kiosks A and B of one collective, and a librarian (registered at A)."""
    collective = hub.collective("Collectif des Lilas")
    a = Kiosk(tmp_path / "a", collective, name="Borne A")
    b = Kiosk(tmp_path / "b", collective, name="Borne B")
    a.pair(hub, collective)
    b.pair(hub, collective)
    librarian = a.member("Bibliothécaire", Role.LIBRARIAN)
    yield a, b, librarian
    a.close()
    b.close()


@contextlib.contextmanager
def ballot_box(kiosk: Kiosk) -> Iterator[RemoteBallotBox]:
    link = read_link(kiosk.store.conn)
    assert link is not None
    box = RemoteBallotBox.for_link(link)
    try:
        yield box
    finally:
        box.close()


def announce(
    kiosk: Kiosk, librarian: str, candidates: int = 2, mode: str = "hub", *, open_now: bool = True
) -> tuple[str, list[str]]:
    """An election and its candidates: open now for the hub (or in 30 minutes), closing in an hour."""
    real_now = datetime.now(PARIS)
    kiosk.clock.offset = BACK if open_now else timedelta(0)
    until = kiosk.clock.now() + timedelta(minutes=30)
    view = kiosk.services.elections.announce(
        librarian, "Médiation du quartier", None, 1, mode, until, until, real_now + timedelta(hours=1)
    )
    names = [kiosk.member(f"Candidate {next(_names)}") for _ in range(candidates)]
    for member_id in names:
        kiosk.services.elections.stand(view.id, member_id, "Je connais bien le quartier.")
    kiosk.clock.offset = timedelta(0)
    return view.id, names


def close(kiosk: Kiosk, librarian: str, election_id: str) -> None:
    kiosk.clock.offset = ON  # past the closing time, for the kiosk; not yet for the hub
    kiosk.services.elections.close(librarian, election_id)
    kiosk.clock.offset = timedelta(0)
    kiosk.sync()


def bearer(kiosk: Kiosk) -> dict[str, str]:
    link = read_link(kiosk.store.conn)
    assert link is not None
    return {"Authorization": f"Bearer {link.token}"}


def rows(hub: HubHandle, table: Any, election_id: str) -> list[Any]:
    with hub.db.read() as conn:
        return list(conn.execute(select(table).where(table.c.election_id == election_id)).all())


def result(kiosk: Kiosk, election_id: str) -> HubElectionResult:
    with ballot_box(kiosk) as box:
        outcome = box.result(election_id)
    assert isinstance(outcome, HubElectionResult), outcome
    return outcome


def test_the_hub_answers_with_the_codes_the_kiosk_client_knows() -> None:
    assert {code.value for code in BallotCode} <= {answer.value for answer in BallotAnswer}


def test_a_member_who_voted_at_kiosk_a_is_refused_at_kiosk_b(
    hub: HubHandle, kiosks: tuple[Kiosk, Kiosk, str]
) -> None:
    a, b, librarian = kiosks
    election_id, (first, second) = announce(a, librarian)
    voter = a.member("Awa")
    a.sync()
    b.sync()
    assert b.services.elections.voter_status(election_id, voter) is VoterStatus.HUB_NEEDED
    with ballot_box(a) as box_a, ballot_box(b) as box_b:
        assert box_b.voter_status(election_id, voter) == "can_vote"
        assert box_a.cast(election_id, voter, {first: 6, second: None}) == "a_vote"
        a.services.elections.record_hub_vote(election_id, voter)
        assert box_b.voter_status(election_id, voter) == "already_voted"
        assert box_b.cast(election_id, voter, {first: 0, second: 0}) == "already_voted"
        assert box_a.cast(election_id, voter, {first: 1, second: 1}) == "already_voted"
    a.sync()
    b.sync()  # B's own register now knows it too, without asking the hub
    assert b.services.elections.voter_status(election_id, voter) is VoterStatus.ALREADY_VOTED
    assert [r.member_id for r in rows(hub, t.hub_election_register, election_id)] == [voter]
    (ballot,) = rows(hub, t.hub_ballot_box, election_id)
    assert json.loads(ballot.grades) == {first: 6, second: 0}  # the blank grade counts as « À rejeter »


def test_concurrent_submissions_of_one_voter_leave_exactly_one_ballot(
    hub: HubHandle, kiosks: tuple[Kiosk, Kiosk, str]
) -> None:
    a, b, librarian = kiosks
    election_id, (first, second) = announce(a, librarian)
    voter = a.member("Bastien")
    a.sync()
    start = threading.Barrier(8)

    def vote(n: int) -> str:
        with ballot_box(a if n % 2 else b) as box:
            start.wait(10)
            return box.cast(election_id, voter, {first: n % 7, second: 3})

    with ThreadPoolExecutor(8) as pool:
        answers = Counter(pool.map(vote, range(8)))
    assert answers == Counter({"a_vote": 1, "already_voted": 7})
    assert len(rows(hub, t.hub_election_register, election_id)) == 1
    assert len(rows(hub, t.hub_ballot_box, election_id)) == 1


def test_the_register_and_the_ballot_box_cannot_be_joined(
    hub: HubHandle, kiosks: tuple[Kiosk, Kiosk, str]
) -> None:
    a, _, librarian = kiosks
    election_id, (first, second) = announce(a, librarian)
    voters = [a.member(f"Votant {n}") for n in range(6)]
    a.sync()
    with ballot_box(a) as box:
        for n, voter in enumerate(voters):
            assert box.cast(election_id, voter, {first: n, second: 6 - n}) == "a_vote"
    columns = inspect(hub.db.engine)
    register = {c["name"] for c in columns.get_columns("hub_election_register")}
    ballots = {c["name"] for c in columns.get_columns("hub_ballot_box")}
    assert register == {"election_id", "member_id"}
    assert ballots == {"ballot_id", "election_id", "grades"}  # no time, no kiosk, no voter, no counter
    assert register & ballots == {"election_id"}  # the only thing they share
    stored = rows(hub, t.hub_ballot_box, election_id)
    ids = [row.ballot_id for row in stored]
    assert len(set(ids)) == 6 and all(uuid.UUID(i).version == 4 for i in ids)  # random, not a sequence
    assert not set(ids) & set(voters)
    for row in stored:
        assert set(json.loads(row.grades)) == {first, second}  # candidates only, never the voter
    if hub.db.kind == "sqlite":  # no hidden rowid keeps the order the votes came in
        with pytest.raises(DBAPIError), hub.db.read() as conn:
            conn.execute(text("SELECT rowid FROM hub_ballot_box"))
    else:  # nor the transaction that wrote each row: the whole box is written again at each vote
        sql = "SELECT ballot_id, xmin::text FROM hub_ballot_box WHERE election_id = :e ORDER BY ctid"
        with hub.db.read() as conn:
            stored_order, writers = zip(*conn.execute(text(sql), {"e": election_id}).all(), strict=True)
        assert len(set(writers)) == 1
        assert list(stored_order) == sorted(ids)  # the physical order is that of the random ids


def test_a_kiosk_of_another_collective_is_refused(
    hub: HubHandle, kiosks: tuple[Kiosk, Kiosk, str], tmp_path: Path
) -> None:
    a, _, librarian = kiosks
    election_id, (first, _) = announce(a, librarian)
    voter = a.member("Chloé")
    a.sync()
    elsewhere = hub.collective("Collectif voisin")
    other = Kiosk(tmp_path / "other", elsewhere, name="Borne voisine")
    try:
        other.pair(hub, elsewhere)
        with ballot_box(other) as box:
            assert box.cast(election_id, voter, {first: 6}) == "forbidden"
            assert box.voter_status(election_id, voter) == "forbidden"
            assert box.result(election_id) == "forbidden"
            raw = requests.post(
                f"{hub.url}/api/v1/elections/{election_id}/ballots",
                json={"member_id": voter, "grades": {first: 6}},
                headers=bearer(other),
                timeout=5,
            )
        assert raw.status_code == 403 and raw.json()["code"] == "forbidden"
    finally:
        other.close()
    assert rows(hub, t.hub_election_register, election_id) == []
    unauthenticated = requests.get(f"{hub.url}/api/v1/elections/{election_id}/voters/{voter}", timeout=5)
    assert unauthenticated.status_code == 401


def test_the_result_waits_for_the_close_and_is_published_with_shuffled_ballots(
    hub: HubHandle, kiosks: tuple[Kiosk, Kiosk, str]
) -> None:
    a, b, librarian = kiosks
    election_id, (first, second) = announce(a, librarian)
    voters = [a.member(f"Électrice {n}") for n in range(6)]
    a.sync()
    cast = [{first: g, second: h} for g, h in zip([6, 5, 5, 4, 3, 2], [1, 1, 2, 0, 6, 0], strict=True)]
    with ballot_box(a) as box_a, ballot_box(b) as box_b:
        for n, (voter, grades) in enumerate(zip(voters, cast, strict=True)):
            assert (box_a if n % 2 else box_b).cast(election_id, voter, dict(grades)) == "a_vote"
        assert box_a.result(election_id) == "election_open"
    early = requests.get(f"{hub.url}/api/v1/public/elections/{election_id}", timeout=5)
    assert early.status_code == 404
    close(a, librarian, election_id)
    with ballot_box(b) as box_b:
        assert box_b.cast(election_id, a.member("En retard"), {first: 6}) == "election_closed"

    outcome = result(b, election_id)
    assert outcome.published and outcome.voters == 6
    assert [entry.candidate for entry in outcome.ranking] == [first, second]
    assert outcome.ranking[0].median == 4 and outcome.ranking[0].profile == [0, 0, 1, 1, 1, 2, 1]
    expected = tally([first, second], cast, tie_seed=election_id)  # the kiosks' own count agrees
    assert [(e.candidate, list(e.majority_values)) for e in expected.ranking] == [
        (e.candidate, e.majority_values) for e in outcome.ranking
    ]
    assert outcome.ballots is not None
    published = sorted(json.dumps(ballot.grades, sort_keys=True) for ballot in outcome.ballots)
    assert published == sorted(json.dumps(grades, sort_keys=True) for grades in cast)  # anyone can recount
    orders = {tuple(ballot.ballot_id for ballot in result(a, election_id).ballots or []) for _ in range(6)}
    assert len(orders) > 1  # shuffled at every reading: 6 times the same order by chance is 1 in 720⁵

    public = requests.get(f"{hub.url}/api/v1/public/elections/{election_id}", timeout=5)
    assert public.status_code == 200
    body = public.json()
    assert body["published"] is True and body["voters"] == 6
    assert [entry["candidate"] for entry in body["ranking"]] == [first, second]
    ids = sorted(ballot.ballot_id for ballot in outcome.ballots)
    assert sorted(ballot["ballot_id"] for ballot in body["ballots"]) == ids


def test_with_fewer_than_five_voters_nothing_is_published_and_the_box_is_destroyed(
    hub: HubHandle, kiosks: tuple[Kiosk, Kiosk, str]
) -> None:
    a, _, librarian = kiosks
    election_id, (first, second) = announce(a, librarian)
    voters = [a.member(f"Voisin {n}") for n in range(4)]
    a.sync()
    with ballot_box(a) as box:
        for voter in voters:
            assert box.cast(election_id, voter, {first: 5, second: 1}) == "a_vote"
    assert len(rows(hub, t.hub_ballot_box, election_id)) == 4
    close(a, librarian, election_id)
    outcome = result(a, election_id)
    assert (outcome.published, outcome.voters, outcome.ranking, outcome.ballots) == (False, 4, [], None)
    assert rows(hub, t.hub_ballot_box, election_id) == []  # too few to keep the secret: destroyed unread
    public = requests.get(f"{hub.url}/api/v1/public/elections/{election_id}", timeout=5)
    assert public.status_code == 200 and public.json() == {"published": False, "voters": 4}


def test_ballots_the_hub_cannot_count_are_refused_with_a_reason(
    hub: HubHandle, kiosks: tuple[Kiosk, Kiosk, str]
) -> None:
    a, _, librarian = kiosks
    election_id, (first, second) = announce(a, librarian)
    later_id, (later_first, _) = announce(a, librarian, open_now=False)
    voter = a.member("Dora")
    with ballot_box(a) as box:
        assert box.cast(election_id, voter, {first: 3}) == "unknown_election"  # not pushed yet
        a.sync()
        assert box.cast(later_id, voter, {later_first: 3}) == "election_not_open"
        assert box.cast(election_id, voter, {str(uuid.uuid4()): 3}) == "invalid_grades"  # no candidate
        assert box.cast(election_id, voter, {first: 7}) == "invalid_request"
        stranger = a.member("Pas encore synchronisée")
        assert box.cast(election_id, stranger, {first: 3}) == "unknown_member"
        assert box.result(election_id) == "election_open"
        assert box.voter_status(str(uuid.uuid4()), voter) == "unknown_election"
    assert rows(hub, t.hub_election_register, election_id) == []
    with hub.db.read() as conn:
        candidates = conn.execute(
            select(t.hub_elections.c.candidates).where(t.hub_elections.c.id == election_id)
        ).scalar_one()
    assert sorted(json.loads(candidates)) == sorted([first, second])


def test_a_booth_election_closed_with_its_box_is_published_by_the_hub(
    hub: HubHandle, kiosks: tuple[Kiosk, Kiosk, str]
) -> None:
    a, _, librarian = kiosks
    election_id, (first, second) = announce(a, librarian, mode="kiosk")
    voters = [a.member(f"Passante {n}") for n in range(5)]
    for n, voter in enumerate(voters):
        a.services.elections.cast(election_id, voter, {first: n, second: 6})
    a.sync()
    with ballot_box(a) as box:
        assert box.cast(election_id, a.member("Ailleurs"), {first: 1}) == "wrong_mode"
        assert box.voter_status(election_id, voters[0]) == "already_voted"  # the booth's register, synced
    close(a, librarian, election_id)
    body = requests.get(f"{hub.url}/api/v1/public/elections/{election_id}", timeout=5).json()
    assert body["published"] is True and body["voters"] == 5
    assert [entry["candidate"] for entry in body["ranking"]] == [second, first]
    assert sorted(ballot["grades"][first] for ballot in body["ballots"]) == [0, 1, 2, 3, 4]


def test_a_performed_draw_is_served_to_anyone_and_verified(
    hub: HubHandle, kiosks: tuple[Kiosk, Kiosk, str]
) -> None:
    a, _, librarian = kiosks
    draws = a.services.draws
    draw = draws.announce(
        librarian,
        "cuisine.quotidien",
        "Représentant·e cuisine",
        2,
        a.clock.now() + timedelta(hours=1),
        "trois dés lancés en public à la réunion du 12 décembre",
    )
    for n in range(5):
        draws.volunteer(draw.id, a.member(f"Volontaire {n}"), None)
    a.clock.offset = ON
    frozen = draws.freeze(librarian, draw.id)
    url = f"{hub.url}/api/v1/public/draws/{draw.id}"
    assert requests.get(f"{url}/frozen", timeout=5).status_code == 404  # not pushed yet
    a.sync()
    # The frozen pool is public before the seed exists: its hash, and the tickets drawn from later.
    pool = requests.get(f"{url}/frozen", timeout=5)
    assert pool.status_code == 200 and pool.json()["pool_hash"] == frozen.pool_hash
    assert len(pool.json()["tickets"]) == 5 and requests.get(url, timeout=5).status_code == 404
    record = draws.perform(librarian, draw.id, "3 5 2")
    a.clock.offset = timedelta(0)
    a.sync()
    served = requests.get(url, timeout=5)  # no token: anyone may check
    assert served.status_code == 200 and served.json() == record
    assert verify_record(served.json(), draws.pool_file(draw.id)) == []
    assert requests.get(f"{url}/frozen", timeout=5).json() == pool.json()  # kept as published
    assert requests.get(f"{hub.url}/api/v1/public/draws/{uuid.uuid4()}", timeout=5).status_code == 404


def test_election_events_the_hub_cannot_use_are_kept_and_block_nothing(
    hub: HubHandle, kiosks: tuple[Kiosk, Kiosk, str]
) -> None:
    a, _, _ = kiosks
    a.sync()
    times = dict.fromkeys(("candidacy_until", "opens_at", "closes_at"), "2026-11-25T10:00+01:00")
    odd = [  # a NUL byte cannot go into a PostgreSQL column: the push must not fail on it
        ("election.announced", {"election_id": "nul\x00", "title": "É", "seats": 1, "mode": "hub", **times}),
        ("election.voter_signed", {"election_id": str(uuid.uuid4()), "member_id": "n°1", "via": "hub"}),
        ("election.closed", {"election_id": str(uuid.uuid4()), "ballots": "all of them"}),
        ("draw.performed", {"draw_id": str(uuid.uuid4()), "randomness": "1", "record": ["not", "a", "dict"]}),
    ]
    events = [
        {
            "id": str(uuid.uuid4()),
            "type": kind,
            "schema": 1,
            "kiosk_id": a.kiosk_id,
            "seq": 100_000 + n,
            "occurred_at": "2026-11-25T10:00:00.000+01:00",
            "hlc": format_hlc(HlcState(1, n), a.kiosk_id),
            "clock_synced": True,
            "payload": payload,
        }
        for n, (kind, payload) in enumerate(odd)
    ]
    tables = (t.hub_elections, t.hub_election_register, t.hub_ballot_box, t.hub_draw_records)
    before = [count(hub, table) for table in tables]
    answer = requests.post(
        f"{hub.url}/api/v1/sync/push", json={"events": events}, headers=bearer(a), timeout=10
    )
    assert answer.status_code == 200
    assert [r["status"] for r in answer.json()["results"]] == ["accepted"] * 4  # facts are kept
    assert [count(hub, table) for table in tables] == before  # and nothing is made of them


def count(hub: HubHandle, table: Any) -> int:
    with hub.db.read() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())
