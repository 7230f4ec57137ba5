"""« Planifier un atelier »: a librarian or an animator schedules a workshop, one question per step.

title (on-screen keyboard) → theme (catalogue chips, then « plus précisément ? ») → animator(s) (member
search; the person scheduling is proposed) → day (stepper, today by default), time and duration (quick
choices) → place (keyboard, the site's name proposed) → capacity (stepper) and summary → « Planifier »
(services.workshops.schedule). « Retour » always goes one step back with every entry kept.
Route "workshop_new", admin session.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from kivy.clock import Clock
from kivy.lang import Builder
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, StringProperty

from kiosk.domain import Member, Role
from kiosk.errors import KioskError
from kiosk.i18n import _
from kiosk.text import clean
from screens import admin2_words as words
from screens.admin2_widgets import Stepper  # noqa: F401  (kv rules use it)
from screens.admin_widgets import AdminScreen
from screens.board_model import ThemeLabels
from screens.record_steps.wording import duration_text, join_names
from screens.tr import tr

KV_FILE = str(Path(__file__).with_suffix(".kv"))
if KV_FILE not in Builder.files:
    Builder.load_file(KV_FILE)

STEPS = ("title", "theme", "animators", "when", "place", "summary")
TITLE_MIN, TITLE_MAX = 2, 80
PLACE_MAX = 80
TIMES = ("10:00", "14:00", "16:00", "18:30")  # one row of chips at 800×480
DURATIONS = (60, 90, 120, 180)
CAPACITY_DEFAULT, CAPACITY_MAX = 12, 500
DAYS_AHEAD_MAX = 366
WHOLE_THEME = "__whole__"


class WorkshopNewScreen(AdminScreen):
    step = StringProperty("title")
    title_ok = BooleanProperty(False)
    top_choices = ListProperty([])
    sub_choices = ListProperty([])
    theme_chosen = BooleanProperty(False)
    animator_choices = ListProperty([])
    day_text = StringProperty("")
    capacity = NumericProperty(CAPACITY_DEFAULT)
    time_choices = ListProperty([])
    duration_choices = ListProperty([])
    summary = StringProperty("")
    title_max = NumericProperty(TITLE_MAX)
    place_max = NumericProperty(PLACE_MAX)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._labels = ThemeLabels()
        self.top_theme = ""
        self.theme_id = ""
        self.animators: dict[str, str] = {}  # member id → pseudonym, in the order chosen
        self.day = date(2000, 1, 1)
        self.start_time = TIMES[1]
        self.duration_min = 120

    # --- the shell's contract -------------------------------------------------------------------------

    def fill(self, **_params: Any) -> None:
        self.ids.title_field.text = ""
        self.ids.place_field.text = self.ctx.config.site.name
        self.top_theme = self.theme_id = ""
        self.theme_chosen = False
        self.ids.top_chips.selected = []
        self.ids.sub_chips.selected = []
        member = self.session.member
        self.animators = {}
        if member is not None and member.has_role(Role.ANIMATOR):
            self.animators[member.id] = member.pseudonym
        self.ids.animator_picker.services = self.ctx.services
        self.ids.animator_picker.reset()
        self.day = self.ctx.clock.now().date()
        self.start_time, self.duration_min = TIMES[1], 120
        self.capacity = CAPACITY_DEFAULT
        self.title_typed()
        self.refresh_language()
        self._go_to("title")

    def wipe(self) -> None:
        self.ids.title_field.text = ""
        self.animators = {}
        self.animator_choices = []
        self.summary = ""
        self._go_to("title")

    def refresh_language(self) -> None:
        language = tr.language
        self.top_choices = [(theme.id, theme.label(language)) for theme in self._labels.top_themes()]
        self._fill_sub_choices()
        self._fill_animators()
        self.time_choices = [(value, words.clock_text(time.fromisoformat(value))) for value in TIMES]
        self.duration_choices = [(minutes, duration_text(minutes)) for minutes in DURATIONS]
        self.ids.time_chips.selected = [self.start_time]
        self.ids.duration_chips.selected = [self.duration_min]
        self._show_day()
        self._fill_summary()

    # --- steps --------------------------------------------------------------------------------------

    def back(self) -> None:
        index = STEPS.index(self.step)
        if index == 0:
            self.shell.back()
        else:
            self._go_to(STEPS[index - 1])

    def next(self) -> None:
        index = STEPS.index(self.step)
        if index + 1 < len(STEPS):
            self._go_to(STEPS[index + 1])

    def title_typed(self) -> None:
        self.title_ok = TITLE_MIN <= len(clean(self.ids.title_field.text)) <= TITLE_MAX

    def submit_title(self) -> None:
        self.title_typed()
        if self.title_ok:
            self._go_to("theme")

    def choose_top(self, theme_id: str) -> None:
        self.top_theme = theme_id
        self.theme_id = theme_id
        self.ids.sub_chips.selected = [WHOLE_THEME]
        self.theme_chosen = True
        self._fill_sub_choices()
        # the finer choices appear below the themes: bring them into view once laid out
        Clock.schedule_once(lambda _dt: self.ids.theme_scroll.scroll_to(self.ids.sub_chips, animate=False), 0)

    def choose_sub(self, value: str) -> None:
        self.theme_id = self.top_theme if value == WHOLE_THEME else value

    def _fill_sub_choices(self) -> None:
        if not self.top_theme:
            self.sub_choices = []
            return
        language = tr.language
        children = [(theme.id, theme.label(language)) for theme in self._labels.children(self.top_theme)]
        self.sub_choices = [(WHOLE_THEME, _("Un peu de tout")), *children]

    def add_animator(self, member: Member) -> None:
        self.animators[member.id] = member.pseudonym
        self.ids.animator_picker.reset()
        self._fill_animators()

    def animator_tapped(self, member_id: str) -> None:
        """A chosen animator's chip tapped again: they no longer lead it."""
        if member_id not in self.ids.animator_chips.selected:
            self.animators.pop(member_id, None)
        self._fill_animators()

    def _fill_animators(self) -> None:
        self.animator_choices = [(member_id, name) for member_id, name in self.animators.items()]
        self.ids.animator_chips.selected = list(self.animators)

    def move_day(self, days: int) -> None:
        today = self.ctx.clock.now().date()
        self.day = min(max(today, self.day + timedelta(days=days)), today + timedelta(days=DAYS_AHEAD_MAX))
        self._show_day()

    def _show_day(self) -> None:
        today = self.ctx.clock.now().date()
        text = words.day_text(self.day)
        if self.day == today:
            text = _("Aujourd’hui, {day}").format(day=text)
        self.day_text = text

    def choose_time(self, value: str) -> None:
        self.start_time = value

    def choose_duration(self, minutes: int) -> None:
        self.duration_min = int(minutes)

    def step_capacity(self, delta: int) -> None:
        self.capacity = min(CAPACITY_MAX, max(1, int(self.capacity) + delta))
        self._fill_summary()

    def starts_at(self) -> datetime:
        zone = self.ctx.clock.now().tzinfo
        return datetime.combine(self.day, time.fromisoformat(self.start_time), tzinfo=zone)

    def _fill_summary(self) -> None:
        title = clean(self.ids.title_field.text)
        if not title or not self.theme_id:
            self.summary = ""
            return
        theme = self._labels.label(self.theme_id, tr.language)
        animators = join_names(list(self.animators.values())) or _("vous")
        place = clean(self.ids.place_field.text)
        lines = [
            f"« {title} » — {theme}",
            _("Animé par {names}").format(names=animators),
            f"{words.when_text(self.starts_at())}, {duration_text(self.duration_min)}",
        ]
        if place:
            lines.append(place)
        self.summary = "\n".join(lines)

    def schedule(self) -> None:
        try:
            workshop = self.ctx.services.workshops.schedule(
                self.actor_id,
                self.ids.title_field.text,
                self.theme_id,
                self.starts_at(),
                self.duration_min,
                int(self.capacity),
                list(self.animators),
                place=self.ids.place_field.text,
            )
        except KioskError as error:
            self.shell.notify(error.text(), "error")
            return
        self.ctx.after_write()
        self.shell.notify(
            _("L’atelier « {title} » est planifié : les membres peuvent s’y inscrire.").format(
                title=workshop.title
            ),
            "success",
        )
        self.wipe()
        self.shell.back()

    def _go_to(self, step: str) -> None:
        if step == "summary":
            self._fill_summary()
        self.step = step
        self.ids.steps.current = step
        keyboard = self.ids.get(f"{step}_keyboard")
        if keyboard is not None:
            keyboard.target = self.ids[f"{step}_field"]
