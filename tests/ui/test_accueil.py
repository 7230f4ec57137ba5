"""Accueil in the real 800×480 window, on demo data: at rest, woken by a touch, its counts and rotating
cards, the FR/EN button, back to rest after inactivity, and member home made ahead while it rests."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from tests.ui.conftest import render, save_screenshot
from tests.ui.driver import (
    demo_context,
    find,
    find_all,
    is_shown,
    shell_rig,
    stub_routes,
    tap,
    wait_frames,
    wait_until,
)


def test_at_rest_a_touch_anywhere_shows_the_choices_which_open_board_and_signup(
    kivy_window: Any, tmp_path: Path
) -> None:
    with demo_context(tmp_path) as ctx, shell_rig(kivy_window, ctx) as rig:
        shell = rig.shell
        stub_routes(shell, "board", "signup")
        accueil = shell.current
        board_button = find(shell, widget_id="board_button", shown_only=False)
        assert accueil.at_rest and not shell.engaged
        assert find(shell, widget_id="call").text == "Touchez l’écran ou passez votre carte"
        assert not is_shown(board_button)

        tap(find(shell, widget_id="numbers"))  # anywhere: here, the counts
        assert not accueil.at_rest and shell.engaged
        assert is_shown(board_button) and find_all(shell, text="Touchez l’écran ou passez votre carte") == []
        save_screenshot(render(kivy_window), "accueil-engaged-test.png")

        tap(board_button)
        assert shell.manager.current == "board"
        assert shell.current.params == {}
        tap(find(shell, text="Retour"))
        assert shell.manager.current == "accueil" and not accueil.at_rest  # as it was left

        tap(find(shell, widget_id="signup_button"))
        assert shell.manager.current == "signup"


def test_a_touch_where_a_hidden_button_lies_does_not_press_it(kivy_window: Any, tmp_path: Path) -> None:
    with demo_context(tmp_path) as ctx, shell_rig(kivy_window, ctx) as rig:
        stub_routes(rig.shell, "board")
        board_button = find(rig.shell, widget_id="board_button", shown_only=False)
        x, y = board_button.to_window(*board_button.center)
        from tests.ui.driver import tap_at

        tap_at(x, y)
        assert rig.shell.manager.current == "accueil"
        assert not rig.shell.current.at_rest  # the touch woke it instead


def test_the_counts_are_the_collectives_and_the_cards_rotate_calmly(
    kivy_window: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from screens import accueil

    monkeypatch.setattr(accueil, "ROTATE_SECONDS", 0.3)
    with demo_context(tmp_path) as ctx, shell_rig(kivy_window, ctx) as rig:
        stats = ctx.services.stats.overview()
        counts = find(rig.shell, widget_id="counts").text
        assert counts.splitlines()[0] == f"{stats.exchanges_this_month} échanges ce mois-ci dans le quartier"
        assert f"{stats.active_offers} savoirs proposés, {stats.active_requests} recherchés" in counts
        assert f"{stats.upcoming_workshops} ateliers à venir" in counts

        seen: set[tuple[str, str]] = set()
        screen = rig.shell.current

        def collect() -> bool:
            seen.add((find(rig.shell, widget_id="badge").text, screen.card_title))
            return {badge for badge, _ in seen} >= {"Je propose", "Je cherche", "Atelier"}

        wait_until(collect, timeout=15)
        titles = {title for _, title in seen}
        offers = {x.title for x in ctx.services.listings.search(limit=50)}
        workshops = {w.title for w in ctx.services.workshops.upcoming(10)}
        assert titles <= offers | workshops and len(titles) >= 3
        # nobody's pseudonym on the attract screen: it is what everyone passing by sees
        pseudonyms = {m.pseudonym for m in ctx.services.members.find("", limit=100)}
        assert not any(name in find(rig.shell, widget_id="card_detail").text for name in pseudonyms)


def test_the_language_button_switches_every_text_at_once_by_touch(kivy_window: Any, tmp_path: Path) -> None:
    with demo_context(tmp_path) as ctx, shell_rig(kivy_window, ctx) as rig:
        shell = rig.shell
        button = find(shell, widget_id="language_button")
        assert button.text == "English"
        tap(button)  # this touch also wakes Accueil: its choices show, in English
        assert find(shell, widget_id="card_hint").text == "A member? Tap your card on the reader."
        assert find(shell, widget_id="numbers_title").text == "This month around here"
        assert "exchanges this month in the neighbourhood" in find(shell, widget_id="counts").text
        assert find(shell, widget_id="board_button", shown_only=False).text == "See the knowledge board"
        assert button.text == "Français"
        save_screenshot(render(kivy_window), "accueil-en-test.png")
        shell.current.at_rest = True
        wait_frames(1)
        assert find(shell, widget_id="call").text == "Touch the screen or tap your card"
        tap(button)
        assert find(shell, widget_id="card_hint").text == "Membre ? Passez votre carte sur le lecteur."
        assert find(shell, widget_id="board_button").text == "Voir les savoirs"
        assert button.text == "English"


def test_inactivity_brings_a_woken_accueil_back_to_rest(kivy_window: Any, tmp_path: Path) -> None:
    with demo_context(tmp_path, inactivity_seconds=1) as ctx, shell_rig(kivy_window, ctx) as rig:
        rig.shell.countdown_seconds = 1
        tap(find(rig.shell, widget_id="card"))
        assert not rig.shell.current.at_rest
        wait_until(lambda: rig.shell.counting_down, timeout=5)
        wait_until(lambda: rig.shell.current.at_rest and not rig.shell.counting_down, timeout=5)
        assert find(rig.shell, widget_id="call").text == "Touchez l’écran ou passez votre carte"


@pytest.mark.parametrize("language", ["fr", "en"])
def test_nothing_is_clipped_at_800x480_on_any_card_at_rest_or_woken(
    kivy_window: Any, tmp_path: Path, language: str
) -> None:
    from screens.widgets.fit import clipped_labels, describe
    from tests.ui.driver import crowded, describe_crowded

    with demo_context(tmp_path) as ctx, shell_rig(kivy_window, ctx) as rig:
        shell = rig.shell
        shell.switch_language(language)
        screen = shell.current
        for woken in (False, True):
            screen.at_rest = not woken
            for _ in range(len(screen._items)):
                screen.next_card()
                wait_frames(2)
                clipped = clipped_labels(shell)
                assert clipped == [], describe(clipped)
                assert crowded(shell) == [], describe_crowded(crowded(shell))
        # with every banner up, the screen has less room: still nothing clipped
        rig.reader.unplug()
        shell.sync_status("offline", 3)
        shell.printer_status("offline")
        rig.drain(frames=3)
        clipped = clipped_labels(shell)
        assert clipped == [], describe(clipped)
        assert crowded(shell) == [], describe_crowded(crowded(shell))
        save_screenshot(render(kivy_window), f"accueil-banners-{language}-test.png")


def test_once_accueil_is_on_screen_member_home_is_made_ahead(kivy_window: Any, tmp_path: Path) -> None:
    """The first card of the day must not wait for member home to be made (its kv rules, its rows):
    the shell holds it, unseen, a moment after Accueil has shown, and the card opens that one."""
    with demo_context(tmp_path) as ctx, shell_rig(kivy_window, ctx) as rig:
        shell = rig.shell
        assert not shell.manager.has_screen("member_home")
        wait_until(lambda: shell.manager.has_screen("member_home"), timeout=5)
        assert shell.manager.current == "accueil" and shell.current.at_rest
        made_ahead = shell.manager.get_screen("member_home")
        rig.tap_demo_card("Karim")
        assert shell.current is made_ahead
        assert find(shell, widget_id="greeting").text == "Bonjour Karim"


def test_a_screen_that_cannot_be_made_ahead_leaves_accueil_calm(kivy_window: Any, tmp_path: Path) -> None:
    from screens import accueil

    with demo_context(tmp_path) as ctx, shell_rig(kivy_window, ctx) as rig:
        del rig.shell.routes["member_home"]  # as if its module were missing
        deadline = time.monotonic() + accueil.WARM_UP_SECONDS + 0.5
        while time.monotonic() < deadline:
            wait_frames(1)
        assert not rig.shell.manager.has_screen("member_home")
        assert rig.shell.manager.current == "accueil" and rig.shell.overlays.message is None
