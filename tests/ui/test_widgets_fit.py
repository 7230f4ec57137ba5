"""fit.clipped_labels and the text widgets in a real Kivy window (Xvfb, 800×480)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PIL import Image

from screens import style
from tests.ui.conftest import WINDOW_SIZE, render, save_screenshot

Show = Callable[[Any], Image.Image]

LONG = "Karim dit vous avoir appris à régler vos freins, 1 h — c’est bien ça ?"


@pytest.fixture(autouse=True)
def fonts(kivy_window: Any) -> None:
    style.register_fonts()


@pytest.fixture
def french() -> Iterator[None]:
    from screens.tr import tr

    tr.switch("fr")
    yield
    tr.switch("fr")


def fixed(**kwargs: Any) -> Any:
    from kivy.uix.label import Label

    return Label(size_hint=(None, None), font_size=style.BODY, **kwargs)


def test_finds_the_overflowing_labels_and_only_those(show: Show) -> None:
    from kivy.uix.floatlayout import FloatLayout

    from screens.widgets.fit import clipped_labels, describe
    from screens.widgets.text import Body

    root = FloatLayout(size=WINDOW_SIZE, size_hint=(None, None))
    too_narrow = fixed(text=LONG, size=(200, 40), pos=(10, 420))  # one line, 200 px box
    too_low = fixed(text=LONG, size=(300, 40), pos=(10, 360), text_size=(300, None))  # wraps, 40 px high
    cut_lines = fixed(text=LONG, size=(300, 40), pos=(10, 300), text_size=(300, 40))  # Kivy drops lines
    shortened = fixed(text=LONG, size=(300, 40), pos=(10, 240), text_size=(300, 40), shorten=True)
    good_line = fixed(text="Bonjour", size=(200, 40), pos=(10, 180))
    good_wrap = Body(text=LONG, size_hint=(None, None), width=400, pos=(10, 60))
    empty = fixed(text="", size=(1, 1), pos=(500, 10))
    hidden = FloatLayout(opacity=0)
    hidden.add_widget(fixed(text=LONG, size=(20, 20), pos=(600, 10)))  # clipped, but nobody sees it
    for widget in (too_narrow, too_low, cut_lines, shortened, good_line, good_wrap, empty, hidden):
        root.add_widget(widget)
    show(root)

    assert good_wrap.height > 40  # the Body took the height its lines need
    clipped = clipped_labels(root)
    assert set(clipped) == {too_narrow, too_low, cut_lines, shortened}, describe(clipped)
    assert "box 200×40" in describe([too_narrow])


def test_a_label_made_big_enough_is_no_longer_reported(show: Show) -> None:
    from screens.widgets.fit import clipped_labels

    label = fixed(text=LONG, size=(200, 40), pos=(10, 200))
    show(label)
    assert clipped_labels(label) == [label]
    label.width = label.texture_size[0] + 2
    render(label.get_root_window())
    assert clipped_labels(label) == []


def test_text_widgets_wrap_follow_the_language_and_fit(show: Show, french: None) -> None:
    from kivy.uix.boxlayout import BoxLayout

    from screens.tr import tr
    from screens.widgets.fit import clipped_labels, describe
    from screens.widgets.text import Body, Heading, Muted, Panel, Tag

    page = BoxLayout(orientation="vertical", padding=16, spacing=12, size=WINDOW_SIZE, size_hint=(None, None))
    panel = Panel(size_hint_y=None)
    panel.bind(minimum_height=panel.setter("height"))
    heading = Heading(text="Bonjour Élodie")
    body = Body(text=LONG + " Si oui, l’échange compte pour vous deux ; sinon, rien n’est enregistré.")
    muted = Muted(text="Enregistré hier à la Maison de quartier des Épinettes")
    tags = BoxLayout(size_hint_y=None, height=48, spacing=12)
    offer, request = Tag(kind="offer"), Tag(kind="request")
    tags.add_widget(offer)
    tags.add_widget(request)
    for widget in (heading, body, muted, tags):
        panel.add_widget(widget)
    page.add_widget(panel)
    page.add_widget(BoxLayout())
    with page.canvas.before:
        from kivy.graphics import Color, Rectangle

        Color(*style.colour("background"))
        Rectangle(pos=page.pos, size=page.size)
    frame = show(page)
    save_screenshot(frame, "widget-text-fr-800x480.png")

    assert offer.text == "Je propose" and request.text == "Je cherche"
    assert body.height > heading.height  # the long text wrapped onto several lines
    for label in (heading, body, muted, offer, request):
        assert label.font_size >= style.SMALL, label.text
    assert not clipped_labels(page), describe(clipped_labels(page))

    tr.switch("en")
    frame = render(page.get_root_window())
    save_screenshot(frame, "widget-text-en-800x480.png")
    assert offer.text == "I offer" and request.text == "I’m looking for"
    assert not clipped_labels(page), describe(clipped_labels(page))

    # the badges are drawn in their own colours: green for an offer, violet for a request
    for tag, name in ((offer, "offer"), (request, "request")):
        x, y = tag.to_window(tag.x + 4, tag.center_y)
        assert frame.getpixel((int(x) + 6, WINDOW_SIZE[1] - int(y))) == tuple(
            round(c * 255) for c in style.colour(name)[:3]
        )
