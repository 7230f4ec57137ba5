"""Draws by lot on a real store: announce, volunteer, withdraw, cut-off, freeze, draw, and check the record.

The record is checked with `kiosk.governance.sortition.verify_record` and the exported pool file, as anyone
would check it at home; every state table must rebuild from the journal.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from kiosk import journal
from kiosk.clock import FixedClock
from kiosk.config import Config, with_data_dir
from kiosk.domain import Role
from kiosk.domain_governance import DrawStatus
from kiosk.errors import KioskError
from kiosk.governance.quotas import AGE_BAND, GENDER, QUARTIER
from kiosk.governance.sortition import Quota, parse_pool, pool_hash, verify_record
from kiosk.governance.tickets import is_ticket
from kiosk.i18n import active_language, set_language
from kiosk.replay import snapshot
from kiosk.services import Services, open_services
from sync_client.engine import apply_remote
from sync_client.protocol import Envelope
from tests.checks import differences, journal_rows, replayed_snapshot
from tests.conftest import PARIS

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=PARIS)
SOURCE = "trois dés lancés en public à la réunion du 12 décembre"


def carry(source: Services, target: Services) -> int:
    """Apply `source`'s own events that `target` lacks, in order (what push and pull do through the hub)."""
    applied = 0
    with target.store.transaction() as conn:
        for event in journal.read_all(source.store.conn):
            if event.kiosk_id == source.kiosk_id:
                outcome = apply_remote(conn, Envelope.model_validate(event.envelope()), NOW.isoformat())
                assert outcome in ("applied", "known"), outcome
                applied += outcome == "applied"
    return applied


def assert_replays(services: Services, config: Config, folder: Path) -> None:
    """Every state table rebuilds from the journal, but the booth's ballot box: local by design (no ballot
    is an event before the close), so a replay leaves it empty."""
    state = snapshot(services.store)
    replayed = replayed_snapshot(services.store, config, folder)
    state.pop("ballot_box", None)
    assert replayed.pop("ballot_box", []) == []
    assert replayed == state, differences(state, replayed)


def people(services: Services, count: int) -> list[str]:
    known = services.store.conn.execute("SELECT count(*) FROM members").fetchone()[0]
    return [services.members.register(f"Voisin·e {known + n}", "Belleville").id for n in range(count)]


@pytest.fixture
def librarian(services: Services) -> str:
    return services.members.register("Bibliothécaire", "Belleville", roles=(Role.LIBRARIAN,)).id


