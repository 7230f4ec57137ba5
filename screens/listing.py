"""A listing's page: what is offered or looked for, by whom, and a QR code to take it away on a phone.

With a member's session: « Ça m'intéresse » on someone else's listing (recorded and shown to the owner at
their next tap — the page says so), and on one's own request the offers that may answer it (opened on
the board). Without a session, a member who taps their card here stays on this page, now able to say
« Ça m'intéresse »; anyone else gets the shell's usual answer.

The QR holds the listing's web link when the kiosk has a public address ([links] base_url); without one,
it holds the listing's title and who to ask, which any phone shows as text. Either way the code is made
once per listing shown (QrImage redraws only when its payload changes).

Route "listing", param `listing_id`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.lang import Builder
from kivy.properties import OptionProperty, StringProperty

from hardware.qr import listing_payload
from kiosk.domain import Identification, Identified, Listing, ListingFormat, ListingKind, ListingStatus
from kiosk.errors import KioskError
from kiosk.i18n import _
from screens.base import KioskScreen
from screens.board_model import MAX_MATCHES, ReturnStack, ThemeLabels
from screens.sounds import SUCCESS
from screens.tr import tr
from screens.widgets import buttons, qr_image, text  # noqa: F401  (kv rules use their classes)
from screens.widgets.buttons import BigButton

KV_FILE = str(Path(__file__).with_suffix(".kv"))
if KV_FILE not in Builder.files:
    Builder.load_file(KV_FILE)

# What the action area under the listing offers, for whoever is looking.
ACTIONS = ("passer_by", "ask", "asked", "own_offer", "own_request", "inactive")


def offline_payload(listing: Listing, quartier: str, collective: str) -> str:
    """Without a public address the QR carries the listing itself: a phone shows it as a note to keep.
    Names and the title only, nothing translated, so the code does not change with the language."""
    who = f"{listing.pseudonym}, {quartier}" if quartier else listing.pseudonym
    return f"{listing.title}\n{who}\n{collective}".strip()


class ListingScreen(KioskScreen):
    kind = StringProperty("offer")
    title = StringProperty("")
    theme_label = StringProperty("")
    who = StringProperty("")
    format_text = StringProperty("")
    description = StringProperty("")
    qr_payload = StringProperty("")
    action = OptionProperty("passer_by", options=ACTIONS)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._listing: Listing | None = None
        self._quartier = ""
        self._matches = 0
        self._labels: ThemeLabels | None = None
        self._shown_before: ReturnStack[str] = ReturnStack()
        self._prepared = False
        # the action area's three possible contents, made once and swapped in and out
        self._interest_button = BigButton(kind="primary", icon="star")
        self._interest_button.bind(on_release=lambda _button: self.express_interest())
        self._matches_button = BigButton(kind="primary", icon="search")
        self._matches_button.bind(on_release=lambda _button: self.open_matches())
        self._sentence = text.Body()

    @property
    def listing(self) -> Listing | None:
        return self._listing

    # --- the shell's contract ---------------------------------------------------------------------

    def prepare(self, listing_id: str = "", **_params: Any) -> None:
        self._prepared = True
        self._shown_before.settle(self.shell.history.count(self.name))
        self._show(listing_id)

    def on_pre_enter(self, *_args: Any) -> None:
        """Shown again by « Retour »: the listing it showed then (an interest may have been added)."""
        if self._prepared:
            self._prepared = False
            return
        listing_id = self._shown_before.settle(self.shell.history.count(self.name))
        if listing_id is None and self._listing is not None:
            listing_id = self._listing.id
        if listing_id:
            self._show(listing_id)

    def on_identified(self, identification: Identification) -> bool:
        """A passer-by browsing turns out to be a member: their session opens here, on this listing."""
        member = identification.member
        if identification.outcome is not Identified.MEMBER or member is None or self.session.active:
            return False
        self.shell.sounds.play(SUCCESS)
        self.session.open(member)
        if self._listing is not None:
            self._show(self._listing.id)  # what they may do here now: say so, or see their matches
        return True

    def wipe(self) -> None:
        self._shown_before.clear()
        self._listing = None
        self._quartier = ""
        self._matches = 0
        self.title = self.theme_label = self.who = self.format_text = self.description = ""
        self.qr_payload = ""
        self.action = "passer_by"
        self.ids.actions.clear_widgets()
        self._sentence.text = self._matches_button.text = ""

    def refresh_language(self) -> None:
        if self._listing is not None:
            self._fill_text()
            self._fill_action()

    # --- what the person taps ----------------------------------------------------------------------

    def go_back(self) -> None:
        self.shell.back()

    def express_interest(self) -> None:
        listing, member = self._listing, self.session.member
        if listing is None or member is None:
            return
        try:
            self.ctx.services.listings.express_interest(listing.id, member.id)
        except KioskError as error:  # withdrawn meanwhile, or one's own listing
            self.shell.notify(error.text(), "error")
            self._show(listing.id)
            return
        self.ctx.after_write()
        self.action = "asked"
        self._fill_action()

    def open_matches(self) -> None:
        if self._listing is None:
            return
        self._shown_before.push(self._listing.id)
        self.shell.go("board", matches_for=self._listing.id)

    # --- filling ------------------------------------------------------------------------------------

    def _show(self, listing_id: str) -> None:
        services = self.ctx.services
        listing = services.listings.get(listing_id)
        self._listing = listing
        try:
            self._quartier = services.members.get(listing.member_id).quartier
        except KioskError:
            self._quartier = ""
        self._fill_text()
        self.qr_payload = self._payload(listing) if listing.status is ListingStatus.ACTIVE else ""
        self.action = self._action_for(listing)
        self._matches = (
            len(services.listings.matches(listing.id, limit=MAX_MATCHES))
            if self.action == "own_request"
            else 0
        )
        self._fill_action()

    def _payload(self, listing: Listing) -> str:
        base_url = self.ctx.config.links.base_url
        if base_url:
            return listing_payload(base_url, listing.id)
        return offline_payload(listing, self._quartier, self.ctx.config.collective.name)

    def _action_for(self, listing: Listing) -> str:
        member = self.session.member
        if listing.status is not ListingStatus.ACTIVE:
            return "inactive"
        if member is None:
            return "passer_by"
        if member.id == listing.member_id:
            return "own_request" if listing.kind is ListingKind.REQUEST else "own_offer"
        known = self.ctx.services.listings.interest_of(listing.id, member.id)
        return "asked" if known is not None else "ask"

    def _fill_text(self) -> None:
        listing = self._listing
        if listing is None:
            return
        if self._labels is None:
            self._labels = ThemeLabels()
        self.kind = listing.kind.value
        self.title = listing.title
        self.theme_label = self._labels.label(listing.theme_id, tr.language)
        self.description = listing.description
        offer = listing.kind is ListingKind.OFFER
        if self._quartier:
            who = (
                _("Proposé par {pseudonym}, {quartier}")
                if offer
                else _("Demandé par {pseudonym}, {quartier}")
            )
        else:
            who = _("Proposé par {pseudonym}") if offer else _("Demandé par {pseudonym}")
        self.who = who.format(pseudonym=listing.pseudonym, quartier=self._quartier)
        if listing.home_collective:  # issue 9: shared by another collective of the network
            self.who += " · " + _("Réseau : {collective}").format(collective=listing.home_collective)
        if listing.format is ListingFormat.WORKSHOP:
            self.format_text = _("En atelier, avec un petit groupe")
        else:
            self.format_text = _("Seul à seul, avec une personne à la fois")

    def _fill_action(self) -> None:
        """The action area: a button, or a sentence saying what happens (never both at once)."""
        listing = self._listing
        if listing is None:
            return
        box = self.ids.actions
        box.clear_widgets()
        if self.action == "ask":
            self._interest_button.text = _("Ça m’intéresse")
            box.add_widget(self._interest_button)
        elif self.action == "own_request" and self._matches:
            text = _("Voir les offres qui correspondent ({count})").format(count=self._matches)
            self._matches_button.text = text
            box.add_widget(self._matches_button)
        else:
            self._sentence.text = self._action_sentence(listing.pseudonym)
            box.add_widget(self._sentence)

    def _action_sentence(self, owner: str) -> str:
        if self.action == "asked":
            return _("C’est noté ! {pseudonym} le verra à son prochain passage.").format(pseudonym=owner)
        if self.action == "own_offer":
            return _(
                "C’est votre annonce : les personnes intéressées vous seront signalées "
                "à votre prochain passage."
            )
        if self.action == "own_request":
            return _("Aucune offre ne correspond encore. Revenez bientôt : le tableau change chaque semaine.")
        if self.action == "inactive":
            return _("Cette annonce n’est plus en ligne.")
        return _("Membre du collectif ? Passez votre carte pour dire « Ça m’intéresse ».")
