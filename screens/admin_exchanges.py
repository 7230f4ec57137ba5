"""« Échanges (annuler) »: the librarian cancels a recorded exchange, always with a reason.

list (services.exchanges.recent: newest first; « Chercher » by title or pseudonym) → an exchange (who
gave, who learned, when, how long) → a reason (common ones as chips, or typed: required) → « Annuler
l'échange » → « Oui, annuler » asked once more → cancelled (services.exchanges.cancel), the list again.
A cancelled exchange shows its reason and cannot be cancelled twice.

Route "admin_exchanges" (an admin session only).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from kivy.lang import Builder
from kivy.properties import BooleanProperty, StringProperty

from kiosk.domain import Exchange, ExchangeStatus, ParticipantRole
from kiosk.errors import KioskError
from kiosk.i18n import N_, _
from screens.accueil import format_day
from screens.admin_widgets import AdminRow, AdminScreen
from screens.member_home import format_duration
from screens.tr import tr

KV_FILE = str(Path(__file__).with_suffix(".kv"))

LIST_LIMIT = 50
REASONS = (N_("Doublon"), N_("Saisi par erreur"), N_("N’a pas eu lieu"))


class AdminExchangesScreen(AdminScreen):
    step = StringProperty("list")  # list, search, detail, confirm
    query = StringProperty("")
    cancelled = BooleanProperty(False)  # the exchange shown is already cancelled
    detail_title = StringProperty("")
    detail_meta = StringProperty("")
    detail_people = StringProperty("")
    detail_reason = StringProperty("")
    confirm_text = StringProperty("")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._exchange: Exchange | None = None
        self._exchanges: list[Exchange] = []  # the list shown (a language switch re-words it, no query)
        self.ids.reasons.reasons = list(REASONS)

    # --- the shell's contract ---------------------------------------------------------------------

    def fill(self, **_params: Any) -> None:
        self.wipe()
        self._fill_list()

    def wipe(self) -> None:
        self._exchange = None
        self._exchanges = []
        self.query = ""
        self.ids.search_field.text = ""
        self.ids.rows.clear_widgets()
        self.ids.reasons.clear()
        self.detail_title = self.detail_meta = self.detail_people = self.detail_reason = ""
        self.confirm_text = ""
        self._go_to("list")

    def refresh_language(self) -> None:
        self._show_list()
        if self._exchange is not None:
            self._fill_detail(self._exchange)
            self._fill_confirm()
        self.ids.reasons.refresh_language()

    # --- moving ---------------------------------------------------------------------------------------

    def back(self) -> None:
        if self.step == "list":
            self.shell.back()
        elif self.step == "detail" and self.ids.reasons.typing:
            self.ids.reasons.typing = False
        elif self.step == "confirm":
            self._go_to("detail")
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

    def open_exchange(self, exchange_id: str) -> None:
        self.ids.reasons.clear()
        self._fill_detail(self.ctx.services.exchanges.get(exchange_id))
        self._go_to("detail")

    def ask_confirmation(self) -> None:
        if self._exchange is None or not self.ids.reasons.reason:
            return
        self._fill_confirm()
        self._go_to("confirm")

    def cancel_exchange(self) -> None:
        exchange, reason = self._exchange, self.ids.reasons.reason
        if exchange is None or not reason:
            return
        try:
            self.ctx.services.exchanges.cancel(exchange.id, self.actor_id, reason)
        except KioskError as error:
            self.shell.notify(error.text(), "error")
            return
        self.ctx.after_write()
        self._exchange = None
        self.ids.reasons.clear()
        self._fill_list()
        self._go_to("list")
        self.shell.notify(_("L’échange est annulé : il ne compte plus dans les heures partagées."), "success")

    # --- showing --------------------------------------------------------------------------------------

    def _fill_list(self) -> None:
        self._exchanges = self.ctx.services.exchanges.recent(limit=LIST_LIMIT, query=self.query)
        self._show_list()

    def _show_list(self) -> None:
        rows = self.ids.rows
        rows.clear_widgets()
        exchanges = self._exchanges
        for exchange in exchanges:
            cancelled = exchange.status is ExchangeStatus.CANCELLED
            row = AdminRow(
                title=exchange.title,
                detail=f"{self._when(exchange)} · {self._people(exchange)}",
                badge=_("Annulé") if cancelled else "",
                icon="cross" if cancelled else "",
                value=exchange.id,
            )
            row.bind(on_release=lambda chosen: self.open_exchange(chosen.value))
            rows.add_widget(row)
        if exchanges:
            self.ids.list_hint.text = _("Touchez un échange pour l’annuler.")
        else:
            self.ids.list_hint.text = _("Aucun échange ne correspond.")

    def _when(self, exchange: Exchange) -> str:
        moment = datetime.fromisoformat(exchange.occurred_at).astimezone(self.ctx.clock.now().tzinfo)
        return (
            f"{format_day(moment, tr.language, with_time=False)} · {format_duration(exchange.duration_min)}"
        )

    @staticmethod
    def _people(exchange: Exchange) -> str:
        def names(role: ParticipantRole) -> str:
            return ", ".join(p.pseudonym for p in exchange.side(role))

        return _("de {transmitters} à {learners}").format(
            transmitters=names(ParticipantRole.TRANSMITTER), learners=names(ParticipantRole.LEARNER)
        )

    def _fill_detail(self, exchange: Exchange) -> None:
        self._exchange = exchange
        self.cancelled = exchange.status is ExchangeStatus.CANCELLED
        self.detail_title = exchange.title
        self.detail_meta = self._when(exchange)
        transmitters = ", ".join(p.pseudonym for p in exchange.side(ParticipantRole.TRANSMITTER))
        learners = ", ".join(p.pseudonym for p in exchange.side(ParticipantRole.LEARNER))
        self.detail_people = _("Transmis par {transmitters} à {learners}").format(
            transmitters=transmitters, learners=learners
        )
        reason = exchange.cancel_reason or ""
        self.detail_reason = _("Annulé : {reason}").format(reason=_(reason)) if self.cancelled else ""

    def _fill_confirm(self) -> None:
        exchange = self._exchange
        if exchange is None:
            return
        self.confirm_text = _("Annuler « {title} » ({people}) ? Raison : {reason}.").format(
            title=exchange.title, people=self._people(exchange), reason=_(self.ids.reasons.reason)
        )

    def _go_to(self, step: str) -> None:
        self.step = step
        self.ids.steps.current = step


if KV_FILE not in Builder.files:
    Builder.load_file(KV_FILE)
