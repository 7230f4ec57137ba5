"""`CalmScrollView`: a ScrollView whose bar dims in one step instead of a half-second fade.

Kivy's ScrollView shows its bar at `bar_color` whenever its content moves or changes size, and half a
second later fades it to `bar_inactive_color` with a 0.5 s animation: some thirty redrawn frames for a
change nobody watches. Member home and Accueil change their content at every card tap and every rotation,
so on the Pi (and under a software renderer) those frames compete with the next tap for the CPU. Here
the bar still shows bright while the content moves and dims at the same moment — one frame, same
colours at rest and while scrolling.
"""

from __future__ import annotations

from typing import Any

from kivy.uix.scrollview import ScrollView


class CalmScrollView(ScrollView):  # type: ignore[misc]  # Kivy is untyped
    def _bind_inactive_bar_color(self, *_args: Any) -> None:
        # Kivy 2.3's own method, without its Animation: the same bindings, the end colour at once
        self.funbind("bar_color", self._change_bar_color)
        self.fbind("bar_inactive_color", self._change_bar_color)
        self._bar_color = self.bar_inactive_color


__all__ = ["CalmScrollView"]
