"""« Pointage d'un atelier »: an animator picks the workshop (today's first), then every card tapped at
the door records one person in, with a big running count and the list of who is in.

- a member's card → services.workshops.check_in (twice counts once, and says so);
- a card the kiosk does not know → a guest (services.workshops.check_in_guest: the same card twice counts
  once); guests are counted, not named;
- a revoked card, a phone, a bad pass → a calm refusal; nothing is counted.

« Clore le pointage » shows a summary (animators → N learners + guests, duration); « Enregistrer
l'atelier comme échange » records it as ONE exchange from the animators to every member present
(services.workshops.close_as_exchange), or the librarian closes without recording. Route "checkin",
admin session (staff card + PIN): the animator's session stays open while others tap their cards.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.lang import Builder
from kivy.properties import BooleanProperty, NumericProperty, StringProperty

from kiosk.domain import Identification, Identified, Workshop
from kiosk.errors import KioskError, codes
from kiosk.i18n import N_, _
from screens import admin2_words as words
from screens import overlays
from screens.admin_widgets import AdminRow, AdminScreen
from screens.record_steps.wording import duration_text, join_names
from screens.sounds import REFUSAL, SUCCESS

KV_FILE = str(Path(__file__).with_suffix(".kv"))
if KV_FILE not in Builder.files:
    Builder.load_file(KV_FILE)

CHOICES_SHOWN = 12


class CheckinScreen(AdminScreen):
    step = StringProperty("pick")  # pick → door → summary
    workshop_title = StringProperty("")
    workshop_detail = StringProperty("")
    count = NumericProperty(0)
    guests = NumericProperty(0)
    names = StringProperty("")
    summary = StringProperty("")
    last_news = StringProperty("")
    nothing_to_pick = BooleanProperty(False)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.workshop: Workshop | None = None

    # --- the shell's contract -------------------------------------------------------------------------

    def fill(self, workshop_id: str = "", **_params: Any) -> None:
        self.workshop = None
        self.last_news = ""
        if workshop_id:
            self.open_workshop(workshop_id)
        else:
            self._fill_choices()
            self._go_to("pick")

    def wipe(self) -> None:
        self.workshop = None
        self.workshop_title = self.workshop_detail = self.names = self.summary = self.last_news = ""
        self.count = self.guests = 0
        self.ids.choices.clear_widgets()
        self._go_to("pick")

    def refresh_language(self) -> None:
        if self.workshop is not None:
            self._show_door()
            self._fill_summary()
        elif self.step == "pick" and self.session.admin:
            self._fill_choices()

    def on_identified(self, identification: Identification) -> bool:
        """At the door every card is someone coming in; elsewhere the shell does as usual."""
        if self.step != "door" or self.workshop is None:
            return False
        services, workshop_id = self.ctx.services, self.workshop.id
        outcome, member = identification.outcome, identification.member
        try:
            if outcome is Identified.MEMBER and member is not None:
                already = any(
                    member_id == member.id for member_id, _name in services.workshops.present(workshop_id)
                )
                services.workshops.check_in(workshop_id, member.id)
                if already:
                    self.last_news = _("{name} est déjà compté·e.").format(name=member.pseudonym)
                else:
                    self.last_news = _("Bienvenue {name} !").format(name=member.pseudonym)
            elif outcome is Identified.UNKNOWN and identification.refusal is None:
                card = self.shell.last_card
                services.workshops.check_in_guest(workshop_id, card.uid_hash if card is not None else None)
                self.last_news = _("Une personne invitée de plus (carte inconnue).")
            else:
                self._refuse(identification)
                return True
        except KioskError as error:
            self.shell.notify(error.text(), "error")
            return True
        self.ctx.after_write()
        self.shell.sounds.play(SUCCESS)
        self._show_door()
        return True

    def _refuse(self, identification: Identification) -> None:
        if identification.refusal is not None:
            text = identification.refusal.text()
        elif identification.outcome is Identified.REVOKED:
            text = KioskError(codes.CARD_REVOKED).text()
        elif identification.outcome is Identified.RANDOM_UID:
            text = _(overlays.RANDOM_UID)
        else:
            text = _(overlays.INVALID_PASS)
        self.shell.sounds.play(REFUSAL)
        self.shell.notify(text, "error")

    # --- picking the workshop ----------------------------------------------------------------------

    def _fill_choices(self) -> None:
        box = self.ids.choices
        box.clear_widgets()
        workshops = self.ctx.services.workshops.upcoming(CHOICES_SHOWN)
        today = self.ctx.clock.now().date()
        self.nothing_to_pick = not workshops
        for workshop in workshops:
            moment = words.starts_at(workshop)
            when = words.when_text(moment)
            if moment.date() == today:
                when = _("Aujourd’hui à {time}").format(time=words.clock_text(moment))
            registered = words.count_text(workshop.registered, N_("1 inscrit·e"), N_("{count} inscrit·es"))
            row = AdminRow(
                title=workshop.title,
                detail=f"{when} — {registered}",
                icon="calendar",
                value=workshop.id,
                badge=_("Aujourd’hui") if moment.date() == today else "",
            )
            row.bind(on_release=lambda pressed: self.open_workshop(pressed.value))
            box.add_widget(row)

    def choice_rows(self) -> list[AdminRow]:
        return [child for child in reversed(self.ids.choices.children) if isinstance(child, AdminRow)]

    def open_workshop(self, workshop_id: str) -> None:
        try:
            self.workshop = self.ctx.services.workshops.get(workshop_id)
        except KioskError as error:
            self.shell.notify(error.text(), "error")
            return
        if self.workshop.status == "held":
            self.shell.notify(_("Cet atelier est déjà clos et enregistré."), "info")
            self.workshop = None
            return
        self.last_news = ""
        self._show_door()
        self._go_to("door")

    # --- at the door ---------------------------------------------------------------------------------

    def _show_door(self) -> None:
        workshop = self.workshop
        if workshop is None:
            return
        services = self.ctx.services
        self.workshop_title = workshop.title
        self.workshop_detail = words.when_text(words.starts_at(workshop))
        present = services.workshops.present(workshop.id)
        self.guests = services.workshops.guests(workshop.id)
        self.count = len(present) + self.guests
        self.names = ", ".join(name for _id, name in present)

    def close_door(self) -> None:
        self._fill_summary()
        self._go_to("summary")

    def back_to_door(self) -> None:
        self._go_to("door")

    def _fill_summary(self) -> None:
        workshop = self.workshop
        if workshop is None:
            return
        services = self.ctx.services
        animators = [services.members.get(member_id).pseudonym for member_id in workshop.animator_ids]
        present = [
            name
            for member_id, name in services.workshops.present(workshop.id)
            if member_id not in workshop.animator_ids
        ]
        guests = services.workshops.guests(workshop.id)
        learners = words.count_text(len(present), N_("1 participant·e"), N_("{count} participant·es"))
        line = _("Animé par {animators} : {learners}").format(
            animators=join_names(animators), learners=learners
        )
        if guests:
            line += " + " + words.count_text(guests, N_("1 invité·e"), N_("{count} invité·es"))
        self.summary = f"{line}\n{duration_text(workshop.duration_min)} — {workshop.title}"

    def record_exchange(self) -> None:
        workshop = self.workshop
        if workshop is None:
            return
        try:
            self.ctx.services.workshops.close_as_exchange(workshop.id, self.actor_id)
        except KioskError as error:
            self.shell.notify(error.text(), "error")
            return
        self.ctx.after_write()
        self.shell.notify(
            _("L’atelier est enregistré comme un échange : merci à toutes et à tous !"), "success"
        )
        self._leave()

    def close_without_recording(self) -> None:
        self.shell.notify(_("Pointage clos, sans enregistrer d’échange."), "info")
        self._leave()

    def _leave(self) -> None:
        self.wipe()
        self.shell.back()

    def _go_to(self, step: str) -> None:
        self.step = step
        self.ids.steps.current = step
