"""Translations that kv rules follow: `text: tr._("Bonjour")` is re-evaluated when the language changes.

Kivy's kv compiler binds a rule to every `obj.attr` it reads; for `tr._(...)` it calls `tr.fbind("_", …)`.
This object keeps those callbacks and calls them all on `switch(language)`, so every visible string on
every screen changes at once (the pattern of Kivy's own i18n example). kv hands us its widget as a weak
proxy; a rule whose widget is gone is dropped at the next switch, so list rows built and dropped many times
do not pile up. Python code uses `tr._` too, or
`kiosk.i18n._` for text computed when a screen is filled (screens refill themselves on `on_language`).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from kivy.event import Observable

from kiosk import i18n


class Translator(Observable):  # type: ignore[misc]  # Kivy is untyped
    def __init__(self) -> None:
        super().__init__()
        self._observers: dict[int, tuple[Callable[..., Any], tuple[Any, ...]]] = {}
        self._uids = itertools.count(1)
        self._language_listeners: list[Callable[[str], None]] = []

    @property
    def language(self) -> str:
        return i18n.active_language()

    def _(self, message: str) -> str:
        return i18n.gettext(message)

    def fbind(self, name: str, func: Callable[..., Any], *largs: Any, **kwargs: Any) -> int:
        if name != "_":
            return int(super().fbind(name, func, *largs, **kwargs))
        uid = next(self._uids)
        self._observers[uid] = (func, largs)  # kv: largs = ((widget proxy, key, value, rule, idmap),)
        return uid

    def unbind_uid(self, name: str, uid: int) -> None:
        if name == "_":
            self._observers.pop(uid, None)
            return
        super().unbind_uid(name, uid)

    def on_language(self, listener: Callable[[str], None]) -> None:
        """Python code that fills widgets from data (lists, summaries) refills itself through this."""
        self._language_listeners.append(listener)

    def switch(self, language: str) -> None:
        i18n.set_language(language)
        for uid, (func, largs) in list(self._observers.items()):
            if uid not in self._observers:  # unbound meanwhile: its widget was collected during this loop
                continue
            try:
                func(*largs, None, None)  # kv's call_fn(args, obj, value)
            except ReferenceError:  # the rule's widget was garbage-collected
                self._observers.pop(uid, None)
        for listener in list(self._language_listeners):
            listener(language)


tr = Translator()
