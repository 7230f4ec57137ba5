"""Pieces the sortition and election screens share: their words, a bar chart and a few widgets.

Words (plain functions): the quota attributes a draw may ask and their values, a quota in a sentence
(« Au moins 1 femme »), a percentage, the range of the volunteers' chances, a short hash, the link or
the digest of a published record.

Widgets:
- `SegmentBar`: one horizontal bar made of coloured segments (drawn with canvas Rectangles and a Line
  around it); `segments` = [(fraction, rgba), …]. A merit profile is seven segments, a chance one.
- `BarChart`: rows of « label | bar | value written out » — the number is always written as text, so
  nothing relies on colour; the highlighted row (the member's own ticket) is bold and marked « (vous) ».
- `TicketCode`: a ticket code big and framed, e.g. « JAR-7K3Q ».
- `InfoCard`: a panel with a title, a detail, a status line and up to two buttons on the right
  (`handlers["first" | "second"]`): one open draw or one election on the civic page.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from kivy.graphics import Color, Line, Rectangle
from kivy.lang import Builder
from kivy.metrics import dp
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label
from kivy.uix.widget import Widget

from kiosk.governance.quotas import AGE_BAND, ATTRIBUTE_LABELS, ATTRIBUTE_VALUES, GENDER, Quota
from kiosk.i18n import N_, gettext
from kiosk.journal import encode_payload
from screens import admin2_words as words
from screens import style
from screens.widgets import buttons, text  # noqa: F401  (kv rules use them)
from screens.widgets.text import Panel

# --- the attributes a draw may ask (with consent), their values and the quotas offered --------------------

NO_ANSWER = ""  # « Je préfère ne pas répondre »: the attribute is left out of the ticket's answers
ATTRIBUTES: tuple[tuple[str, str], ...] = tuple(ATTRIBUTE_LABELS.items())
AGE_BANDS: tuple[tuple[str, str], ...] = tuple(ATTRIBUTE_VALUES[AGE_BAND].items())
GENDERS: tuple[tuple[str, str], ...] = tuple(ATTRIBUTE_VALUES[GENDER].items())
PREFER_NOT_TO_SAY = N_("Je préfère ne pas répondre")
# The quotas a librarian picks from: (attribute, value, minimum, French sentence).
QUOTA_MENU: tuple[tuple[str, str, int, str], ...] = (
    (GENDER, "femme", 1, N_("Au moins 1 femme")),
    (GENDER, "homme", 1, N_("Au moins 1 homme")),
    (AGE_BAND, "60_et_plus", 1, N_("Au moins 1 personne de 60 ans et plus")),
    (AGE_BAND, "moins_de_30", 1, N_("Au moins 1 personne de moins de 30 ans")),
)

DRAW_STATUS = {
    "open": N_("Volontariat ouvert"),
    "closed": N_("Volontariat clos"),
    "frozen": N_("Liste figée"),
    "performed": N_("Tiré au sort"),
}


def quota_choices(asked: Iterable[str]) -> list[tuple[str, str]]:
    """The menu's quotas on the attributes asked, as chips ("attribute=value", sentence): a quota on an
    attribute nobody is asked could never be checked."""
    asked = set(asked)
    return [(f"{a}={v}", gettext(sentence)) for a, v, _minimum, sentence in QUOTA_MENU if a in asked]


def menu_quotas(keys: Iterable[str]) -> list[Quota]:
    """The quotas of the menu whose chips ("attribute=value") are chosen."""
    chosen = set(keys)
    return [Quota(a, v, minimum) for a, v, minimum, _sentence in QUOTA_MENU if f"{a}={v}" in chosen]


def attribute_label(attribute: str) -> str:
    return gettext(ATTRIBUTE_LABELS.get(attribute, attribute))


def value_label(attribute: str, value: str) -> str:
    """A value in words; a quartier is its own name."""
    known = ATTRIBUTE_VALUES.get(attribute, {}).get(value)
    return gettext(known) if known else gettext(value)


def quota_text(attribute: str, value: str, minimum: int = 0, maximum: int | None = None) -> str:
    """« Au moins 1 femme » for the quotas of the menu; otherwise « Genre « Autre » : au moins 2 »."""
    for q_attribute, q_value, q_minimum, sentence in QUOTA_MENU:
        if (q_attribute, q_value, q_minimum) == (attribute, value, minimum) and maximum is None:
            return gettext(sentence)
    label = f"{attribute_label(attribute)} « {value_label(attribute, value)} »"
    if maximum is None:
        bound = gettext("au moins {count}").format(count=minimum)
    elif minimum <= 0:
        bound = gettext("au plus {count}").format(count=maximum)
    else:
        bound = gettext("entre {low} et {high}").format(low=minimum, high=maximum)
    return f"{label} : {bound}"


def quotas_text(quotas: Iterable[Any]) -> str:
    """The quotas of a draw in one line, « au moins 1 femme ; au moins 1 personne de 60 ans et plus »
    ("" when none); each has attribute, value, minimum, maximum."""
    sentences = (
        quota_text(q.attribute, q.value, int(q.minimum), None if q.maximum is None else int(q.maximum))
        for q in quotas
    )
    return " ; ".join(sentence[:1].lower() + sentence[1:] for sentence in sentences)


# --- numbers, dates and records in words ----------------------------------------------------------------


def seats_text(seats: int) -> str:
    if seats == 1:
        return gettext("1 place")
    return gettext("{count} places").format(count=seats)


def volunteers_text(count: int) -> str:
    if count == 0:
        return gettext("Aucun·e volontaire pour l’instant")
    if count == 1:
        return gettext("1 volontaire")
    return gettext("{count} volontaires").format(count=count)


def moment(value: datetime | str) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def deadline_text(value: datetime | str, now: datetime | None = None) -> str:
    """« samedi 12 décembre à 18 h 00 », in the kiosk's time zone."""
    when = moment(value)
    if now is not None and now.tzinfo is not None:
        when = when.astimezone(now.tzinfo)
    return words.when_text(when)


