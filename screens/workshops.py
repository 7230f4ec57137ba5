"""« Ateliers à venir »: the upcoming workshops with their places left; a member registers with one tap.

Route "workshops", for everyone (no admin session needed): without a card the list is shown and a word
says how to register. With a member's session each workshop has « Je m'inscris » — past capacity the
member goes on the waiting list and the screen says so, with their rank — or « Me désinscrire » once
registered (services.workshops.register / unregister), and the sync worker is woken after each write.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.lang import Builder
from kivy.properties import BooleanProperty, ObjectProperty, StringProperty

from kiosk.domain import Registration, Workshop
from kiosk.errors import KioskError
from kiosk.i18n import _
from screens import admin2_words as words
from screens.base import KioskScreen
from screens.board_model import ThemeLabels
from screens.tr import tr
from screens.widgets import buttons, scroll, text  # noqa: F401  (kv rules use them)
from screens.widgets.text import Panel

KV_FILE = str(Path(__file__).with_suffix(".kv"))
if KV_FILE not in Builder.files:
    Builder.load_file(KV_FILE)

SHOWN = 20


class WorkshopCard(Panel):
    """One upcoming workshop; `registration` is the session member's place (None: not registered)."""

    screen = ObjectProperty(None, allownone=True)
    workshop_id = StringProperty("")
    title = StringProperty("")
    detail = StringProperty("")
    places = StringProperty("")
    status = StringProperty("")  # the member's registration in words, "" when none
    registered = BooleanProperty(False)
    can_register = BooleanProperty(False)  # a member's session is open

    def toggle(self) -> None:
        if self.registered:
            self.screen.unregister(self.workshop_id)
        else:
            self.screen.register(self.workshop_id)


def registration_text(registration: Registration) -> str:
    if registration.waiting_list:
        return _("Vous êtes sur la liste d’attente (n° {rank}).").format(rank=registration.position)
    return _("Vous êtes inscrit·e.")


class WorkshopsScreen(KioskScreen):
    has_member = BooleanProperty(False)
    empty = BooleanProperty(False)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._labels = ThemeLabels()

    def prepare(self, **_params: Any) -> None:
        self.fill()

    def refresh_language(self) -> None:
        if self.manager is not None and self.manager.current == self.name:
            self.fill()

    def wipe(self) -> None:
        self.ids.rows.clear_widgets()
        self.has_member = False

    def cards(self) -> list[WorkshopCard]:
        return [child for child in reversed(self.ids.rows.children) if isinstance(child, WorkshopCard)]

    def card_for(self, workshop_id: str) -> WorkshopCard | None:
        return next((card for card in self.cards() if card.workshop_id == workshop_id), None)

    def fill(self) -> None:
        member = self.session.member
        self.has_member = member is not None
        workshops = self.ctx.services.workshops.upcoming(SHOWN)
        self.empty = not workshops
        box = self.ids.rows
        box.clear_widgets()
        for workshop in workshops:
            registration = self._registration(workshop, member.id if member is not None else None)
            box.add_widget(
                WorkshopCard(
                    screen=self,
                    workshop_id=workshop.id,
                    title=workshop.title,
                    detail=self._detail(workshop),
                    places=words.places_text(workshop),
                    status=registration_text(registration) if registration is not None else "",
                    registered=registration is not None,
                    can_register=member is not None,
                )
            )

    def _detail(self, workshop: Workshop) -> str:
        when = words.when_text(words.starts_at(workshop))
        theme = self._labels.label(workshop.theme_id, tr.language)
        place = f" — {workshop.place}" if workshop.place else ""
        return f"{when}{place}\n{theme}"

    def _registration(self, workshop: Workshop, member_id: str | None) -> Registration | None:
        if member_id is None:
            return None
        try:
            return self.ctx.services.workshops.registration(workshop.id, member_id)
        except KioskError:
            return None

    def register(self, workshop_id: str) -> None:
        member = self.session.member
        if member is None:
            self.shell.notify(_("Passez votre carte pour vous inscrire à un atelier."), "info")
            return
        try:
            registration = self.ctx.services.workshops.register(workshop_id, member.id)
        except KioskError as error:
            self.shell.notify(error.text(), "error")
            return
        self.ctx.after_write()
        if registration.waiting_list:
            message = _(
                "L’atelier est complet : vous êtes sur la liste d’attente (n° {rank})."
                " Vous aurez une place si quelqu’un se désinscrit."
            ).format(rank=registration.position)
            self.shell.notify(message, "info")
        else:
            self.shell.notify(_("C’est noté, vous êtes inscrit·e !"), "success")
        self.fill()

    def unregister(self, workshop_id: str) -> None:
        member = self.session.member
        if member is None:
            return
        try:
            self.ctx.services.workshops.unregister(workshop_id, member.id)
        except KioskError as error:
            self.shell.notify(error.text(), "error")
            return
        self.ctx.after_write()
        self.shell.notify(_("Vous êtes désinscrit·e. Votre place revient à quelqu’un d’autre."), "info")
        self.fill()
