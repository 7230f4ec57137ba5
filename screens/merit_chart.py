"""Mentions in colour and words: the merit profile chart of a majority-judgment vote, and the booth's
mention buttons. The chart has one horizontal stacked bar per candidate.

Each bar holds the share of every mention, from « À rejeter » (left, red) to « Excellent » (right, green),
with a dark line at 50 %: the mention under that line is the candidate's median mention. Colour is never
alone: above each bar the rank, the name and the median mention are written, below it the count of each
mention given, and a legend names the colours.

- `GRADE_COLOURS`: one colour per mention (index 0 = « À rejeter »); each has a text colour of the
  palette that reaches 4.5:1 on it (`text_on_grade`), checked by tests/ui/test_election_screens.py.
- `MeritBar`: the bar (canvas Rectangles and Lines), `profile` = counts per mention.
- `MeritRow`: « 1. Karim — médiane : Bien » + the bar + « 3 Bien · 2 Très bien »; « Élu·e » when elected.
- `MeritLegend`: the seven colours with their words; `MeritChart`: the rows, best first.
- `Swatch`: a small square of one mention's colour, for the legend and the booth's review.
- `MentionButton`: one of the booth's seven mention buttons (its colour as a band under the word, a check
  mark once chosen); `ReviewRow`: « Karim — ■ Très bien » on the booth's review page, a tap to change it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from kivy.graphics import Color, Line, Rectangle
from kivy.lang import Builder
from kivy.metrics import dp
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.stacklayout import StackLayout
from kivy.uix.widget import Widget

from kiosk.governance.majority import MENTIONS
from kiosk.i18n import gettext
from screens import style
from screens.widgets import text  # noqa: F401  (kv rules use it)
from screens.widgets.buttons import BigButton

# From red to green, dark enough at both ends for white text, light in the middle for dark text.
GRADE_COLOURS: tuple[str, ...] = (
    "#A4262C",  # À rejeter
    "#B8491A",  # Insuffisant
    "#E39B2D",  # Passable
    "#E8D25A",  # Assez bien
    "#9BC25C",  # Bien
    "#4C9A45",  # Très bien
    "#1E6B34",  # Excellent
)
MEDIAN_SHARE = 0.5


def grade_name(grade: int) -> str:
    """The mention in the kiosk's language (« Très bien »)."""
    return gettext(MENTIONS[max(0, min(len(MENTIONS) - 1, int(grade)))])


def grade_rgba(grade: int) -> tuple[float, float, float, float]:
    return style.rgb(GRADE_COLOURS[int(grade)])


def text_on_grade(grade: int) -> str:
    """The palette's text colour (name) that reads best on this mention's colour."""
    background = GRADE_COLOURS[int(grade)]
    candidates = ("text", "on_primary")
    return max(candidates, key=lambda name: style.contrast_ratio(style.PALETTE[name], background))


def counts_text(profile: Sequence[int]) -> str:
    """« 1 À rejeter · 3 Bien · 2 Excellent »: every mention given at least once, worst first."""
    parts = [f"{count} {grade_name(grade)}" for grade, count in enumerate(profile) if count]
    return " · ".join(parts) if parts else gettext("Aucune mention")


@dataclass(frozen=True)
class MeritLine:
    """One candidate of the chart: what the screen computed from the tally."""

    candidate: str
    rank: int
    name: str
    median: int
    profile: tuple[int, ...]
    elected: bool = False


class MeritBar(Widget):  # type: ignore[misc]  # Kivy is untyped
    """The stacked bar of one candidate, with the 50 % line drawn over it."""

    profile = ListProperty([])

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        for name in ("profile", "pos", "size"):
            self.fbind(name, self._draw)
        self._draw()

    def shares(self) -> list[float]:
        total = sum(self.profile)
        return [count / total for count in self.profile] if total else [0.0] * len(self.profile)

    def _draw(self, *_args: object) -> None:
        self.canvas.clear()
        with self.canvas:
            Color(*style.colour("surface_alt"))
            Rectangle(pos=self.pos, size=self.size)
            left = self.x
            for grade, share in enumerate(self.shares()):
                if share <= 0:
                    continue
                width = self.width * share
                Color(*grade_rgba(grade))
                Rectangle(pos=(left, self.y), size=(width, self.height))
                # a thin light seam between neighbours: two close colours stay two segments
                Color(*style.colour("surface"))
                Line(points=[left, self.y, left, self.top], width=dp(1))
                left += width
            Color(*style.colour("text_muted"))
            Line(rectangle=(self.x, self.y, self.width, self.height), width=dp(1))
            # the median line: at 50 %, a little longer than the bar so it reads as a mark, not a seam
            middle = self.x + self.width * MEDIAN_SHARE
            Color(*style.colour("text"))
            Line(points=[middle, self.y - dp(5), middle, self.top + dp(5)], width=dp(2.5))


