"""A draw's public page (route "draw_result", `draw_id=…`): its announcement until it is performed, then
its result — for everyone, with or without a card.

Before the draw: the cut-off, the public randomness to come, the number of volunteers, and once the list
is frozen its SHA-256 (published before the randomness exists, so nobody can choose it afterwards).
After: the selected tickets, the replacements in order, the public randomness and the seed (short), each
volunteer's chance (one sentence, and a chart when quotas made them differ), the member's own ticket
marked in words, and the QR of the published record: the hub's public URL when the kiosk is paired,
else the record's SHA-256 to compare with the copy anyone downloads — « kiosk-hub draw verify » redoes it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.lang import Builder
from kivy.properties import BooleanProperty, ListProperty, StringProperty

from kiosk.i18n import _
from screens import admin_widgets  # noqa: F401  (AdminHeader)
from screens import governance_widgets as gov
from screens.base import KioskScreen
from screens.board_model import ThemeLabels
from screens.tr import tr
from screens.widgets import buttons, qr_image, scroll, text  # noqa: F401  (kv rules use them)

KV_FILE = str(Path(__file__).with_suffix(".kv"))
if KV_FILE not in Builder.files:
    Builder.load_file(KV_FILE)

NBSP = "\u00a0"  # Kivy wraps at plain spaces only: « 4. CUI-E6VP » stays on one line


def numbered(tickets: list[str], mine: str | None) -> str:
    """« 1. JAR-7K3Q   2. JAR-… » with the member's own ticket marked in words."""
    return "   ".join(f"{n}.{NBSP}{mark(ticket, mine)}" for n, ticket in enumerate(tickets, start=1))


def mark(ticket: str, mine: str | None) -> str:
    return f"{ticket}{NBSP}{_('(vous)')}" if ticket == mine else ticket


class DrawResultScreen(KioskScreen):
    draw_title = StringProperty("")
    performed = BooleanProperty(False)
    state_text = StringProperty("")
    mine_text = StringProperty("")
    selected_text = StringProperty("")
    replacements_text = StringProperty("")
    inputs_text = StringProperty("")
    chances_text = StringProperty("")
    chart_rows = ListProperty([])
    qr_payload = StringProperty("")
    qr_caption = StringProperty("")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._labels = ThemeLabels()
        self.draw: Any = None
        self.record: dict[str, Any] | None = None
        self.mine: str | None = None

    def prepare(self, draw_id: str = "", **_params: Any) -> None:
        draws = self.ctx.services.draws
        self.draw = draws.get(draw_id)
        self.record = draws.record(draw_id)
        member = self.session.member
        self.mine = draws.ticket_of(draw_id, member.id) if member is not None else None
        self.refresh_language()
        self.ids.result_scroll.scroll_y = 1

    def refresh_language(self) -> None:
        draw = self.draw
        if draw is None:
            return
        theme = self._labels.label(draw.theme_id, tr.language)
        self.draw_title = draw.title
        self.performed = self.record is not None
        if self.record is None:
            self._announcement(draw, theme)
        else:
            self._result(draw, self.record)

    def wipe(self) -> None:
        self.draw = self.record = self.mine = None
        self.mine_text = self.state_text = self.selected_text = self.replacements_text = ""
        self.inputs_text = self.chances_text = self.qr_payload = self.qr_caption = ""
        self.chart_rows = []

    def _announcement(self, draw: Any, theme: str) -> None:
        now = self.ctx.clock.now()
        status = str(draw.status)
        lines = [
            f"{theme} — {_(gov.DRAW_STATUS[status])}" if status == "frozen" else theme,
            gov.cutoff_text(draw.cutoff, status, now),
            _("Volontaires : {count}").format(count=int(draw.volunteers)),
            _("Le hasard viendra de : {source}.").format(source=draw.randomness_source),
        ]
        quotas = gov.quotas_text(draw.quotas)
        if quotas:
            lines.append(_("Quotas : {quotas}").format(quotas=quotas))
        if draw.pool_hash:
            digest = gov.short_hash(draw.pool_hash, 8)
            lines.append(_("Empreinte de la liste (SHA-256) : {hash}").format(hash=digest))
            lines.append(gov.chances_text(draw.probabilities, int(draw.seats), int(draw.volunteers)))
        lines.append(_("Le résultat s’affichera ici après le tirage."))
        self.state_text = "\n".join(line for line in lines if line)
        self.mine_text = _("Votre ticket : {ticket}").format(ticket=self.mine) if self.mine else ""
        self.selected_text = self.replacements_text = self.inputs_text = self.chances_text = ""
        self.chart_rows = []
        self.qr_payload = self.qr_caption = ""

    def _result(self, draw: Any, record: dict[str, Any]) -> None:
        selected = [str(t) for t in record.get("selected", [])]
        replacements = [str(t) for t in record.get("replacements", [])]
        mine = self.mine
        if mine in selected:
            self.mine_text = _("Votre ticket {ticket} est tiré au sort. Félicitations !").format(ticket=mine)
        elif mine in replacements:
            rank = replacements.index(mine) + 1
            self.mine_text = _("Votre ticket {ticket} est remplaçant n° {rank}.").format(
                ticket=mine, rank=rank
            )
        elif mine:
            self.mine_text = _("Votre ticket : {ticket}").format(ticket=mine)
        else:
            self.mine_text = ""
        self.state_text = ""
        self.selected_text = "   ".join(mark(ticket, mine) for ticket in selected)
        self.replacements_text = numbered(replacements, mine) if replacements else _("Aucun·e")
        randomness = record.get("randomness", {})
        self.inputs_text = "\n".join(
            (
                _("Hasard public : « {value} » ({source})").format(
                    value=randomness.get("value", ""), source=randomness.get("source", draw.randomness_source)
                ),
                _("Graine : {seed}").format(seed=gov.short_hash(str(record.get("seed", "")))),
                _("Empreinte de la liste : {hash}").format(
                    hash=gov.short_hash(str(record.get("pool_hash", "")))
                ),
            )
        )
        probabilities = record.get("probabilities") or None
        pool_size = int(record.get("pool_size", len(selected) + len(replacements)))
        self.chances_text = gov.chances_text(probabilities, int(record.get("seats", draw.seats)), pool_size)
        order = [str(t) for t in record.get("order", [*selected, *replacements])]
        self.chart_rows = gov.chance_rows(probabilities, order, mine) if probabilities else []
        hub_url = self.ctx.hub_url()
        if hub_url:
            self.qr_payload = gov.record_link(hub_url, draw.id)
            self.qr_caption = _("Le relevé publié, à ouvrir sur votre téléphone.")
        else:
            digest = gov.record_sha256(record)
            self.qr_payload = f"sha256:{digest}"
            self.qr_caption = _("Empreinte SHA-256 du relevé : {hash}").format(hash=gov.short_hash(digest))