def test_a_draw_from_announcement_to_a_verified_record(
    services: Services, clock: FixedClock, librarian: str, config: Config, tmp_path: Path
) -> None:
    draws = services.draws
    draw = draws.announce(
        librarian, "jardinage", "Représentant·e Jardinage", 2, NOW + timedelta(days=7), SOURCE
    )
    assert draw.status is DrawStatus.OPEN and draws.open_draws() == [draw]
    assert draw.cutoff == (NOW + timedelta(days=7)).isoformat(timespec="minutes")
    members = people(services, 5)
    tickets = [draws.volunteer(draw.id, m, None) for m in members]
    assert all(is_ticket(t) and t.startswith("JAR-") for t in tickets)
    assert len(set(tickets)) == 5
    assert draws.volunteer(draw.id, members[0], None) == tickets[0]  # again: the same ticket, no event
    draws.withdraw(draw.id, members[1])
    assert draws.ticket_of(draw.id, members[1]) is None
    assert draws.get(draw.id).volunteers == 4
    with pytest.raises(KioskError) as twice:
        draws.withdraw(draw.id, members[1])
    assert twice.value.code == "draw.not_volunteered"
    assert draws.volunteer(draw.id, members[1], None) == tickets[1]  # back, with the same ticket
    draws.withdraw(draw.id, members[1])

    with pytest.raises(KioskError) as early:
        draws.freeze(librarian, draw.id)
    assert early.value.code == "draw.before_cutoff"
    with pytest.raises(KioskError) as unfrozen:
        draws.perform(librarian, draw.id, "3 5 2")
    assert unfrozen.value.code == "draw.not_frozen"

    clock.advance(days=7)
    assert draws.get(draw.id).status is DrawStatus.CLOSED and draws.open_draws() == []
    for late in (
        lambda: draws.volunteer(draw.id, members[1], None),
        lambda: draws.withdraw(draw.id, members[0]),
    ):
        with pytest.raises(KioskError) as closed:
            late()
        assert closed.value.code == "draw.closed"

    frozen = draws.freeze(librarian, draw.id)
    pool = draws.pool_file(draw.id)
    assert frozen.status is DrawStatus.FROZEN and frozen.pool_hash == pool_hash(pool)
    assert sorted(v.ticket for v in parse_pool(pool)[1]) == sorted(t for t in tickets if t != tickets[1])
    with pytest.raises(KioskError) as again:
        draws.freeze(librarian, draw.id)
    assert again.value.code == "draw.already_frozen"
    with pytest.raises(KioskError) as blank:
        draws.perform(librarian, draw.id, "   ")
    assert blank.value.code == "draw.randomness_required"

    record = draws.perform(librarian, draw.id, "  3  5\t2 ")
    assert verify_record(record, pool) == []
    assert record["randomness"] == {"source": SOURCE, "value": "3 5 2"}
    assert len(record["selected"]) == 2 and len(record["replacements"]) == 2
    assert record["order"] == record["selected"] + record["replacements"]
    assert draws.record(draw.id) == record
    view = draws.get(draw.id)
    assert view.status is DrawStatus.PERFORMED and list(view.selected) == record["selected"]
    assert view.seed == record["seed"] and view.randomness == "3 5 2"
    assert draws.recent_draws()[0] == view
    with pytest.raises(KioskError) as performed:
        draws.perform(librarian, draw.id, "6 6 6")
    assert performed.value.code == "draw.already_performed"
    # Other dice would have given another seed: the record does not verify with them.
    forged = {**record, "randomness": {"source": SOURCE, "value": "6 6 6"}}
    assert verify_record(forged, pool) != []
    types = [e.type for e in journal.read_all(services.store.conn) if e.type.startswith("draw.")]
    again_and_out = ["draw.withdrawn", "draw.volunteered", "draw.withdrawn"]
    assert types == [
        "draw.announced",
        *["draw.volunteered"] * 5,
        *again_and_out,
        "draw.frozen",
        "draw.performed",
    ]
    assert_replays(services, config, tmp_path / "replay")


def test_answers_are_kept_only_with_consent_and_quotas_are_met(
    services: Services, clock: FixedClock, librarian: str, config: Config, tmp_path: Path
) -> None:
    draws = services.draws
    quotas = [Quota(GENDER, "femme", minimum=1), Quota(AGE_BAND, "60_et_plus", minimum=1, maximum=1)]
    draw = draws.announce(
        librarian,
        "jardinage",
        "Jardin partagé",
        3,
        NOW + timedelta(days=3),
        SOURCE,
        quotas,
        [GENDER, AGE_BAND],
    )
    answers = [
        {GENDER: "homme", AGE_BAND: "30_a_59"},
        {GENDER: "homme", AGE_BAND: "moins_de_30"},
        {GENDER: "femme", AGE_BAND: "30_a_59"},
        {GENDER: "homme", AGE_BAND: "60_et_plus"},
        {GENDER: "femme", AGE_BAND: "60_et_plus"},
        None,  # no consent: nothing asked is kept
    ]
    members = people(services, len(answers))
    for member, given in zip(members, answers, strict=True):
        draws.volunteer(draw.id, member, given)
    kept = services.store.conn.execute(
        "SELECT consent, attributes FROM draw_volunteers WHERE draw_id = ? AND member_id = ?",
        (draw.id, members[-1]),
    ).fetchone()
    assert tuple(kept) == (0, "{}")
    with pytest.raises(KioskError) as unasked:
        draws.volunteer(draw.id, people(services, 1)[0], {QUARTIER: "Belleville"})
    assert unasked.value.code == "draw.unknown_attribute"
    with pytest.raises(KioskError) as unknown_value:
        draws.volunteer(draw.id, members[0], {GENDER: "peut-être"})
    assert unknown_value.value.code == "draw.invalid_attribute_value"

    clock.advance(days=3)
    frozen = draws.freeze(librarian, draw.id)
    assert frozen.probabilities is not None and set(frozen.probabilities) == {
        draws.ticket_of(draw.id, m) for m in members
    }
    assert abs(sum(frozen.probabilities.values()) - 3) < 1e-9  # three seats
    event = next(e for e in journal.read_all(services.store.conn) if e.type == "draw.frozen")
    assert len(event.payload["panels"]) == 1000 and event.payload["category_counts"][GENDER] == {
        "femme": 2,
        "homme": 3,
    }
    assert "femme" not in json.dumps(event.payload["tickets"])  # the tickets, never their answers

    record = draws.perform(librarian, draw.id, "tirage du Loto du 28 novembre : 7 12 19 33 41")
    pool = draws.pool_file(draw.id)
    assert verify_record(record, pool) == []
    answers_of = {v.ticket: v.attributes for v in parse_pool(pool)[1]}
    chosen = [answers_of[t] for t in record["selected"]]
    assert sum(a.get(GENDER) == "femme" for a in chosen) >= 1
    assert sum(a.get(AGE_BAND) == "60_et_plus" for a in chosen) == 1
    assert "femme" not in json.dumps(
        {k: v for k, v in record.items() if k not in ("category_counts", "quotas")}
    )
    # A pool file that is not the frozen one is caught.
    _, volunteers = parse_pool(pool)
    other = pool.replace(b"moins_de_30", b"60_et_plus")
    assert other != pool and verify_record(record, other) != []
    assert len(volunteers) == 6
    assert_replays(services, config, tmp_path / "replay")