class MeritRow(BoxLayout):  # type: ignore[misc]  # Kivy is untyped
    """« 1. Karim — mention médiane : Bien », the bar, the counts written out; a badge when elected."""

    candidate = StringProperty("")  # the candidate's member id (tests and the screen find rows by it)
    title = StringProperty("")
    badge = StringProperty("")
    counts = StringProperty("")
    profile = ListProperty([])
    median = NumericProperty(0)


class Swatch(Widget):  # type: ignore[misc]  # Kivy is untyped
    """A small square of one mention's colour, outlined so the light ones show on white."""

    grade = NumericProperty(0)
    rgba = ListProperty(list(style.rgb(GRADE_COLOURS[0])))

    def on_grade(self, _widget: Widget, grade: float) -> None:
        self.rgba = list(grade_rgba(int(grade)))


class LegendItem(BoxLayout):  # type: ignore[misc]  # Kivy is untyped
    grade = NumericProperty(0)
    label = StringProperty("")


class MeritLegend(StackLayout):  # type: ignore[misc]  # Kivy is untyped
    """The seven colours and their words, worst first; `refresh()` after a language switch."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        for grade in range(len(MENTIONS)):
            self.add_widget(LegendItem(grade=grade, label=grade_name(grade)))

    def refresh(self) -> None:
        for item in self.children:
            if isinstance(item, LegendItem):
                item.label = grade_name(item.grade)


class MentionButton(BigButton):
    """One mention of the booth: its word, its colour as a band under it, a check mark once chosen."""

    grade = NumericProperty(0)
    chosen = BooleanProperty(False)
    band_rgba = ListProperty(list(style.rgb(GRADE_COLOURS[0])))

    def on_grade(self, _widget: Widget, grade: float) -> None:
        self.band_rgba = list(grade_rgba(int(grade)))

    # The mark sits above the word (as on the librarian's tiles): four buttons a row leave no room beside
    # « Insuffisant » at 800×480.
    def _reserve_icon_space(self) -> None:
        self.icon_size = dp(24) if self.icon_texture else 0
        self.padding = [0, self.icon_size + dp(4) if self.icon_texture else 0, 0, 0]

    def _place_icon(self, *_args: object) -> None:
        top = self.y + self.height / 2 + self.texture_size[1] / 2  # the texture's top: padding included
        self.icon_pos = [int(self.x + self.width / 2 - self.icon_size / 2), int(top - self.icon_size)]


class ReviewRow(ButtonBehavior, BoxLayout):  # type: ignore[misc]  # Kivy is untyped
    """One candidate on the booth's review page; `value` is the candidate's member id."""

    value = StringProperty("")
    name = StringProperty("")
    mention = StringProperty("")
    grade = NumericProperty(0)


class MeritChart(BoxLayout):  # type: ignore[misc]  # Kivy is untyped
    """The candidates' rows, best first; `lines` = [MeritLine, …] as the screen ranked them."""

    lines = ListProperty([])

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.fbind("lines", self._build)
        self._build()

    def _build(self, *_args: object) -> None:
        self.clear_widgets()
        for line in self.lines:
            title = gettext("{rank}. {name} — mention médiane : {median}").format(
                rank=line.rank, name=line.name, median=grade_name(line.median)
            )
            self.add_widget(
                MeritRow(
                    candidate=line.candidate,
                    title=title,
                    badge=gettext("Élu·e") if line.elected else "",
                    counts=counts_text(line.profile),
                    profile=list(line.profile),
                    median=line.median,
                )
            )

    def show(self, lines: list[MeritLine]) -> None:
        """New lines, or the same ones said again (after a language switch the words change, not the data)."""
        if lines == self.lines:
            self._build()
        else:
            self.lines = lines

    def rows(self) -> list[MeritRow]:
        return [child for child in reversed(self.children) if isinstance(child, MeritRow)]


