"""Elections by majority judgment on the kiosk, by touches and card taps in the real window (issue 8).

Sandrine, librarian, announces a vote « sur cette borne seulement »; two members stand (one with a few
words typed on the on-screen keyboard); at the polling station each card tapped gets only « Peut voter » or
« A déjà voté »; the voter grades each candidate with the big mention buttons (a blank one counts as
« À rejeter »), reviews and votes → « A voté » → the booth waits for the next card, the librarian's
session still open. Five voters, the close (second confirmation) and the result: the chart, the ranking,
the count. Fewer than five: not counted, and said so. A vote « avec le hub » without a hub: no booth.
Every state is looked at (screenshot in build/screenshots/tests/, nothing clipped or crowded at 800×480).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from kiosk.demo import DEMO_UNKNOWN_UID
from kiosk.domain import Role
from sync_client.ballots import RemoteBallotBox
from sync_client.engine import read_link
from tests.hub.kiosks import PARIS, HubHandle, Kiosk
from tests.ui import admin2_helpers, driver
from tests.ui.admin2_helpers import dismiss_message, go, look, message_shown, open_admin_session, type_on
from tests.ui.conftest import render

ROUTES = {
    "admin_elections": "screens.admin_elections:AdminElectionsScreen",
    "ballot_booth": "screens.ballot_booth:BallotBoothScreen",
    "election_result": "screens.election_result:ElectionResultScreen",
    "election_candidacy": "screens.election_candidacy:ElectionCandidacyScreen",
}
TITLE = "Médiation du quartier"
CANDIDATES = ("Karim", "Inès")
# each voter's mentions for (Karim, Inès) — None: left blank (counts as « À rejeter »)
VOTES = {
    "Karim": (5, None),
    "Yvette": (4, 2),
    "Nguyen": (6, 3),
    "Fatoumata": (3, 5),
    "Mamadou": (4, 4),
}


@contextmanager
def election_kiosk(window: Any, tmp_path: Path) -> Iterator[driver.ShellRig]:
    """The demo kiosk with the election routes (until screens/routes.py lists them, each test adds them)."""
    with driver.demo_context(tmp_path) as ctx, driver.shell_rig(window, ctx) as rig:
        rig.shell.routes.update(ROUTES)
        yield rig


def member_id(rig: driver.ShellRig, pseudonym: str) -> str:
    found = rig.shell.ctx.services.members.find(pseudonym)
    return str(next(m.id for m in found if m.pseudonym == pseudonym))


def screen(rig: driver.ShellRig) -> Any:
    return rig.shell.manager.current_screen


def announce_by_touches(rig: driver.ShellRig) -> str:
    """Sandrine announces the election on the form; returns its id."""
    services = rig.shell.ctx.services
    open_admin_session(rig)
    elections = go(rig, "admin_elections")
    look(rig.shell, "admin_elections-fr")
    driver.tap(elections.ids.announce_button)
    assert elections.step == "title" and not elections.title_ok
    type_on(elections.ids.title_keyboard, TITLE)
    look(rig.shell, "admin_elections-title-fr")
    driver.tap(elections.ids.title_next)
    assert elections.step == "theme"
    chip = elections.ids.theme_chips.chip_for("entraide")
    driver.bring_into_view(chip)
    driver.tap(chip)
    look(rig.shell, "admin_elections-theme-fr")
    driver.tap(elections.ids.theme_next)
    assert elections.step == "setup" and elections.mode == "kiosk"
    driver.tap(elections.ids.mode_hub)
    assert elections.mode == "hub"
    look(rig.shell, "admin_elections-setup-fr")
    driver.tap(elections.ids.mode_kiosk)  # back to the booth on this kiosk
    assert elections.mode == "kiosk" and elections.ids.mode_kiosk.icon == "check"
    driver.tap(elections.ids.setup_next)
    assert elections.step == "dates"
    look(rig.shell, "admin_elections-dates-fr")
    driver.tap(elections.ids.dates_next)
    assert elections.step == "summary" and TITLE in elections.summary
    look(rig.shell, "admin_elections-summary-fr")
    driver.tap(elections.ids.announce_confirm)
    assert elections.step == "list"
    [election] = [e for e in services.elections.recent() if e.title == TITLE]
    assert (str(election.mode), election.kiosk_id, election.theme_id) == (
        "kiosk",
        services.kiosk_id,
        "entraide",
    )
    # the chips' defaults: candidacies for 3 days (18 h), the vote the next day from 9 h to 19 h
    assert election.candidacy_until.startswith("2026-11-28T18:00")
    assert (election.opens_at[:16], election.closes_at[:16]) == ("2026-11-29T09:00", "2026-11-29T19:00")
    row = elections.row_for(election.id)
    assert row is not None and row.badge == "Candidatures"
    rig.shell.end_session()
    return str(election.id)


def stand(rig: driver.ShellRig, pseudonym: str, election_id: str, words: str = "") -> Any:
    rig.tap_demo_card(pseudonym)
    candidacy = go(rig, "election_candidacy", election_id=election_id)
    assert candidacy.step == "detail" and candidacy.can_change and not candidacy.standing
    driver.tap(candidacy.ids.stand_button)
    assert candidacy.step == "statement"
    if words:
        type_on(candidacy.ids.statement_keyboard, words)
        look(rig.shell, "election_candidacy-statement-fr")
    driver.tap(candidacy.ids.stand_confirm)
    assert candidacy.step == "detail" and candidacy.standing
    assert message_shown(rig.shell).startswith("Vous êtes candidat·e !")
    dismiss_message(rig.shell)
    return candidacy


def open_booth(rig: driver.ShellRig, election_id: str) -> Any:
    open_admin_session(rig)
    elections = go(rig, "admin_elections")
    driver.tap(elections.row_for(election_id))
    assert elections.step == "detail"
    driver.tap(elections.ids.booth_button)
    booth = screen(rig)
    assert rig.shell.manager.current == "ballot_booth" and booth.step == "wait"
    return booth


def vote(
    rig: driver.ShellRig, booth: Any, pseudonym: str, mentions: tuple[int | None, ...], name: str = ""
) -> None:
    """One voter at the booth: card, « Commencer le vote », a mention per candidate, review, « Voter »."""
    rig.tap_demo_card(pseudonym)
    assert booth.step == "verdict" and booth.verdict == "can_vote", driver.texts(booth)
    assert driver.find(booth, widget_id="verdict_label").text == "Peut voter"
    if name:
        look(rig.shell, f"{name}-verdict-fr")
    driver.tap(booth.ids.start_button)
    for page, mention in enumerate(mentions):
        assert booth.step == "grade" and booth.page == page
        if mention is not None:
            driver.tap(booth.mention_buttons()[mention])
            assert booth.chosen == mention and booth.mention_buttons()[mention].chosen
        elif name:
            look(rig.shell, f"{name}-grade-fr")
        driver.tap(booth.ids.next_button)
    assert booth.step == "review"
    if name:
        look(rig.shell, f"{name}-review-fr")
    driver.tap(booth.ids.vote_button)
    assert booth.step == "voted" and driver.find(booth, widget_id="voted_label").text == "A voté !"
    if name:
        look(rig.shell, f"{name}-voted-fr")
    driver.tap(booth.ids.voted_done)
    assert booth.step == "wait"


def test_an_election_from_announcement_to_result(kivy_window: Any, tmp_path: Path) -> None:
    with election_kiosk(kivy_window, tmp_path) as rig:
        ctx = rig.shell.ctx
        services = ctx.services
        election_id = announce_by_touches(rig)

        # without a card, nobody stands: home, with a word on how to
        rig.shell.go("election_candidacy", election_id=election_id)
        driver.wait_frames(3)
        assert rig.shell.manager.current == "accueil"
        assert message_shown(rig.shell) == "Passez votre carte pour vous présenter à une élection."
        dismiss_message(rig.shell)

        # two members stand, one with a few words; a third stands and withdraws
        karim = stand(rig, "Karim", election_id, "Je connais le quartier")
        assert "Je connais le quartier" in karim.mine
        look(rig.shell, "election_candidacy-fr")
        rig.shell.end_session()
        stand(rig, "Inès", election_id)
        rig.shell.end_session()
        yvette = stand(rig, "Yvette", election_id)
        assert yvette.ids.stand_button.text == "Retirer ma candidature"
        driver.tap(yvette.ids.stand_button)
        assert (
            not yvette.standing
            and "Inès" in yvette.candidates_text
            and "Yvette" not in yvette.candidates_text
        )
        rig.shell.end_session()
        ballot_order = [c.member_id for c in services.elections.candidates(election_id)]
        assert sorted(ballot_order) == sorted(member_id(rig, name) for name in CANDIDATES)

        # the vote opens the next day at 9 h
        ctx.clock.advance(days=4)
        booth = open_booth(rig, election_id)
        look(rig.shell, "ballot_booth-fr")
        assert driver.find(booth, widget_id="wait_prompt").text == "Passez votre carte pour voter"

        names_on_ballot = [c.pseudonym for c in booth.candidates]
        first = True
        for pseudonym, (for_karim, for_ines) in VOTES.items():
            by_name = {"Karim": for_karim, "Inès": for_ines}
            vote(
                rig,
                booth,
                pseudonym,
                tuple(by_name[n] for n in names_on_ballot),
                "ballot_booth" if first else "",
            )
            first = False
            # the librarian's session stays open between voters
            assert rig.shell.session.member.pseudonym == "Sandrine" and rig.shell.session.admin
            if pseudonym == "Karim":
                # a blank mention counted as « À rejeter »; and a second tap of the same card: no booth
                rig.tap_demo_card("Karim")
                assert booth.step == "verdict" and booth.verdict == "already_voted"
                assert driver.find(booth, widget_id="verdict_label").text == "A déjà voté"
                assert not driver.find_all(booth, widget_id="start_button")
                look(rig.shell, "ballot_booth-already-voted-fr")
                driver.tap(booth.ids.verdict_cancel)
                assert booth.step == "wait"
        assert services.elections.voters(election_id) == 5
        assert (
            services.store.conn.execute(
                "SELECT count(*) FROM ballot_box WHERE election_id = ?", (election_id,)
            ).fetchone()[0]
            == 5
        )

        # a card nobody enrolled is refused calmly, the booth waits on
        rig.tap_card(DEMO_UNKNOWN_UID)
        assert booth.step == "wait" and message_shown(rig.shell)
        dismiss_message(rig.shell)

        # after 19 h the vote can be closed: second confirmation, then the result
        ctx.clock.advance(hours=10)
        ctx.hub_url = lambda: "https://hub.collectif.example"
        driver.tap(booth.ids.wait_header.ids.header_back)
        elections = screen(rig)
        assert rig.shell.manager.current == "admin_elections" and elections.step == "detail"
        assert elections.can_close and not elections.can_open_booth
        driver.tap(elections.ids.close_button)
        assert elections.step == "confirm_close" and "chacun pourra recompter" in elections.close_warning
        look(rig.shell, "admin_elections-close-fr")
        driver.tap(elections.ids.close_for_good_button)
        result = screen(rig)
        assert rig.shell.manager.current == "election_result" and result.state == "counted"
        assert result.summary.startswith("5 personnes ont voté.")
        expected = services.elections.result(election_id)
        assert expected is not None and expected.majority is not None
        rows = result.ids.chart.rows()
        assert [row.candidate for row in rows] == [entry.candidate for entry in expected.majority.ranking]
        # Karim: 3 4 4 5 6 → median Bien; Inès: 0 2 3 4 5 → median Assez bien
        assert [row.title for row in rows] == [
            "1. Karim — mention médiane : Bien",
            "2. Inès — mention médiane : Assez bien",
        ]
        assert rows[0].badge == "Élu·e" and rows[1].badge == ""
        assert rows[1].counts == "1 À rejeter · 1 Passable · 1 Assez bien · 1 Bien · 1 Très bien"
        assert result.qr_payload == f"https://hub.collectif.example/api/v1/public/elections/{election_id}"
        look(rig.shell, "election_result-fr")
        # the bar is drawn: Karim's 1 Assez bien (0–20 %), 2 Bien (20–60 %)… and the dark median line at 50 %
        frame = render(kivy_window)
        bar = rows[0].ids.merit_bar
        assert bar.shares()[3:] == [0.2, 0.4, 0.2, 0.2]

        def pixel(share: float) -> Any:
            x, y = bar.to_window(bar.x + bar.width * share, bar.center_y)
            return frame.getpixel((int(x), int(kivy_window.height - y)))

        assert pixel(0.1) == (0xE8, 0xD2, 0x5A) and pixel(0.35) == (0x9B, 0xC2, 0x5C)
        assert pixel(0.5) == (0x1F, 0x23, 0x28)

        # the result in English, nothing clipped either
        rig.shell.switch_language("en")
        driver.wait_frames(3)
        english = [row.title for row in result.ids.chart.rows()]
        assert english[0].startswith("1. Karim") and "médiane" not in english[0]
        look(rig.shell, "election_result-en")


def test_fewer_than_five_voters_are_not_counted(kivy_window: Any, tmp_path: Path) -> None:
    with election_kiosk(kivy_window, tmp_path) as rig:
        ctx = rig.shell.ctx
        services = ctx.services
        now = ctx.clock.now()
        sandrine = member_id(rig, "Sandrine")
        election = services.elections.announce(
            sandrine, "Représentant·e du jardin", None, 1, "kiosk",
            now + timedelta(hours=2), now + timedelta(hours=3), now + timedelta(hours=6),
        )  # fmt: skip
        for name in CANDIDATES:
            services.elections.stand(election.id, member_id(rig, name))
        ctx.clock.advance(hours=4)
        booth = open_booth(rig, election.id)
        for name in ("Yvette", "Nguyen", "Fatoumata"):
            vote(rig, booth, name, (3, 4))
        ctx.clock.advance(hours=3)
        driver.tap(booth.ids.wait_header.ids.header_back)
        elections = screen(rig)
        driver.tap(elections.ids.close_button)
        assert "l’urne sera détruite sans être lue" in elections.close_warning
        driver.tap(elections.ids.close_for_good_button)
        result = screen(rig)
        assert result.state == "not_counted"
        assert result.message == (
            "Trop peu de votants (moins de 5) : le vote n’est pas dépouillé pour garder le secret."
        )
        assert result.ids.chart.rows() == [] and not result.has_qr
        look(rig.shell, "election_result-not-counted-fr")
        assert (
            services.store.conn.execute(
                "SELECT count(*) FROM ballot_box WHERE election_id = ?", (election.id,)
            ).fetchone()[0]
            == 0
        )


def test_a_hub_vote_without_the_hub_opens_no_booth(kivy_window: Any, tmp_path: Path) -> None:
    with election_kiosk(kivy_window, tmp_path) as rig:
        ctx = rig.shell.ctx
        services = ctx.services
        now = ctx.clock.now()
        election = services.elections.announce(
            member_id(rig, "Sandrine"), "Médiateur·rice des Hauts", None, 1, "hub",
            now + timedelta(hours=2), now + timedelta(hours=3), now + timedelta(hours=6),
        )  # fmt: skip
        for name in CANDIDATES:
            services.elections.stand(election.id, member_id(rig, name))
        ctx.clock.advance(hours=4)

        # not paired with any hub: the booth says why it cannot open, and a card gets no ballot
        booth = open_booth(rig, election.id)
        assert booth.blocked.startswith("Cette élection se vote avec le hub du collectif")
        look(rig.shell, "ballot_booth-no-hub-fr")
        rig.tap_demo_card("Karim")
        assert booth.step == "verdict" and booth.verdict == "refused"
        assert not driver.find_all(booth, widget_id="start_button")
        driver.tap(booth.ids.verdict_cancel)

        # a hub address known but the hub out of reach (UiContext's own answer: « unavailable »)
        ctx.hub_url = lambda: "https://hub.collectif.example"
        driver.tap(booth.ids.wait_header.ids.header_back)  # the librarian opens the booth again
        driver.tap(screen(rig).ids.booth_button)
        assert rig.shell.manager.current == "ballot_booth" and booth.blocked == ""
        rig.tap_demo_card("Karim")
        assert booth.step == "verdict" and booth.verdict == "refused"
        assert booth.verdict_detail.startswith("Hub injoignable : impossible de vérifier.")
        assert not driver.find_all(booth, widget_id="start_button")
        look(rig.shell, "ballot_booth-hub-unreachable-fr")
        assert services.elections.voters(election.id) == 0
        assert rig.shell.session.member.pseudonym == "Sandrine" and rig.shell.session.admin


hub = admin2_helpers.sqlite_hub  # a real hub for this module (pytest fixture)


def test_a_hub_vote_at_the_booth_through_a_real_hub(kivy_window: Any, tmp_path: Path, hub: HubHandle) -> None:
    """Mode « hub »: the card is checked with the hub, the ballot goes to the hub, and only its « a voté »
    signs the kiosk's register — through the app's own wiring (kiosk/app_ballots.py) over HTTP."""
    from kivy.clock import Clock

    from kiosk.app_ballots import HubBallots
    from screens.context import UiContext

    collective = hub.collective("Collectif des Hauts")
    kiosk = Kiosk(tmp_path / "kiosk", collective, name="Borne de la médiathèque")
    try:
        kiosk.pair(hub, collective)
        librarian, voter = kiosk.member("Sandrine", Role.LIBRARIAN), kiosk.member("Yvette")
        librarian_card, voter_card = kiosk.card(librarian), kiosk.card(voter)
        others = [kiosk.member(name) for name in ("Nguyen", "Fatoumata", "Mamadou", "Élodie")]
        # announced two hours ago (the kiosk's clock moved back): its vote is open now, for the hub too
        kiosk.clock.offset = timedelta(hours=-2)
        until = kiosk.clock.now() + timedelta(minutes=30)
        closes = datetime.now(PARIS) + timedelta(hours=1)
        elections = kiosk.services.elections
        election = elections.announce(librarian, "Médiation des Hauts", None, 1, "hub", until, until, closes)
        for name in CANDIDATES:
            elections.stand(election.id, kiosk.member(name))
        kiosk.clock.offset = timedelta(0)
        kiosk.sync()  # the hub learns the election, its candidates and the members

        ctx = UiContext(services=kiosk.services, config=kiosk.config, clock=kiosk.clock)
        ballots = HubBallots(kiosk.config, lambda action: Clock.schedule_once(lambda _dt: action(), 0))
        ctx.hub_url = lambda: hub.url
        ctx.hub_voter_status = ballots.hub_voter_status
        ctx.hub_cast_ballot = ballots.hub_cast_ballot
        with driver.shell_rig(kivy_window, ctx) as rig:
            rig.shell.routes.update(ROUTES)
            rig.tap_card(librarian_card)
            rig.shell.session.admin = True
            booth = go(rig, "ballot_booth", election_id=election.id)
            assert booth.blocked == ""

            rig.tap_card(voter_card)
            driver.wait_until(lambda: booth.step != "checking", timeout=20)
            assert booth.verdict == "can_vote", booth.verdict_detail
            driver.tap(booth.ids.start_button)
            driver.tap(booth.mention_buttons()[6])
            driver.tap(booth.ids.next_button)
            driver.tap(booth.ids.next_button)  # the second candidate left blank: « À rejeter »
            driver.tap(booth.ids.vote_button)
            driver.wait_until(lambda: booth.step == "voted", timeout=20)
            assert elections.voters(election.id) == 1  # the hub said « a voté »: signed here too
            assert kiosk.store.conn.execute("SELECT count(*) FROM ballot_box").fetchone()[0] == 0
            link = read_link(kiosk.store.conn)
            assert link is not None
            box = RemoteBallotBox.for_link(link)
            try:
                assert box.voter_status(election.id, voter) == "already_voted"
                ballot_order = [c.member_id for c in elections.candidates(election.id)]
                for n, member_id in enumerate(others):  # four more voters, at other kiosks of the hub
                    assert (
                        box.cast(election.id, member_id, {ballot_order[0]: 2 + n, ballot_order[1]: 5})
                        == "a_vote"
                    )
            finally:
                box.close()

            # the same card again: « A déjà voté », no ballot
            driver.tap(booth.ids.voted_done)
            rig.tap_card(voter_card)
            driver.wait_until(lambda: booth.step != "checking", timeout=20)
            assert booth.verdict == "already_voted"
            assert rig.shell.session.admin and rig.shell.session.member.id == librarian

            # closed two hours on (any kiosk closes a hub vote): the hub counts, the screen recounts its
            # shuffled ballots — first candidate 6, 2, 3, 4, 5 (median 4 « Bien »), second 0, 5, 5, 5, 5
            kiosk.clock.offset = timedelta(hours=2)
            elections.close(librarian, election.id)
            kiosk.sync()
            ctx.hub_election_result = ballots.hub_election_result
            result = go(rig, "election_result", election_id=election.id)
            driver.wait_until(lambda: result.state != "loading", timeout=20)
            assert result.state == "counted" and result.voters == 5
            names = {c.member_id: c.pseudonym for c in elections.candidates(election.id)}
            assert [row.title for row in result.ids.chart.rows()] == [
                f"1. {names[ballot_order[1]]} — mention médiane : Très bien",
                f"2. {names[ballot_order[0]]} — mention médiane : Bien",
            ]
            assert result.qr_payload == f"{hub.url}/api/v1/public/elections/{election.id}"
            look(rig.shell, "election_result-hub-fr")
    finally:
        kiosk.close()


def test_every_mention_colour_has_a_readable_text_colour(kivy_window: Any) -> None:
    from screens.merit_chart import GRADE_COLOURS, text_on_grade
    from screens.style import PALETTE, contrast_ratio

    assert len(GRADE_COLOURS) == 7
    for grade, background in enumerate(GRADE_COLOURS):
        assert contrast_ratio(PALETTE[text_on_grade(grade)], background) >= 4.5, grade
