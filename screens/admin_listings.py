"""« Annonces (modération) »: the librarian hides a listing with a reason, or puts a hidden one back.

list (services.listings.for_moderation: visible and hidden listings, newest first; « Chercher » opens the
keyboard) → a listing → visible: a reason (common ones as chips, or typed) and « Masquer l'annonce »;
hidden: why it was hidden and « Remettre en ligne ». A hidden listing leaves the board, the search, the
matches and Accueil (the core sees to it); restored, it comes back as it was.

Route "admin_listings" (an admin session only).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.lang import Builder
from kivy.properties import BooleanProperty, StringProperty

from kiosk.domain import Listing, ListingKind, ListingStatus
from kiosk.errors import KioskError
from kiosk.i18n import N_, _
from screens.accueil import theme_label
from screens.admin_widgets import AdminRow, AdminScreen

KV_FILE = str(Path(__file__).with_suffix(".kv"))

LIST_LIMIT = 50
REASONS = (
    N_("Hors sujet"),
    N_("Propos déplacés"),
    N_("Argent ou commerce"),
    N_("Coordonnées visibles"),
    N_("Doublon"),
)


class AdminListingsScreen(AdminScreen):
    step = StringProperty("list")  # list, search, detail
    query = StringProperty("")
    hidden = BooleanProperty(False)  # the listing shown in detail is hidden
    detail_title = StringProperty("")
    detail_meta = StringProperty("")
    detail_description = StringProperty("")
    detail_reason = StringProperty("")
    kind = StringProperty("offer")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._listing: Listing | None = None
        self._listings: list[Listing] = []  # the list shown (a language switch re-words it, no query)
        self.ids.reasons.reasons = list(REASONS)

    # --- the shell's contract ---------------------------------------------------------------------

    def fill(self, **_params: Any) -> None:
        self.wipe()
        self._fill_list()

    def wipe(self) -> None:
        self._listing = None
        self._listings = []
        self.query = ""
        self.ids.search_field.text = ""
        self.ids.rows.clear_widgets()
        self.ids.reasons.clear()
        self.detail_title = self.detail_meta = self.detail_description = self.detail_reason = ""
        self._go_to("list")

    def refresh_language(self) -> None:
        self._show_list()
        if self._listing is not None:
            self._fill_detail(self._listing)
        self.ids.reasons.refresh_language()

    # --- moving ---------------------------------------------------------------------------------------

    def back(self) -> None:
        if self.step == "list":
            self.shell.back()
        elif self.step == "detail" and self.ids.reasons.typing:
            self.ids.reasons.typing = False
        else:
            self._go_to("list")

    def open_search(self) -> None:
        self.ids.search_field.text = self.query
        self.ids.search_keyboard.target = self.ids.search_field
        self._go_to("search")

    def search(self) -> None:
        self.query = self.ids.search_field.text.strip()
        self._fill_list()
        self._go_to("list")

    def show_all(self) -> None:
        self.query = ""
        self._fill_list()

    def open_listing(self, listing_id: str) -> None:
        listing = self.ctx.services.listings.get(listing_id)
        self.ids.reasons.clear()
        self._fill_detail(listing)
        self._go_to("detail")

    def hide(self) -> None:
        listing, reason = self._listing, self.ids.reasons.reason
        if listing is None or not reason:
            return
        try:
            self.ctx.services.listings.hide(listing.id, self.actor_id, reason)
        except KioskError as error:
            self.shell.notify(error.text(), "error")
            return
        self._done(_("L’annonce est masquée : elle n’apparaît plus sur le tableau des savoirs."))

    def restore(self) -> None:
        listing = self._listing
        if listing is None:
            return
        try:
            self.ctx.services.listings.restore(listing.id, self.actor_id)
        except KioskError as error:
            self.shell.notify(error.text(), "error")
            return
        self._done(_("L’annonce est de nouveau en ligne."))

    def _done(self, message: str) -> None:
        self.ctx.after_write()
        self._listing = None
        self.ids.reasons.clear()
        self._fill_list()
        self._go_to("list")
        self.shell.notify(message, "success")

    # --- showing --------------------------------------------------------------------------------------

    def _fill_list(self) -> None:
        self._listings = self.ctx.services.listings.for_moderation(self.query, limit=LIST_LIMIT)
        self._show_list()

    def _show_list(self) -> None:
        rows = self.ids.rows
        rows.clear_widgets()
        listings = self._listings
        for listing in listings:
            hidden = listing.status is ListingStatus.HIDDEN
            row = AdminRow(
                title=listing.title,
                detail=self._meta(listing),
                badge=_("Masquée") if hidden else "",
                icon="eye-off" if hidden else "",
                value=listing.id,
            )
            row.bind(on_release=lambda chosen: self.open_listing(chosen.value))
            rows.add_widget(row)
        if listings:
            self.ids.list_hint.text = _("Touchez une annonce pour la masquer ou la remettre en ligne.")
        else:
            self.ids.list_hint.text = _("Aucune annonce ne correspond.")

    def _meta(self, listing: Listing) -> str:
        kind = _("Je propose") if listing.kind is ListingKind.OFFER else _("Je cherche")
        return f"{kind} · {listing.pseudonym} · {theme_label(listing.theme_id)}"

    def _fill_detail(self, listing: Listing) -> None:
        self._listing = listing
        self.kind = listing.kind.value
        self.hidden = listing.status is ListingStatus.HIDDEN
        self.detail_title = listing.title
        self.detail_meta = self._meta(listing)
        self.detail_description = listing.description
        reason = listing.hidden_reason or ""
        self.detail_reason = _("Masquée : {reason}").format(reason=_(reason)) if self.hidden else ""

    def _go_to(self, step: str) -> None:
        self.step = step
        self.ids.steps.current = step


if KV_FILE not in Builder.files:
    Builder.load_file(KV_FILE)
