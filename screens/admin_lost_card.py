"""« Carte perdue »: find the member, see their cards, declare one lost, then give them a new one.

search (pseudonym, on-screen keyboard; or their card, if it is only damaged) → their cards → a card →
why (« Carte perdue », « Carte volée », « Carte abîmée » or typed) → « Déclarer perdue »: the card is
revoked at once (services.cards.revoke) and is refused everywhere once synced → « Passez la carte de
remplacement »: the new card is enrolled to the same member (services.cards.replace: the old card is
already revoked, so only the enrolment remains) → done. Leaving after the revocation is fine: the screen
says the member has no card for now.

Route "admin_lost_card" (an admin session only).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from kivy.lang import Builder
from kivy.properties import StringProperty

from kiosk.domain import Card, CardStatus, Identification, Identified, Member
from kiosk.errors import KioskError, codes
from kiosk.i18n import N_, _
from screens.accueil import format_day
from screens.admin_enrol import NOT_A_CARD, REVOKED_CARD
from screens.admin_widgets import AdminRow, AdminScreen
from screens.sounds import REFUSAL, SUCCESS
from screens.tr import tr

KV_FILE = str(Path(__file__).with_suffix(".kv"))

REASONS = (N_("Carte perdue"), N_("Carte volée"), N_("Carte abîmée"))
TAP_LATER = N_("Choisissez d’abord la carte à désactiver ; ensuite, passez la carte de remplacement.")


class AdminLostCardScreen(AdminScreen):
    step = StringProperty("search")  # search, cards, reason, replace, done
    pseudonym = StringProperty("")
    replace_problem = StringProperty("")
    done_text = StringProperty("")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._member: Member | None = None
        self._card: Card | None = None  # the card declared lost
        self.ids.reasons.reasons = list(REASONS)

    # --- the shell's contract ---------------------------------------------------------------------

    def fill(self, **_params: Any) -> None:
        self.wipe()
        self.ids.picker.services = self.ctx.services

    def wipe(self) -> None:
        self._member = None
        self._card = None
        self.pseudonym = self.replace_problem = self.done_text = ""
        self.ids.card_rows.clear_widgets()
        self.ids.reasons.clear()
        self.ids.picker.reset()
        self._go_to("search")

    def refresh_language(self) -> None:
        if self._member is not None:
            self._fill_cards()
            self._fill_done()
        self.ids.reasons.refresh_language()

    def on_identified(self, identification: Identification) -> bool:
        if not self.session.admin:
            return False
        if self.step == "replace":
            self._replacement_tapped(identification)
        elif self.step == "search" and identification.member is not None and identification.card is not None:
            self.pick(identification.member)  # a damaged card still reads: its owner at once
        else:
            self.shell.notify(_(TAP_LATER), "info")
        return True

    # --- moving ---------------------------------------------------------------------------------------

    def back(self) -> None:
        if self.step in ("search", "replace", "done"):
            self.shell.back()
        elif self.step == "cards":
            self._go_to("search")
        elif self.step == "reason":
            if self.ids.reasons.typing:
                self.ids.reasons.typing = False
            else:
                self._go_to("cards")

    def pick(self, member: Member) -> None:
        self._member = member
        self.pseudonym = member.pseudonym
        self._fill_cards()
        self._go_to("cards")

    def choose_card(self, uid_hash: str) -> None:
        self._card = self.ctx.services.cards.get(uid_hash)
        self.ids.reasons.clear()
        self.ids.reasons.choose(REASONS[0])
        self._go_to("reason")

    def revoke(self) -> None:
        card, reason = self._card, self.ids.reasons.reason
        if card is None or not reason:
            return
        try:
            self._card = self.ctx.services.cards.revoke(card.uid_hash, reason, actor_id=self.actor_id)
        except KioskError as error:
            self.shell.notify(error.text(), "error")
            return
        self.ctx.after_write()
        self.replace_problem = ""
        self._go_to("replace")

    def finish(self) -> None:
        """« Terminer sans nouvelle carte » / « Terminé »: back to the admin home."""
        self.wipe()
        self.shell.back()

    # --- the replacement card -----------------------------------------------------------------------

    def _replacement_tapped(self, identification: Identification) -> None:
        outcome, old = identification.outcome, self._card
        card = self.shell.last_card
        if identification.refusal is not None or (
            outcome is Identified.MEMBER and identification.card is None
        ):
            self._problem(_(NOT_A_CARD))
        elif outcome is Identified.RANDOM_UID:
            self._problem(KioskError(codes.RANDOM_UID).text())
        elif outcome is Identified.REVOKED:
            self._problem(_(REVOKED_CARD))
        elif outcome is Identified.MEMBER and identification.member is not None:
            self._problem(
                KioskError(codes.CARD_ALREADY_ENROLLED, pseudonym=identification.member.pseudonym).text()
            )
        elif outcome is Identified.UNKNOWN and card is not None and old is not None:
            try:
                self.ctx.services.cards.replace(old.uid_hash, card, actor_id=self.actor_id)
            except KioskError as error:
                self._problem(error.text())
                return
            self.ctx.after_write()
            self._fill_done()
            self._go_to("done")
            self.shell.sounds.play(SUCCESS)

    def _problem(self, text: str) -> None:
        self.replace_problem = text
        self.shell.sounds.play(REFUSAL)

    # --- showing --------------------------------------------------------------------------------------

    def _fill_cards(self) -> None:
        box = self.ids.card_rows
        box.clear_widgets()
        member = self._member
        if member is None:
            return
        cards = self.ctx.services.cards.of_member(member.id)
        for number, card in enumerate(cards, start=1):
            active = card.status is CardStatus.ACTIVE
            row = AdminRow(
                title=_("Carte n° {number}").format(number=number),
                detail=self._card_detail(card),
                badge="" if active else _("Désactivée"),
                icon="card" if active else "card-lost",
                value=card.uid_hash,
            )
            if active:  # a card already revoked has nothing more to do here
                row.bind(on_release=lambda chosen: self.choose_card(chosen.value))
            box.add_widget(row)
        self.ids.no_card.text = (
            "" if cards else _("{pseudonym} n’a aucune carte.").format(pseudonym=member.pseudonym)
        )

    def _card_detail(self, card: Card) -> str:
        enrolled = _("attribuée le {day}").format(day=self._day(card.enrolled_at))
        if card.revoked_at:
            return enrolled + " · " + _("désactivée le {day}").format(day=self._day(card.revoked_at))
        return enrolled

    def _day(self, stamp: str) -> str:
        moment = datetime.fromisoformat(stamp).astimezone(self.ctx.clock.now().tzinfo)
        return format_day(moment, tr.language, with_time=False)

    def _fill_done(self) -> None:
        if self.step == "done" or self._card is not None:
            self.done_text = _(
                "La nouvelle carte de {pseudonym} est prête. L’ancienne est refusée partout."
            ).format(pseudonym=self.pseudonym)

    def _go_to(self, step: str) -> None:
        self.step = step
        self.ids.steps.current = step


if KV_FILE not in Builder.files:
    Builder.load_file(KV_FILE)
