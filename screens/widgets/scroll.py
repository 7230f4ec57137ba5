"""`CalmScrollView`: a ScrollView that clips with a scissor, and whose bar dims in one step.

Kivy's ScrollView is a StencilView: at every frame it fills its whole area twice into the stencil buffer
(before and after its content), and its content is drawn with the stencil test on. A software renderer
(llvmpipe under Xvfb, the Pi without its GPU driver) pays for each of those pixels: two scroll views on
Accueil cost ~3 ms a frame. Here the content is clipped by a scissor rectangle instead, which costs nothing
per pixel. A scissor is given in window coordinates: it is placed at each frame, just before it is used,
from where the view is then (`to_window`), so a view moved with its screen (a banner appearing, an inner
screen manager laid out again) is clipped where it is.

Kivy's ScrollView also shows its bar at `bar_color` whenever its content moves or changes size, and half a
second later fades it to `bar_inactive_color` with a 0.5 s animation: some thirty redrawn frames for a
change nobody watches. Member home and Accueil change their content at every card tap and every rotation,
so on the Pi (and under a software renderer) those frames compete with the next tap for the CPU. Here
the bar still shows bright while the content moves and dims at the same moment — one frame, same
colours at rest and while scrolling.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.graphics import Callback, ScissorPop, ScissorPush
from kivy.lang import Builder
from kivy.uix.scrollview import ScrollView


class CalmScrollView(ScrollView):  # type: ignore[misc]  # Kivy is untyped
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # scroll.kv leaves out the stencil: the content is clipped between these two instead
        self._clip = ScissorPush(x=0, y=0, width=0, height=0)
        self.canvas.before.insert(0, self._clip)
        self.canvas.before.insert(0, Callback(self._place_clip))
        self.canvas.after.insert(0, ScissorPop())

    def _place_clip(self, *_args: Any) -> None:
        """Drawing, just before the scissor applies: the view's rectangle in window pixels. Set only when it
        moved: setting it asks for another frame."""
        x, y = self.to_window(self.x, self.y)
        rect = (round(x), round(y), round(self.width), round(self.height))
        if (self._clip.x, self._clip.y, self._clip.width, self._clip.height) != rect:
            self._clip.pos, self._clip.size = rect[:2], rect[2:]

    def _bind_inactive_bar_color(self, *_args: Any) -> None:
        # Kivy 2.3's own method, without its Animation: the same bindings, the end colour at once
        self.funbind("bar_color", self._change_bar_color)
        self.fbind("bar_inactive_color", self._change_bar_color)
        self._bar_color = self.bar_inactive_color


_KV = str(Path(__file__).with_suffix(".kv"))
if _KV not in Builder.files:
    Builder.load_file(_KV)

__all__ = ["CalmScrollView"]
