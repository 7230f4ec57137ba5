"""The member pass on screen: « Bienvenue, Léa ! », the signed QR big enough for a phone photo, printing
when a printer is there, and « Continuer » into the member's home (the pass identifies them, so the
session opens at once — the same as showing the pass to the scanner).

Opened after sign-up with the pass just issued (`pass_text`), or with `member_id` alone to issue a fresh
one (a member who lost theirs). The pass is personal: `wipe` forgets it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.lang import Builder
from kivy.properties import BooleanProperty, StringProperty

from hardware.qr import member_pass_payload
from hardware.receipts import member_pass_slip
from kiosk.domain import Identified, Member
from kiosk.i18n import _
from screens.base import KioskScreen
from screens.tr import tr
from screens.widgets import buttons, qr_image, text  # noqa: F401  (kv rules below use their classes)

KV_FILE = str(Path(__file__).with_suffix(".kv"))
if KV_FILE not in Builder.files:
    Builder.load_file(KV_FILE)


class MemberPassScreen(KioskScreen):
    pseudonym = StringProperty("")
    pass_text = StringProperty("")
    can_print = BooleanProperty(False)
    printing = BooleanProperty(False)  # the button says so and waits: no second slip by a double tap

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._member: Member | None = None
        self._print_job = ""

    def prepare(self, member_id: str = "", pass_text: str = "", **_params: Any) -> None:
        member = self.ctx.services.members.get(member_id)
        if not pass_text:
            pass_text = self.ctx.services.passes.issue(member.id)
            self.ctx.after_write()  # the first pass of this kiosk publishes its signing key
        self._member = member
        self.pseudonym = member.pseudonym
        self.pass_text = member_pass_payload(pass_text)
        self.can_print = self.ctx.can_print
        self.printing = False

    def print_pass(self) -> None:
        if self._member is None or self.ctx.print_slip is None or self.printing:
            return
        slip = member_pass_slip(
            self._member.pseudonym,
            self.ctx.config.collective.name,
            self.ctx.clock.now(),
            self.pass_text,
            language=tr.language,
        )
        self.printing = True
        self._print_job = self.ctx.print_slip(slip)

    def on_print_finished(self, job_id: str, ok: bool, error_code: str = "") -> bool:
        """The shell's call when a print job ends: our pass printed → say where it is; a failure is said
        by the shell (with « your QR code stays on screen »)."""
        if job_id != self._print_job:
            return False
        self._print_job = ""
        self.printing = False
        if not ok:
            return False
        self.shell.notify(_("Votre pass est imprimé : prenez-le à la sortie de l’imprimante."), "success")
        return True

    def continue_to_member_home(self) -> None:
        """The pass identifies them, exactly as if they had shown it to the scanner: their session opens."""
        found = self.ctx.services.passes.identify(self.pass_text) if self.pass_text else None
        if found is None or found.outcome is not Identified.MEMBER or found.member is None:
            refusal = found.refusal.text() if found is not None and found.refusal is not None else ""
            if refusal:
                self.shell.notify(refusal, "error")
            self.shell.home()
            return
        self.session.open(found.member)
        self.shell.go("member_home", member_id=found.member.id)

    def wipe(self) -> None:
        self._member = None
        self._print_job = ""
        self.printing = False
        self.pseudonym = ""
        self.pass_text = ""
