"""ChoiceChips in a real Kivy window (Xvfb, 800×480): one or several choices, by touch."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from PIL import Image

from screens import style
from tests.ui.conftest import WINDOW_SIZE, render, save_screenshot
from tests.ui.driver import tap

Show = Callable[[Any], Image.Image]

THEMES = [
    ("velo", "Vélo"),
    ("cuisine", "Cuisine"),
    ("numerique", "Smartphone et ordinateur"),
    ("jardin", "Jardinage"),
    ("langues", "Français et autres langues"),
    ("papiers", "Papiers"),
]


@pytest.fixture(autouse=True)
def fonts(kivy_window: Any) -> None:
    style.register_fonts()


def chips_on_screen(**kwargs: Any) -> tuple[Any, list[Any]]:
    from kivy.uix.boxlayout import BoxLayout

    from screens.widgets.chips import ChoiceChips

    root = BoxLayout(orientation="vertical", padding=16, size=WINDOW_SIZE, size_hint=(None, None))
    chips = ChoiceChips(choices=THEMES, **kwargs)
    root.add_widget(chips)
    chosen: list[Any] = []
    chips.bind(on_choice=lambda _chips, value: chosen.append(value))
    return root, chosen


def test_single_choice_follows_the_last_tap(show: Show) -> None:
    root, chosen = chips_on_screen()
    chips = root.children[0]
    show(root)
    tap(chips.chip_for("cuisine"))
    assert chips.selected == ["cuisine"]
    tap(chips.chip_for("jardin"))
    assert chips.selected == ["jardin"]
    tap(chips.chip_for("jardin"))  # tapping the chosen one again keeps it chosen
    assert chips.selected == ["jardin"]
    assert chosen == ["cuisine", "jardin", "jardin"]
    # the choice shows by colour and by a check mark, not by colour alone
    assert chips.chip_for("jardin").kind == "primary" and chips.chip_for("jardin").icon == "check"
    assert chips.chip_for("cuisine").kind == "quiet" and chips.chip_for("cuisine").icon == "circle"


def test_single_choice_can_be_undone_when_allowed(show: Show) -> None:
    root, _chosen = chips_on_screen(allow_none=True, selected=["velo"])
    chips = root.children[0]
    show(root)
    assert chips.chip_for("velo").kind == "primary"
    tap(chips.chip_for("velo"))
    assert chips.selected == []


def test_multiple_choices_add_and_remove_by_touch(show: Show) -> None:
    root, chosen = chips_on_screen(multiple=True)
    chips = root.children[0]
    show(root)
    places = [(chip.x, chip.y, chip.width) for chip in chips.chips()]
    tap(chips.chip_for("velo"))
    tap(chips.chip_for("langues"))
    tap(chips.chip_for("papiers"))
    render(root.get_root_window())
    assert [(chip.x, chip.y, chip.width) for chip in chips.chips()] == places  # nothing moved
    assert chips.selected == ["velo", "langues", "papiers"]
    tap(chips.chip_for("langues"))
    assert chips.selected == ["velo", "papiers"]
    assert chosen == ["velo", "langues", "papiers", "langues"]
    save_screenshot(render(root.get_root_window()), "widget-chips-800x480.png")


def test_chips_are_big_enough_wrap_onto_new_rows_and_fit_their_text(show: Show) -> None:
    from screens.widgets.fit import clipped_labels, describe

    root, _chosen = chips_on_screen(selected=["numerique"])
    chips = root.children[0]
    show(root)
    rows = {round(chip.y) for chip in chips.chips()}
    assert len(rows) >= 2  # six themes do not fit one 768 px row: the stack wraps
    for chip in chips.chips():
        assert chip.width >= 64 and chip.height >= 64, (chip.text, chip.size)
        assert chip.right <= chips.right + 1, chip.text
    clipped = clipped_labels(root)
    assert not clipped, describe(clipped)


def test_new_choices_rebuild_the_chips_and_keep_what_is_still_offered(show: Show) -> None:
    root, _chosen = chips_on_screen(selected=["cuisine"])
    chips = root.children[0]
    show(root)
    chips.choices = [("cuisine", "Cooking"), ("velo", "Bike")]
    assert [chip.text for chip in chips.chips()] == ["Cooking", "Bike"]
    assert chips.chip_for("cuisine").kind == "primary"
    tap(chips.chip_for("velo"))
    assert chips.selected == ["velo"]


def test_a_label_longer_than_the_row_wraps_inside_its_chip(show: Show) -> None:
    from kivy.uix.boxlayout import BoxLayout

    from screens.widgets.chips import ChoiceChips
    from screens.widgets.fit import clipped_labels, describe

    root = BoxLayout(orientation="vertical", size=(300, 400), size_hint=(None, None), pos=(250, 40))
    chips = ChoiceChips(choices=[("long", "Aide aux démarches administratives en ligne"), ("court", "Vélo")])
    root.add_widget(chips)
    show(root)
    long, short = chips.chips()
    assert long.width <= 300 and long.height > style.TOUCH_MIN  # two lines, inside the row
    assert short.height == style.TOUCH_MIN
    clipped = clipped_labels(root)
    assert not clipped, describe(clipped)
