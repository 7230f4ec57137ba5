"""Accueil, the attract screen: what the neighbourhood shares, and how to join in.

At rest it shows, one after the other (every few seconds, no animation), current offers and requests
with their « Je propose / Je cherche » tag and theme, and the next workshops; beside them a few counts
of the month ("138 échanges ce mois-ci dans le quartier"); below, the call « Touchez l'écran ou passez
votre carte ». A touch anywhere wakes it: the choices « Voir les savoirs » and « S'inscrire » replace the
call (the shell's inactivity timer then runs, and brings it back to rest). A card opens the member's home
through the shell. The FR/EN button works at rest too. Nothing personal is shown: `personal` is False.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from kivy.clock import Clock, ClockEvent
from kivy.lang import Builder
from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.label import Label

from kiosk.domain import CollectiveStats, ListingKind
from kiosk.i18n import _
from screens import theme_catalogue
from screens.base import KioskScreen
from screens.tr import tr
from screens.widgets import buttons, scroll, text  # noqa: F401  (kv rules below use their classes)

log = logging.getLogger(__name__)

KV_FILE = str(Path(__file__).with_suffix(".kv"))
if KV_FILE not in Builder.files:
    Builder.load_file(KV_FILE)

ROTATE_SECONDS = 6.0
LISTINGS_SHOWN = 12
WORKSHOPS_SHOWN = 4
# Once Accueil is on screen, the screens a card opens are made (if the shell does not hold them already),
# so the first person of the day gets their home as quickly as the next one: making one takes longer
# than a frame, filling it again does not. Counted from Accueil's first frame, not from the app's start.
WARM_UP_SECONDS = 0.3
WARM_UP_ROUTES = ("member_home",)
LANGUAGE_NAMES = {"fr": "Français", "en": "English"}  # each in its own language, never translated


# Written out by hand: strftime would follow the machine's locale, not the kiosk's language.
DAYS = {
    "fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
MONTHS = {
    "fr": (
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ),
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}


def theme_label(theme_id: str) -> str:
    """In the active language, among the themes the shell last read (screens/theme_catalogue.py)."""
    theme = theme_catalogue.by_id().get(theme_id)
    return theme.label(tr.language) if theme is not None else theme_id


def format_day(moment: datetime, language: str, with_time: bool = True) -> str:
    """« jeudi 27 novembre à 14 h » / "Thursday 27 November, 2 pm": written out, never 27/11."""
    lang = "en" if language == "en" else "fr"
    day = f"{DAYS[lang][moment.weekday()]} {moment.day} {MONTHS[lang][moment.month - 1]}"
    if not with_time:
        return day
    if lang == "fr":
        return f"{day} à {moment.hour} h {moment.minute:02d}" if moment.minute else f"{day} à {moment.hour} h"
    hour = moment.hour % 12 or 12
    minutes = f":{moment.minute:02d}" if moment.minute else ""
    return f"{day}, {hour}{minutes} {'am' if moment.hour < 12 else 'pm'}"


@dataclass(frozen=True)
class AttractItem:
    """One card of the rotation: a listing (kind "offer"/"request") or a workshop (kind "workshop")."""

    kind: str
    title: str
    theme_id: str
    starts_at: str = ""  # ISO (workshops)
    place: str = ""


def rotation(listings: list[Any], workshops: list[Any]) -> list[AttractItem]:
    """Offers and requests alternate as far as they last, a workshop after every third card."""
    offers = [x for x in listings if x.kind is ListingKind.OFFER]
    requests = [x for x in listings if x.kind is ListingKind.REQUEST]
    mixed = []
    for index in range(max(len(offers), len(requests))):
        mixed += [group[index] for group in (offers, requests) if index < len(group)]
    # No pseudonym on the attract screen: it is what everyone sees, also right after a session ends.
    cards = [AttractItem(str(x.kind), x.title, x.theme_id) for x in mixed]
    events = [
        AttractItem("workshop", w.title, w.theme_id, starts_at=w.starts_at, place=w.place) for w in workshops
    ]
    items: list[AttractItem] = []
    for index, card in enumerate(cards):
        items.append(card)
        if index % 3 == 2 and events:
            items.append(events.pop(0))
    return items + events


def count_lines(stats: CollectiveStats) -> list[str]:
    """The month's counts as short sentences; none of them is about one person."""
    exchanges = stats.exchanges_this_month
    if exchanges == 0:
        first = _("Aucun échange encore ce mois-ci : le prochain sera peut-être le vôtre !")
    elif exchanges == 1:
        first = _("1 échange ce mois-ci dans le quartier")
    else:
        first = _("{count} échanges ce mois-ci dans le quartier").format(count=exchanges)
    lines = [first]
    if stats.hours_this_month:
        lines.append(_("{hours} h de savoirs partagés").format(hours=stats.hours_this_month))
    lines.append(
        _("{offers} savoirs proposés, {requests} recherchés").format(
            offers=stats.active_offers, requests=stats.active_requests
        )
    )
    if stats.upcoming_workshops == 1:
        lines.append(_("1 atelier à venir"))
    elif stats.upcoming_workshops:
        lines.append(_("{count} ateliers à venir").format(count=stats.upcoming_workshops))
    return lines