def cutoff_text(cutoff: datetime | str, status: str, now: datetime) -> str:
    """« Volontariat jusqu’au … » while open, « Volontariat clos le … » after."""
    when = deadline_text(cutoff, now)
    if status == "open":
        return gettext("Volontariat jusqu’au {when}").format(when=when)
    return gettext("Volontariat clos le {when}").format(when=when)


EUROMILLIONS_DAYS = (1, 4)  # its draws are on Tuesdays and Fridays (Monday = 0)


def next_weekday(after: date, weekdays: tuple[int, ...]) -> date:
    """The first day strictly after `after` that falls on one of `weekdays`."""
    day = after + timedelta(days=1)
    while day.weekday() not in weekdays:
        day += timedelta(days=1)
    return day


def randomness_suggestions(cutoff_day: date) -> list[tuple[str, str]]:
    """Public randomness nobody can know before the cut-off: dice at a meeting the day after, or the next
    EuroMillions draw after it. (key, sentence in the active language)."""
    meeting = words.day_text(cutoff_day + timedelta(days=1))
    lottery = words.day_text(next_weekday(cutoff_day, EUROMILLIONS_DAYS))
    return [
        ("dice", gettext("Trois dés lancés en public à la réunion du {day}").format(day=meeting)),
        ("lottery", gettext("Tirage de l’Euromillions du {day}").format(day=lottery)),
    ]


def percent_text(share: float) -> str:
    """« 25 % » (French spacing) / « 25% »; a chance above 0 never shows as 0."""
    value = round(share * 100)
    if share > 0 and value == 0:
        return gettext("moins de 1 %")
    return gettext("{value} %").format(value=value)


def chances_text(probabilities: Mapping[str, float] | None, seats: int, pool_size: int) -> str:
    """Each volunteer's chance in one sentence: equal without quotas, a range with them."""
    if pool_size <= 0:
        return ""
    if not probabilities:
        share = min(1.0, seats / pool_size)
        return gettext("Chaque volontaire avait la même chance d’être tiré·e : {share}.").format(
            share=percent_text(share)
        )
    low, high = min(probabilities.values()), max(probabilities.values())
    if percent_text(low) == percent_text(high):
        return gettext("Chaque volontaire avait {share} de chances d’être tiré·e.").format(
            share=percent_text(low)
        )
    return gettext("Chaque volontaire avait entre {low} et {high} de chances d’être tiré·e.").format(
        low=percent_text(low), high=percent_text(high)
    )


