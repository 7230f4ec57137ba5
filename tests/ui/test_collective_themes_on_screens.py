"""A collective's own theme (issue 4) on the screens, in the real 800×480 window on a demo store.

The theme reaches the store the way a pull brings it: a `theme.added` event applied by the sync engine's
own `apply_remote` (kiosk/projections_themes.py projects it into the `themes` table). Each test shows the
screen first, then pulls the theme, then comes back to the screen: a pull happens while the app runs, and
the screens made before it must show the theme once shown again — offered by the record wizard, named on
the printed receipt, on the board and on Accueil's rotating cards.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hardware.receipts import Slip, text_lines
from kiosk.domain import ListingKind
from tests.ui.conftest import render, save_screenshot
from tests.ui.driver import (
    ShellRig,
    bring_into_view,
    demo_context,
    find,
    find_all,
    shell_rig,
    tap,
    wait_frames,
)
from tests.unit.test_catalogue_from_store import pull_theme


def open_wizard(rig: ShellRig, pseudonym: str) -> Any:
    """The member's card, then the wizard as member home's button opens it; « J’ai appris », « Autre
    thème »: the step offering the top themes."""
    rig.tap_demo_card(pseudonym)
    rig.shell.go("record")
    wait_frames(2)
    wizard = rig.shell.manager.current_screen
    tap(wizard.ids.steps.current_screen.ids.learned)
    tap(wizard.ids.steps.current_screen.ids.other_theme)
    return wizard


def offered(wizard: Any, chips_id: str) -> dict[str, str]:
    return dict(wizard.ids.steps.current_screen.ids[chips_id].choices)


def chip(wizard: Any, chips_id: str, value: str) -> Any:
    """The chip of `value`, scrolled into sight as a person's swipe would (the last themes are below)."""
    found = wizard.ids.steps.current_screen.ids[chips_id].chip_for(value)
    bring_into_view(found)
    return found


def test_a_pulled_theme_is_offered_by_the_record_wizard_and_named_on_the_receipt(
    kivy_window: Any, tmp_path: Path
) -> None:
    slips: list[Slip] = []

    def print_slip(slip: Slip) -> str:
        slips.append(slip)
        return f"job-{len(slips)}"

    with demo_context(tmp_path, print_slip=print_slip) as ctx, shell_rig(kivy_window, ctx) as rig:
        shell = rig.shell
        wizard = open_wizard(rig, "Karim")
        assert "tricot" not in offered(wizard, "themes")
        shell.home()  # member home: the session goes on, and the shell keeps the wizard's screen

        # Pulled while the wizard's screen exists: a top theme with a sub-theme, and a sub-theme of a
        # shipped theme (after the shipped ones of its parent).
        pull_theme(ctx.services, 1, "tricot", "Tricot")
        pull_theme(ctx.services, 2, "tricot.chaussettes", "Chaussettes", "tricot")
        pull_theme(ctx.services, 3, "jardinage.lombricompost", "Lombricompost", "jardinage")

        assert open_wizard(rig, "Karim") is wizard
        themes = offered(wizard, "themes")
        assert themes["tricot"] == "Tricot" and list(themes)[-1] == "tricot"  # after the shipped themes
        tricot = chip(wizard, "themes", "tricot")
        save_screenshot(render(kivy_window), "record-2-theme-collective-fr-800x480.png")
        tap(tricot)
        assert offered(wizard, "subthemes") == {
            "tricot.chaussettes": "Chaussettes",
            "tricot": "Autre chose en « Tricot »",
        }
        tap(chip(wizard, "subthemes", "tricot.chaussettes"))
        tap(wizard.ids.steps.current_screen.ids.next_button)  # the title: the theme's name
        rig.tap_demo_card("Inès")
        tap(find(shell, text="1 h"))
        tap(find(shell, text="Enregistrer"))
        assert shell.manager.current == "receipt"
        exchange = shell.current._exchange
        assert (exchange.theme_id, exchange.title) == ("tricot.chaussettes", "Chaussettes")

        tap(find(shell, text="Imprimer"))
        (slip,) = slips
        lines = text_lines(slip, 42)
        assert lines[lines.index("Chaussettes") + 1] == "Chaussettes"  # the title, then the theme's label

        # and the wizard lists the sub-theme of the shipped parent with that parent's own
        shell.home()
        open_wizard(rig, "Karim")
        tap(chip(wizard, "themes", "jardinage"))
        subthemes = list(offered(wizard, "subthemes"))
        assert subthemes[-2:] == ["jardinage.lombricompost", "jardinage"]  # before « Autre chose »


def test_a_pulled_theme_names_its_listings_on_the_board_and_on_accueil(
    kivy_window: Any, tmp_path: Path
) -> None:
    with demo_context(tmp_path) as ctx, shell_rig(kivy_window, ctx) as rig:
        shell, services = rig.shell, ctx.services
        board = shell.screen("board")
        shell.go("board")
        wait_frames()
        shell.go("accueil")  # Accueil was shown at start already; the board exists too now

        pull_theme(services, 1, "tricot", "Tricot")
        karim = next(m for m in services.members.find("Karim") if m.pseudonym == "Karim")
        listing = services.listings.publish(karim.id, ListingKind.OFFER, "tricot", "Pulls en laine")

        shell.go("board")
        wait_frames()
        for _ in range(len(services.themes.catalogue().themes)):  # the busiest first: one listing comes last
            buttons = [b for b in board.ids.themes.children if b.theme_id == "tricot"]
            if buttons or board.ids.next_button.disabled:
                break
            tap(board.ids.next_button)
        (button,) = buttons
        assert button.text.startswith("[b]Tricot[/b]")
        tap(button)
        (card,) = [c for c in board.ids.cards.children if c.listing_id == listing.id]
        assert card.details.startswith("Tricot · Karim")
        assert board.status_title == "Tricot"
        save_screenshot(render(kivy_window), "board-theme-collective-fr-800x480.png")

        shell.go("accueil")
        accueil = shell.current
        for _ in range(len(accueil._items)):
            if accueil.card_title == listing.title:
                break
            accueil.next_card()
        assert (accueil.card_title, accueil.card_theme) == ("Pulls en laine", "Tricot")
        assert find_all(shell, text="Tricot")


def test_a_pulled_theme_is_offered_when_publishing_a_listing(kivy_window: Any, tmp_path: Path) -> None:
    """The listing wizard keeps its own `ThemeLabels()`: it follows the themes the shell reads again at every
    screen it opens (screens/theme_catalogue.py)."""
    with demo_context(tmp_path) as ctx, shell_rig(kivy_window, ctx) as rig:
        shell = rig.shell
        rig.tap_demo_card("Karim")
        shell.go("listing_new", kind="offer")
        wizard = shell.current
        assert "tricot" not in dict(wizard.top_theme_choices)
        shell.home()

        pull_theme(ctx.services, 1, "tricot", "Tricot")
        pull_theme(ctx.services, 2, "tricot.chaussettes", "Chaussettes", "tricot")
        shell.go("listing_new", kind="offer")
        assert shell.current is wizard
        assert dict(wizard.top_theme_choices)["tricot"] == "Tricot"
        tap(wizard.ids.theme_grid.button_for("tricot"))
        assert dict(wizard.sub_theme_choices)["tricot.chaussettes"] == "Chaussettes"
