"""« Inscrire une carte »: the librarian taps a new card, then says whose it is.

« Passez la nouvelle carte » → the card is tapped (it comes through `on_identified`; the raw read is
`shell.last_card`):
- a card nobody has → « À qui est cette carte ? »: search a member by pseudonym (on-screen keyboard), or
  « Nouveau membre » (pseudonym, then quartier: a short sign-up for someone at the desk) → a summary →
  « Attribuer la carte » → done, with « Inscrire une autre carte »;
- a card already enrolled → refused, with its owner's pseudonym (the librarian may see it; the shell never
  shows it to a passer-by);
- a revoked card, a phone or a QR pass → refused, saying why.

Route "admin_enrol" (an admin session only). A card tapped at any step starts again with that card.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.lang import Builder
from kivy.properties import BooleanProperty, ListProperty, StringProperty

from kiosk.cardid import CardRead
from kiosk.domain import Identification, Identified, Member
from kiosk.errors import KioskError, codes
from kiosk.i18n import N_, _
from kiosk.quartiers import load_quartiers
from kiosk.services.members import check_pseudonym
from screens.admin_widgets import AdminScreen
from screens.signup_flow import pseudonym_in_use
from screens.sounds import REFUSAL, SUCCESS

KV_FILE = str(Path(__file__).with_suffix(".kv"))

NOT_A_CARD = N_("C’est un QR code : pour l’inscrire, passez une carte du collectif sur le lecteur.")
REVOKED_CARD = N_("Cette carte a été désactivée (déclarée perdue) : elle ne peut plus servir.")
NEW_CARD = N_("Prenez une carte neuve.")


class AdminEnrolScreen(AdminScreen):
    step = StringProperty("wait")  # wait, refused, pick, new_name, new_quartier, confirm, done
    refusal = StringProperty("")
    name_problem = StringProperty("")
    summary = StringProperty("")
    done_text = StringProperty("")
    quartier_choices = ListProperty([])
    name_ok = BooleanProperty(False)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._card: CardRead | None = None
        self._member: Member | None = None
        self._new_name = ""
        self._new_quartier = ""
        self._refusal: tuple[str, dict[str, str]] | KioskError | None = None

    # --- the shell's contract ---------------------------------------------------------------------

    def fill(self, **_params: Any) -> None:
        self._forget()
        self._go_to("wait")

    def wipe(self) -> None:
        self._forget()
        self._go_to("wait")

    def refresh_language(self) -> None:
        self._say_refusal()
        self._fill_summary()
        self._fill_done()
        if self.quartier_choices:
            self._fill_quartiers()

    def on_identified(self, identification: Identification) -> bool:
        if not self.session.admin:
            return False
        self._forget()
        outcome, card = identification.outcome, identification.card
        if identification.refusal is not None or (outcome is Identified.MEMBER and card is None):
            self._refuse((NOT_A_CARD, {}))
        elif outcome is Identified.RANDOM_UID:
            self._refuse(KioskError(codes.RANDOM_UID))
        elif outcome is Identified.REVOKED:
            self._refuse((REVOKED_CARD, {}))
        elif outcome is Identified.MEMBER and identification.member is not None:
            self._refuse(KioskError(codes.CARD_ALREADY_ENROLLED, pseudonym=identification.member.pseudonym))
        elif outcome is Identified.UNKNOWN and self.shell.last_card is not None:
            self._card = self.shell.last_card
            self.ids.picker.services = self.ctx.services
            self.ids.picker.reset()
            self._go_to("pick")
        else:
            self._refuse((NOT_A_CARD, {}))
        return True

    # --- moving ---------------------------------------------------------------------------------------

    def back(self) -> None:
        if self.step in ("wait", "refused", "done"):
            self.shell.back()
        elif self.step == "pick":
            self._forget()
            self._go_to("wait")
        elif self.step == "new_name":
            self._go_to("pick")
        elif self.step == "new_quartier":
            self._go_to("new_name")
        elif self.step == "confirm":
            self._go_to("new_quartier" if self._member is None else "pick")

    def again(self) -> None:
        """« Passer une autre carte » / « Inscrire une autre carte »."""
        self._forget()
        self._go_to("wait")

    def pick(self, member: Member) -> None:
        self._member = member
        self._fill_summary()
        self._go_to("confirm")

    def new_member(self) -> None:
        self._member = None
        self.ids.name_field.text = self._new_name
        self.name_problem = ""
        self._go_to("new_name")

    def name_typed(self) -> None:
        self._new_name = self.ids.name_field.text
        self.name_ok = len(self._new_name.strip()) >= 2
        self.name_problem = ""

    def submit_name(self) -> None:
        self.name_typed()
        try:
            name = check_pseudonym(self._new_name)
        except KioskError as error:
            self.name_problem = error.text()
            return
        if pseudonym_in_use(self.ctx.services, name):
            self.name_problem = KioskError(codes.PSEUDONYM_TAKEN, pseudonym=name).text()
            return
        self._new_name = name
        self._fill_quartiers()
        self._go_to("new_quartier")

    def choose_quartier(self, selected: list[str]) -> None:
        self._new_quartier = selected[0] if selected else ""

    def submit_quartier(self) -> None:
        if not self._new_quartier:
            return
        self._fill_summary()
        self._go_to("confirm")

    def enrol(self) -> None:
        card = self._card
        if card is None:
            self._go_to("wait")
            return
        services = self.ctx.services
        try:
            member = self._member
            if member is None:
                member = services.members.register(self._new_name, self._new_quartier)
                self._member = member
            services.cards.enrol(card, member.id, actor_id=self.actor_id)
        except KioskError as error:
            self._refuse(error)
            return
        self.ctx.after_write()
        self._card = None
        self._fill_done()
        self._go_to("done")
        self.shell.sounds.play(SUCCESS)

    # --- showing --------------------------------------------------------------------------------------

    def _forget(self) -> None:
        self._card = None
        self._member = None
        self._new_name = self._new_quartier = ""
        self._refusal = None
        self.refusal = self.summary = self.done_text = self.name_problem = ""
        self.name_ok = False
        self.ids.name_field.text = ""
        self.ids.quartier_chips.selected = []
        self.ids.picker.reset()

    def _refuse(self, refusal: tuple[str, dict[str, str]] | KioskError) -> None:
        self._refusal = refusal
        self._say_refusal()
        self._go_to("refused")
        self.shell.sounds.play(REFUSAL)

    def _say_refusal(self) -> None:
        refusal = self._refusal
        if refusal is None:
            self.refusal = ""
        elif isinstance(refusal, KioskError):
            self.refusal = refusal.text()
        else:
            message, params = refusal
            self.refusal = _(message).format(**params) + (
                "\n" + _(NEW_CARD) if message == REVOKED_CARD else ""
            )

    def _fill_quartiers(self) -> None:
        self.quartier_choices = [(name, _(name)) for name in load_quartiers(self.ctx.config)]
        self.ids.quartier_chips.choices = self.quartier_choices
        self.ids.quartier_chips.selected = [self._new_quartier] if self._new_quartier else []

    def _fill_summary(self) -> None:
        member = self._member
        if member is not None:
            self.summary = _("Attribuer cette carte à {pseudonym} ({quartier}) ?").format(
                pseudonym=member.pseudonym, quartier=member.quartier
            )
        elif self._new_name:
            self.summary = _("Inscrire {pseudonym} ({quartier}) et lui attribuer cette carte ?").format(
                pseudonym=self._new_name, quartier=_(self._new_quartier)
            )

    def _fill_done(self) -> None:
        member = self._member
        if member is not None and self._card is None:
            self.done_text = _("La carte de {pseudonym} est prête : elle sert dès maintenant.").format(
                pseudonym=member.pseudonym
            )

    def _go_to(self, step: str) -> None:
        self.step = step
        self.ids.steps.current = step
        if step == "new_name":
            self.ids.name_keyboard.target = self.ids.name_field


if KV_FILE not in Builder.files:
    Builder.load_file(KV_FILE)
