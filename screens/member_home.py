"""Member home, after a card tap or a pass: « Bonjour Karim », what waits for them, then what they can do.

Left, in this order: pending confirmations first (« Karim dit vous avoir appris « Réglage des freins »,
1 h — c'est bien ça ? » with big Oui / Non; Non asks once more before declining), news about their
listings (who is interested, offers that may answer their requests), then recognition — hours and
exchanges given and received, their themes: recognition words, never a balance or a debt — with « Mon
historique », which shows their recent exchanges in the same place. Right, always visible: « J'enregistre
un échange », « Les savoirs du quartier », « Je propose un savoir », « Je cherche un savoir », « Les
ateliers », and for librarians and animators « Espace bibliothécaire » (PIN next).

Everything here is personal: `wipe` empties every widget, also the rows kept aside. Interest notices are
marked seen once shown, and stay on this home for the rest of the session.

A card tap must show this screen within a frame, sync running or not: the left column's panels and rows
are made once with the screen and refilled at each visit (screens/member_home_panels.py), so a tap
changes texts and makes no widget.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from kivy.lang import Builder
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.widget import Widget

from kiosk.domain import (
    Exchange,
    ExchangeKind,
    ExchangeStatus,
    InterestNotice,
    Listing,
    Member,
    MemberSummary,
    ParticipantRole,
)
from kiosk.errors import KioskError
from kiosk.i18n import _
from screens.accueil import format_day, theme_label
from screens.base import KioskScreen
from screens.member_home_panels import (
    HistoryPanel,
    NewsPanel,
    PendingCard,
    Pool,
    RecognitionPanel,
    arrange,
)
from screens.tr import tr
from screens.widgets import buttons, scroll, text  # noqa: F401  (kv rules below use their classes)

KV_FILE = str(Path(__file__).with_suffix(".kv"))
if KV_FILE not in Builder.files:
    Builder.load_file(KV_FILE)

HISTORY_LIMIT = 20
NOTICES_SHOWN = 4
MATCHES_SHOWN = 2
RECOGNITION_LINES = 3  # given, received (or « Votre premier échange… »), themes: see recognition_lines
PENDING_MADE_AHEAD = 2  # question cards made with the screen: most people have none, one or two

__all__ = ["MemberHomeScreen", "PendingCard", "format_duration"]


def format_duration(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if not hours:
        return _("{minutes} min").format(minutes=rest)
    if not rest:
        return _("{hours} h").format(hours=hours)
    return _("{hours} h {minutes}").format(hours=hours, minutes=f"{rest:02d}")


def capitalised(words: str) -> str:
    return words[:1].upper() + words[1:]


def join_names(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return _("{first} et {last}").format(first=", ".join(names[:-1]), last=names[-1])


def pending_question(exchange: Exchange, member_id: str) -> str:
    """« Karim dit vous avoir appris « … », 1 h — c'est bien ça ? », from this member's side."""
    recorder = next((p.pseudonym for p in exchange.participants if p.member_id == exchange.recorded_by), "")
    others = [p.pseudonym for p in exchange.participants if p.member_id != member_id]
    who = recorder if recorder and exchange.recorded_by != member_id else join_names(others)
    values = {"who": who, "title": exchange.title, "duration": format_duration(exchange.duration_min)}
    received = exchange.role_of(member_id) is ParticipantRole.LEARNER
    if exchange.kind is ExchangeKind.SERVICE:
        if received:
            return _(
                "{who} dit vous avoir rendu un service : « {title} », {duration} — c’est bien ça ?"
            ).format(**values)
        return _(
            "{who} dit que vous lui avez rendu un service : « {title} », {duration} — c’est bien ça ?"
        ).format(**values)
    if received:
        return _("{who} dit vous avoir appris « {title} », {duration} — c’est bien ça ?").format(**values)
    return _("{who} dit avoir appris « {title} » avec vous, {duration} — c’est bien ça ?").format(**values)


def recognition_lines(summary: MemberSummary) -> list[str]:
    """What the member gave and received, as thanks. Never a difference of the two."""
    lines = []
    if summary.minutes_given:
        given = format_duration(summary.minutes_given)
        if summary.exchanges_given == 1:
            lines.append(_("Vous avez transmis {duration} de savoirs, en 1 échange.").format(duration=given))
        else:
            lines.append(
                _("Vous avez transmis {duration} de savoirs, en {count} échanges.").format(
                    duration=given, count=summary.exchanges_given
                )
            )
    if summary.minutes_received:
        received = format_duration(summary.minutes_received)
        if summary.exchanges_received == 1:
            lines.append(_("Vous avez appris pendant {duration}, en 1 échange.").format(duration=received))
        else:
            lines.append(
                _("Vous avez appris pendant {duration}, en {count} échanges.").format(
                    duration=received, count=summary.exchanges_received
                )
            )
    if not lines:
        lines.append(_("Votre premier échange vous attend : proposez ou cherchez un savoir !"))
    if summary.themes:
        labels = ", ".join(theme_label(theme_id) for theme_id in summary.themes)
        lines.append(_("Vos thèmes : {themes}").format(themes=labels))
    return lines


def newcomer(summary: MemberSummary) -> bool:
    return not (summary.exchanges_given or summary.exchanges_received or summary.pending_confirmations)


def recognition_title(summary: MemberSummary) -> str:
    if not newcomer(summary):
        return _("Merci pour ce que vous partagez")
    if summary.member.home_collective:  # a visitor (issue 9): not joining this collective, just passing by
        return _("Ravis de vous accueillir ici !")
    return _("Bienvenue dans le collectif !")


def greeting(member: Member) -> str:
    """« Bonjour Karim »; a member of another collective of the network is told we know where from."""
    name = member.home_collective
    if not name:
        return _("Bonjour {pseudonym}").format(pseudonym=member.pseudonym)
    if name.casefold().startswith("collecti"):  # « Collectif des Bords de Marne »: said once
        return _("Bienvenue, {pseudonym} — {collective}").format(pseudonym=member.pseudonym, collective=name)
    return _("Bienvenue, {pseudonym} — collectif {collective}").format(
        pseudonym=member.pseudonym, collective=name
    )


def history_lines(exchange: Exchange, member_id: str) -> tuple[str, str]:
    """(« samedi 22 novembre · Réglage des freins », « Vous avez transmis · 1 h · avec Inès »)."""
    day = format_day(datetime.fromisoformat(exchange.occurred_at), tr.language, with_time=False)
    gave = exchange.role_of(member_id) is ParticipantRole.TRANSMITTER
    if exchange.kind is ExchangeKind.SERVICE:
        what = _("Vous avez rendu service") if gave else _("On vous a rendu service")
    else:
        what = _("Vous avez transmis") if gave else _("Vous avez appris")
    parts = [what, format_duration(exchange.duration_min)]
    others = [p.pseudonym for p in exchange.participants if p.member_id != member_id and p.pseudonym]
    if others:
        parts.append(_("avec {names}").format(names=join_names(others)))
    if exchange.status is ExchangeStatus.PENDING:
        parts.append(_("en attente de confirmation"))
    return f"{day} · {exchange.title}", " · ".join(parts)


class MemberHomeScreen(KioskScreen):
    greeting = StringProperty("")
    showing_history = BooleanProperty(False)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._member_id = ""
        self._summary: MemberSummary | None = None
        self._notices: list[InterestNotice] = []
        self._matches: list[tuple[Listing, list[Listing]]] = []
        self._history: list[Exchange] = []
        self._shown_interests: set[str] = set()
        # made once with the screen, refilled at every visit (see screens/member_home_panels.py)
        self._pending: Pool[PendingCard] = Pool(lambda: PendingCard(home=self))
        self._pending.take(PENDING_MADE_AHEAD)
        self._news = NewsPanel(self.open_matches, NOTICES_SHOWN, MATCHES_SHOWN)
        self._recognition = RecognitionPanel(self.toggle_history, RECOGNITION_LINES)
        self._history_panel = HistoryPanel(self.toggle_history)
        # out of the tree for members: a hidden button would still take touches
        self._staff_button = self.ids.staff_button.__self__  # ids are weak: keep the button itself
        self.ids.actions.remove_widget(self._staff_button)

    # --- the shell's contract ---

    def prepare(self, member_id: str = "", **_params: Any) -> None:
        if not member_id and self.session.member is not None:
            member_id = self.session.member.id
        services = self.ctx.services
        if member_id != self._member_id:
            self._shown_interests.clear()
            self.ids.scroll.scroll_y = 1  # someone else: their column from the top
        self._member_id = member_id
        self._summary = services.exchanges.summary(member_id)
        notices = services.listings.interests_for(member_id)
        self._notices = [n for n in notices if not n.seen or n.interest_id in self._shown_interests]
        self._notices = self._notices[:NOTICES_SHOWN]
        new = [n.interest_id for n in self._notices if not n.seen]
        if new:
            services.listings.mark_interests_seen(member_id, new)
            self.ctx.after_write()
        self._shown_interests.update(new)
        self._matches = [
            (req, offers) for req, offers in services.listings.matches_for_member(member_id) if offers
        ]
        self._matches = self._matches[:MATCHES_SHOWN]
        self._history = []
        self.showing_history = False
        self._show_staff_button(services.admin.is_staff(self._summary.member))
        self._fill()

    def wipe(self) -> None:
        self._show_staff_button(False)
        self._member_id = ""
        self._summary = None
        self._notices, self._matches, self._history = [], [], []
        self._shown_interests.clear()
        self.greeting = ""
        self.showing_history = False
        arrange(self.ids.content, [])
        for card in self._pending:
            card.wipe()
        for panel in (self._news, self._recognition, self._history_panel):
            panel.wipe()

    def refresh_language(self) -> None:
        if self._summary is not None:
            self._fill()

    # --- what the member does ---

    def confirm(self, exchange_id: str) -> None:
        self._answer(exchange_id, confirm=True)

    def decline(self, exchange_id: str) -> None:
        self._answer(exchange_id, confirm=False)

    def _answer(self, exchange_id: str, *, confirm: bool) -> None:
        exchanges = self.ctx.services.exchanges
        try:
            if confirm:
                exchanges.confirm(exchange_id, self._member_id)
            else:
                exchanges.decline(exchange_id, self._member_id)
        except KioskError as error:  # cancelled meanwhile, answered at another kiosk…
            self.shell.notify(error.text(), "error")
        else:
            self.ctx.after_write()
            if confirm:
                self.shell.notify(_("Merci ! C’est confirmé : l’échange compte pour vous deux."), "success")
            else:
                self.shell.notify(_("C’est noté : cet échange ne comptera pas pour vous."), "info")
        self.prepare(member_id=self._member_id)

    def toggle_history(self) -> None:
        self.showing_history = not self.showing_history
        if self.showing_history:
            self._history = self.ctx.services.exchanges.history(self._member_id, HISTORY_LIMIT)
        self._fill()
        self.ids.scroll.scroll_y = 1

    def record(self) -> None:
        self.shell.go("record")

    def open_board(self) -> None:
        self.shell.go("board")

    def open_matches(self, request_id: str) -> None:
        self.shell.go("board", matches_for=request_id)

    def new_listing(self, kind: str) -> None:
        self.shell.go("listing_new", kind=kind)

    def open_workshops(self) -> None:
        self.shell.go("workshops")

    def open_civic(self) -> None:
        """Draws by lot and elections: volunteer, stand, where to vote, results (issue 8)."""
        self.shell.go("civic")

    def open_admin(self) -> None:
        self.shell.go("admin_pin")

    def finish(self) -> None:
        self.shell.end_session()

    def _show_staff_button(self, staff: bool) -> None:
        shown = self._staff_button.parent is not None
        if staff and not shown:
            self.ids.actions.add_widget(self._staff_button, index=0)  # last in the column
        elif not staff and shown:
            self.ids.actions.remove_widget(self._staff_button)

    # --- filling the left column ---

    def _fill(self) -> None:
        summary = self._summary
        if summary is None:
            return
        self.greeting = greeting(summary.member)
        if self.showing_history:
            entries = [history_lines(exchange, self._member_id) for exchange in self._history]
            self._history_panel.show(entries)
            arrange(self.ids.content, [self._history_panel])
            return
        cards = self._pending.take(len(summary.pending_confirmations))
        for card, exchange in zip(cards, summary.pending_confirmations, strict=True):
            moment = datetime.fromisoformat(exchange.occurred_at)
            card.show(
                exchange.id,
                pending_question(exchange, self._member_id),
                capitalised(format_day(moment, tr.language, with_time=False)),
            )
        column: list[Widget] = [*cards]
        if self._notices or self._matches:
            self._news.show(self._notice_lines(), self._match_lines())
            column.append(self._news)
        self._recognition.show(
            recognition_title(summary), recognition_lines(summary), with_history=not newcomer(summary)
        )
        column.append(self._recognition)
        arrange(self.ids.content, column)

    def _notice_lines(self) -> list[str]:
        return [
            _("{pseudonym} s’intéresse à votre annonce « {title} ».").format(
                pseudonym=notice.pseudonym, title=notice.listing_title
            )
            for notice in self._notices
        ]

    def _match_lines(self) -> list[tuple[str, str]]:
        lines = []
        for request, offers in self._matches:
            if len(offers) == 1:
                line = _("1 savoir proposé peut répondre à votre recherche « {title} ».")
            else:
                line = _("{count} savoirs proposés peuvent répondre à votre recherche « {title} ».")
            lines.append((line.format(count=len(offers), title=request.title), request.id))
        return lines
