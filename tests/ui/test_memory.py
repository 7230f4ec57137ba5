"""Released screens are really freed (screens/memory.py), in a real Kivy window."""

from __future__ import annotations

import gc
import weakref
from typing import Any

from tests.ui.conftest import WINDOW_SIZE, render


def test_a_running_animation_does_not_keep_a_released_screen(kivy_window: Any) -> None:
    from kivy.animation import Animation
    from kivy.uix.label import Label
    from kivy.uix.screenmanager import NoTransition, Screen, ScreenManager
    from kivy.uix.scrollview import ScrollView

    from screens import memory

    manager = ScreenManager(transition=NoTransition(), size=WINDOW_SIZE, size_hint=(None, None))
    for name in ("accueil", "listing"):
        manager.add_widget(Screen(name=name))
        manager.get_screen(name).add_widget(ScrollView())
        manager.get_screen(name).children[0].add_widget(Label(text=name, size_hint_y=None, height=2000))
    kivy_window.add_widget(manager)
    try:
        manager.current = "listing"
        render(kivy_window)
        left = manager.get_screen("listing")
        # what Kivy's ScrollView does half a second after its content moved: a 0.5 s fade of its bar
        Animation(_bar_color=[0.7, 0.7, 0.7, 0.2], d=0.5).start(left.children[0])
        released = weakref.ref(left)
        del left
        manager.current = "accueil"
        render(kivy_window)  # the switch is over: the transition no longer holds the screen it left
        memory.release_screens(manager, {"accueil"})
        gc.collect()
        assert released() is not None  # the animation holds it (Animation._instances)

        memory.compact(manager, at_rest=True)
        assert released() is None
    finally:
        kivy_window.remove_widget(manager)


def test_what_was_set_aside_from_the_collector_is_still_freed_once_released(kivy_window: Any) -> None:
    """memory.set_aside_long_lived freezes what the kiosk keeps (no full collection walks it again); a
    screen made before and released after must still be freed by compact (it takes everything back)."""
    from kivy.uix.label import Label
    from kivy.uix.screenmanager import NoTransition, Screen, ScreenManager

    from screens import memory

    manager = ScreenManager(transition=NoTransition(), size=WINDOW_SIZE, size_hint=(None, None))
    for name in ("accueil", "board"):
        manager.add_widget(Screen(name=name))
        manager.get_screen(name).add_widget(Label(text=name))
    kivy_window.add_widget(manager)
    try:
        manager.current = "board"
        render(kivy_window)
        memory.set_aside_long_lived()
        assert gc.get_freeze_count() > 0
        left = weakref.ref(manager.get_screen("board"))
        manager.current = "accueil"
        render(kivy_window)
        memory.release_screens(manager, {"accueil"})
        gc.collect()
        assert left() is not None  # frozen: an ordinary collection does not look at it

        memory.compact(manager, at_rest=True)
        assert left() is None
        assert gc.get_freeze_count() > 0  # what is left is set aside again
    finally:
        memory.take_back_long_lived()
        kivy_window.remove_widget(manager)
    assert gc.get_freeze_count() == 0