class AccueilBadge(Label):  # type: ignore[misc]  # Kivy is untyped
    """The card's badge, drawn like `Tag`: « Je propose », « Je cherche » or « Atelier »."""

    tone = StringProperty("primary")  # "offer", "request" or "primary" (workshops)


class AccueilScreen(KioskScreen):
    personal = False
    at_rest = BooleanProperty(True)
    # the card shown now
    card_kind = StringProperty("")  # "offer", "request", "workshop", or "" when there is nothing to show
    card_badge = StringProperty("")  # « Je propose », « Je cherche » or « Atelier »
    card_tone = StringProperty("primary")  # the badge's colour: "offer", "request" or "primary"
    card_title = StringProperty("")
    card_theme = StringProperty("")
    card_detail = StringProperty("")
    card_index = NumericProperty(0)
    counts = StringProperty("")
    kiosk_name = StringProperty("")
    site_name = StringProperty("")
    other_language = StringProperty("")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._items: list[AttractItem] = []
        self._stats: CollectiveStats | None = None
        self._rotate: ClockEvent | None = None
        self._warm_up_event: ClockEvent | None = None

    # --- the shell's contract ---

    def prepare(self, **_params: Any) -> None:
        services = self.ctx.services
        self._items = rotation(
            services.listings.search(limit=LISTINGS_SHOWN), services.workshops.upcoming(WORKSHOPS_SHOWN)
        )
        self._stats = services.stats.overview()
        self.kiosk_name = self.ctx.config.kiosk.name
        self.site_name = self.ctx.config.site.name
        self.at_rest = True
        self.card_index = 0
        self.refresh_language()

    def refresh_language(self) -> None:
        self.other_language = LANGUAGE_NAMES["en" if tr.language == "fr" else "fr"]
        self.counts = "\n".join(count_lines(self._stats)) if self._stats is not None else ""
        self._show_card()

    def on_enter(self, *_args: Any) -> None:
        self._stop_timers()
        self._rotate = Clock.schedule_interval(self.next_card, ROTATE_SECONDS)
        self._warm_up_event = Clock.schedule_once(self._plan_warm_up, 0)  # runs in Accueil's first frame

    def on_leave(self, *_args: Any) -> None:
        self._stop_timers()  # no timer runs for a screen nobody sees (the Pi's CPU is precious)

    def _plan_warm_up(self, *_args: object) -> None:
        self._warm_up_event = Clock.schedule_once(self._warm_up, WARM_UP_SECONDS)

    def _warm_up(self, *_args: object) -> None:
        self._warm_up_event = None
        for route in WARM_UP_ROUTES:
            try:
                self.shell.screen(route)  # made and kept by the shell, not shown; a no-op once it exists
            except Exception:  # the tap will try again, and say so calmly if it fails then
                log.exception("could not make the %r screen ahead", route)

    # --- what the person does ---

    def on_touch_down(self, touch: Any) -> bool:
        if not self.collide_point(*touch.pos):
            return False
        if self.at_rest:
            super().on_touch_down(touch)  # the language button works at once
            self.at_rest = False
            return True
        return bool(super().on_touch_down(touch))

    def switch_language(self) -> None:
        self.shell.switch_language("en" if tr.language == "fr" else "fr")

    def open_board(self) -> None:
        self.shell.go("board")

    def open_signup(self) -> None:
        self.shell.go("signup")

    # --- rotation ---

    def next_card(self, *_args: object) -> None:
        if self._items:
            self.card_index = (self.card_index + 1) % len(self._items)
            self._show_card()

    def _show_card(self) -> None:
        if not self._items:
            self.card_kind = self.card_badge = ""
            self.card_title = _("Le tableau des savoirs attend vos premières annonces.")
            self.card_theme = self.card_detail = ""
            return
        item = self._items[int(self.card_index) % len(self._items)]
        self.card_kind = item.kind
        self.card_tone = item.kind if item.kind in ("offer", "request") else "primary"
        self.card_badge = {"offer": _("Je propose"), "request": _("Je cherche")}.get(item.kind, _("Atelier"))
        self.card_title = item.title
        self.card_theme = theme_label(item.theme_id)
        if item.kind == "workshop":
            when = format_day(datetime.fromisoformat(item.starts_at), tr.language)
            detail = _("Atelier {when}").format(when=when)
            self.card_detail = f"{detail} · {item.place}" if item.place else detail
        else:
            self.card_detail = _("Touchez « Voir les savoirs » pour le détail et le QR code.")

    def _stop_timers(self) -> None:
        for event in (self._rotate, self._warm_up_event):
            if event is not None:
                event.cancel()
        self._rotate = self._warm_up_event = None
