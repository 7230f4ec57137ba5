"""« Je me porte volontaire » for one draw (route "draw_volunteer", `draw_id=…`), one question per step.

about: what a representative does, the cut-off, how the draw works in plain words → (when the draw asks
for quota attributes) consent: what they are for and that they are never published ticket by ticket —
« Ne pas répondre » volunteers without them → attributes: age band, gender (each with « Je préfère ne
pas répondre »), quartier (the member's own proposed) → ticket: the ticket code big on screen, « Imprimer »
when a printer is there, « Me retirer » until the cut-off (services.draws.volunteer / withdraw).
A member who already volunteered lands on their ticket. « Retour » goes one step back.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.lang import Builder
from kivy.properties import BooleanProperty, ListProperty, StringProperty

from hardware.receipts import Rule, Slip, Text
from kiosk.errors import KioskError
from kiosk.i18n import _
from kiosk.quartiers import load_quartiers
from screens import admin_widgets  # noqa: F401  (AdminHeader)
from screens import governance_widgets as gov
from screens.base import KioskScreen
from screens.board_model import ThemeLabels, top_theme_id
from screens.tr import tr
from screens.widgets import buttons, chips, scroll, text  # noqa: F401  (kv rules use them)

KV_FILE = str(Path(__file__).with_suffix(".kv"))
if KV_FILE not in Builder.files:
    Builder.load_file(KV_FILE)

STEPS = ("about", "consent", "attributes", "ticket")


class DrawVolunteerScreen(KioskScreen):
    step = StringProperty("about")
    draw_title = StringProperty("")
    about_text = StringProperty("")
    how_text = StringProperty("")
    consent_text = StringProperty("")
    ticket = StringProperty("")
    ticket_note = StringProperty("")
    is_open = BooleanProperty(False)
    has_member = BooleanProperty(False)
    can_print = BooleanProperty(False)
    asks_age = BooleanProperty(False)
    asks_gender = BooleanProperty(False)
    asks_quartier = BooleanProperty(False)
    age_choices = ListProperty([])
    gender_choices = ListProperty([])
    quartier_choices = ListProperty([])

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._labels = ThemeLabels()
        self.draw: Any = None
        self.answers: dict[str, str] = {}

    # --- the shell's contract -------------------------------------------------------------------------

    def prepare(self, draw_id: str = "", **_params: Any) -> None:
        self.draw = self.ctx.services.draws.get(draw_id)
        member = self.session.member
        self.has_member = member is not None
        self.can_print = self.ctx.can_print
        self.answers = {}
        if member is not None and member.quartier:
            self.answers["quartier"] = member.quartier
        self.ticket = (self.ctx.services.draws.ticket_of(draw_id, member.id) or "") if member else ""
        self.refresh_language()
        self._go_to("ticket" if self.ticket else "about")

    def refresh_language(self) -> None:
        draw = self.draw
        if draw is None:
            return
        now = self.ctx.clock.now()
        self.is_open = str(draw.status) == "open"
        theme = self._labels.label(top_theme_id(draw.theme_id), tr.language)
        self.draw_title = draw.title
        deadline = gov.deadline_text(draw.cutoff, now)
        if self.is_open:
            when = _("Vous pouvez vous porter volontaire jusqu’au {when}.").format(when=deadline)
        else:
            when = _("Le volontariat est clos depuis le {when}.").format(when=deadline)
        self.about_text = "\n".join(
            (
                _(
                    "Le ou la représentant·e parle au nom du collectif pour le thème « {theme} »"
                    " aux réunions du réseau."
                ).format(theme=theme),
                when,
            )
        )
        seats = int(draw.seats)
        self.how_text = "\n".join(
            (
                _("Après cette date, une personne sera tirée au sort parmi les volontaires.")
                if seats == 1
                else _(
                    "Après cette date, {count} personnes seront tirées au sort parmi les volontaires."
                ).format(count=seats),
                _("Le hasard viendra de : {source}.").format(source=draw.randomness_source),
                _("Le tirage utilise un hasard public ; tout le monde peut le vérifier."),
            )
        )
        asked = [str(attribute) for attribute in draw.attributes_asked]
        self.asks_age, self.asks_gender, self.asks_quartier = (
            a in asked for a in ("age_band", "gender", "quartier")
        )
        names = ", ".join(gov.attribute_label(attribute).lower() for attribute in asked)
        quotas = gov.quotas_text(draw.quotas)
        lines = [_("Ce tirage vous demande aussi : {names}. Répondre est facultatif.").format(names=names)]
        if quotas:
            lines.append(_("Ses quotas : {quotas}.").format(quotas=quotas))
        self.consent_text = "\n".join(lines)
        no_answer = (gov.NO_ANSWER, _(gov.PREFER_NOT_TO_SAY))
        self.age_choices = [*[(value, _(label)) for value, label in gov.AGE_BANDS], no_answer]
        self.gender_choices = [*[(value, _(label)) for value, label in gov.GENDERS], no_answer]
        quartiers = load_quartiers(self.ctx.config)
        self.quartier_choices = [*[(name, _(name)) for name in quartiers], no_answer]
        self._show_answers()
        self.ticket_note = (
            _("Vous pouvez vous retirer jusqu’au {when}.").format(when=deadline) if self.is_open else ""
        )

    def wipe(self) -> None:
        self.draw = None
        self.answers = {}
        self.ticket = self.ticket_note = ""
        self.has_member = False
        self._go_to("about")

    # --- steps --------------------------------------------------------------------------------------

    def back(self) -> None:
        if self.step in ("about", "ticket"):
            self.shell.back()
        elif self.step == "consent":
            self._go_to("about")
        else:
            self._go_to("consent")

    def start(self) -> None:
        """« Je me porte volontaire »: the consent screen first when the draw asks for attributes."""
        if self.draw is None or self.session.member is None:
            self.shell.notify(_("Passez votre carte pour vous porter volontaire."), "info")
            return
        if list(self.draw.attributes_asked):
            self._go_to("consent")
        else:
            self.volunteer(None)

    def consent(self) -> None:
        self._go_to("attributes")

    def answer(self, attribute: str, value: str) -> None:
        self.answers[attribute] = value

    def confirm(self) -> None:
        """« Valider »: the answers given (a « Je préfère ne pas répondre » leaves its attribute out)."""
        asked = (
            {str(attribute) for attribute in self.draw.attributes_asked} if self.draw is not None else set()
        )
        self.volunteer({key: value for key, value in self.answers.items() if value and key in asked})

    def volunteer(self, attributes: dict[str, str] | None) -> None:
        member = self.session.member
        if self.draw is None or member is None:
            return
        try:
            self.ticket = self.ctx.services.draws.volunteer(self.draw.id, member.id, attributes)
        except KioskError as error:
            self.shell.notify(error.text(), "error")
            return
        self.ctx.after_write()
        self.shell.notify(_("C’est noté : vous êtes volontaire !"), "success")
        self._go_to("ticket")

    def withdraw(self) -> None:
        member = self.session.member
        if self.draw is None or member is None:
            return
        try:
            self.ctx.services.draws.withdraw(self.draw.id, member.id)
        except KioskError as error:
            self.shell.notify(error.text(), "error")
            return
        self.ctx.after_write()
        self.ticket = ""
        self.shell.notify(_("Vous n’êtes plus volontaire pour ce tirage. Votre ticket est annulé."), "info")
        self._go_to("about")

    def done(self) -> None:
        self.shell.back()

    def print_ticket(self) -> None:
        if self.draw is None or not self.ticket or self.ctx.print_slip is None:
            return
        now = self.ctx.clock.now()
        slip = Slip(
            "ticket",
            (
                Text(self.ctx.config.collective.name, center=True, bold=True),
                Text(_("Tirage au sort"), center=True, big=True),
                Text(self.draw.title, bold=True),
                Rule(),
                Text(_("Votre ticket"), center=True),
                Text(self.ticket, center=True, big=True),
                Rule(),
                Text(_("Volontariat jusqu’au {when}").format(when=gov.deadline_text(self.draw.cutoff, now))),
                Text(_("Le hasard viendra de : {source}.").format(source=self.draw.randomness_source)),
                Text(_("Gardez ce ticket : le résultat l’affichera, sans votre nom.")),
            ),
        )
        self.ctx.print_slip(slip)
        self.shell.notify(_("Impression du ticket en cours…"), "info")

    def _show_answers(self) -> None:
        for attribute, chips_id in (
            ("age_band", "age_chips"),
            ("gender", "gender_chips"),
            ("quartier", "quartier_chips"),
        ):
            value = self.answers.get(attribute)
            self.ids[chips_id].selected = [] if value is None else [value]

    def _go_to(self, step: str) -> None:
        self.step = step
        self.ids.steps.current = step
