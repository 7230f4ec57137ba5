"""Majority-judgment elections on a real store: candidacies, the booth, one vote per member, close and count.

Two kiosks of one collective exchange their events as the sync client applies them (`carry`); two services
on one store race as two screens (or the app and a CLI) would.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from kiosk import journal
from kiosk.clock import FixedClock
from kiosk.config import Config, with_data_dir
from kiosk.demo import generate_demo
from kiosk.domain import Role
from kiosk.domain_governance import DrawStatus, ElectionMode, ElectionStatus, VoterStatus
from kiosk.errors import KioskError
from kiosk.governance.sortition import verify_record
from kiosk.replay import snapshot
from kiosk.services import Services, open_services
from tests.checks import journal_rows
from tests.conftest import PARIS
from tests.unit.test_demo import demo_config
from tests.unit.test_draws import assert_replays, carry, people

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=PARIS)
UNTIL, OPENS, CLOSES = NOW + timedelta(days=1), NOW + timedelta(days=2), NOW + timedelta(days=3)


def refused(code: str, call: object) -> None:
    assert callable(call)
    with pytest.raises(KioskError) as error:
        call()
    assert error.value.code == code, error.value.code


def booth(
    services: Services, librarian: str, mode: str = "kiosk", candidates: int = 3
) -> tuple[str, list[str]]:
    """An election announced now, its candidates standing; returns its id and the candidates' ids."""
    election = services.elections.announce(
        librarian, "Médiatrice ou médiateur du quartier", None, 1, mode, UNTIL, OPENS, CLOSES
    )
    standing = people(services, candidates)
    for member in standing:
        services.elections.stand(election.id, member, "Je connais bien le quartier.")
    return election.id, standing


@pytest.fixture
def librarian(services: Services) -> str:
    return services.members.register("Bibliothécaire", "Belleville", roles=(Role.LIBRARIAN,)).id


def test_a_booth_election_from_candidacies_to_the_published_result(
    services: Services, clock: FixedClock, librarian: str, config: Config, tmp_path: Path
) -> None:
    elections = services.elections
    refused(
        "auth.librarians_only",
        lambda: elections.announce(people(services, 1)[0], "Vote", None, 1, "kiosk", UNTIL, OPENS, CLOSES),
    )
    refused(
        "election.bad_dates",
        lambda: elections.announce(librarian, "Vote", None, 1, "kiosk", OPENS, UNTIL, CLOSES),
    )
    refused(
        "election.invalid_mode",
        lambda: elections.announce(librarian, "Vote", None, 1, "urne", UNTIL, OPENS, CLOSES),
    )
    election_id, (ana, ben, cleo) = booth(services, librarian)
    view = elections.get(election_id)
    assert view.mode is ElectionMode.KIOSK and view.kiosk_id == services.kiosk_id
    assert view.status is ElectionStatus.CANDIDACY and view.candidates == 3 and elections.current() == [view]
    refused("election.already_candidate", lambda: elections.stand(election_id, ana))
    elections.withdraw_candidacy(election_id, cleo)
    refused("election.not_candidate", lambda: elections.withdraw_candidacy(election_id, cleo))
    elections.stand(election_id, cleo, "De retour !")
    order = [c.member_id for c in elections.candidates(election_id)]
    assert sorted(order) == sorted([ana, ben, cleo])
    assert {c.statement for c in elections.candidates(election_id)} >= {"De retour !"}

    voters = people(services, 6)
    assert elections.voter_status(election_id, voters[0]) is VoterStatus.NOT_OPEN
    refused("election.not_open", lambda: elections.cast(election_id, voters[0], {ana: 6}))
    clock.advance(days=1)
    refused("election.candidacy_closed", lambda: elections.stand(election_id, voters[0]))
    refused("election.candidacy_closed", lambda: elections.withdraw_candidacy(election_id, ana))
    clock.advance(days=1)
    assert elections.get(election_id).status is ElectionStatus.OPEN
    assert elections.voter_status(election_id, voters[0]) is VoterStatus.CAN_VOTE

    # Ana is liked, Ben is fair, Cléo less so; one voter leaves Cléo blank (« À rejeter »).
    grades = [(6, 3, 1), (5, 4, 2), (6, 3, None), (4, 3, 2), (5, 2, 3), (5, 3, 0)]
    for voter, (a, b, c) in zip(voters, grades, strict=True):
        elections.cast(election_id, voter, {ana: a, ben: b, cleo: c})
    assert elections.voter_status(election_id, voters[0]) is VoterStatus.ALREADY_VOTED
    refused("election.already_voted", lambda: elections.cast(election_id, voters[0], {ana: 0}))
    stranger = people(services, 1)[0]
    before = (snapshot(services.store), journal_rows(services.store))
    for bad in ({"quelqu’un": 3}, {ana: 7}, {ana: -1}, {ana: True}, {ana: "6"}):
        refused("election.invalid_grades", lambda bad=bad: elections.cast(election_id, stranger, bad))
    assert (snapshot(services.store), journal_rows(services.store)) == before
    assert elections.get(election_id).voters == 6

    refused("election.still_open", lambda: elections.close(librarian, election_id))
    clock.advance(days=1)
    assert elections.voter_status(election_id, stranger) is VoterStatus.CLOSED
    refused("election.closed", lambda: elections.cast(election_id, stranger, {ana: 6}))
    refused("auth.librarians_only", lambda: elections.close(voters[0], election_id))
    assert elections.result(election_id) is None  # not counted yet
    closed = elections.close(librarian, election_id)
    assert closed.status is ElectionStatus.CLOSED and closed.counted and elections.current() == []
    refused("election.already_closed", lambda: elections.close(librarian, election_id))
    result = elections.result(election_id)
    assert result is not None and result.published and result.voters == 6 and len(result.ballots) == 6
    assert result.majority is not None
    assert [r.candidate for r in result.majority.ranking] == [ana, ben, cleo]
    assert [r.median for r in result.majority.ranking] == [5, 3, 1]
    assert result.majority.ranking[2].profile == (2, 1, 2, 1, 0, 0, 0)  # the blank counted as 0
    recount = sorted(tuple(b["grades"][c] for c in (ana, ben, cleo)) for b in result.ballots)
    assert recount == sorted((a, b, c or 0) for a, b, c in grades)
    assert not services.store.conn.execute("SELECT 1 FROM ballot_box").fetchone()
    assert_replays(services, config, tmp_path / "replay")


