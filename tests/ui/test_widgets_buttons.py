"""BigButton and BackButton in a real Kivy window (Xvfb, 800×480): icons read back from the framebuffer."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from screens import style
from tests.ui.conftest import WINDOW_SIZE, render, save_screenshot
from tests.ui.driver import tap

Show = Callable[[Any], Image.Image]


@pytest.fixture(autouse=True)
def fonts(kivy_window: Any) -> None:
    style.register_fonts()


@pytest.fixture
def french() -> Iterator[None]:
    from screens.tr import tr

    tr.switch("fr")
    yield
    tr.switch("fr")


def area(frame: Image.Image, x: float, y: float, width: float, height: float) -> Image.Image:
    """A window rectangle (origin bottom-left, as Kivy's) cut from a frame (origin top-left)."""
    top = frame.height - (y + height)
    return frame.crop((int(x), int(top), int(x + width), int(top + height)))


def share_near(image: Image.Image, rgb: tuple[int, int, int], tolerance: int = 40) -> float:
    """Fraction of the image's pixels within `tolerance` of `rgb` on every channel."""
    data = image.convert("RGB").tobytes()
    pixels = [data[i : i + 3] for i in range(0, len(data), 3)]
    close = sum(1 for p in pixels if all(abs(p[i] - rgb[i]) <= tolerance for i in range(3)))
    return close / len(pixels)


def brightness(frame: Image.Image, x: int, y: int) -> int:
    """Sum of the RGB values of one pixel of a frame (origin top-left)."""
    return sum(frame.convert("RGB").tobytes()[(y * frame.width + x) * 3 :][:3])


def hex_rgb(name: str) -> tuple[int, int, int]:
    r, g, b, _ = style.colour(name)
    return (round(r * 255), round(g * 255), round(b * 255))


def icon_area(frame: Image.Image, button: Any) -> Image.Image:
    x, y = button.to_window(*button.icon_pos)
    return area(frame, x, y, button.icon_size, button.icon_size)


def on_paper(root: Any) -> Any:
    """The kiosk's background behind `root` (the bare window is black)."""
    from kivy.graphics import Color, Rectangle

    with root.canvas.before:
        Color(*style.colour("background"))
        Rectangle(pos=root.pos, size=root.size)
    return root


def button_row() -> tuple[Any, dict[str, Any]]:
    from kivy.uix.boxlayout import BoxLayout

    from screens.widgets.buttons import BackButton, BigButton

    root = BoxLayout(orientation="vertical", padding=16, spacing=12, size=WINDOW_SIZE, size_hint=(None, None))
    buttons = {
        "back": BackButton(),
        "primary": BigButton(text="Enregistrer un échange", icon="exchange", kind="primary"),
        "secondary": BigButton(text="Chercher", icon="search", kind="secondary"),
        "danger": BigButton(text="Non, ce n’est pas ça", icon="cross", kind="danger"),
        "quiet": BigButton(text="Terminer", kind="quiet"),
    }
    for button in buttons.values():
        root.add_widget(button)
    return on_paper(root), buttons


def test_icons_are_drawn_white_on_dark_kinds_and_dark_on_light_ones(show: Show, french: None) -> None:
    root, buttons = button_row()
    frame = show(root)
    save_screenshot(frame, "widget-buttons-800x480.png")

    white, dark = (255, 255, 255), hex_rgb("text")
    for name in ("primary", "danger"):
        icon = icon_area(frame, buttons[name])
        assert buttons[name].icon_texture is not None
        assert share_near(icon, white) > 0.05, name  # strokes of the white icon
        assert share_near(icon, dark) == 0, name
        assert share_near(icon, hex_rgb(name)) > 0.30, name  # on the button's own colour
    for name in ("secondary", "back"):
        icon = icon_area(frame, buttons[name])
        assert share_near(icon, dark) > 0.05, name
        assert share_near(icon, hex_rgb("secondary")) > 0.30, name

    # the icon sits left of the text, inside the button
    primary = buttons["primary"]
    text_left = primary.center_x - primary.texture_size[0] / 2 + primary.padding[0]
    assert primary.icon_pos[0] + primary.icon_size < text_left
    assert primary.x < primary.icon_pos[0]
    # a button without an icon has none drawn, and its text is not pushed aside
    assert buttons["quiet"].icon_texture is None and buttons["quiet"].padding[0] == 0


def test_every_button_is_at_least_64_px_both_ways_and_its_text_fits(show: Show, french: None) -> None:
    from screens.widgets.fit import clipped_labels, describe

    root, buttons = button_row()
    show(root)
    for name, button in buttons.items():
        assert button.width >= style.TOUCH_MIN and button.height >= style.TOUCH_MIN, (name, button.size)
    clipped = clipped_labels(root)
    assert not clipped, describe(clipped)


def test_a_long_text_wraps_and_the_button_grows_instead_of_clipping(show: Show, french: None) -> None:
    from kivy.uix.boxlayout import BoxLayout

    from screens.widgets.buttons import BigButton
    from screens.widgets.fit import clipped_labels, describe

    root = BoxLayout(orientation="vertical", size=(260, 400), size_hint=(None, None), pos=(20, 40))
    short = BigButton(text="Oui", icon="check")
    long = BigButton(text="Oui, Karim m’a bien appris à régler mes freins", icon="check")
    root.add_widget(short)
    root.add_widget(long)
    frame = show(root)
    assert short.height == style.TOUCH
    assert long.height > style.TOUCH  # two or three lines
    assert long.text_size[0] is not None and long.text_size[0] <= long.width
    clipped = clipped_labels(root)
    assert not clipped, describe(clipped)
    save_screenshot(frame, "widget-button-wrapped-800x480.png")


def test_a_press_shows_and_the_release_fires_once(show: Show, french: None) -> None:
    from kivy.base import EventLoop
    from kivy.tests.common import UnitTestTouch

    from screens.widgets.buttons import BigButton

    button = BigButton(text="Valider", size_hint=(None, None), size=(300, 72), pos=(250, 200))
    released: list[str] = []
    button.bind(on_release=lambda b: released.append(b.text))
    frame = show(button)
    before = brightness(frame, 260, WINDOW_SIZE[1] - 260)

    x, y = button.to_window(*button.center)
    touch = UnitTestTouch(x, y)
    touch.touch_down()
    EventLoop.idle()
    pressed = brightness(render(button.get_root_window()), 260, WINDOW_SIZE[1] - 260)
    assert pressed < before  # the face darkens under the finger
    touch.touch_up()
    EventLoop.idle()
    assert released == ["Valider"]
    tap(button)
    assert released == ["Valider", "Valider"]


def test_back_button_speaks_the_language_and_an_unknown_icon_is_no_crash(show: Show, french: None) -> None:
    from screens.tr import tr
    from screens.widgets.buttons import BackButton, BigButton

    back = BackButton()
    odd = BigButton(text="?", icon="no-such-icon", pos=(0, 100), size_hint=(None, None), size=(200, 72))
    show(back)
    show(odd)
    assert back.text == "Retour" and back.icon == "back" and back.icon_texture is not None
    assert odd.icon_texture is None
    tr.switch("en")
    render(back.get_root_window())
    assert back.text == "Back"
    assert back.width >= back.texture_size[0]


def test_the_shipped_icons_are_what_the_script_draws_in_both_colours() -> None:
    from screens.widgets.buttons import ICON_DIR

    script = Path(__file__).resolve().parents[2] / "scripts" / "make_icons.py"
    check = subprocess.run(
        [sys.executable, str(script), "--check"], capture_output=True, text=True, check=False
    )
    assert check.returncode == 0, check.stdout
    names = {path.name.removesuffix(".png") for path in ICON_DIR.glob("*.png")}
    dark = {name for name in names if not name.endswith("-white")}
    assert {"back", "home", "card", "search", "check", "cross", "shift", "backspace"} <= dark
    assert names == dark | {f"{name}-white" for name in dark}
    for name in ("back", "back-white"):
        with Image.open(ICON_DIR / f"{name}.png") as icon:
            assert icon.mode == "RGBA" and icon.size == (128, 128)
            assert icon.getpixel((0, 0)) == (*(hex_rgb("text") if name == "back" else (255, 255, 255)), 0)


def test_a_disabled_button_looks_inactive_and_ignores_touches(show: Show, french: None) -> None:
    from screens.widgets.buttons import BigButton

    button = BigButton(text="Valider", icon="check", size_hint=(None, None), size=(300, 72), pos=(250, 200))
    released: list[str] = []
    button.bind(on_release=lambda b: released.append(b.text))
    button.disabled = True
    frame = on_paper_frame(show, button)
    face = area(frame, button.x + 4, button.center_y, 4, 1)
    assert share_near(face, hex_rgb("surface_alt"), tolerance=2) == 1.0
    assert tuple(button.disabled_color) == style.colour("text_muted")  # a checked pair on surface_alt
    assert button.icon_texture is not None and button.icon_rgba[3] < 1  # the dark icon, faded
    tap(button)
    assert released == []


def on_paper_frame(show: Show, widget: Any) -> Image.Image:
    from kivy.uix.floatlayout import FloatLayout

    paper = on_paper(FloatLayout(size=WINDOW_SIZE, size_hint=(None, None)))
    paper.add_widget(widget)
    return show(paper)


def test_icons_and_texts_are_textures_of_the_size_they_are_drawn_at_sampled_nearest(
    show: Show, french: None
) -> None:
    """What a software renderer is spared at every frame (issue 5): an icon is scaled once to the pixels it
    covers (no 128 px mipmapped texture, no mipmaps made in the first frame), and every text and icon is
    sampled nearest — drawn at its own size at a whole pixel, it looks the same."""
    from kivy.uix.label import Label

    root, buttons = button_row()
    plain = Label(text="Kivy’s own label", color=(0, 0, 0, 1))
    root.add_widget(plain)
    frame = show(root)
    for name in ("primary", "secondary", "back"):
        button = buttons[name]
        icon = button.icon_texture
        assert icon.size == (button.icon_size, button.icon_size) == (36, 36), name
        assert (icon.mag_filter, icon.min_filter) == ("nearest", "nearest"), name
        assert button.icon_pos == [int(v) for v in button.icon_pos]
    for label in (*buttons.values(), plain):
        assert (label.texture.mag_filter, label.texture.min_filter) == ("nearest", "nearest"), label.text
    # still drawn: the white strokes of the primary button's icon
    assert share_near(icon_area(frame, buttons["primary"]), (255, 255, 255)) > 0.05