def test_infeasible_quotas_are_refused_at_the_freeze_with_the_reason_and_nothing_journaled(
    services: Services, clock: FixedClock, librarian: str
) -> None:
    draws = services.draws
    quotas = [Quota(GENDER, "femme", minimum=2)]
    draw = draws.announce(
        librarian, "jardinage", "Jardin", 2, NOW + timedelta(hours=1), SOURCE, quotas, [GENDER]
    )
    for member, gender in zip(people(services, 3), ["femme", "homme", "homme"], strict=True):
        draws.volunteer(draw.id, member, {GENDER: gender})
    clock.advance(hours=1)
    before = (snapshot(services.store), journal_rows(services.store))
    with pytest.raises(KioskError) as refused:
        draws.freeze(librarian, draw.id)
    assert refused.value.code == "draw.infeasible"
    assert "« Genre : Femme »" in refused.value.text("fr") and "1" in refused.value.text("fr")
    assert (snapshot(services.store), journal_rows(services.store)) == before
    assert draws.get(draw.id).status is DrawStatus.CLOSED and draws.get(draw.id).pool_hash is None
    shown = active_language()
    set_language("en")  # the reason is translated as it is shown, in the language on screen then
    try:
        english = refused.value.text()
    finally:
        set_language(shown)
    assert english.startswith("The quotas cannot be met") and "“Gender: Woman”" in english


def test_announcing_checks_who_when_and_what(services: Services, librarian: str) -> None:
    draws = services.draws
    member = people(services, 1)[0]
    later = NOW + timedelta(days=1)

    def refused(call: object, code: str) -> None:
        assert callable(call)
        with pytest.raises(KioskError) as error:
            call()
        assert error.value.code == code

    refused(lambda: draws.announce(member, "jardinage", "Jardin", 1, later, SOURCE), "auth.not_allowed")
    refused(lambda: draws.announce(librarian, "inconnu", "Jardin", 1, later, SOURCE), "theme.not_found")
    for seats in (0, 21, True):
        refused(
            lambda seats=seats: draws.announce(librarian, "jardinage", "Jardin", seats, later, SOURCE),
            "governance.invalid_seats",
        )
    refused(lambda: draws.announce(librarian, "jardinage", "Jardin", 1, NOW, SOURCE), "draw.cutoff_past")
    refused(
        lambda: draws.announce(librarian, "jardinage", "Jardin", 1, later, "  "),
        "draw.randomness_source_required",
    )
    refused(
        lambda: draws.announce(
            librarian, "jardinage", "Jardin", 1, later, SOURCE, attributes_asked=["revenu"]
        ),
        "draw.unknown_attribute",
    )
    refused(
        lambda: draws.announce(
            librarian, "jardinage", "Jardin", 1, later, SOURCE, [Quota(GENDER, "femme", 1)]
        ),
        "draw.quota_not_asked",
    )
    refused(
        lambda: draws.announce(
            librarian, "jardinage", "Jardin", 2, later, SOURCE, [Quota(GENDER, "femme", 3)], [GENDER]
        ),
        "draw.invalid_quota",
    )
    assert not services.store.conn.execute("SELECT 1 FROM draws").fetchone()
    with pytest.raises(KioskError) as unknown:
        draws.get("00000000-0000-7000-8000-000000000000")
    assert unknown.value.code == "draw.not_found"
    with pytest.raises(KioskError) as nobody:
        draw = draws.announce(librarian, "jardinage", "Jardin", 1, NOW + timedelta(minutes=5), SOURCE)
        services.ctx.clock.advance(minutes=5)  # type: ignore[attr-defined]
        draws.freeze(librarian, draw.id)
    assert nobody.value.code == "draw.no_volunteers"


