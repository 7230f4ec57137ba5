"""The « Enregistrer un échange » wizard's state and rules, without Kivy: the steps, « Retour », what each
step accepts, and the one call to `services.exchanges.record` at the end.

Steps: what happened (kind) → one of my listings, or a theme (top theme → sub-theme → title) → partners
(cards tapped now, a member picked by pseudonym who confirms later, or a passer-by by first name) →
duration and day → summary → saved. « Retour » walks back the path actually taken and keeps every entry.

The fastest path is 5 touches after the card tap: the member-home button, a kind, a listing, a duration
quick choice (moves on by itself), « Enregistrer »; the partner's card tap moves on from the partners step
by itself. Problems are `KioskError`s, so the screen shows `error.text()` translated at display time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from kiosk.domain import (
    MAX_DURATION_MIN,
    Exchange,
    ExchangeKind,
    Listing,
    Member,
    Partner,
)
from kiosk.errors import ErrorKind, KioskError
from kiosk.i18n import N_, active_language
from kiosk.services import Services
from kiosk.services.exchanges import GUEST_NAME_MAX
from kiosk.services.listings import check_title
from kiosk.text import clean
from kiosk.themes import Catalogue, Theme
from screens.record_steps.wording import Kind, join_names, sentence


class Step(StrEnum):
    KIND = "kind"
    LISTING = "listing"  # one of my listings: one tap picks theme and title
    THEME = "theme"  # top themes
    SUBTHEME = "subtheme"
    TITLE = "title"  # typed with the on-screen keyboard, prefilled
    PARTNERS = "partners"
    SEARCH = "search"  # an absent member, by pseudonym
    GUEST = "guest"  # a passer-by without a card
    DURATION = "duration"  # duration and day
    SUMMARY = "summary"


class TapOutcome(StrEnum):
    ADDED = "added"
    NOW_PRESENT = "now_present"  # picked as absent before, tapped after all: confirmed now
    ALREADY_THERE = "already_there"
    OWN_CARD = "own_card"


QUICK_DURATIONS = (15, 30, 60, 90, 120, 180)
DURATION_STEP = 15
MIN_DURATION = 15
DAYS_BACK = 3  # today and three days before: one row of chips; older exchanges go through a librarian
SERVICE_THEME = "entraide"  # shown first in the catalogue for services

NO_PARTNER = ErrorKind(
    "record.no_partner",
    N_("Il manque l’autre personne de l’échange."),
    N_("Passez sa carte, ou choisissez « Mon partenaire est absent »."),
)
NO_DURATION = ErrorKind("record.no_duration", N_("Touchez une durée."))
OWN_NAME = ErrorKind("record.own_name", N_("C’est vous : choisissez l’autre personne de l’échange."))
GUEST_NAME_INVALID = ErrorKind(
    "record.guest_name_invalid", N_("Écrivez le prénom ou le surnom de la personne (2 lettres au moins).")
)
NOT_READY = ErrorKind("record.not_ready", N_("Il manque encore une réponse avant d’enregistrer."))


@dataclass(frozen=True)
class PartnerEntry:
    """Someone on the other side. `present`: their card was tapped now, which is their confirmation."""

    name: str
    member_id: str | None = None
    present: bool = False

    @property
    def guest(self) -> bool:
        return self.member_id is None

    @property
    def waits_for_confirmation(self) -> bool:
        return not self.guest and not self.present


class RecordFlow:
    def __init__(self, recorder: Member, listings: Sequence[Listing], catalogue: Catalogue, now: datetime):
        self.recorder = recorder
        self.now = now
        self._listings = [listing for listing in listings if listing.member_id == recorder.id]
        self._themes = catalogue.by_id()
        self._top_themes = [theme for theme in catalogue.themes if theme.parent_id is None]
        self.history: list[Step] = [Step.KIND]
        self.kind: Kind | None = None
        self.listing_id: str | None = None
        self.top_theme_id: str | None = None
        self.theme_id: str | None = None
        self.title = ""
        self._title_prefilled = False  # the title is a theme's name, not typed: a new theme replaces it
        self.partners: list[PartnerEntry] = []
        self.duration_min: int | None = None
        self.days_ago = 0
        self.saved: Exchange | None = None

    # Where we are ------------------------------------------------------------------------------

    @property
    def step(self) -> Step:
        return self.history[-1]

    @property
    def has_entries(self) -> bool:
        """Something was entered: leaving without saving asks first."""
        return self.kind is not None and self.saved is None

    def back(self) -> bool:
        """One step back along the path taken, entries kept. False at the first step (leave the wizard)."""
        if len(self.history) == 1:
            return False
        self.history.pop()
        return True

    def _go(self, step: Step) -> None:
        if self.step is not step:
            self.history.append(step)

    def _return_to(self, step: Step) -> None:
        """Close a side step (search, guest): « Retour » from `step` must not reopen it."""
        while self.step is not step and len(self.history) > 1:
            self.history.pop()

    # 1. What happened ----------------------------------------------------------------------------

    def choose_kind(self, kind: Kind) -> None:
        if kind is not self.kind and self.listing_id is not None:
            self.listing_id = None  # a listing of the other side no longer fits
        self.kind = kind
        self._go(Step.LISTING if self.listings() else Step.THEME)

    # 2. Theme and title --------------------------------------------------------------------------

    def listings(self) -> list[Listing]:
        """My listings that fit the chosen kind (offers when I gave, requests when I received)."""
        if self.kind is None:
            return []
        return [listing for listing in self._listings if listing.kind is self.kind.listing_kind]

    def choose_listing(self, listing_id: str) -> None:
        listing = next(item for item in self._listings if item.id == listing_id)
        self.listing_id = listing.id
        self.theme_id = listing.theme_id
        self.top_theme_id = (
            self._themes[listing.theme_id].top_id if listing.theme_id in self._themes else None
        )
        self.title, self._title_prefilled = listing.title, False
        self._go(Step.PARTNERS)

    def other_theme(self) -> None:
        self.listing_id = None
        self._go(Step.THEME)

    def top_themes(self) -> list[Theme]:
        if self.kind is not None and self.kind.exchange_kind is ExchangeKind.SERVICE:
            return sorted(self._top_themes, key=lambda theme: theme.id != SERVICE_THEME)
        return list(self._top_themes)

    def subthemes(self) -> list[Theme]:
        return [theme for theme in self._themes.values() if theme.parent_id == self.top_theme_id]

    def choose_top_theme(self, theme_id: str) -> None:
        self.top_theme_id = theme_id
        self.listing_id = None
        if self.subthemes():
            self._go(Step.SUBTHEME)
        else:
            self.choose_theme(theme_id)

    def choose_theme(self, theme_id: str, language: str | None = None) -> None:
        self.theme_id = theme_id
        self.listing_id = None
        if not self.title or self._title_prefilled:
            self.title, self._title_prefilled = self.theme_label(theme_id, language), True
        self._go(Step.TITLE)

    def theme_label(self, theme_id: str | None, language: str | None = None) -> str:
        theme = self._themes.get(theme_id or "")
        if theme is None:
            return ""
        return theme.label(language or active_language())

    def refresh_language(self) -> None:
        """A title that is only a theme's name follows the language; a typed one stays as typed."""
        if self._title_prefilled:
            self.title = self.theme_label(self.theme_id)

    def set_title(self, text: str) -> None:
        """The typed title (raises INVALID_TITLE); moves on to the partners."""
        title = check_title(text)
        if title != self.title:
            self.title, self._title_prefilled = title, False
        self._go(Step.PARTNERS)

    # 3. Partners ---------------------------------------------------------------------------------

    def partner_tapped(self, member: Member) -> TapOutcome:
        """A card was tapped during the wizard. The first partner on the partners step moves on."""
        if member.id == self.recorder.id:
            return TapOutcome.OWN_CARD
        for index, entry in enumerate(self.partners):
            if entry.member_id == member.id:
                if entry.present:
                    return TapOutcome.ALREADY_THERE
                self.partners[index] = PartnerEntry(member.pseudonym, member.id, present=True)
                return TapOutcome.NOW_PRESENT
        first = not self.partners
        self.partners.append(PartnerEntry(member.pseudonym, member.id, present=True))
        if first and self.step is Step.PARTNERS:
            self._go(Step.DURATION)
        return TapOutcome.ADDED

    def search_absent(self) -> None:
        self._go(Step.SEARCH)

    def search_results(self, found: Sequence[Member]) -> list[Member]:
        """What `services.members.find` returned, without the recorder."""
        return [member for member in found if member.id != self.recorder.id]

    def pick_absent(self, member: Member) -> TapOutcome:
        """A member who is not here: the exchange waits for their confirmation at their next tap."""
        if member.id == self.recorder.id:
            raise KioskError(OWN_NAME)
        if any(entry.member_id == member.id for entry in self.partners):
            self._return_to(Step.PARTNERS)
            return TapOutcome.ALREADY_THERE
        self.partners.append(PartnerEntry(member.pseudonym, member.id, present=False))
        self._return_to(Step.PARTNERS)
        return TapOutcome.ADDED

    def add_guest_step(self) -> None:
        self._go(Step.GUEST)

    def add_guest(self, name: str) -> None:
        """A passer-by without a card, by first name or nickname: the recorder vouches for them."""
        name = clean(name)[:GUEST_NAME_MAX]
        if sum(ch.isalpha() for ch in name) < 2:
            raise KioskError(GUEST_NAME_INVALID)
        self.partners.append(PartnerEntry(name))
        self._return_to(Step.PARTNERS)

    def remove_partner(self, index: int) -> None:
        del self.partners[index]

    def partners_done(self) -> None:
        if not self.partners:
            raise KioskError(NO_PARTNER)
        self._go(Step.DURATION)

    # 4. Duration and day -------------------------------------------------------------------------

    def choose_duration(self, minutes: int) -> None:
        """A quick choice: the common case, so it moves on to the summary at once."""
        self.duration_min = minutes
        self._go(Step.SUMMARY)

    def adjust_duration(self, delta: int) -> None:
        start = self.duration_min if self.duration_min is not None else 60
        self.duration_min = max(MIN_DURATION, min(MAX_DURATION_MIN, start + delta))

    def choose_day(self, days_ago: int) -> None:
        self.days_ago = max(0, min(DAYS_BACK, days_ago))

    def day_moment(self, days_ago: int | None = None) -> datetime:
        return self.now - timedelta(days=self.days_ago if days_ago is None else days_ago)

    def duration_done(self) -> None:
        if self.duration_min is None:
            raise KioskError(NO_DURATION)
        self._go(Step.SUMMARY)

    # 5. Summary and saving -----------------------------------------------------------------------

    def partner_names(self) -> str:
        return join_names([entry.name for entry in self.partners])

    def waiting_names(self) -> list[str]:
        return [entry.name for entry in self.partners if entry.waits_for_confirmation]

    def summary(self) -> str:
        """The whole exchange in one sentence, in the active language."""
        if self.kind is None or self.duration_min is None:
            return ""
        names = [entry.name for entry in self.partners]
        return sentence(self.kind, self.title, names, self.duration_min, self.days_ago, self.day_moment())

    @property
    def ready(self) -> bool:
        return bool(
            self.kind is not None
            and self.theme_id
            and self.title
            and self.partners
            and self.duration_min is not None
        )

    def record_partners(self) -> list[Partner]:
        """The recorder (present by definition) and everyone on the other side."""
        assert self.kind is not None
        role = self.kind.partner_role
        return [Partner(self.kind.recorder_role, member_id=self.recorder.id, present=True)] + [
            Partner(role, member_id=entry.member_id, present=entry.present)
            if entry.member_id
            else Partner(role, guest_name=entry.name)
            for entry in self.partners
        ]

    def save(self, services: Services) -> Exchange:
        """Write the exchange once (a second tap on « Enregistrer » returns the same one)."""
        if self.saved is not None:
            return self.saved
        if not self.ready or self.kind is None or self.theme_id is None or self.duration_min is None:
            raise KioskError(NOT_READY)
        self.saved = services.exchanges.record(
            self.recorder.id,
            self.kind.exchange_kind,
            self.theme_id,
            self.title,
            self.duration_min,
            self.record_partners(),
            occurred_at=self.day_moment() if self.days_ago else None,
            listing_id=self.listing_id,
        )
        return self.saved
