"""« Effacer un membre » (GDPR erasure on request): find the member, see what goes and what stays, confirm
twice.

search (pseudonym, on-screen keyboard) → what erasing removes (pseudonym, contact, languages, listings,
cards) and what it keeps (their exchanges, as anonymised counts: services.members.erasure_preview) →
« Effacer ce membre » → « C'est définitif » with the red « Effacer définitivement » → done.

Route "admin_erase" (an admin session only). Librarians erase; the core refuses anyone else.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.lang import Builder
from kivy.properties import StringProperty

from kiosk.domain import ErasurePreview, Member
from kiosk.errors import KioskError
from kiosk.i18n import N_, _
from screens.admin_widgets import AdminScreen
from screens.sounds import SUCCESS
from screens.tr import tr

KV_FILE = str(Path(__file__).with_suffix(".kv"))

NOT_YOURSELF = N_("Vous ne pouvez pas effacer votre propre compte depuis votre session.")


def format_hours(hours: float, language: str) -> str:
    """« 12,5 h » / "12.5 h": whole hours without decimals."""
    text = f"{round(hours, 1):g}"
    return (text.replace(".", ",") if language != "en" else text) + " h"


class AdminEraseScreen(AdminScreen):
    step = StringProperty("search")  # search, preview, confirm, done
    pseudonym = StringProperty("")
    removed = StringProperty("")
    kept = StringProperty("")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._member: Member | None = None
        self._preview: ErasurePreview | None = None

    # --- the shell's contract ---------------------------------------------------------------------

    def fill(self, **_params: Any) -> None:
        self.wipe()
        self.ids.picker.services = self.ctx.services

    def wipe(self) -> None:
        self._member = None
        self._preview = None
        self.pseudonym = self.removed = self.kept = ""
        self.ids.picker.reset()
        self._go_to("search")

    def refresh_language(self) -> None:
        self._fill_preview()

    # --- moving ---------------------------------------------------------------------------------------

    def back(self) -> None:
        if self.step in ("search", "done"):
            self.shell.back()
        elif self.step == "preview":
            self._go_to("search")
        elif self.step == "confirm":
            self._go_to("preview")

    def pick(self, member: Member) -> None:
        if member.id == self.actor_id:
            self.shell.notify(_(NOT_YOURSELF), "info")
            return
        try:
            self._preview = self.ctx.services.members.erasure_preview(member.id)
        except KioskError as error:
            self.shell.notify(error.text(), "error")
            return
        self._member = member
        self.pseudonym = member.pseudonym
        self._fill_preview()
        self._go_to("preview")

    def first_confirmation(self) -> None:
        if self._member is not None:
            self._go_to("confirm")

    def erase(self) -> None:
        member = self._member
        if member is None:
            return
        try:
            self.ctx.services.members.erase(member.id, self.actor_id)
        except KioskError as error:
            self.shell.notify(error.text(), "error")
            return
        self.ctx.after_write()
        self._member = None
        self._preview = None
        self.removed = self.kept = ""
        self._go_to("done")
        self.shell.sounds.play(SUCCESS)

    def finish(self) -> None:
        self.wipe()
        self.shell.back()

    # --- showing --------------------------------------------------------------------------------------

    def _fill_preview(self) -> None:
        preview = self._preview
        if preview is None:
            return
        self.removed = _(
            "Son pseudonyme, son contact, ses langues, ses annonces ({listings}) et ses cartes ({cards}) "
            "sont supprimés. Ses cartes sont refusées partout."
        ).format(listings=preview.listings, cards=preview.cards)
        self.kept = _(
            "Ses échanges ({exchanges}, {hours}) restent comptés pour le collectif, sans son nom."
        ).format(exchanges=preview.exchanges, hours=format_hours(preview.hours, tr.language))

    def _go_to(self, step: str) -> None:
        self.step = step
        self.ids.steps.current = step


if KV_FILE not in Builder.files:
    Builder.load_file(KV_FILE)
