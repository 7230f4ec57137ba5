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