def test_with_fewer_than_five_voters_the_box_is_destroyed_and_nothing_is_counted(
    services: Services, clock: FixedClock, librarian: str, config: Config, tmp_path: Path
) -> None:
    elections = services.elections
    election_id, candidates = booth(services, librarian)
    clock.advance(days=2)
    for voter in people(services, 4):
        elections.cast(election_id, voter, dict.fromkeys(candidates, 4))
    assert services.store.conn.execute("SELECT count(*) FROM ballot_box").fetchone()[0] == 4
    clock.advance(days=1)
    elections.close(librarian, election_id)
    closed = [e for e in journal.read_all(services.store.conn) if e.type == "election.closed"]
    assert [e.payload["ballots"] for e in closed] == [[]]
    assert not services.store.conn.execute("SELECT 1 FROM ballot_box").fetchone()
    result = elections.result(election_id)
    assert result is not None and result.voters == 4
    assert not result.published and result.majority is None and result.ballots == ()
    assert_replays(services, config, tmp_path / "replay")


def test_two_screens_racing_for_one_voter_count_one_vote(
    services: Services, config: Config, clock: FixedClock, librarian: str
) -> None:
    """The register is checked and written in the ballot's transaction: the second writer finds it."""
    election_id, candidates = booth(services, librarian)
    clock.advance(days=2)
    voters = people(services, 5)
    other = open_services(config, clock)  # a second connection to the same kiosk database
    try:
        for voter in voters:
            barrier = threading.Barrier(2)
            outcomes: list[str] = []
            threads = [
                threading.Thread(target=vote, args=(kiosk, election_id, voter, candidates, barrier, outcomes))
                for kiosk in (services, other)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            assert sorted(outcomes) == ["a voté", "election.already_voted"]
    finally:
        other.close()
    conn = services.store.conn
    assert conn.execute("SELECT count(*) FROM election_register").fetchone()[0] == 5
    assert conn.execute("SELECT count(*) FROM ballot_box").fetchone()[0] == 5
    signed = conn.execute("SELECT count(*) FROM journal WHERE type = 'election.voter_signed'").fetchone()[0]
    assert signed == 5


def vote(
    kiosk: Services,
    election_id: str,
    voter: str,
    candidates: list[str],
    barrier: threading.Barrier,
    outcomes: list[str],
) -> None:
    barrier.wait()
    try:
        kiosk.elections.cast(election_id, voter, dict.fromkeys(candidates, 5))
        outcomes.append("a voté")
    except KioskError as error:
        outcomes.append(error.code)


@pytest.fixture
def two_kiosks(config: Config, tmp_path: Path) -> Iterator[tuple[Services, Services, FixedClock]]:
    clock = FixedClock(NOW)
    a = open_services(config, clock)
    b = open_services(with_data_dir(config, tmp_path / "b"), clock)
    yield a, b, clock
    a.close()
    b.close()


def test_a_booth_election_is_voted_and_closed_only_at_its_booth(
    two_kiosks: tuple[Services, Services, FixedClock],
) -> None:
    a, b, clock = two_kiosks
    librarian = a.members.register("Bibliothécaire", "Belleville", roles=(Role.LIBRARIAN,)).id
    election_id, candidates = booth(a, librarian)
    voter = people(a, 1)[0]
    carry(a, b)
    assert [c.member_id for c in b.elections.candidates(election_id)] == [
        c.member_id for c in a.elections.candidates(election_id)
    ]  # the same ballot order on every kiosk
    clock.advance(days=2)
    assert b.elections.voter_status(election_id, voter) is VoterStatus.OTHER_KIOSK
    refused(
        "election.other_kiosk", lambda: b.elections.cast(election_id, voter, dict.fromkeys(candidates, 3))
    )
    a.elections.cast(election_id, voter, dict.fromkeys(candidates, 3))
    carry(a, b)
    assert b.elections.voter_status(election_id, voter) is VoterStatus.ALREADY_VOTED
    assert b.elections.get(election_id).voters == 1
    assert not b.store.conn.execute("SELECT 1 FROM ballot_box").fetchone()  # the box never travels
    clock.advance(days=1)
    refused("election.close_at_booth", lambda: b.elections.close(librarian, election_id))


def test_a_hub_election_asks_the_hub_and_records_only_that_the_member_voted(
    two_kiosks: tuple[Services, Services, FixedClock],
) -> None:
    a, b, clock = two_kiosks
    librarian = a.members.register("Bibliothécaire", "Belleville", roles=(Role.LIBRARIAN,)).id
    election_id, candidates = booth(a, librarian, mode="hub")
    booth_id, _ = booth(a, librarian)
    voter = people(a, 1)[0]
    clock.advance(days=2)
    assert a.elections.get(election_id).kiosk_id is None
    assert a.elections.voter_status(election_id, voter) is VoterStatus.HUB_NEEDED
    refused("election.hub_needed", lambda: a.elections.cast(election_id, voter, dict.fromkeys(candidates, 3)))
    refused("election.wrong_mode", lambda: a.elections.record_hub_vote(booth_id, voter))
    a.elections.record_hub_vote(election_id, voter)  # the hub answered « a voté »
    before = journal_rows(a.store)
    a.elections.record_hub_vote(election_id, voter)  # the answer, heard twice, is one vote
    assert journal_rows(a.store) == before
    signed = [e.payload for e in journal.read_all(a.store.conn) if e.type == "election.voter_signed"]
    assert signed == [{"election_id": election_id, "member_id": voter, "via": "hub"}]
    assert a.elections.voter_status(election_id, voter) is VoterStatus.ALREADY_VOTED
    carry(a, b)
    assert b.elections.voter_status(election_id, voter) is VoterStatus.ALREADY_VOTED
    clock.advance(days=1)
    b.elections.close(librarian, election_id)  # any kiosk closes a hub election: the hub holds the box
    carry(b, a)
    assert a.elections.get(election_id).counted and a.elections.result(election_id) is None


def test_erasure_withdraws_tickets_and_blanks_statements_but_keeps_the_register(
    services: Services, clock: FixedClock, librarian: str, config: Config, tmp_path: Path
) -> None:
    election_id, (ana, *_) = booth(services, librarian)
    draw = services.draws.announce(librarian, "jardinage", "Jardin", 1, UNTIL, "un dé lancé en réunion")
    ticket = services.draws.volunteer(draw.id, ana, None)
    clock.advance(days=2)
    services.elections.cast(election_id, ana, {ana: 6})
    pseudonym = services.ctx.member(ana).pseudonym
    services.members.erase(ana, librarian)
    assert services.draws.ticket_of(draw.id, ana) is None
    row = services.store.conn.execute(
        "SELECT member_id, status FROM draw_volunteers WHERE ticket = ?", (ticket,)
    )
    assert tuple(row.fetchone()) == (None, "withdrawn")
    assert [c.statement for c in services.elections.candidates(election_id) if c.member_id == ana] == [""]
    assert services.elections.voter_status(election_id, ana) is VoterStatus.ALREADY_VOTED
    payloads = [
        e.payload for e in journal.read_all(services.store.conn) if e.type.startswith(("draw.", "election."))
    ]
    # The journal's tickets keep their member id: it leads to no one now, and the pool's hash covers them.
    assert services.members.find(pseudonym) == [] and services.ctx.member(ana, allow_erased=True).is_erased
    assert "Je connais bien le quartier." not in str([p for p in payloads if p.get("member_id") == ana])
    assert_replays(services, config, tmp_path / "replay")


def test_the_demo_collective_has_its_draws_and_elections(tmp_path: Path) -> None:
    config = demo_config(tmp_path / "demo")
    services = open_services(config, FixedClock(NOW))
    try:
        generate_demo(services)
        (garden,) = services.draws.open_draws()
        assert garden.title == "Représentant·e Jardinage" and garden.quotas and garden.volunteers >= 3
        performed = [d for d in services.draws.recent_draws() if d.status is DrawStatus.PERFORMED]
        assert [d.title for d in performed] == ["Représentant·e Réparation"]
        record = services.draws.record(performed[0].id)
        assert record is not None and verify_record(record, services.draws.pool_file(performed[0].id)) == []
        (current,) = services.elections.current()
        assert current.status is ElectionStatus.OPEN and current.candidates == 3 and current.voters >= 1
        assert current.kiosk_id == services.kiosk_id
        karim = services.members.find("Karim")[0]  # a demo card: free to vote in the demo
        assert services.elections.voter_status(current.id, karim.id) is VoterStatus.CAN_VOTE
        (past,) = [e for e in services.elections.recent() if e.counted]
        result = services.elections.result(past.id)
        assert result is not None and result.published and result.voters >= 5 and result.majority is not None
        winner = result.majority.ranking[0].candidate
        assert services.members.get(winner).pseudonym == "Mamadou"
        assert_replays(services, config, tmp_path / "replay")
    finally:
        services.close()