KV = """
#:import style screens.style
#:import colour screens.style.colour

<Swatch>:
    size_hint: None, None
    size: dp(22), dp(22)
    canvas:
        Color:
            rgba: self.rgba
        Rectangle:
            pos: self.pos
            size: self.size
        Color:
            rgba: colour("text_muted")
        Line:
            rectangle: (self.x, self.y, self.width, self.height)
            width: dp(1)

<LegendItem>:
    orientation: "horizontal"
    size_hint: None, None
    width: legend_swatch.width + legend_label.width + dp(8)
    height: max(legend_swatch.height, legend_label.height)
    spacing: dp(8)
    Swatch:
        id: legend_swatch
        grade: root.grade
        pos_hint: {"center_y": 0.5}
    Label:
        id: legend_label
        text: root.label
        color: colour("text")
        font_size: sp(style.SMALL)
        size_hint: None, None
        size: self.texture_size
        pos_hint: {"center_y": 0.5}

<MeritLegend>:
    orientation: "lr-tb"
    size_hint_y: None
    height: self.minimum_height
    spacing: dp(16), dp(6)

<MeritRow>:
    orientation: "vertical"
    size_hint_y: None
    height: self.minimum_height
    spacing: dp(8)
    padding: 0, dp(6)
    BoxLayout:
        size_hint_y: None
        height: max(merit_title.height, merit_badge.height)
        spacing: dp(style.GAP)
        Body:
            id: merit_title
            text: root.title
            bold: True
            pos_hint: {"center_y": 0.5}
        Label:
            id: merit_badge
            text: root.badge
            color: colour("on_success")
            bold: True
            font_size: sp(style.SMALL)
            padding: [dp(10), dp(4)]
            size_hint: None, None
            size: self.texture_size if root.badge else (0, 0)
            opacity: 1 if root.badge else 0
            pos_hint: {"center_y": 0.5}
            canvas.before:
                Color:
                    rgba: colour("success") if root.badge else (0, 0, 0, 0)
                RoundedRectangle:
                    pos: self.pos
                    size: self.size
                    radius: [self.height / 2]
    MeritBar:
        id: merit_bar
        profile: root.profile
        size_hint_y: None
        height: dp(30)
    Muted:
        id: merit_counts
        text: root.counts

<MentionButton>:
    kind: "primary" if self.chosen else "quiet"
    icon: "check" if self.chosen else "circle"
    height: max(dp(style.TOUCH) + dp(8), self.texture_size[1] + dp(style.GAP) * 2 + dp(16))
    canvas.after:
        Color:
            rgba: self.band_rgba
        Rectangle:
            pos: self.x + dp(10), self.y + dp(7)
            size: self.width - dp(20), dp(10)

<ReviewRow>:
    orientation: "horizontal"
    size_hint_y: None
    height: max(dp(style.TOUCH_MIN), max(review_name.height, review_mention.height) + dp(style.GAP) * 2)
    padding: dp(style.GAP), 0
    spacing: dp(style.GAP)
    canvas.before:
        Color:
            rgba: colour("secondary") if self.state == "down" else colour("surface")
        RoundedRectangle:
            pos: self.pos
            size: self.size
            radius: [dp(style.RADIUS)]
        Color:
            rgba: colour("text_muted")
        Line:
            width: dp(1.5)
            rounded_rectangle: (self.x + 1, self.y + 1, self.width - 2, self.height - 2, dp(style.RADIUS))
    Body:
        id: review_name
        text: root.name
        bold: True
        size_hint_x: 0.4
        pos_hint: {"center_y": 0.5}
    Swatch:
        grade: root.grade
        pos_hint: {"center_y": 0.5}
    Body:
        id: review_mention
        text: root.mention
        pos_hint: {"center_y": 0.5}

<MeritChart>:
    orientation: "vertical"
    size_hint_y: None
    height: self.minimum_height
    spacing: dp(style.GAP)
"""

if "merit_chart.kv" not in Builder.files:  # the rules live here: the chart is one small module
    Builder.load_string(KV, filename="merit_chart.kv")

__all__ = [
    "GRADE_COLOURS",
    "MentionButton",
    "MeritBar",
    "MeritChart",
    "MeritLegend",
    "MeritLine",
    "MeritRow",
    "ReviewRow",
    "Swatch",
    "counts_text",
    "grade_name",
    "text_on_grade",
]
