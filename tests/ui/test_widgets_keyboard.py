"""The on-screen keyboard in a real Kivy window (Xvfb, 800×480), driven by touches on its keys."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PIL import Image

from screens import style
from tests.ui.conftest import WINDOW_SIZE, render, save_screenshot
from tests.ui.driver import tap

Show = Callable[[Any], Image.Image]


@pytest.fixture(autouse=True)
def fonts(kivy_window: Any) -> None:
    from screens import style

    style.register_fonts()


@pytest.fixture
def french() -> Iterator[None]:
    from screens.tr import tr

    tr.switch("fr")
    yield
    tr.switch("fr")


def key(keyboard: Any, label: str) -> Any:
    """The key on show whose label is `label` (shift and backspace by their action)."""
    for button in keyboard.visible_keys():
        if button.text == label or (not button.text and button.spec.action == label):
            return button
    shown = [b.text or b.spec.action for b in keyboard.visible_keys()]
    raise AssertionError(f"no key {label!r} on the {keyboard.page} page: {shown}")


def typing_screen() -> tuple[Any, Any, Any]:
    from kivy.uix.boxlayout import BoxLayout
    from kivy.uix.widget import Widget

    from screens.widgets.keyboard import OnScreenKeyboard, TextField

    root = BoxLayout(orientation="vertical", size=WINDOW_SIZE, size_hint=(None, None))
    field = TextField(hint_text="Votre pseudonyme")
    keyboard = OnScreenKeyboard(target=field)
    root.add_widget(field)
    root.add_widget(Widget())
    root.add_widget(keyboard)
    return root, field, keyboard


def test_typing_a_name_with_a_capital_accent_a_space_and_digits(show: Show, french: None) -> None:
    root, field, keyboard = typing_screen()
    show(root)
    assert keyboard.layout == "azerty"
    assert field.focus  # the cursor shows where letters go

    tap(key(keyboard, "éàç"))
    tap(key(keyboard, "shift"))
    assert keyboard.shift
    tap(key(keyboard, "É"))
    assert keyboard.page == "letters"  # one accent, then the letters come back
    assert not keyboard.shift  # shift is one-shot
    for letter in "lodie":
        tap(key(keyboard, letter))
    tap(key(keyboard, "espace"))
    tap(key(keyboard, "123"))
    tap(key(keyboard, "0"))
    tap(key(keyboard, "6"))
    assert field.text == "Élodie 06"
    assert keyboard.page == "digits"  # digits stay: a phone number is many of them

    frame = render(root.get_root_window())
    save_screenshot(frame, "widget-keyboard-digits-800x480.png")


def test_typing_goes_where_the_cursor_is_and_backspace_removes_the_letter_before_it(
    show: Show, french: None
) -> None:
    root, field, keyboard = typing_screen()
    field.text = "Karm"
    show(root)
    field.cursor = (3, 0)  # between "r" and "m"
    tap(key(keyboard, "i"))
    assert field.text == "Karim"
    tap(key(keyboard, "backspace"))
    tap(key(keyboard, "backspace"))
    assert field.text == "Kam"
    assert field.cursor == (2, 0)


def test_shift_capitalises_the_labels_and_one_letter_then_a_second_tap_cancels_it(
    show: Show, french: None
) -> None:
    root, field, keyboard = typing_screen()
    show(root)
    tap(key(keyboard, "shift"))
    assert key(keyboard, "A").spec.value == "a"  # labels follow shift
    tap(key(keyboard, "A"))
    tap(key(keyboard, "b"))
    tap(key(keyboard, "shift"))
    tap(key(keyboard, "shift"))  # changed my mind
    tap(key(keyboard, "c"))
    assert field.text == "Abc"


def test_ok_fires_on_enter_and_max_chars_stops_typing(show: Show, french: None) -> None:
    root, field, keyboard = typing_screen()
    field.max_chars = 3
    entered: list[str] = []
    keyboard.bind(on_enter=lambda _kb: entered.append(field.text))
    show(root)
    for letter in "abcd":
        tap(key(keyboard, letter))
    assert field.text == "abc"
    tap(key(keyboard, "OK"))
    assert entered == ["abc"]


def test_a_key_released_away_from_it_types_nothing(show: Show, french: None) -> None:
    from kivy.base import EventLoop
    from kivy.tests.common import UnitTestTouch

    root, field, keyboard = typing_screen()
    show(root)
    button = key(keyboard, "a")
    x, y = button.to_window(*button.center)
    touch = UnitTestTouch(x, y)
    touch.touch_down()
    EventLoop.idle()
    touch.touch_move(x, y + 200)  # the finger slides up, off the keyboard
    EventLoop.idle()
    touch.touch_up()
    EventLoop.idle()
    assert field.text == ""


def test_english_switches_to_qwerty_and_back(show: Show, french: None) -> None:
    from screens.tr import tr

    root, field, keyboard = typing_screen()
    show(root)
    assert "".join(b.text for b in keyboard.visible_keys())[:10] == "azertyuiop"

    tr.switch("en")
    render(root.get_root_window())
    assert keyboard.layout == "qwerty"
    assert "".join(b.text for b in keyboard.visible_keys())[:10] == "qwertyuiop"
    assert key(keyboard, "space")  # the space bar speaks English too
    for letter in "why":
        tap(key(keyboard, letter))
    assert field.text == "why"
    save_screenshot(render(root.get_root_window()), "widget-keyboard-qwerty-800x480.png")

    tr.switch("fr")
    assert keyboard.layout == "azerty"
    assert key(keyboard, "espace")


@pytest.mark.parametrize("page", ["letters", "accents", "digits"])
@pytest.mark.parametrize("layout", ["azerty", "qwerty"])
def test_every_key_is_at_least_64_px_both_ways_and_inside_the_window(
    show: Show, french: None, layout: str, page: str
) -> None:
    from screens.widgets.fit import clipped_labels, describe

    root, _field, keyboard = typing_screen()
    keyboard.layout = layout
    keyboard.page = page
    frame = show(root)
    keys = list(keyboard.visible_keys())
    assert len(keys) >= 30
    for button in keys:
        x, y = button.to_window(*button.pos)
        assert button.width >= 64 and button.height >= 64, (button.text, button.size)
        assert x >= 0 and x + button.width <= WINDOW_SIZE[0] and y >= 0, (button.text, x, y)
    clipped = clipped_labels(keyboard)
    assert not clipped, describe(clipped)
    if layout == "azerty":
        save_screenshot(frame, f"widget-keyboard-{page}-{layout}-800x480.png")


def test_the_tapped_field_becomes_the_target(show: Show, french: None) -> None:
    from kivy.uix.boxlayout import BoxLayout

    from screens.widgets.keyboard import OnScreenKeyboard, TextField

    root = BoxLayout(orientation="vertical", size=WINDOW_SIZE, size_hint=(None, None))
    pseudonym, contact = TextField(), TextField()
    keyboard = OnScreenKeyboard(target=pseudonym)
    keyboard.attach(pseudonym, contact)
    for widget in (pseudonym, contact, keyboard):
        root.add_widget(widget)
    show(root)
    tap(key(keyboard, "a"))
    tap(contact)
    assert keyboard.target is contact and contact.focus and not pseudonym.focus
    tap(key(keyboard, "b"))
    tap(pseudonym)
    tap(key(keyboard, "c"))
    assert (pseudonym.text, contact.text) == ("ac", "b")


@pytest.mark.parametrize("layout", ["azerty", "qwerty"])
def test_at_its_minimum_width_every_key_is_still_64_px(show: Show, french: None, layout: str) -> None:
    from screens.widgets.keyboard import MIN_WIDTH, OnScreenKeyboard

    assert WINDOW_SIZE[0] - 2 * style.MARGIN >= MIN_WIDTH  # fits a screen with margins
    keyboard = OnScreenKeyboard(size_hint_x=None, width=MIN_WIDTH, layout=layout)
    show(keyboard)
    for page in ("letters", "accents", "digits"):
        keyboard.page = page
        render(keyboard.get_root_window())
        narrowest = min(button.width for button in keyboard.visible_keys())
        assert 64 <= narrowest < 65, (page, narrowest)  # and MIN_WIDTH is not wastefully large


def test_one_set_of_keys_goes_to_the_keyboard_on_show_and_each_keeps_its_own_state(
    show: Show, french: None
) -> None:
    from kivy.uix.boxlayout import BoxLayout
    from kivy.uix.screenmanager import NoTransition, Screen, ScreenManager
    from kivy.uix.widget import Widget

    from screens.widgets.keyboard import OnScreenKeyboard, TextField, park, shared_keys

    manager = ScreenManager(transition=NoTransition(), size=WINDOW_SIZE, size_hint=(None, None))
    fields, keyboards = [], []
    for name in ("pseudonym", "contact"):
        box = BoxLayout(orientation="vertical")
        fields.append(TextField())
        keyboards.append(OnScreenKeyboard(target=fields[-1]))
        for widget in (fields[-1], Widget(), keyboards[-1]):
            box.add_widget(widget)
        screen = Screen(name=name)
        screen.add_widget(box)
        manager.add_widget(screen)
    pseudonym, contact = keyboards
    contact.page = "digits"  # set while not on show: its page once it has the keys
    show(manager)
    letters = list(pseudonym.visible_keys())
    assert letters and not list(contact.visible_keys())  # one set of keys, on the keyboard on show
    assert contact.height == pseudonym.height  # without its keys the tray keeps its room: no jump later

    manager.current = "contact"
    frame = render(manager.get_root_window())
    assert contact.holds_keys and not pseudonym.children
    tap(key(contact, "0"))
    tap(key(contact, "6"))
    assert contact.page == "digits" and fields[1].text == "06"
    save_screenshot(frame, "widget-keyboard-lent-digits-800x480.png")

    manager.current = "pseudonym"
    render(manager.get_root_window())
    assert pseudonym.page == "letters"  # its own page, not the other's
    assert key(pseudonym, "a") in letters  # the same key widgets again: nothing built twice
    tap(key(pseudonym, "a"))
    assert (fields[0].text, fields[1].text) == ("a", "06")  # each types into its own field

    # Its screen released (screens/memory.py): the keys leave it instead of being freed with it.
    manager.get_root_window().remove_widget(manager)
    park()
    assert shared_keys.holder is None and not pseudonym.children


def test_between_sessions_only_the_kiosks_own_letters_stay_built(show: Show, french: None) -> None:
    """A page is ~35 keys (~2 MB): once a session's screens are released, the pages it used are let go
    but the letters of the kiosk's language, the page the next person most likely types on."""
    import gc
    import weakref

    from kivy.core.window import Window

    from screens.widgets.keyboard import park, shared_keys

    root, _field, keyboard = typing_screen()
    show(root)
    azerty = key(keyboard, "a")
    tap(key(keyboard, "123"))
    digits = weakref.ref(key(keyboard, "0"))
    keyboard.layout = "qwerty"
    keyboard.page = "letters"
    render(Window)
    qwerty = weakref.ref(key(keyboard, "z"))
    assert {("azerty", "letters"), ("", "digits"), ("qwerty", "letters")} <= set(shared_keys.pages)

    Window.remove_widget(root)  # its screen released (screens/memory.py)
    park(keep_layout="azerty")
    gc.collect()
    assert set(shared_keys.pages) == {("azerty", "letters")}
    assert digits() is None and qwerty() is None  # freed, not only unlisted
    assert azerty in [k for row in shared_keys.pages[("azerty", "letters")] for k in row.children]
