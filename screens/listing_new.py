"""« Je propose un savoir » / « Je cherche un savoir »: a member puts a listing on the board.

Big steps, one question each, « Retour » always one step back with every entry kept:
theme (chips) → sub-theme (chips, or « Un peu de tout ») → title (on-screen keyboard) → a few words more
(optional) → alone with one person or as a workshop → summary → « Publier ». Publishing goes through
`services.listings.publish`, wakes the sync worker, says so calmly and returns to the member's home.

Route "listing_new", param `kind` ("offer" | "request"). It needs a member's session: without one the
person is sent home with a word on how to start (a card or the member pass).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kivy.clock import Clock
from kivy.lang import Builder
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, StringProperty
from kivy.uix.gridlayout import GridLayout

from kiosk.domain import ListingFormat, ListingKind
from kiosk.errors import KioskError
from kiosk.i18n import _
from kiosk.services.listings import TITLE_MAX
from kiosk.text import clean
from screens.base import KioskScreen
from screens.board_model import ThemeLabels
from screens.tr import tr
from screens.widgets import buttons, keyboard, text  # noqa: F401  (kv rules use their classes)
from screens.widgets.buttons import BigButton

KV_FILE = str(Path(__file__).with_suffix(".kv"))
if KV_FILE not in Builder.files:
    Builder.load_file(KV_FILE)

STEPS = ("theme", "subtheme", "title", "description", "format", "summary")
TITLE_MIN = 2  # kiosk.services.listings.check_title
# The service takes up to 1000 characters; typed on a kiosk keyboard, a few sentences are plenty and
# keep the listing's page readable without scrolling.
DESCRIPTION_KIOSK_MAX = 280


class ThemeChoice(BigButton):
    value = StringProperty("")


class ThemeGrid(GridLayout):  # type: ignore[misc]  # Kivy is untyped
    """Themes to choose from, in equal columns, each a big button whose label wraps on two lines.

    Chips sized by their text (screens.widgets.chips) need six rows for the thirteen themes at 800×480,
    one more than the screen holds; equal columns hold them in four rows, all in view at once.
    `choices` are (value, label) pairs, `selected` the chosen value(s); a tap dispatches `on_choice`.
    """

    choices = ListProperty([])
    selected = ListProperty([])

    __events__ = ("on_choice",)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.fbind("choices", self._build)
        self.fbind("selected", self._restyle)
        self._build()

    def on_choice(self, value: str) -> None:
        """Default handler: the screen binds `on_choice`."""

    def buttons(self) -> list[ThemeChoice]:
        return [child for child in reversed(self.children) if isinstance(child, ThemeChoice)]

    def button_for(self, value: str) -> ThemeChoice | None:
        return next((button for button in self.buttons() if button.value == value), None)

    def _build(self, *_args: object) -> None:
        self.clear_widgets()
        for value, label in self.choices:
            button = ThemeChoice(value=value, text=label)
            button.bind(on_release=self._tap)
            self.add_widget(button)
        self._restyle()

    def _restyle(self, *_args: object) -> None:
        for button in self.buttons():
            chosen = button.value in self.selected
            button.kind = "primary" if chosen else "secondary"
            button.icon = "check" if chosen else ""  # the choice does not rely on colour alone

    def _tap(self, button: ThemeChoice) -> None:
        self.selected = [button.value]
        self.dispatch("on_choice", button.value)


@dataclass
class ListingDraft:
    """What the member has chosen and typed so far."""

    kind: ListingKind = ListingKind.OFFER
    top_theme_id: str = ""
    theme_id: str = ""
    title: str = ""
    description: str = ""
    format: ListingFormat = ListingFormat.INDIVIDUAL
    network_visible: bool = False  # « visible dans le réseau »: other collectives' boards show it too

    @property
    def title_ok(self) -> bool:
        return TITLE_MIN <= len(clean(self.title)) <= TITLE_MAX


class ListingNewScreen(KioskScreen):
    kind = StringProperty("offer")
    step = StringProperty("theme")
    title_max = NumericProperty(TITLE_MAX)
    description_max = NumericProperty(DESCRIPTION_KIOSK_MAX)
    title_ok = BooleanProperty(False)
    description_empty = BooleanProperty(True)
    top_theme_choices = ListProperty([])
    sub_theme_choices = ListProperty([])
    top_theme_label = StringProperty("")
    summary_theme = StringProperty("")
    summary_format = StringProperty("")
    summary_title = StringProperty("")
    summary_description = StringProperty("")
    network_visible = BooleanProperty(False)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.draft = ListingDraft()
        self._labels = ThemeLabels()

    # --- the shell's contract ---------------------------------------------------------------------

    def prepare(self, kind: str = "offer", **_params: Any) -> None:
        self.draft = ListingDraft(kind=ListingKind(kind))
        self.kind = self.draft.kind.value
        self.network_visible = False
        self.ids.title_field.text = ""
        self.ids.description_field.text = ""
        self.ids.theme_grid.selected = []
        self.ids.sub_theme_grid.selected = []
        self._fill_theme_choices()
        self._go_to("theme")
        if not self.session.active:
            # Reached without a card (a stale link): nothing can be published for nobody. The shell is
            # still switching to this screen, so leave on the next frame.
            Clock.schedule_once(lambda _dt: self._needs_a_member(), 0)

    def wipe(self) -> None:
        self.draft = ListingDraft()
        self.network_visible = False
        self.ids.title_field.text = ""
        self.ids.description_field.text = ""
        self.ids.theme_grid.selected = []
        self.ids.sub_theme_grid.selected = []
        self.summary_title = self.summary_description = ""
        self._go_to("theme")

    def refresh_language(self) -> None:
        self._fill_theme_choices()
        if self.draft.top_theme_id:
            self._fill_sub_theme_choices()
        self._fill_summary()

    # --- steps --------------------------------------------------------------------------------------

    def back(self) -> None:
        """One step back, everything kept; from the first step, back where the person came from."""
        self._keep_typing()
        index = STEPS.index(self.step)
        if index == 0:
            self.shell.back()
        else:
            self._go_to(STEPS[index - 1])

    def choose_top_theme(self, theme_id: str) -> None:
        if theme_id != self.draft.top_theme_id:
            self.draft.theme_id = ""
            self.ids.sub_theme_grid.selected = []
        self.draft.top_theme_id = theme_id
        self._fill_sub_theme_choices()
        self._go_to("subtheme")

    def choose_sub_theme(self, theme_id: str) -> None:
        self.draft.theme_id = theme_id
        self._go_to("title")

    def title_typed(self) -> None:
        self.draft.title = self.ids.title_field.text
        self.title_ok = self.draft.title_ok

    def submit_title(self) -> None:
        self.title_typed()
        if self.draft.title_ok:
            self._go_to("description")

    def description_typed(self) -> None:
        self.draft.description = self.ids.description_field.text
        self.description_empty = not self.draft.description.strip()

    def submit_description(self) -> None:
        self.description_typed()
        self._go_to("format")

    def choose_format(self, value: str) -> None:
        self.draft.format = ListingFormat(value)
        self._fill_summary()
        self._go_to("summary")

    def toggle_network(self) -> None:
        """« Visible dans le réseau »: a choice made on the summary, off unless the member turns it on."""
        self.draft.network_visible = not self.draft.network_visible
        self.network_visible = self.draft.network_visible

    def publish(self) -> None:
        member = self.session.member
        if member is None:
            self._needs_a_member()
            return
        draft = self.draft
        try:
            self.ctx.services.listings.publish(
                member.id,
                draft.kind,
                draft.theme_id,
                draft.title,
                draft.description,
                format=draft.format,
                network_visible=draft.network_visible,
            )
        except KioskError as error:
            self.shell.notify(error.text(), "error")
            return
        self.ctx.after_write()
        self.shell.notify(_("C’est publié ! Votre annonce est sur le tableau des savoirs."), "success")
        self.wipe()
        self.shell.home()

    # --- filling ------------------------------------------------------------------------------------

    def _go_to(self, step: str) -> None:
        self.step = step
        self.ids.steps.current = step
        step_keyboard = self.ids.get(f"{step}_keyboard")
        if step_keyboard is not None:
            step_keyboard.target = self.ids[f"{step}_field"]

    def _keep_typing(self) -> None:
        if self.step == "title":
            self.title_typed()
        elif self.step == "description":
            self.description_typed()

    def _fill_theme_choices(self) -> None:
        language = tr.language
        self.top_theme_choices = [(theme.id, theme.label(language)) for theme in self._labels.top_themes()]
        self.ids.theme_grid.selected = [self.draft.top_theme_id] if self.draft.top_theme_id else []

    def _fill_sub_theme_choices(self) -> None:
        language, top = tr.language, self.draft.top_theme_id
        self.top_theme_label = self._labels.label(top, language)
        children = [(theme.id, theme.label(language)) for theme in self._labels.children(top)]
        self.sub_theme_choices = [*children, (top, _("Un peu de tout"))]
        self.ids.sub_theme_grid.selected = [self.draft.theme_id] if self.draft.theme_id else []

    def _fill_summary(self) -> None:
        draft, language = self.draft, tr.language
        if not draft.theme_id:
            return
        theme = self._labels.label(draft.theme_id, language)
        top = self._labels.label(draft.top_theme_id, language)
        self.summary_theme = theme if theme == top else f"{top} · {theme}"
        self.summary_title = clean(draft.title)
        self.summary_description = draft.description.strip()
        if draft.format is ListingFormat.WORKSHOP:
            self.summary_format = _("En atelier, avec un petit groupe")
        else:
            self.summary_format = _("Seul à seul, avec une personne à la fois")

    def _needs_a_member(self) -> None:
        self.shell.notify(_("Passez votre carte pour proposer ou chercher un savoir."), "info")
        self.shell.home()
