"""A card this kiosk does not know may be a member of another collective of the network (issue 9).

The shell hands such a tap here (`VisitorDoor.ask`). The app asks the hub off the Kivy thread
(`UiContext.look_up_card`, kiosk/app_network.py) while the screen says « Un instant… »; the answer comes
back on the Kivy thread. A member of another collective is welcomed (`services.network.welcome`: the
`member.visited` event) and their session opens on their home, which says where they come from. Anything
else — the hub does not know the card, cannot be reached, or takes longer than LOOK_UP_PATIENCE_S — is
today's unknown card: the tap is recorded (`card.unknown_tapped`, resolved later on the hub) and the
usual message shown.

Only the last question counts: another card, a pass or the end of the session makes a pending answer
moot; that tap is recorded as an unknown card, silently, so no tap is lost.

A screen that takes taps itself asks the same way with its own ending: the record wizard (screens/record.py)
makes a recognised visitor the exchange's partner (`welcomed`) and says its own words for an unknown card
(`unknown`); the waiting, the patience and the journal are the same.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from kivy.clock import Clock, ClockEvent

from kiosk.i18n import N_, _
from screens.context import HubAnswer

if TYPE_CHECKING:
    from kiosk.domain import Member
    from screens.shell import Shell

log = logging.getLogger(__name__)

LOOK_UP_PATIENCE_S = 3.0  # then the card is an unknown card, whatever the hub says later
WAITING = N_("Un instant… Nous cherchons cette carte dans le réseau des collectifs.")


class VisitorDoor:
    def __init__(self, shell: Shell) -> None:
        self.shell = shell
        self._asked = 0  # the number of the question being answered (0: none)
        self._count = 0
        self._uid_hash = ""
        self._patience: ClockEvent | None = None
        self._welcomed: Callable[[Member], None] | None = None  # None: the shell's own endings
        self._unknown: Callable[[], None] | None = None

    @property
    def waiting(self) -> bool:
        return self._asked != 0

    def ask(
        self,
        uid_hash: str,
        welcomed: Callable[[Member], None] | None = None,
        unknown: Callable[[], None] | None = None,
    ) -> None:
        """Who is this card? Answered through `_answered`, now (offline) or in a moment: a visitor goes to
        `welcomed` (default: their session opens), an unknown card to `unknown` (default: the usual
        message) once its tap is recorded."""
        if self._asked and uid_hash == self._uid_hash:
            return  # the same card again while the hub is asked: one question
        self.forget()
        self._count += 1
        question = self._asked = self._count
        self._uid_hash = uid_hash
        self._welcomed, self._unknown = welcomed, unknown
        self.shell.ctx.look_up_card(uid_hash, lambda answer: self._answered(question, answer))
        if self._asked == question:  # not answered at once: the hub is being asked
            self.shell.notify(_(WAITING), "info")
            self._patience = Clock.schedule_once(
                lambda _dt: self._answered(question, HubAnswer(False, "timeout")), LOOK_UP_PATIENCE_S
            )

    def forget(self, keep: str = "") -> None:
        """Someone else, or no one, is at the kiosk now: a pending answer will not be shown (unless it is
        about `keep`, the card presented again)."""
        if self._asked and keep and keep == self._uid_hash:
            return
        if self._asked:
            self._record_unknown(self._uid_hash)
            self._hide_waiting()
        self._stop_waiting()

    def _hide_waiting(self) -> None:
        message = self.shell.overlays.message
        if message is not None and message.text == _(WAITING):
            self.shell.overlays.hide_message()

    def _stop_waiting(self) -> None:
        self._asked = 0
        self._uid_hash = ""
        self._welcomed = self._unknown = None
        if self._patience is not None:
            self._patience.cancel()
            self._patience = None

    def _answered(self, question: int, answer: HubAnswer) -> None:
        if question != self._asked:
            return  # too late: the tap was settled already
        uid_hash = self._uid_hash
        welcomed = self._welcomed or self.shell.open_member
        unknown = self._unknown or self.shell.unknown_card
        self._stop_waiting()
        try:
            visitor = self.shell.ctx.services.network.welcome(answer.data) if answer.ok else None
            if visitor is None:
                if answer.code not in ("unknown_card", "not_paired"):
                    log.info("card look-up: %s", answer.code)
                self._record_unknown(uid_hash)
                unknown()
                return
            self.shell.ctx.after_write()
            self._hide_waiting()  # a screen that stays (the wizard) must not keep « Un instant… »
            welcomed(visitor)
        except Exception:
            log.exception("welcoming a visitor failed")
            self.shell.recover()

    def _record_unknown(self, uid_hash: str) -> None:
        if self.shell.ctx.services.cards.record_unknown_tap(uid_hash):
            self.shell.ctx.after_write()
