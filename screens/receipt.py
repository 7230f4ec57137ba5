"""The receipt of a recorded exchange (route "receipt", `exchange_id=…`): what was recorded in one
sentence, whether everyone confirmed, a QR of the receipt to photograph, « Imprimer » when a printer is
there, « Terminé » back to the member's home.

The sentence is said to the member of the session, from their side of the exchange (see
`screens.record_steps.wording`). The QR payload is made once in `prepare`: `hardware.qr.receipt_payload`
(the hub's page of the exchange, or an offline code a kiosk recognises).
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from typing import Any

from kivy.lang import Builder
from kivy.properties import BooleanProperty, StringProperty

from hardware.qr import receipt_payload
from hardware.receipts import ExchangeReceipt, exchange_receipt_slip
from kiosk.domain import Confirmation, Exchange, ExchangeStatus, ParticipantRole
from kiosk.i18n import _
from screens.base import KioskScreen
from screens.record_steps.wording import kind_for, sentence, waiting_line
from screens.tr import tr
from screens.widgets import buttons, qr_image, text  # noqa: F401  (the kv rules use their classes)

log = logging.getLogger(__name__)

KV_FILE = str(Path(__file__).with_suffix(".kv"))
if KV_FILE not in Builder.files:
    Builder.load_file(KV_FILE)


def receipt_qr(exchange_id: str, base_url: str) -> str:
    """The hub's page of the exchange when a public base URL is configured, else the offline code."""
    try:
        return receipt_payload(exchange_id, base_url)
    except ValueError:  # a malformed base_url in the site config must not cost the person their receipt
        log.warning("links.base_url %r is not a usable URL: offline receipt code instead", base_url)
        return receipt_payload(exchange_id)


def status_line(exchange: Exchange, viewer_id: str) -> str:
    if exchange.status is ExchangeStatus.CANCELLED:
        return _("Cet échange a été annulé.")
    waiting = [
        p.pseudonym
        for p in exchange.participants
        if p.confirmation is Confirmation.PENDING and p.member_id != viewer_id
    ]
    if waiting:
        return waiting_line(waiting)
    if len(exchange.participants) == 2:
        return _("Confirmé par vous deux.")
    return _("Confirmé par tout le monde.")


def receipt_sentence(exchange: Exchange, viewer_id: str, now: datetime) -> str:
    """The exchange told to `viewer_id` (or to its recorder when the viewer took no part)."""
    me = next((p for p in exchange.participants if p.member_id == viewer_id), None)
    if me is None:
        me = next((p for p in exchange.participants if p.member_id == exchange.recorded_by), None)
    role = me.role if me is not None else ParticipantRole.TRANSMITTER
    others = [p.pseudonym for p in exchange.participants if p.role is not role]
    occurred = datetime.fromisoformat(exchange.occurred_at)
    days_ago = max(0, (now.date() - occurred.astimezone(now.tzinfo).date()).days)
    kind = kind_for(exchange.kind, role)
    return sentence(kind, exchange.title, others, exchange.duration_min, days_ago, occurred)


class ReceiptScreen(KioskScreen):
    sentence = StringProperty("")
    status = StringProperty("")
    pending = BooleanProperty(False)
    qr_payload = StringProperty("")
    can_print = BooleanProperty(False)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._exchange: Exchange | None = None

    def prepare(self, exchange_id: str = "", **_params: Any) -> None:
        exchange = self.ctx.services.exchanges.get(exchange_id)
        self._exchange = exchange
        self.qr_payload = receipt_qr(exchange.id, self.ctx.config.links.base_url)
        self.can_print = self.ctx.can_print
        self._fill()

    def _fill(self) -> None:
        exchange = self._exchange
        if exchange is None:
            return
        viewer = self.session.member
        viewer_id = viewer.id if viewer is not None else (exchange.recorded_by or "")
        self.sentence = receipt_sentence(exchange, viewer_id, self.ctx.clock.now())
        self.status = status_line(exchange, viewer_id)
        self.pending = exchange.status is ExchangeStatus.PENDING

    def refresh_language(self) -> None:
        self._fill()

    def print_receipt(self) -> None:
        exchange = self._exchange
        if exchange is None or self.ctx.print_slip is None:
            return
        theme = self.ctx.services.themes.catalogue().by_id().get(exchange.theme_id)
        config = self.ctx.config
        receipt = ExchangeReceipt(
            exchange_id=exchange.id,
            title=exchange.title,
            theme=theme.label(tr.language) if theme is not None else exchange.theme_id,
            occurred_at=datetime.fromisoformat(exchange.occurred_at),
            duration_min=exchange.duration_min,
            place=config.site.name,
            transmitters=tuple(p.pseudonym for p in exchange.side(ParticipantRole.TRANSMITTER)),
            learners=tuple(p.pseudonym for p in exchange.side(ParticipantRole.LEARNER)),
            collective_name=config.collective.name,
            qr_payload=self.qr_payload,
            pending=exchange.status is ExchangeStatus.PENDING,
        )
        self.ctx.print_slip(exchange_receipt_slip(receipt, language=tr.language))
        self.shell.notify(_("Impression du reçu en cours…"), "info")

    def done(self) -> None:
        self.shell.home()

    def wipe(self) -> None:
        self._exchange = None
        self.sentence = self.status = self.qr_payload = ""
        self.pending = False
