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
