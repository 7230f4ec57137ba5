"""Giving memory back once a session is over (issue 5: RSS after 300 interactions ≤ a bare Kivy app + 80 MB).

Kivy widgets are heavy: under Xvfb/llvmpipe a button costs ~100 KB of Python objects and its texture,
an on-screen keyboard ~3 MB (~10 MB once drawn), a screen 5 to 40 MB. Kept forever, every screen ever
opened and every text re-rendered by a language switch stays resident. So when a session ends the shell
releases its screens (`release_screens`), and `compact` makes that real once Accueil is drawn:

- widget trees are reference cycles (parent ↔ children, bound methods): Python's cycle collector frees
  them, not the drop itself; run once the kiosk is back on Accueil, it lets the next session reuse that
  memory instead of growing the heap on top of the dead screens;
- freed memory goes back to the allocator, not to the system: glibc's `malloc_trim` returns its free pages
  (textures, text surfaces), once Kivy has deleted the collected textures from the GL context, which it
  does at its next frame (a software renderer keeps textures in the process's memory);
- the on-screen keys are not freed with a screen: one set for the whole kiosk (screens/widgets/keyboard.py),
  lent to the keyboard on show; `release_screens` takes them back from a released screen and keeps built
  only the letters the next person most likely types on (the kiosk's language);
- three Kivy objects would otherwise pin a released screen: the last screen transition (it holds the screen
  it switched from), `TextInput._adjust_viewport` (see `forget_last_text_input`) and a running animation
  (see `stop_unseen_animations`).

During a session, each screen change also hands back, a moment later (`give_back_soon`), the memory that
building and drawing the new screen used only for a while: every text is rendered into a surface, copied,
then uploaded to its texture, and those buffers, freed at once, stay in the process's heap until trimmed
(~8 MB after a few screens; the trim itself takes ~1 ms).

What the kiosk keeps for good (its modules, Accueil, member home, the on-screen keys: some 100,000 objects)
is set aside from Python's cycle collector (`gc.freeze`) once the kiosk has started, and again after each
session's collection (`compact` takes it all back first: nothing set aside stays once it is garbage). An
automatic full collection otherwise walks all of them, 20 to 50 ms with the GIL held, in whichever thread
allocates at that moment: a frame of the Kivy thread, or the sync worker while the Kivy thread waits for
the GIL (the worst frame while a sync ran, issue 5).

Costs, on the bench machine (x86, llvmpipe): building a screen again 10 to 50 ms (the record wizard
~80 ms), `compact` 0.1 to 0.3 s, mostly the freeing itself (kv bindings unbound, textures
deleted); the shell runs it once Accueil is drawn after a session, when nobody is using the kiosk.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import logging
import time
from collections.abc import Collection
from functools import cache
from typing import Any

from kivy.clock import Clock
from kivy.uix.screenmanager import NoTransition, ScreenManager
from kivy.uix.widget import Widget

log = logging.getLogger(__name__)

GL_RELEASE_DELAY = 0.1  # s: a few frames, for Kivy to delete the collected textures from the GL context
TRIM_DELAY = 0.2  # s after a screen change: its texts are rendered and drawn, their buffers freed

_trim_trigger: Any = None


def release_screens(
    manager: ScreenManager, wanted: Collection[str], keyboard_layout: str | None = None
) -> None:
    """Remove every screen not named in `wanted` (never the one shown). `keyboard_layout`: the on-screen
    keys kept built are that layout's letters only (None: every page built so far)."""
    for screen in list(manager.screens):
        if screen.name not in wanted and screen is not manager.current_screen:
            manager.remove_widget(screen)
    from screens.widgets import keyboard  # here: Accueil has none, the kiosk starts without it

    # the kiosk's one set of keys leaves the released screen, not freed with it
    keyboard.park(keyboard_layout)


def compact(manager: ScreenManager, *, at_rest: bool) -> None:
    """Free what the released screens held. `at_rest`: no text field is on show (Accueil)."""
    if not manager.transition.is_active:
        manager.transition = NoTransition()  # the previous one still holds the screen it switched from
    if at_rest:
        forget_last_text_input()
    stop_unseen_animations()
    started = time.perf_counter()
    gc.unfreeze()  # what was set aside may be garbage by now (a keyboard page let go, a kept screen's parts)
    gc.collect()
    gc.freeze()
    log.debug("released screens collected in %.0f ms", (time.perf_counter() - started) * 1000)
    # The textures and vertex buffers just collected are deleted by Kivy at its next frame (the GL context
    # belongs to the loop): only then is their memory free for glibc to give back.
    Clock.schedule_once(_give_back, GL_RELEASE_DELAY)


def give_back_soon() -> None:
    """A screen was just shown: what it used for a moment goes back to the system TRIM_DELAY later (once
    per burst of screen changes: the trigger is not pushed back by the next one)."""
    global _trim_trigger
    if _malloc_trim() is None:
        return
    if _trim_trigger is None:
        _trim_trigger = Clock.create_trigger(_give_back, TRIM_DELAY)
    _trim_trigger()


def set_aside_long_lived(_dt: float = 0.0) -> None:
    """Once the kiosk has started (Accueil drawn, member home made ahead): set what is alive now aside from
    the cycle collector (see above). Instant (no collection first: the start's own garbage set aside with it
    is freed by the first session's `compact`, which takes everything back before collecting)."""
    gc.freeze()


def take_back_long_lived() -> None:
    """The kiosk is closing: the cycle collector sees everything again (a test process goes on after it)."""
    gc.unfreeze()


def _give_back(_dt: float = 0.0) -> None:
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def stop_unseen_animations() -> None:
    """A running Kivy Animation holds its widgets (`Animation._instances`, strongly) until it ends: a
    scroll view of a released screen fading its bar (0.5 s after its content last changed, for 0.5 s)
    would keep that whole screen past the collection below. Off the window, nobody sees the end of it."""
    from kivy.animation import Animation

    for animation in list(getattr(Animation, "_instances", ())):
        for entry in list(getattr(animation, "_widgets", {}).values()):
            widget = entry.get("widget")  # or another object: a screen transition is animated too
            if isinstance(widget, Widget) and widget.get_root_window() is None:
                animation.cancel(widget)


def forget_last_text_input() -> None:
    """Kivy's `TextInput._adjust_viewport` is `@triggered` (kivy/clock.py): its closure keeps the arguments
    of its last call for good, i.e. the last text field typed in and, through its parents, that field's
    whole screen. Cleared (and its pending call cancelled) while no text field is on show."""
    from kivy.uix.textinput import TextInput

    trigger: Any = getattr(TextInput, "_adjust_viewport", None)
    if trigger is None or not callable(getattr(trigger, "cancel", None)):
        return  # another Kivy version: nothing of the kind to clear
    trigger.cancel()
    for cell in trigger.__closure__ or ():
        kept = cell.cell_contents
        if isinstance(kept, list | dict):  # its `_args` and `_kwargs`
            kept.clear()


@cache
def _malloc_trim() -> Any:
    """glibc's malloc_trim, or None elsewhere (musl, macOS: their allocators have no such call)."""
    name = ctypes.util.find_library("c")
    try:
        return getattr(ctypes.CDLL(name), "malloc_trim", None) if name else None
    except OSError:
        return None
