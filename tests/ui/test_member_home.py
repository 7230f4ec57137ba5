"""Member home in the real 800×480 window, on demo data, opened by a card through the app's event path:
pending confirmations answered by touch, news, recognition, history, actions, language, no clipping."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kiosk.demo import DEMO_CARDS
from kiosk.domain import Confirmation, Exchange
from tests.ui.conftest import render, save_screenshot
from tests.ui.driver import (
    bring_into_view,
    crowded,
    demo_context,
    describe_crowded,
    every_text,
    find,
    find_all,
    shell_rig,
    stub_routes,
    tap,
    texts,
)


def confirmation_of(ctx: Any, exchange_id: str, pseudonym: str) -> Confirmation:
    exchange: Exchange = ctx.services.exchanges.get(exchange_id)
    return next(p.confirmation for p in exchange.participants if p.pseudonym == pseudonym)


def pending_cards(shell: Any) -> list[Any]:
    from screens.member_home import PendingCard

    return find_all(shell, cls=PendingCard)


def test_a_pending_confirmation_comes_first_and_oui_confirms_it(kivy_window: Any, tmp_path: Path) -> None:
    with demo_context(tmp_path) as ctx, shell_rig(kivy_window, ctx) as rig:
        rig.tap_demo_card("Inès")
        cards = pending_cards(rig.shell)
        assert len(cards) == 1
        card = cards[0]
        assert card.question == (
            "Lucas dit vous avoir appris « Réglage des freins de vélo », 1 h — c’est bien ça ?"
        )
        content = find(rig.shell, widget_id="content")
        assert content.children[-1] is card  # first in the column
        exchange_id = card.exchange_id
        assert confirmation_of(ctx, exchange_id, "Inès") is Confirmation.PENDING
        save_screenshot(render(kivy_window), "member_home-pending-test.png")

        tap(find(card, widget_id="yes_button"))
        assert confirmation_of(ctx, exchange_id, "Inès") is Confirmation.CONFIRMED
        assert "C’est confirmé" in rig.shell.overlays.message.text
        assert list(rig.shell.sounds.played) == ["success", "success"]
        tap(find(rig.shell.overlays, widget_id="ok_button"))
        assert pending_cards(rig.shell) == []
        last = ctx.services.store.conn.execute(
            "SELECT type FROM journal ORDER BY seq DESC LIMIT 1"
        ).fetchone()
        assert last[0] == "exchange.confirmed"  # journaled, so it reaches the hub and the other kiosks


def test_non_asks_once_more_and_can_be_taken_back_before_declining(kivy_window: Any, tmp_path: Path) -> None:
    with demo_context(tmp_path) as ctx, shell_rig(kivy_window, ctx) as rig:
        rig.tap_demo_card("Nguyen")
        (card,) = pending_cards(rig.shell)
        exchange_id = card.exchange_id
        assert card.question.startswith("Élodie dit vous avoir appris « Créer une adresse e-mail")

        tap(find(card, widget_id="no_button"))
        assert find(card, widget_id="question").text.startswith(
            "Vous confirmez que cet échange n’a pas eu lieu"
        )
        assert find(card, widget_id="no_button").text == "Retour"
        tap(find(card, widget_id="no_button"))  # « Retour »: the question again, nothing written
        assert find(card, widget_id="question").text == card.question
        assert confirmation_of(ctx, exchange_id, "Nguyen") is Confirmation.PENDING

        tap(find(card, widget_id="no_button"))
        save_screenshot(render(kivy_window), "member_home-decline-test.png")
        tap(find(card, widget_id="yes_button"))  # « Oui, il n’a pas eu lieu »
        assert confirmation_of(ctx, exchange_id, "Nguyen") is Confirmation.DECLINED
        assert "ne comptera pas pour vous" in rig.shell.overlays.message.text
        assert pending_cards(rig.shell) == []


def test_recognition_says_what_was_given_and_received_never_a_balance(
    kivy_window: Any, tmp_path: Path
) -> None:
    from screens.member_home import format_duration

    with demo_context(tmp_path) as ctx, shell_rig(kivy_window, ctx) as rig:
        rig.tap_demo_card("Yvette")
        member = rig.shell.session.member
        summary = ctx.services.exchanges.summary(member.id)
        shown = " ".join(texts(rig.shell))
        assert (
            f"Vous avez transmis {format_duration(summary.minutes_given)} de savoirs, "
            f"en {summary.exchanges_given} échanges." in shown
        )
        assert (
            f"Vous avez appris pendant {format_duration(summary.minutes_received)}, "
            f"en {summary.exchanges_received} échanges." in shown
        )
        assert "Vos thèmes : " in shown
        for word in ("solde", "dette", "doit", "crédit", "débit", "reste à"):
            assert word not in shown.lower()
        difference = format_duration(abs(summary.minutes_given - summary.minutes_received))
        assert f" {difference} " not in shown.replace(format_duration(summary.minutes_given), "")


def test_someones_interest_is_shown_once_then_kept_for_the_session(kivy_window: Any, tmp_path: Path) -> None:
    with demo_context(tmp_path) as ctx, shell_rig(kivy_window, ctx) as rig:
        yvette = ctx.services.members.find("Yvette")[0]
        karim = ctx.services.members.find("Karim")[0]
        listing = next(x for x in ctx.services.listings.of_member(yvette.id) if x.kind.value == "offer")
        ctx.services.listings.express_interest(listing.id, karim.id)

        rig.tap_demo_card("Yvette")
        line = f"Karim s’intéresse à votre annonce « {listing.title} »."
        assert line in texts(rig.shell)
        assert all(notice.seen for notice in ctx.services.listings.interests_for(yvette.id))

        rig.shell.go("accueil")
        rig.tap_demo_card("Yvette")  # the same session: still there
        assert line in texts(rig.shell)

        rig.shell.end_session()
        rig.tap_demo_card("Yvette")  # a new visit: already seen
        assert line not in texts(rig.shell)


def test_history_opens_and_closes_by_touch(kivy_window: Any, tmp_path: Path) -> None:
    with demo_context(tmp_path) as ctx, shell_rig(kivy_window, ctx) as rig:
        rig.tap_demo_card("Karim")
        member = rig.shell.session.member
        button = find(rig.shell, text="Mon historique")
        bring_into_view(button)  # below the pending confirmation and the news: a swipe away
        tap(button)
        history = ctx.services.exchanges.history(member.id, 20)
        assert history
        shown = texts(rig.shell, shown_only=False)
        for exchange in history:
            assert any(exchange.title in text for text in shown)
        assert any("en attente de confirmation" in text for text in shown)
        assert pending_cards(rig.shell) == []  # the history takes the column's place
        save_screenshot(render(kivy_window), "member_home-history-test.png")
        tap(find(rig.shell, text="Fermer l’historique"))
        assert len(pending_cards(rig.shell)) == 1


@pytest.mark.parametrize(
    ("button", "route", "params"),
    [
        ("record_button", "record", {}),
        ("board_button", "board", {}),
        ("offer_button", "listing_new", {"kind": "offer"}),
        ("request_button", "listing_new", {"kind": "request"}),
    ],
)
def test_each_action_opens_its_screen_and_retour_comes_back(
    kivy_window: Any, tmp_path: Path, button: str, route: str, params: dict[str, str]
) -> None:
    with demo_context(tmp_path) as ctx, shell_rig(kivy_window, ctx) as rig:
        stub_routes(rig.shell, "record", "board", "listing_new")
        rig.tap_demo_card("Élodie")
        tap(find(rig.shell, widget_id=button))
        assert rig.shell.manager.current == route
        assert rig.shell.current.params == params
        tap(find(rig.shell, text="Retour"))
        assert rig.shell.manager.current == "member_home"
        assert find(rig.shell, widget_id="greeting").text == "Bonjour Élodie"


def test_terminer_ends_the_session_and_wipes_the_home(kivy_window: Any, tmp_path: Path) -> None:
    with demo_context(tmp_path) as ctx, shell_rig(kivy_window, ctx) as rig:
        rig.tap_demo_card("Mamadou")
        button = find(rig.shell, text="Mon historique")
        bring_into_view(button)
        tap(button)
        tap(find(rig.shell, widget_id="finish_button"))
        assert rig.shell.manager.current == "accueil"
        assert rig.shell.session.member is None
        left = [text for text in every_text(rig.shell) if "Mamadou" in text or "Bonjour" in text]
        assert left == []


def test_the_language_switch_changes_the_home_at_once(kivy_window: Any, tmp_path: Path) -> None:
    with demo_context(tmp_path) as ctx, shell_rig(kivy_window, ctx) as rig:
        rig.tap_demo_card("Inès")
        rig.shell.switch_language("en")
        assert find(rig.shell, widget_id="greeting").text == "Hello Inès"
        (card,) = pending_cards(rig.shell)
        assert (
            card.question == "Lucas says they taught you “Réglage des freins de vélo”, 1 h — is that right?"
        )
        assert find(card, widget_id="yes_button").text == "Yes"
        assert find(rig.shell, widget_id="record_button").text == "I record an exchange"
        assert any(text.startswith("You have passed on") for text in texts(rig.shell))
        rig.shell.switch_language("fr")
        assert find(rig.shell, widget_id="greeting").text == "Bonjour Inès"


@pytest.mark.parametrize("language", ["fr", "en"])
def test_nothing_is_clipped_at_800x480_for_any_demo_member(
    kivy_window: Any, tmp_path: Path, language: str
) -> None:
    from screens.widgets.fit import clipped_labels, describe

    with demo_context(tmp_path) as ctx, shell_rig(kivy_window, ctx) as rig:
        rig.shell.switch_language(language)
        for card in DEMO_CARDS:
            rig.tap_demo_card(card.pseudonym)
            for _view in ("home", "history"):
                clipped = clipped_labels(rig.shell)
                assert clipped == [], f"{card.pseudonym}: {describe(clipped)}"
                assert crowded(rig.shell) == [], describe_crowded(crowded(rig.shell))
                rig.shell.current.toggle_history()
                rig.drain(frames=3)
            for pending in pending_cards(rig.shell):
                pending.asking_decline = True
            rig.drain(frames=3)
            clipped = clipped_labels(rig.shell)
            assert clipped == [], f"{card.pseudonym}: {describe(clipped)}"


def test_with_larger_text_nothing_is_clipped_or_overlapping(kivy_window: Any, tmp_path: Path) -> None:
    """The "larger text" setting (Kivy's font scale 1.25, kiosk/app.py) at 800×480, Accueil and homes."""
    from kivy.metrics import Metrics

    from screens.widgets.fit import clipped_labels, describe

    before = Metrics.fontscale
    Metrics.fontscale = 1.25  # read by sp() when the widgets are built: set before the shell exists
    try:
        with demo_context(tmp_path) as ctx, shell_rig(kivy_window, ctx) as rig:
            for language in ("fr", "en"):
                rig.shell.switch_language(language)
                rig.shell.end_session()
                rig.shell.switch_language(language)
                for woken in (False, True):
                    rig.shell.current.at_rest = not woken
                    rig.drain(frames=3)
                    assert clipped_labels(rig.shell) == [], describe(clipped_labels(rig.shell))
                    assert crowded(rig.shell) == [], describe_crowded(crowded(rig.shell))
                save_screenshot(render(kivy_window), f"accueil-larger-text-{language}-test.png")
                for card in DEMO_CARDS:
                    rig.tap_demo_card(card.pseudonym)
                    assert clipped_labels(rig.shell) == [], describe(clipped_labels(rig.shell))
                    assert crowded(rig.shell) == [], describe_crowded(crowded(rig.shell))
                save_screenshot(render(kivy_window), f"member_home-larger-text-{language}-test.png")
    finally:
        Metrics.fontscale = before


def home_column(shell: Any) -> list[str]:
    """The greeting, every text of the left column top to bottom (scrolled away or not), and the
    column's height (an empty row left in it would show there)."""
    content = find(shell, widget_id="content")
    height = f"{content.height:.0f} px"
    return [find(shell, widget_id="greeting").text, *texts(content, shown_only=False), height]


def test_a_home_refilled_for_each_card_shows_what_a_home_made_afresh_shows(
    kivy_window: Any, tmp_path: Path
) -> None:
    """Member home keeps its widgets from one card to the next (screens/member_home_panels.py): after
    every tap, in an order that goes from long columns to short ones and back (0 to 2 questions, 0 to 2
    matches, a newcomer, histories of 0 to 20 exchanges), the column holds exactly what a brand-new home
    shows for that member — nothing left over from the one before, not even a half-answered question."""
    with demo_context(tmp_path) as ctx:
        services = ctx.services
        newcomer = services.members.register("Rosalie", services.members.find("Karim")[0].quartier)
        newcomer_uid = bytes.fromhex("045a6fe9000001")
        services.cards.enrol(services.cards.read(newcomer_uid), newcomer.id)
        visitors = {card.pseudonym: card.uid for card in DEMO_CARDS} | {"Rosalie": newcomer_uid}
        for pseudonym in visitors:  # a notice shows once: the same state for both runs
            member = services.members.find(pseudonym)[0]
            notices = services.listings.interests_for(member.id)
            services.listings.mark_interests_seen(member.id, [n.interest_id for n in notices])

        def home_then_history(rig: Any) -> tuple[list[str], list[str]]:
            home = home_column(rig.shell)
            rig.shell.current.toggle_history()
            rig.drain()
            return home, home_column(rig.shell)

        fresh = {}
        for pseudonym, uid in visitors.items():
            with shell_rig(kivy_window, ctx) as rig:
                rig.tap_card(uid)
                fresh[pseudonym] = home_then_history(rig)
        assert len({tuple(home) for home, _history in fresh.values()}) == len(visitors)

        order = list(visitors)
        with shell_rig(kivy_window, ctx) as rig:
            for pseudonym in order + order[::-1] + order[::2]:
                rig.tap_card(visitors[pseudonym])
                assert home_then_history(rig) == fresh[pseudonym], pseudonym
                rig.shell.current.toggle_history()
                rig.drain()
                for card in pending_cards(rig.shell):  # « Non »: the next one must get the question
                    button = find(card, widget_id="no_button")
                    bring_into_view(button)
                    tap(button)


def test_a_card_tap_makes_no_widget_once_the_home_has_been_shown(
    kivy_window: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Filling member home again is a matter of texts: no widget (nor its kv rules) is made at a tap,
    the cost that made a card tap take several frames' time."""
    from kivy.uix.widget import Widget

    made: list[str] = []
    original_init = Widget.__init__

    def counting_init(self: Any, **kwargs: Any) -> None:  # counts, then builds the widget as usual
        made.append(type(self).__name__)
        original_init(self, **kwargs)

    with demo_context(tmp_path) as ctx, shell_rig(kivy_window, ctx) as rig:
        for card in DEMO_CARDS:  # every kind of home once: the rows each one needs now exist
            rig.tap_demo_card(card.pseudonym)
        monkeypatch.setattr(Widget, "__init__", counting_init)
        for card in reversed(DEMO_CARDS):
            rig.tap_demo_card(card.pseudonym)
            assert find(rig.shell, widget_id="greeting").text == f"Bonjour {card.pseudonym}"
        assert made == []


def test_the_rows_kept_for_the_next_card_hold_nothing_personal_after_the_session(
    kivy_window: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Kept rows are out of the widget tree while unused: `every_text` cannot see them, so every label
    made during the visit is looked at, wherever it is."""
    import gc
    import weakref

    from kivy.uix.label import Label

    labels: list[weakref.ref[Any]] = []
    original_init = Label.__init__

    def recording_init(self: Any, **kwargs: Any) -> None:
        original_init(self, **kwargs)
        labels.append(weakref.ref(self))

    monkeypatch.setattr(Label, "__init__", recording_init)
    with demo_context(tmp_path) as ctx, shell_rig(kivy_window, ctx) as rig:
        visitors = ["Karim", "Yvette", "Inès"]
        for pseudonym in visitors:
            rig.tap_demo_card(pseudonym)
            rig.shell.current.toggle_history()  # the history's rows too
            rig.drain()

        def personal() -> list[str]:
            alive = (ref() for ref in labels)
            return [x.text for x in alive if x is not None and any(name in x.text for name in visitors)]

        assert personal()  # the test sees them while they are on show
        rig.shell.end_session()
        rig.drain()
        gc.collect()  # widgets let go of are not kept ones: only those still alive count
        assert personal() == []
