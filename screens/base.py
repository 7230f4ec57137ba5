"""The contract between the shell and every screen.

The shell (`screens/shell.py`) owns one Kivy `ScreenManager`, the session (who is identified), the banners
and the overlays. A screen is a `KioskScreen` registered under its route name; it gets `self.shell` and
uses:

- `self.ctx` (UiContext: services, config, printer/sync callables) and `self.session` (the member, if any);
- `self.shell.go(name, **params)` to open another screen (the target's `prepare(**params)` runs first),
  `self.shell.back()`, `self.shell.home()` (member home while a session is open, else Accueil),
  `self.shell.end_session()`, `self.shell.notify(text, kind)` for a short calm message.

The shell calls into the screen:
- `prepare(**params)` before it is shown (fill it from services here, never in `__init__`);
- `on_identified(identification)` when a card or a QR pass identifies someone while this screen is shown —
  return True when the screen used it (a partner tapping during the record wizard), False to let the shell
  do the default (open that member's home);
- `wipe()` when the session ends (inactivity, "Terminer"): drop every personal datum from widgets;
- `refresh_language()` after a language switch, for text the screen computed in Python (kv rules using
  `tr._("…")` follow by themselves).

Rules: a screen calls services, never hardware or the network; it never blocks the Kivy thread for long
(QR generation and slow queries go through `screens.widgets` helpers that cache or run them off-thread).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kivy.properties import ObjectProperty
from kivy.uix.screenmanager import Screen

from kiosk.domain import Identification, Member

if TYPE_CHECKING:
    from screens.context import UiContext


class Session:
    """Who is using the kiosk right now. Plain data: the shell opens, switches and ends it."""

    def __init__(self) -> None:
        self.member: Member | None = None
        # An admin session: a staff member's card AND their PIN (screens/admin_pin.py sets it). It never
        # outlives the session, nor passes to the next card tapped.
        self.admin = False

    @property
    def active(self) -> bool:
        return self.member is not None

    def open(self, member: Member) -> None:
        if self.member is None or self.member.id != member.id:
            self.admin = False  # someone else's card: the librarian's rights do not pass to them
        self.member = member

    def close(self) -> None:
        self.member = None
        self.admin = False


class KioskScreen(Screen):  # type: ignore[misc]  # Kivy is untyped
    shell = ObjectProperty(None, allownone=True)
    # False for screens that show nothing personal (Accueil): the shell need not wipe them.
    personal = True

    @property
    def ctx(self) -> UiContext:
        return self.shell.ctx  # type: ignore[no-any-return]

    @property
    def session(self) -> Session:
        return self.shell.session  # type: ignore[no-any-return]

    def prepare(self, **params: Any) -> None:
        """Fill the screen before it is shown."""

    def on_identified(self, identification: Identification) -> bool:
        """A card or pass identified someone while this screen is shown. True: handled here."""
        return False

    def wipe(self) -> None:
        """The session ended: forget everything personal shown here."""

    def refresh_language(self) -> None:
        """The language changed: redo the text computed in Python."""