@pytest.fixture
def two_kiosks(config: Config, tmp_path: Path) -> Iterator[tuple[Services, Services, FixedClock, FixedClock]]:
    clock_a, clock_b = FixedClock(NOW), FixedClock(NOW)
    a = open_services(config, clock_a)
    b = open_services(with_data_dir(config, tmp_path / "b"), clock_b)
    yield a, b, clock_a, clock_b
    a.close()
    b.close()


def test_a_volunteer_synced_after_the_freeze_is_kept_but_not_in_the_pool(
    two_kiosks: tuple[Services, Services, FixedClock, FixedClock], config: Config, tmp_path: Path
) -> None:
    a, b, clock_a, clock_b = two_kiosks
    librarian = a.members.register("Bibliothécaire", "Belleville", roles=(Role.LIBRARIAN,)).id
    here, there = people(a, 3), people(a, 1)[0]
    draw = a.draws.announce(librarian, "jardinage", "Jardin", 2, NOW + timedelta(days=1), SOURCE)
    for member in here:
        a.draws.volunteer(draw.id, member, None)
    carry(a, b)
    late_ticket = b.draws.volunteer(draw.id, there, None)  # at the market stall, offline
    clock_a.advance(days=1)
    clock_b.advance(days=1)
    frozen = a.draws.freeze(librarian, draw.id)
    assert frozen.volunteers == 3
    carry(b, a)  # the stall comes back online after the freeze
    assert a.draws.ticket_of(draw.id, there) == late_ticket  # kept, as the fact it is
    assert a.draws.get(draw.id).volunteers == 3 and a.draws.pool_file(draw.id)
    in_pool = a.store.conn.execute(
        "SELECT in_pool FROM draw_volunteers WHERE draw_id = ? AND ticket = ?", (draw.id, late_ticket)
    ).fetchone()[0]
    assert in_pool == 0
    record = a.draws.perform(librarian, draw.id, "4 1 6")
    assert late_ticket not in record["order"] and len(record["order"]) == 3
    assert verify_record(record, a.draws.pool_file(draw.id)) == []
    # The stall learns of the freeze after its own volunteer: the same pool there, the same record.
    carry(a, b)
    assert b.draws.pool_file(draw.id) == a.draws.pool_file(draw.id)
    assert b.draws.record(draw.id) == record and b.draws.ticket_of(draw.id, there) == late_ticket
    assert_replays(a, config, tmp_path / "replay-a")
    assert_replays(b, config, tmp_path / "replay-b")


def test_a_kiosk_that_lacks_part_of_the_frozen_pool_does_not_draw(config: Config, tmp_path: Path) -> None:
    clocks = [FixedClock(NOW) for _ in range(3)]
    a, b, c = (
        open_services(with_data_dir(config, tmp_path / name), clock)
        for name, clock in zip("abc", clocks, strict=True)
    )
    try:
        librarian = a.members.register("Bibliothécaire", "Belleville", roles=(Role.LIBRARIAN,)).id
        members = people(a, 2)
        draw = a.draws.announce(librarian, "jardinage", "Jardin", 1, NOW + timedelta(days=1), SOURCE)
        a.draws.volunteer(draw.id, members[0], None)
        carry(a, b)
        carry(a, c)
        c.draws.volunteer(draw.id, members[1], None)
        carry(c, a)  # A hears of C's volunteer, B not yet
        for clock in clocks:
            clock.advance(days=1)
        a.draws.freeze(librarian, draw.id)
        carry(a, b)
        with pytest.raises(KioskError) as incomplete:
            b.draws.perform(librarian, draw.id, "2 2 5")
        assert incomplete.value.code == "draw.pool_incomplete"
        carry(c, b)
        record = b.draws.perform(librarian, draw.id, "2 2 5")
        assert verify_record(record, a.draws.pool_file(draw.id)) == []
    finally:
        for kiosk in (a, b, c):
            kiosk.close()
