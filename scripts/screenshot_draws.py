"""The sortition screens' scenes for `make screenshots`: « Tirages et élections », volunteering (consent,
answers, ticket), a draw's public page (announced, drawn, with the member's own ticket) and the
librarian's draws (the announcement form, a list refused for its quotas, a frozen list, the randomness
typed). scripts/screenshots.py plays `DRAW_SCENES` like its other lists; each walk is skipped while its
route is not in screens/routes.py.

The draws behind the scenes are made once per store by `_draws` (the scenes run twice, French then
English, on the same store), beside the demo's own (kiosk/demo_governance.py) and with titles of their
own: one open for volunteers, one already drawn with quotas (so its page shows each volunteer's chance),
one past its cut-off to freeze, one whose quotas no panel can meet. Past draws are made with the demo
clock moved back for a moment, as if announced weeks ago. Beyond `_draws` no walk announces or performs
a draw, and a volunteer withdraws at the end of their walk: the second language photographs the same
states.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from screenshot_scenes import (
    Move,
    Stage,
    Walk,
    card,
    chip,
    go,
    scene,
    steps,
    tap,
    type_on,
    walk,
    with_printer,
)

LIBRARIAN = "Sandrine"
OPEN = "Représentant·e numérique"
DRAWN = "Représentant·e cuisine"
TO_FREEZE = "Représentant·e langues"
INFEASIBLE = "Représentant·e couture"
DICE = "trois dés lancés en public à la réunion du 10 décembre"

# Who volunteered for the drawn one, and what they answered (with consent; Mamadou without).
DRAWN_POOL: dict[str, dict[str, str] | None] = {
    "Yvette": {"gender": "femme", "age_band": "60_et_plus"},
    "Karim": {"gender": "homme", "age_band": "30_a_59"},
    "Inès": {"gender": "femme", "age_band": "moins_de_30"},
    "Nguyen": {"gender": "homme", "age_band": "60_et_plus"},
    "Fatoumata": {"gender": "femme", "age_band": "30_a_59"},
    "Mamadou": None,
}


def _draw_id(stage: Stage, title: str) -> str | None:
    return next((d.id for d in stage.ctx.services.draws.recent_draws() if d.title == title), None)


def _in_the_past(
    stage: Stage, days: int, title: str, theme_id: str, pool: dict[str, Any], seats: int = 1, **more: Any
) -> str:
    """A draw announced `days` ago whose cut-off passed yesterday, with `pool` volunteering meanwhile."""
    clock, draws = stage.ctx.clock, stage.ctx.services.draws
    now = clock.current
    clock.current = now - timedelta(days=days)
    try:
        draw = draws.announce(
            stage.member_id(LIBRARIAN), theme_id, title, seats, now - timedelta(days=1), DICE, **more
        )
        for pseudonym, answers in pool.items():
            draws.volunteer(draw.id, stage.member_id(pseudonym), answers)
    finally:
        clock.current = now
    return str(draw.id)


def _draws(stage: Stage) -> None:
    """The draws the scenes show, made once (see the module's docstring)."""
    from kiosk.governance.sortition import Quota

    draws, librarian = stage.ctx.services.draws, stage.member_id(LIBRARIAN)
    now = stage.ctx.clock.current
    if _draw_id(stage, OPEN) is None:
        draw = draws.announce(
            librarian,
            "numerique",
            OPEN,
            1,
            now + timedelta(days=14),
            DICE,
            quotas=[Quota("gender", "femme", 1)],
            attributes_asked=["age_band", "gender", "quartier"],
        )
        for pseudonym in ("Yvette", "Inès", "Nguyen"):
            draws.volunteer(draw.id, stage.member_id(pseudonym), None)
    if _draw_id(stage, DRAWN) is None:
        quotas = [Quota("gender", "femme", 1), Quota("age_band", "60_et_plus", 1)]
        draw_id = _in_the_past(
            stage, 21, DRAWN, "cuisine", DRAWN_POOL, 2, quotas=quotas, attributes_asked=["gender", "age_band"]
        )
        draws.freeze(librarian, draw_id)
        draws.perform(librarian, draw_id, "4 2 6")
    if _draw_id(stage, TO_FREEZE) is None:
        _in_the_past(stage, 14, TO_FREEZE, "langues", dict.fromkeys(("Karim", "Inès", "Fatoumata"), None))
    if _draw_id(stage, INFEASIBLE) is None:
        men = {name: {"gender": "homme"} for name in ("Karim", "Nguyen", "Mamadou")}
        quotas = [Quota("gender", "femme", 1)]
        _in_the_past(stage, 14, INFEASIBLE, "couture", men, quotas=quotas, attributes_asked=["gender"])


def _not_paired(stage: Stage) -> None:
    stage.ctx.hub_url = lambda: None


def _paired(stage: Stage) -> None:
    stage.ctx.hub_url = lambda: "https://hub.collectifs.example"


def admin(pseudonym: str = LIBRARIAN) -> Move:
    def play(stage: Stage) -> None:
        stage.tap_card(pseudonym)
        stage.shell.session.admin = True  # as the PIN screen marks it (its own walk shows the pad)

    return play


def open_draw_page(title: str, route: str = "draw_result") -> Move:
    def play(stage: Stage) -> None:
        stage.shell.go(route, draw_id=_draw_id(stage, title))
        stage.frames()

    return play


def open_row(title: str) -> Move:
    """A draw's row in the librarian's list."""
    return lambda stage: stage.tap(next(row for row in stage.shell.current.rows() if row.title == title))


def act_if(action: str) -> Move:
    """The opened draw's action button, when it is that action (the English run finds it done already)."""

    def play(stage: Stage) -> None:
        if stage.shell.current.action == action:
            stage.tap(stage.widget("action_button"))

    return play


def scroll_to_section(section: str) -> Move:
    """What a swipe does on « Tirages et élections »: the first card of `section` into view."""

    def play(stage: Stage) -> None:
        screen = stage.shell.current
        first = next(c for c in screen.cards() if c.section == section)
        screen.ids.scroll.scroll_to(first, padding=60, animate=False)
        stage.frames()

    return play


def scroll_to_chart(stage: Stage) -> None:
    """A swipe down the result page, to each volunteer's chance."""
    screen = stage.shell.current
    screen.ids.result_scroll.scroll_to(screen.ids.chances_chart, padding=10, animate=False)
    stage.frames()


def in_weeks(weeks: int) -> Move:
    """The cut-off chip « 1 semaine » (its value is a number of weeks)."""
    return lambda stage: stage.tap(stage.widget("week_chips").chip_for(weeks))


def dismiss(stage: Stage) -> None:
    """A touch beside the calm message takes it away, as a person does."""
    if stage.shell.overlays.message is not None:
        stage.shell.overlays.dismiss_all()
        stage.frames()


DRAW_SCENES: list[Walk] = [
    walk(
        "civic",
        [
            ("civic", steps(_draws, card("Karim"), go("civic"))),
            ("civic-elections", scroll_to_section("elections")),
            ("civic-results", scroll_to_section("results")),
            ("civic-volunteered", steps(_draws, card("Yvette"), go("civic"))),
        ],
    ),
    scene("civic-passer-by", steps(_draws, go("civic")), "civic"),
    walk(
        "draw_volunteer",
        [
            (
                "draw_volunteer",
                steps(_draws, with_printer, card("Karim"), open_draw_page(OPEN, "draw_volunteer")),
            ),
            ("draw_volunteer-consent", tap("volunteer_button")),
            (
                "draw_volunteer-attributes",
                steps(tap("consent_button"), chip("age_chips", "30_a_59"), chip("gender_chips", "")),
            ),
            ("draw_volunteer-ticket", steps(tap("confirm_button"), dismiss)),
            ("draw_volunteer-withdrawn", tap("withdraw_button")),  # and the store is as it was
        ],
    ),
    scene("draw_result-announced", steps(_draws, open_draw_page(OPEN)), "draw_result"),
    scene("draw_result", steps(_draws, _not_paired, open_draw_page(DRAWN)), "draw_result"),
    walk(
        "draw_result",
        [
            ("draw_result-mine", steps(_draws, _paired, card("Yvette"), open_draw_page(DRAWN))),
            ("draw_result-chances", scroll_to_chart),
        ],
    ),
    walk(
        "admin_draws",
        [
            ("admin_draws", steps(_draws, admin(), go("admin_draws"))),
            ("admin_draws-theme", steps(tap("new_button"), chip("theme_chips", "jardinage"))),
            ("admin_draws-title", tap("theme_next")),
            (
                "admin_draws-when",
                steps(tap("title_next"), in_weeks(1), chip("hour_chips", "18:00")),
            ),
            ("admin_draws-randomness", steps(tap("when_next"), chip("suggestion_chips", "dice"))),
            ("admin_draws-source", chip("suggestion_chips", "__typed__")),
            (
                "admin_draws-quotas",
                steps(
                    tap("source_ok", "randomness_next"),
                    chip("attribute_chips", "gender"),
                    chip("attribute_chips", "age_band"),
                    chip("quota_chips", "gender=femme"),
                ),
            ),
        ],
    ),
    walk(
        "admin_draws",
        [
            ("admin_draws-closed", steps(_draws, admin(), go("admin_draws"), open_row(INFEASIBLE))),
            ("admin_draws-infeasible", steps(act_if("freeze"), dismiss)),
        ],
    ),
    walk(
        "admin_draws",
        [
            (
                "admin_draws-frozen",
                steps(_draws, admin(), go("admin_draws"), open_row(TO_FREEZE), act_if("freeze"), dismiss),
            ),
            ("admin_draws-entry", steps(act_if("enter"), type_on("entry_keyboard", "3 5 2"))),
        ],
    ),
]


def draw_scenes() -> list[Walk]:
    return list(DRAW_SCENES)
