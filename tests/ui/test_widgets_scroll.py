"""CalmScrollView in a real Kivy window (Xvfb, 800×480): its bar shows while the content changes and
dims in one step — Kivy's ScrollView fades it over half a second, some thirty redrawn frames."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PIL import Image

from tests.ui.driver import wait_frames, wait_until

Show = Callable[[Any], Image.Image]

BRIGHT = [0.2, 0.2, 0.2, 1.0]
DIM = [0.2, 0.2, 0.2, 0.5]


def bar_colours_after_a_content_change(show: Show, view_class: type) -> list[tuple[float, ...]]:
    """Every colour the bar takes, from a change of the content's height until it is dim again."""
    from kivy.uix.widget import Widget

    view = view_class(size_hint=(None, None), size=(300, 200), bar_color=BRIGHT, bar_inactive_color=DIM)
    content = Widget(size_hint=(1, None), height=600)  # taller than the view: the bar is drawn
    view.add_widget(content)
    show(view)
    wait_until(lambda: list(view._bar_color) == DIM)  # at rest after being shown
    seen: list[tuple[float, ...]] = []
    view.bind(_bar_color=lambda _view, colour: seen.append(tuple(colour)))
    content.height = 900  # a member's column replaced by a longer one
    wait_frames(2)
    wait_until(lambda: list(view._bar_color) == DIM)
    wait_frames(5)
    return seen


def test_the_bar_dims_in_one_step_after_the_content_changed(kivy_window: Any, show: Show) -> None:
    from screens.widgets.scroll import CalmScrollView

    seen = bar_colours_after_a_content_change(show, CalmScrollView)
    assert seen == [tuple(BRIGHT), tuple(DIM)]


def test_kivys_own_scroll_view_fades_over_many_frames(kivy_window: Any, show: Show) -> None:
    """What CalmScrollView saves: the same change with Kivy's ScrollView passes through many colours
    (each one a redrawn frame). If Kivy ever stops fading, CalmScrollView can go."""
    from kivy.uix.scrollview import ScrollView

    seen = bar_colours_after_a_content_change(show, ScrollView)
    assert len(set(seen)) > 2  # bright, at least one colour on the way, dim


def test_the_screens_that_change_at_each_card_use_it(kivy_window: Any) -> None:
    from kivy.uix.scrollview import ScrollView

    from screens.accueil import AccueilScreen
    from screens.member_home import MemberHomeScreen
    from screens.widgets.scroll import CalmScrollView

    for screen in (AccueilScreen(), MemberHomeScreen()):
        views = [w for w in screen.walk(restrict=True) if isinstance(w, ScrollView)]
        assert views and all(isinstance(view, CalmScrollView) for view in views), type(screen).__name__


def test_the_content_is_clipped_to_the_view_by_a_scissor_where_the_view_is_on_screen(show: Show) -> None:
    """No stencil (two fills of the whole view at every frame): a scissor in window pixels, placed where the
    view is drawn — here inside a RelativeLayout that moves it, as a screen does, after the first frame."""
    from kivy.graphics import Color, Rectangle, StencilPush
    from kivy.uix.relativelayout import RelativeLayout
    from kivy.uix.widget import Widget

    from screens.widgets.scroll import CalmScrollView

    holder = RelativeLayout(size_hint=(None, None), size=(400, 300), pos=(100, 60))
    view = CalmScrollView(size_hint=(None, None), size=(200, 100), pos=(50, 50), bar_width=0)
    content = Widget(size_hint=(1, None), height=400)  # four times the view's height, drawn in red
    with content.canvas:
        Color(1, 0, 0, 1)
        rect = Rectangle(size=(200, 400))
    content.bind(pos=lambda w, pos: setattr(rect, "pos", pos))
    view.add_widget(content)
    holder.add_widget(view)
    show(holder)
    holder.pos = (300, 160)  # the view moves with its parent; its own pos (relative) does not change
    from tests.ui.conftest import render

    frame = render(view.get_root_window())
    left, bottom = (int(v) for v in view.to_window(view.x, view.y))
    top = 480 - (bottom + 100)  # the frame's rows count from the top

    def red(x: int, y: int) -> bool:
        r, g, b = frame.convert("RGB").tobytes()[(y * frame.width + x) * 3 :][:3]
        return r > 200 and g < 60 and b < 60

    assert (left, bottom) == (350, 210)
    assert red(left + 100, top + 50)  # inside the view: its content
    assert not red(left + 100, top - 5) and not red(left + 100, top + 105)  # above and below: clipped
    assert not red(left - 5, top + 50)
    instructions = [*view.canvas.before.children, *view.canvas.after.children]
    assert not any(isinstance(instruction, StencilPush) for instruction in instructions)
