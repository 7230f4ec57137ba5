"""The election screens' scenes for `make screenshots`: the librarian's elections (list, the announcement
form, one election, the close and its second confirmation), standing as a candidate, the polling station
(waiting for a card, « Peut voter », a candidate's page with its mentions, the review, « A voté »,
« A déjà voté », a hub vote without the hub) and the results (counted, with the chart; not counted).
scripts/screenshots.py plays `ELECTION_SCENES` like its other lists; each walk is skipped while its route
is not in screens/routes.py.

The elections behind the scenes are made by `_elections` once per store, beside the demo's own
(kiosk/demo_governance.py: a past one, counted, and one open at this kiosk's booth): one taking
candidacies, one in mode « hub » open now, and two small ones past their closing time — the close walk
closes one per language (the scenes run twice, French then English, on the same store). Open and past
ones are announced with the demo clock moved back for a moment, as if announced days ago. At the booth
one demo card holder votes per language: the first who has not voted yet.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from screenshot_scenes import Move, Stage, Walk, card, chip, go, scene, steps, tap, type_on, walk

LIBRARIAN = "Sandrine"
DEMO_OPEN = "Médiation de la Maison de quartier"  # kiosk/demo_governance.py
DEMO_PAST = "Médiateur·rice du quartier"
CANDIDACY = "Représentant·e du jardin partagé"
HUB_VOTE = "Médiation des Hauts"
SMALL_VOTE = "Représentant·e du marché"
VOTERS = ("Karim", "Yvette", "Inès", "Nguyen", "Fatoumata", "Élodie", "Mamadou")
HUB_URL = "https://hub.collectifs.example"


def _id(stage: Stage, title: str, counted: bool | None = None) -> str:
    found = [
        e
        for e in stage.ctx.services.elections.recent(100)
        if e.title == title and (counted is None or e.counted == counted)
    ]
    if not found:
        raise LookupError(f"no election « {title} »")
    return str(found[-1].id)  # the oldest first: recent() lists the last announced first


@contextmanager
def _moved(stage: Stage, delta: timedelta) -> Iterator[None]:
    """The demo clock moved by `delta` for a moment, then back where it was."""
    clock = stage.ctx.clock
    clock.current += delta
    try:
        yield
    finally:
        clock.current -= delta


def _elections(stage: Stage) -> None:
    services = stage.ctx.services
    if any(e.title == CANDIDACY for e in services.elections.recent(100)):
        return
    elections, librarian = services.elections, stage.member_id(LIBRARIAN)
    karim, ines = stage.member_id("Karim"), stage.member_id("Inès")
    now = stage.ctx.clock.now()
    taking = elections.announce(
        librarian, CANDIDACY, "jardinage", 1, "kiosk", now + timedelta(days=3), now + timedelta(days=4),
        now + timedelta(days=5),
    )  # fmt: skip
    elections.stand(taking.id, stage.member_id("Yvette"), "Je jardine ici depuis trente ans.")

    def announce(title: str, mode: str, back: timedelta, closes: timedelta) -> str:
        with _moved(stage, -back):
            start = stage.ctx.clock.now()
            view = elections.announce(
                librarian, title, None, 1, mode, start + timedelta(hours=1), start + timedelta(hours=2),
                now + closes,
            )  # fmt: skip
            for member_id in (karim, ines):
                elections.stand(view.id, member_id)
        return str(view.id)

    announce(HUB_VOTE, "hub", timedelta(days=1), timedelta(days=6))
    for _language in ("fr", "en"):  # one to close in each language
        small = announce(SMALL_VOTE, "kiosk", timedelta(days=2), timedelta(hours=-1))
        with _moved(stage, timedelta(days=-2, hours=3)):
            for name in ("Yvette", "Nguyen"):
                elections.cast(small, stage.member_id(name), {karim: 4, ines: 3})


def admin(pseudonym: str = LIBRARIAN) -> Move:
    def play(stage: Stage) -> None:
        stage.tap_card(pseudonym)
        stage.shell.session.admin = True

    return play


def open_row(title: str, counted: bool | None = None) -> Move:
    """Touch an election's row of the librarian's list, scrolled into sight first as a swipe would."""

    def play(stage: Stage) -> None:
        from kivy.uix.scrollview import ScrollView

        row = stage.shell.current.row_for(_id(stage, title, counted))
        view = row.parent
        while not isinstance(view, ScrollView):
            view = view.parent
        view.scroll_to(row, padding=10, animate=False)
        stage.frames()
        stage.tap(row)

    return play


def _booth(title: str) -> Move:
    return steps(admin(), go("admin_elections"), open_row(title), tap("booth_button"))


def _next_voter(stage: Stage) -> None:
    """The first demo card holder who has not voted yet taps their card."""
    services = stage.ctx.services
    election_id = _id(stage, DEMO_OPEN)
    for name in VOTERS:
        if str(services.elections.voter_status(election_id, stage.member_id(name))) == "can_vote":
            stage.tap_card(name)
            return
    raise LookupError("every demo card holder has voted")


def _chip(chips_id: str, value: object) -> Move:
    return lambda stage: stage.tap(stage.widget(chips_id).chip_for(value))


def _mention(grade: int) -> Move:
    return lambda stage: stage.tap(stage.shell.current.mention_buttons()[grade])


def _last_voter_again(stage: Stage) -> None:
    services = stage.ctx.services
    election_id = _id(stage, DEMO_OPEN)
    voted = [
        n
        for n in VOTERS
        if str(services.elections.voter_status(election_id, stage.member_id(n))) != "can_vote"
    ]
    stage.tap_card(voted[-1])


def _hub_booth(stage: Stage) -> None:
    admin()(stage)
    go("ballot_booth", election_id=_id(stage, HUB_VOTE))(stage)


def _hub_unreachable(stage: Stage) -> None:
    """The kiosk knows its hub, which does not answer (UiContext's own answer: « unavailable »)."""
    known = stage.ctx.hub_url
    stage.ctx.hub_url = lambda: HUB_URL
    try:
        stage.shell.current.refresh_language()
        stage.tap_card("Karim")
    finally:
        stage.ctx.hub_url = known


def _counted_result(stage: Stage) -> None:
    known = stage.ctx.hub_url
    stage.ctx.hub_url = lambda: HUB_URL  # the QR of the hub's public page of the result
    try:
        go("election_result", election_id=_id(stage, DEMO_PAST))(stage)
    finally:
        stage.ctx.hub_url = known


ELECTION_SCENES: list[Walk] = [
    scene("admin_elections", steps(_elections, admin(), go("admin_elections")), "admin_elections"),
    walk(
        "admin_elections",
        [
            (
                "admin_elections-title",
                steps(
                    admin(),
                    go("admin_elections"),
                    tap("announce_button"),
                    type_on("title_keyboard", "Médiation du quartier"),
                ),
            ),
            ("admin_elections-theme", steps(tap("title_next"), chip("theme_chips", "entraide"))),
            ("admin_elections-setup", steps(tap("theme_next"), tap("mode_hub"))),
            ("admin_elections-dates", steps(tap("setup_next"), _chip("length_chips", 3))),
            ("admin_elections-summary", tap("dates_next")),
        ],
    ),
    scene(
        "admin_elections-detail",
        steps(_elections, admin(), go("admin_elections"), open_row(DEMO_OPEN)),
        "admin_elections",
    ),
    walk(
        "admin_elections",
        [
            (
                "admin_elections-close",
                steps(
                    _elections,
                    admin(),
                    go("admin_elections"),
                    open_row(SMALL_VOTE, False),
                    tap("close_button"),
                ),
            ),
            ("election_result-not-counted", tap("close_for_good_button")),
        ],
    ),
    walk(
        "ballot_booth",
        [
            ("ballot_booth", steps(_elections, _booth(DEMO_OPEN))),
            ("ballot_booth-verdict", _next_voter),
            ("ballot_booth-grade", steps(tap("start_button"), _mention(5))),
            ("ballot_booth-grade-blank", tap("next_button")),
            ("ballot_booth-review", steps(tap("next_button"), _mention(2), tap("next_button"))),
            ("ballot_booth-voted", tap("vote_button")),
            ("ballot_booth-already-voted", steps(tap("voted_done"), _last_voter_again)),
        ],
    ),
    walk(
        "ballot_booth",
        [
            ("ballot_booth-no-hub", steps(_elections, _hub_booth)),
            ("ballot_booth-hub-unreachable", _hub_unreachable),
        ],
    ),
    walk(
        "election_candidacy",
        [
            ("election_candidacy", steps(_elections, card("Karim"), go("election_candidacy"))),
            ("election_candidacy-detail", lambda stage: stage.tap(stage.shell.current.choice_rows()[0])),
            (
                "election_candidacy-statement",
                steps(tap("stand_button"), type_on("statement_keyboard", "Je connais le quartier")),
            ),
        ],
    ),
    scene(
        "election_candidacy-candidate",
        steps(
            _elections,
            card("Yvette"),
            lambda stage: go("election_candidacy", election_id=_id(stage, CANDIDACY))(stage),
        ),
        "election_candidacy",
    ),
    scene("election_result", steps(_elections, _counted_result), "election_result"),
]


def election_scenes() -> list[Walk]:
    return list(ELECTION_SCENES)
