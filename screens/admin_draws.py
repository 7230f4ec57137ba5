"""« Tirages au sort » for librarians and animators (route "admin_draws", admin session).

list: every draw with its state, « Annoncer un tirage ». The announcement, one question per step:
theme (catalogue chips; the title is prefilled « Représentant·e <thème> ») → title (keyboard) → seats
(stepper), cut-off (in 1 / 2 / 4 weeks, and an hour) → the public randomness to come, typed or picked
from suggestions dated after the cut-off → attributes asked and quotas, with a summary → « Annoncer ».
A draw tapped in the list opens its page: after the cut-off « Figer la liste » (its SHA-256 is shown; quotas
no panel can meet are refused in clear words and nothing is written), then « Saisir le hasard public »
(dice values or lottery numbers, typed) → « Faire le tirage » → the result page (route "draw_result").
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

from kivy.lang import Builder
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, StringProperty

from kiosk.domain_governance import MAX_SEATS
from kiosk.errors import KioskError
from kiosk.governance.quotas import Quota
from kiosk.i18n import _
from kiosk.text import clean
from screens import admin2_words as words
from screens import governance_widgets as gov
from screens.admin2_widgets import Stepper  # noqa: F401  (kv rules use it)
from screens.admin_widgets import AdminRow, AdminScreen
from screens.board_model import ThemeLabels
from screens.tr import tr

KV_FILE = str(Path(__file__).with_suffix(".kv"))
if KV_FILE not in Builder.files:
    Builder.load_file(KV_FILE)

FORM_STEPS = ("theme", "title", "when", "randomness", "quotas")
TITLE_MAX = 80
WEEKS = (1, 2, 4)
HOURS = ("12:00", "18:00", "20:00")
TYPED = "__typed__"
ACTIONS = {"closed": "freeze", "frozen": "enter", "performed": "see"}  # draw status → the next act
# step → (keyboard id, field id) for the steps typed on the on-screen keyboard
TYPED_STEPS = {
    "title": ("title_keyboard", "title_field"),
    "source": ("source_keyboard", "source_field"),
    "entry": ("entry_keyboard", "randomness_field"),
}


class AdminDrawsScreen(AdminScreen):
    step = StringProperty("list")
    empty = BooleanProperty(False)
    theme_choices = ListProperty([])
    title_ok = BooleanProperty(False)
    seats = NumericProperty(1)
    week_choices = ListProperty([])
    hour_choices = ListProperty([])
    cutoff_text = StringProperty("")
    suggestion_choices = ListProperty([])
    source_ok = BooleanProperty(False)
    attribute_choices = ListProperty([])
    quota_choices = ListProperty([])
    summary = StringProperty("")
    max_seats = NumericProperty(MAX_SEATS)
    # the draw opened from the list
    draw_title = StringProperty("")
    draw_text = StringProperty("")
    problem = StringProperty("")
    action = StringProperty("")  # the next act on the opened draw: "freeze", "enter", "see" or ""
    entry_hint = StringProperty("")
    randomness_ok = BooleanProperty(False)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._labels = ThemeLabels()
        self.theme_id = ""
        self.weeks, self.hour = WEEKS[1], HOURS[1]
        self.attributes: list[str] = []
        self.quotas: list[str] = []  # keys "attribute=value" of QUOTA_MENU
        self.draw: Any = None
        self.suggestions: list[tuple[str, str]] = []
        self._refusal: KioskError | None = None  # why the list could not be frozen

    # --- the shell's contract -------------------------------------------------------------------------

    def fill(self, **_params: Any) -> None:
        self.reset_form()
        self.refresh_language()
        self.show_list()

    def wipe(self) -> None:
        self.reset_form()
        self.draw = self._refusal = None
        self.draw_title = self.draw_text = self.problem = ""
        self.ids.rows.clear_widgets()
        self._go_to("list")

    def refresh_language(self) -> None:
        language = tr.language
        self.theme_choices = [(theme.id, theme.label(language)) for theme in self._labels.top_themes()]
        self.week_choices = [
            (weeks, _("1 semaine") if weeks == 1 else _("{count} semaines").format(count=weeks))
            for weeks in WEEKS
        ]
        self.hour_choices = [(value, words.clock_text(time.fromisoformat(value))) for value in HOURS]
        self.attribute_choices = [(key, _(label)) for key, label in gov.ATTRIBUTES]
        self._fill_quota_choices()
        self._show_cutoff()
        if self.step == "list" and self.ids.rows.children:
            self.show_list()
        elif self.draw is not None:
            self._fill_draw(self.draw.id)

    # --- the list -------------------------------------------------------------------------------------

    def show_list(self) -> None:
        draws = self.ctx.services.draws.recent_draws()
        self.empty = not draws
        box = self.ids.rows
        box.clear_widgets()
        now = self.ctx.clock.now()
        for draw in draws:
            status = str(draw.status)
            detail = (
                f"{gov.cutoff_text(draw.cutoff, status, now)} — {gov.volunteers_text(int(draw.volunteers))}"
            )
            badge = _("À figer") if status == "closed" else _(gov.DRAW_STATUS.get(status, status))
            row = AdminRow(title=draw.title, detail=detail, badge=badge, value=draw.id)
            row.bind(on_release=lambda r: self.open_draw(r.value))
            box.add_widget(row)
        self._go_to("list")

    def rows(self) -> list[AdminRow]:
        return [child for child in reversed(self.ids.rows.children) if isinstance(child, AdminRow)]

    # --- the announcement -------------------------------------------------------------------------------

    def reset_form(self) -> None:
        self.theme_id = ""
        self.ids.theme_chips.selected = []
        self.ids.title_field.text = ""
        self.ids.source_field.text = ""
        self.seats = 1
        self.weeks, self.hour = WEEKS[1], HOURS[1]
        self.ids.week_chips.selected = [self.weeks]
        self.ids.hour_chips.selected = [self.hour]
        self.attributes, self.quotas = [], []
        self.ids.attribute_chips.selected = []
        self.ids.quota_chips.selected = []
        self.summary = ""

    def new_draw(self) -> None:
        self.reset_form()
        self.refresh_language()
        self._go_to("theme")

    def choose_theme(self, theme_id: str) -> None:
        self.theme_id = theme_id
        label = self._labels.label(theme_id, tr.language)
        self.ids.title_field.text = _("Représentant·e {theme}").format(theme=label.lower())
        self.title_typed()

    def title_typed(self) -> None:
        self.title_ok = 2 <= len(clean(self.ids.title_field.text)) <= TITLE_MAX

    def step_seats(self, delta: int) -> None:
        self.seats = min(MAX_SEATS, max(1, int(self.seats) + delta))
        self._fill_summary()

    def choose_weeks(self, weeks: int) -> None:
        self.weeks = int(weeks)
        self._show_cutoff()

    def choose_hour(self, hour: str) -> None:
        self.hour = hour
        self._show_cutoff()

    def cutoff(self) -> datetime:
        now = self.ctx.clock.now()
        day = now.date() + timedelta(weeks=self.weeks)
        return datetime.combine(day, time.fromisoformat(self.hour), tzinfo=now.tzinfo)

    def _show_cutoff(self) -> None:
        cutoff = self.cutoff()
        self.cutoff_text = _("Volontariat jusqu’au {when}").format(when=words.when_text(cutoff))
        self.suggestions = gov.randomness_suggestions(cutoff.date())
        self._fill_suggestion_chips()

    def suggest(self, key: str) -> None:
        """A suggestion chip fills the source; « Écrire autre chose… » opens the keyboard."""
        if key == TYPED:
            self._go_to("source")
            return
        self.ids.source_field.text = dict(self.suggestions).get(key, "")
        self.source_typed()

    def source_typed(self) -> None:
        typed = clean(self.ids.source_field.text)
        self.source_ok = bool(typed)
        keys = [key for key, text in self.suggestions if text == typed]
        self.ids.suggestion_chips.selected = keys or ([TYPED] if typed else [])

    def _fill_suggestion_chips(self) -> None:
        typed = clean(self.ids.source_field.text)
        own = typed and typed not in dict(self.suggestions).values()
        other = f"« {typed} »" if own else _("Écrire autre chose…")
        self.suggestion_choices = [*self.suggestions, (TYPED, other)]
        self.source_typed()

    def source_done(self) -> None:
        self._fill_suggestion_chips()
        self._go_to("randomness")

    def choose_attributes(self) -> None:
        self.attributes = [key for key, _label in gov.ATTRIBUTES if key in self.ids.attribute_chips.selected]
        self._fill_quota_choices()

    def choose_quotas(self) -> None:
        self.quotas = list(self.ids.quota_chips.selected)
        self._fill_summary()

    def _fill_quota_choices(self) -> None:
        """Quotas only on the attributes asked: a quota on an unasked one could never be checked."""
        self.quota_choices = gov.quota_choices(self.attributes)
        keys = {key for key, _label in self.quota_choices}
        self.quotas = [key for key in self.quotas if key in keys]
        self.ids.quota_chips.selected = list(self.quotas)
        self._fill_summary()

    def chosen_quotas(self) -> list[Quota]:
        return gov.menu_quotas(self.quotas)

    def _fill_summary(self) -> None:
        title = clean(self.ids.title_field.text)
        if not title or not self.theme_id:
            self.summary = ""
            return
        seats = int(self.seats)
        lines = [
            f"« {title} » — {gov.seats_text(seats)}",
            self.cutoff_text,
            _("Le hasard viendra de : {source}.").format(source=clean(self.ids.source_field.text)),
        ]
        if self.attributes:
            asked = ", ".join(gov.attribute_label(a).lower() for a in self.attributes)
            lines.append(_("Demandé aux volontaires (facultatif) : {names}").format(names=asked))
        quotas = "\n".join(gov.quota_text(q.attribute, q.value, q.minimum) for q in self.chosen_quotas())
        lines.append(quotas or _("Sans quotas : chaque volontaire a la même chance."))
        self.summary = "\n".join(lines)

    def announce(self) -> None:
        try:
            draw = self.ctx.services.draws.announce(
                self.actor_id,
                self.theme_id,
                clean(self.ids.title_field.text),
                int(self.seats),
                self.cutoff(),
                clean(self.ids.source_field.text),
                quotas=self.chosen_quotas(),
                attributes_asked=list(self.attributes),
            )
        except KioskError as error:
            self.shell.notify(error.text(), "error")
            return
        self.ctx.after_write()
        self.shell.notify(
            _("Le tirage « {title} » est annoncé : les membres peuvent se porter volontaires.").format(
                title=draw.title
            ),
            "success",
        )
        self.reset_form()
        self.show_list()

    # --- one draw: freeze, randomness, perform ------------------------------------------------------------

    def open_draw(self, draw_id: str) -> None:
        self._fill_draw(draw_id)
        self._go_to("manage")

    def _fill_draw(self, draw_id: str) -> None:
        if self.draw is None or self.draw.id != draw_id:
            self._refusal = None
        draw = self.draw = self.ctx.services.draws.get(draw_id)
        status = str(draw.status)
        now = self.ctx.clock.now()
        volunteers = gov.volunteers_text(int(draw.volunteers))
        lines = [
            f"{_(gov.DRAW_STATUS[status])} — {volunteers}"
            if status in ("frozen", "performed")
            else volunteers,
            gov.cutoff_text(draw.cutoff, status, now),
            _("Le hasard viendra de : {source}.").format(source=draw.randomness_source),
        ]
        quotas = gov.quotas_text(draw.quotas)
        if quotas:
            lines.append(_("Quotas : {quotas}").format(quotas=quotas))
        if status == "open":
            lines.append(_("La liste pourra être figée après cette date."))
        if draw.pool_hash:
            digest = gov.short_hash(draw.pool_hash, 8)
            lines.append(_("Empreinte de la liste (SHA-256) : {hash}").format(hash=digest))
            lines.append(gov.chances_text(draw.probabilities, int(draw.seats), int(draw.volunteers)))
        self.draw_title = draw.title
        self.draw_text = "\n".join(line for line in lines if line)
        self.action = ACTIONS.get(status, "")
        if self.action != "freeze":
            self._refusal = None
        self.problem = self._refusal.text() if self._refusal is not None else ""

    def act(self) -> None:
        """The opened draw's next act, as its state allows: freeze, enter the randomness, see the result."""
        {"freeze": self.freeze, "enter": self.enter_randomness, "see": self.see_result}.get(
            self.action, lambda: None
        )()

    def freeze(self) -> None:
        if self.draw is None:
            return
        try:
            self.ctx.services.draws.freeze(self.actor_id, self.draw.id)
        except KioskError as error:
            self._refusal = error  # kept to be said again in the other language
            self.problem = error.text()
            self.shell.notify(error.text(), "error")
            return
        self.ctx.after_write()
        self._refusal = None
        self.shell.notify(_("La liste est figée et son empreinte publiée."), "success")
        self.open_draw(self.draw.id)

    def enter_randomness(self) -> None:
        if self.draw is None:
            return
        self.entry_hint = _("Annoncé : {source}. Tapez ce qui est sorti, par exemple 3 5 2.").format(
            source=self.draw.randomness_source
        )
        self.ids.randomness_field.text = ""
        self.randomness_typed()
        self._go_to("entry")
        self.ids.entry_keyboard.page = "digits"

    def randomness_typed(self) -> None:
        self.randomness_ok = bool(clean(self.ids.randomness_field.text))

    def perform(self) -> None:
        if self.draw is None or not self.randomness_ok:
            return
        try:
            self.ctx.services.draws.perform(self.actor_id, self.draw.id, self.ids.randomness_field.text)
        except KioskError as error:
            self.shell.notify(error.text(), "error")
            return
        self.ctx.after_write()
        draw_id = self.draw.id
        self.open_draw(draw_id)  # coming back from the result shows the draw as performed
        self.shell.go("draw_result", draw_id=draw_id)

    def see_result(self) -> None:
        if self.draw is not None:
            self.shell.go("draw_result", draw_id=self.draw.id)

    # --- steps --------------------------------------------------------------------------------------

    def back(self) -> None:
        if self.step == "list":
            self.shell.back()
        elif self.step in ("manage", "theme"):
            self.draw = None
            self.show_list()
        elif self.step == "entry":
            self._go_to("manage")
        elif self.step == "source":
            self.source_done()
        else:
            self._go_to(FORM_STEPS[FORM_STEPS.index(self.step) - 1])

    def next(self) -> None:
        self._go_to(FORM_STEPS[FORM_STEPS.index(self.step) + 1])

    def _go_to(self, step: str) -> None:
        if step == "quotas":
            self._fill_summary()
        self.step = step
        self.ids.steps.current = step
        if step in TYPED_STEPS:
            keyboard_id, field_id = TYPED_STEPS[step]
            self.ids[keyboard_id].target = self.ids[field_id]