def short_hash(digest: str, groups: int = 4) -> str:
    """« 3f2a 9c1b 7d0e 55aa… »: enough to compare by eye, short enough to read aloud."""
    head = digest[: groups * 4]
    return " ".join(head[i : i + 4] for i in range(0, len(head), 4)) + (
        "…" if len(digest) > len(head) else ""
    )


def record_sha256(record: Mapping[str, Any]) -> str:
    """The published record's digest: SHA-256 of its canonical JSON — the very bytes the hub serves at
    /api/v1/public/draws/<id> (hub/governance_events.py stores `canonical(record)`), so `sha256sum` of
    the downloaded file gives the same digest."""
    return hashlib.sha256(encode_payload(dict(record)).encode("utf-8")).hexdigest()


def record_link(hub_url: str, draw_id: str) -> str:
    """The hub's public page of a performed draw's record."""
    return f"{hub_url.rstrip('/')}/api/v1/public/draws/{draw_id}"


# --- widgets --------------------------------------------------------------------------------------------


class SegmentBar(Widget):  # type: ignore[misc]  # Kivy is untyped
    """Coloured segments side by side over a light track, with a dark outline (visible on any panel)."""

    segments = ListProperty([])  # [(fraction 0..1, (r, g, b, a)), …], left to right

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.fbind("segments", self._draw)
        self.fbind("pos", self._draw)
        self.fbind("size", self._draw)
        self._draw()

    def _draw(self, *_args: object) -> None:
        self.canvas.clear()
        with self.canvas:
            Color(*style.colour("surface_alt"))
            Rectangle(pos=self.pos, size=self.size)
            left = self.x
            for fraction, rgba in self.segments:
                width = self.width * max(0.0, min(1.0, float(fraction)))
                Color(*rgba)
                Rectangle(pos=(left, self.y), size=(width, self.height))
                left += width
            Color(*style.colour("text_muted"))
            Line(rectangle=(self.x, self.y, self.width, self.height), width=dp(1))


class ChartRow(BoxLayout):  # type: ignore[misc]  # Kivy is untyped
    label = StringProperty("")
    value_text = StringProperty("")
    fraction = NumericProperty(0.0)
    highlight = BooleanProperty(False)


class BarChart(BoxLayout):  # type: ignore[misc]  # Kivy is untyped
    """`rows` = [(label, fraction 0..1, value written out, highlighted), …], one bar each."""

    rows = ListProperty([])

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.fbind("rows", self._build)
        self._build()

    def _build(self, *_args: object) -> None:
        self.clear_widgets()
        for label, fraction, value_text, highlight in self.rows:
            self.add_widget(
                ChartRow(label=label, fraction=fraction, value_text=value_text, highlight=bool(highlight))
            )

    def chart_rows(self) -> list[ChartRow]:
        return [child for child in reversed(self.children) if isinstance(child, ChartRow)]


def chance_rows(probabilities: Mapping[str, float], order: Sequence[str], mine: str | None) -> list[Any]:
    """The rows of a draw's chance chart, in the published order."""
    return [
        (ticket, probabilities.get(ticket, 0.0), percent_text(probabilities.get(ticket, 0.0)), ticket == mine)
        for ticket in order
        if ticket in probabilities
    ]


class TicketCode(Label):  # type: ignore[misc]  # Kivy is untyped
    """A ticket code, big, framed, readable from a step back."""


class InfoCard(Panel):
    """One item of a list, with up to two actions (a button shows only when its text is set)."""

    title = StringProperty("")
    detail = StringProperty("")
    status = StringProperty("")
    value = StringProperty("")  # what the screen needs back (a draw id, an election id)
    section = StringProperty("")  # which list of the screen it belongs to
    first_text = StringProperty("")
    first_kind = StringProperty("primary")
    first_icon = StringProperty("")
    second_text = StringProperty("")
    second_kind = StringProperty("secondary")
    second_icon = StringProperty("")

    __events__ = ("on_action",)

    def __init__(self, **kwargs: Any) -> None:
        # "first" / "second" → what the button does (set by the screen that builds the card)
        self.handlers: dict[str, Callable[[], None]] = {}
        super().__init__(**kwargs)

    def on_action(self, which: str) -> None:
        handler = self.handlers.get(which)
        if handler is not None:
            handler()


_KV = str(Path(__file__).with_suffix(".kv"))
if _KV not in Builder.files:
    Builder.load_file(_KV)
