"""Draws by lot on the kiosk, by touches and card taps in the real window (issue 8).

- A member volunteers from « Tirages et élections »: consent, answers (one « Je préfère ne pas répondre »),
  the ticket big on screen and printed on the simulated printer; then withdraws from the ticket page, and
  again from the list after volunteering without answering. A passer-by sees the page without buttons.
- The librarian announces a draw through the form (theme, title prefilled, seats, cut-off, the public
  randomness from a suggestion), members volunteer, the test clock passes the cut-off, the librarian
  freezes the list (its hash shown), types the dice and draws: the result page shows the selected tickets,
  the member's own ticket marked in words, and the QR of the record (the hub's public URL when paired, else
  the record's SHA-256), and the record verifies.
- Quotas no panel can meet are refused on screen at the freeze, in words, and nothing is journaled.
Every state is looked at (screenshot in build/screenshots/tests/, nothing clipped or crowded at 800×480).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from kiosk.governance.sortition import Quota, verify_record
from tests.ui import driver
from tests.ui.admin2_helpers import dismiss_message, go, look, message_shown, open_admin_session, type_on

DRAW_ROUTES = {
    "civic": "screens.civic:CivicScreen",
    "draw_volunteer": "screens.draw_volunteer:DrawVolunteerScreen",
    "draw_result": "screens.draw_result:DrawResultScreen",
    "admin_draws": "screens.admin_draws:AdminDrawsScreen",
}
OTHER_HELPERS_ROUTES = ("election_candidacy", "election_result")
TICKET = re.compile(r"^[A-Z]{3}-[0-9A-HJKMNP-TV-Z]{4}$")  # Crockford base32: no I, L, O, U
LIBRARIAN = "Sandrine"


@contextmanager
def draw_kiosk(kivy_window: Any, tmp_path: Path, **context: Any) -> Iterator[driver.ShellRig]:
    """The demo kiosk in the window, with the draw routes (until screens/routes.py lists them)."""
    with driver.demo_context(tmp_path, **context) as ctx, driver.shell_rig(kivy_window, ctx) as rig:
        for route, target in DRAW_ROUTES.items():
            rig.shell.routes.setdefault(route, target)
        driver.stub_routes(rig.shell, *(r for r in OTHER_HELPERS_ROUTES if r not in rig.shell.routes))
        yield rig


def member_id(rig: driver.ShellRig, pseudonym: str) -> str:
    found = rig.shell.ctx.services.members.find(pseudonym)
    return str(next(member.id for member in found if member.pseudonym == pseudonym))


def announce(rig: driver.ShellRig, **changes: Any) -> Any:
    """A draw announced by the librarian through the service (the form has its own test below)."""
    ctx = rig.shell.ctx
    arguments: dict[str, Any] = {
        "theme_id": "jardinage",
        "title": "Représentant·e jardinage",
        "seats": 1,
        "cutoff": ctx.clock.now() + timedelta(days=14),
        "randomness_source": "trois dés lancés en public à la réunion du 10 décembre",
    }
    arguments.update(changes)
    return ctx.services.draws.announce(member_id(rig, LIBRARIAN), **arguments)


def journaled(rig: driver.ShellRig, event_type: str, draw_id: str) -> list[dict[str, Any]]:
    """The payloads of this draw's events of `event_type` (the demo has draws of its own)."""
    rows = rig.shell.ctx.services.store.conn.execute(
        "SELECT payload FROM journal WHERE type = ? ORDER BY pos", (event_type,)
    ).fetchall()
    payloads = [json.loads(payload) for (payload,) in rows]
    return [payload for payload in payloads if payload["draw_id"] == draw_id]


def row_of(screen: Any, draw_id: str) -> Any:
    """The draw's row in the librarian's list."""
    return next(row for row in screen.rows() if row.value == draw_id)


def tap_into_view(widget: Any) -> None:
    driver.bring_into_view(widget)
    driver.tap(widget)


def test_a_member_volunteers_with_consent_prints_the_ticket_and_withdraws(
    kivy_window: Any, tmp_path: Path
) -> None:
    from hardware.simulated import SimulatedPrinter

    printer = SimulatedPrinter(tmp_path / "printed")

    def print_slip(slip: Any) -> str:
        printer.print_slip(slip)
        return f"job-{len(printer.printed)}"

    with draw_kiosk(kivy_window, tmp_path, print_slip=print_slip) as rig:
        services = rig.shell.ctx.services
        draw = announce(
            rig,
            attributes_asked=["age_band", "gender", "quartier"],
            quotas=[Quota("gender", "femme", 1)],
        )
        rig.tap_demo_card("Yvette")
        yvette = rig.shell.session.member
        civic = go(rig, "civic")
        card = civic.card_for(draw.id, "draws")
        assert card is not None and card.first_text == "Je me porte volontaire" and card.second_text == ""
        look(rig.shell, "civic-fr")
        tap_into_view(card.ids.first_button)

        screen = rig.shell.manager.current_screen
        assert rig.shell.manager.current == "draw_volunteer" and screen.step == "about"
        assert "trois dés lancés en public" in screen.how_text
        look(rig.shell, "draw_volunteer-fr")
        driver.tap(screen.ids.volunteer_button)
        assert screen.step == "consent"
        assert "jamais publiées ticket par ticket" in screen.ids.consent_promise.text
        look(rig.shell, "draw_volunteer-consent-fr")
        driver.tap(screen.ids.consent_button)
        assert screen.step == "attributes"
        assert screen.ids.quartier_chips.selected == [yvette.quartier]  # her own, proposed
        tap_into_view(screen.ids.age_chips.chip_for("60_et_plus"))
        tap_into_view(screen.ids.gender_chips.chip_for(""))  # « Je préfère ne pas répondre »
        look(rig.shell, "draw_volunteer-attributes-fr")
        driver.tap(screen.ids.confirm_button)

        assert screen.step == "ticket"
        ticket = screen.ticket
        assert TICKET.match(ticket) and screen.ids.ticket_code.text == ticket
        assert services.draws.ticket_of(draw.id, yvette.id) == ticket
        [volunteered] = journaled(rig, "draw.volunteered", draw.id)
        assert volunteered["consent"] is True
        assert volunteered["attributes"] == {"age_band": "60_et_plus", "quartier": yvette.quartier}
        dismiss_message(rig.shell)
        look(rig.shell, "draw_volunteer-ticket-fr")
        driver.tap(screen.ids.print_button)
        [slip] = printer.printed
        assert ticket in slip.read_text(encoding="utf-8")
        dismiss_message(rig.shell)  # « Impression du ticket en cours… »

        driver.tap(screen.ids.withdraw_button)
        assert services.draws.ticket_of(draw.id, yvette.id) is None
        assert "Vous n’êtes plus volontaire" in message_shown(rig.shell)
        dismiss_message(rig.shell)
        assert screen.step == "about" and len(journaled(rig, "draw.withdrawn", draw.id)) == 1

        # again, without answering: the same ticket, no answers kept; then withdrawn from the list
        driver.tap(screen.ids.volunteer_button)
        driver.tap(screen.ids.no_answer_button)
        assert screen.step == "ticket" and screen.ticket == ticket
        assert journaled(rig, "draw.volunteered", draw.id)[-1]["consent"] is False
        assert journaled(rig, "draw.volunteered", draw.id)[-1]["attributes"] == {}
        dismiss_message(rig.shell)
        driver.tap(screen.ids.done_button)
        assert rig.shell.manager.current == "civic"
        civic.fill()
        card = civic.card_for(draw.id, "draws")
        assert card.status == f"Votre ticket : {ticket}" and card.second_text == "Me retirer"
        look(rig.shell, "civic-volunteered-fr")
        tap_into_view(card.ids.second_button)
        assert services.draws.ticket_of(draw.id, yvette.id) is None
        dismiss_message(rig.shell)
        assert civic.card_for(draw.id, "draws").first_text == "Je me porte volontaire"

        # English, then a passer-by: the same page without the member's buttons
        rig.shell.switch_language("en")
        driver.wait_frames(2)
        assert civic.card_for(draw.id, "draws").first_text == "I volunteer"
        look(rig.shell, "civic-en")
        rig.shell.end_session()
        civic = go(rig, "civic")
        card = civic.card_for(draw.id, "draws")
        assert card.first_text == card.second_text == "" and not driver.find_all(
            card, text="Je me porte volontaire"
        )
        assert "Passez votre carte" in civic.ids.how_to.text
        look(rig.shell, "civic-passer-by-fr")


def announce_by_touches(rig: driver.ShellRig) -> Any:
    """Sandrine announces « Représentant·e jardinage », 2 places, in 1 week at 18 h, dice at a meeting."""
    open_admin_session(rig, LIBRARIAN)
    screen = go(rig, "admin_draws")
    assert screen.step == "list"
    before = {draw.id for draw in rig.shell.ctx.services.draws.recent_draws()}
    look(rig.shell, "admin_draws-list-fr")
    driver.tap(screen.ids.new_button)
    assert screen.step == "theme"
    tap_into_view(screen.ids.theme_chips.chip_for("jardinage"))
    assert screen.ids.title_field.text == "Représentant·e jardinage"
    look(rig.shell, "admin_draws-theme-fr")
    driver.tap(screen.ids.theme_next)
    assert screen.step == "title"
    driver.tap(screen.ids.title_next)
    assert screen.step == "when"
    driver.tap(screen.ids.seats_stepper.ids.plus)
    driver.tap(screen.ids.week_chips.chip_for(1))
    driver.tap(screen.ids.hour_chips.chip_for("18:00"))
    assert screen.seats == 2 and screen.cutoff_text == "Volontariat jusqu’au mercredi 2 décembre à 18 h 00"
    look(rig.shell, "admin_draws-when-fr")
    driver.tap(screen.ids.when_next)
    assert screen.step == "randomness" and screen.ids.randomness_next.disabled  # nothing chosen yet
    driver.tap(screen.ids.suggestion_chips.chip_for("dice"))
    assert screen.ids.source_field.text == "Trois dés lancés en public à la réunion du jeudi 3 décembre"
    look(rig.shell, "admin_draws-randomness-fr")
    driver.tap(screen.ids.randomness_next)
    assert screen.step == "quotas"
    look(rig.shell, "admin_draws-quotas-fr")
    driver.tap(screen.ids.announce_button)
    dismiss_message(rig.shell)
    assert screen.step == "list"
    [draw] = [d for d in rig.shell.ctx.services.draws.recent_draws() if d.id not in before]
    assert (draw.title, draw.theme_id, draw.seats, str(draw.status)) == (
        "Représentant·e jardinage",
        "jardinage",
        2,
        "open",
    )
    assert draw.randomness_source == "Trois dés lancés en public à la réunion du jeudi 3 décembre"
    rig.shell.end_session()
    return draw


def test_the_librarian_announces_freezes_and_draws_then_the_result_shows(
    kivy_window: Any, tmp_path: Path
) -> None:
    with draw_kiosk(kivy_window, tmp_path) as rig:
        ctx = rig.shell.ctx
        services = ctx.services
        draw = announce_by_touches(rig)
        volunteers = ("Karim", "Yvette", "Inès", "Nguyen", "Fatoumata")
        # the volunteering screens have their own test above: here the members volunteer through the service
        tickets = {name: services.draws.volunteer(draw.id, member_id(rig, name), None) for name in volunteers}

        # before the cut-off the list cannot be frozen; the page says when
        open_admin_session(rig, LIBRARIAN)
        screen = go(rig, "admin_draws")
        row = row_of(screen, draw.id)
        assert row.badge == "Volontariat ouvert"
        look(rig.shell, "admin_draws-fr")
        tap_into_view(row)
        assert screen.step == "manage" and screen.action == ""  # nothing to do before the cut-off
        assert "5 volontaires" in screen.draw_text
        rig.shell.end_session()

        ctx.clock.advance(days=8)  # past the cut-off (Wednesday 2 December, 18 h 00)
        open_admin_session(rig, LIBRARIAN)
        screen = go(rig, "admin_draws")
        row = row_of(screen, draw.id)
        assert row.badge == "À figer"
        tap_into_view(row)
        assert screen.action == "freeze" and screen.ids.action_button.text == "Figer la liste"
        look(rig.shell, "admin_draws-closed-fr")
        driver.tap(screen.ids.action_button)
        dismiss_message(rig.shell)
        frozen = services.draws.get(draw.id)
        assert str(frozen.status) == "frozen" and frozen.pool_hash
        assert frozen.pool_hash[:4] in screen.draw_text and screen.action == "enter"
        look(rig.shell, "admin_draws-frozen-fr")
        driver.tap(screen.ids.action_button)
        assert screen.step == "entry" and screen.ids.entry_keyboard.page == "digits"
        type_on(screen.ids.entry_keyboard, "3 5 2")
        look(rig.shell, "admin_draws-entry-fr")
        driver.tap(screen.ids.perform_button)

        assert rig.shell.manager.current == "draw_result"
        result = rig.shell.manager.current_screen
        record = services.draws.record(draw.id)
        assert record is not None and verify_record(record) == []
        assert record["randomness"]["value"] == "3 5 2" and len(record["selected"]) == 2
        for ticket in record["selected"]:
            assert ticket in result.selected_text
        for ticket in record["replacements"]:
            assert ticket in result.replacements_text
        assert result.qr_payload.startswith("sha256:")  # not paired: the digest to compare
        digest = result.qr_payload.removeprefix("sha256:")
        canonical = json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        import hashlib

        assert digest == hashlib.sha256(canonical.encode("utf-8")).hexdigest()
        assert "40 %" in result.chances_text  # 2 seats among 5 volunteers, no quotas
        assert "kiosk-hub draw verify" in result.ids.verify_hint.text
        look(rig.shell, "draw_result-fr")
        rig.shell.end_session()

        # a volunteer sees their own ticket marked in words; a paired kiosk shows the hub's public record
        ctx.hub_url = lambda: "https://hub.collectif.example"
        first = next(name for name in volunteers if tickets[name] == record["selected"][0])
        rig.tap_demo_card(first)
        result = go(rig, "draw_result", draw_id=draw.id)
        assert result.mine_text == f"Votre ticket {tickets[first]} est tiré au sort. Félicitations !"
        assert f"{tickets[first]}\u00a0(vous)" in result.selected_text
        assert result.qr_payload == f"https://hub.collectif.example/api/v1/public/draws/{draw.id}"
        assert result.ids.qr.module_px > 0 and result.ids.qr.fits
        look(rig.shell, "draw_result-mine-fr")
        rig.shell.switch_language("en")
        driver.wait_frames(2)
        assert "(you)" in result.selected_text
        look(rig.shell, "draw_result-mine-en")


def test_quotas_no_panel_can_meet_are_refused_on_screen(kivy_window: Any, tmp_path: Path) -> None:
    with draw_kiosk(kivy_window, tmp_path) as rig:
        ctx = rig.shell.ctx
        services = ctx.services
        draw = announce(rig, attributes_asked=["gender"], quotas=[Quota("gender", "femme", 1)])
        for name in ("Karim", "Mamadou", "Nguyen"):
            services.draws.volunteer(draw.id, member_id(rig, name), {"gender": "homme"})
        ctx.clock.advance(days=15)
        open_admin_session(rig, LIBRARIAN)
        screen = go(rig, "admin_draws")
        row = row_of(screen, draw.id)
        tap_into_view(row)
        driver.tap(screen.ids.action_button)

        assert "quotas ne peuvent pas être respectés" in screen.problem
        assert screen.ids.problem_text.text == screen.problem
        assert "quotas ne peuvent pas être respectés" in message_shown(rig.shell)
        dismiss_message(rig.shell)
        assert str(services.draws.get(draw.id).status) == "closed"
        assert journaled(rig, "draw.frozen", draw.id) == []
        assert "Quotas : au moins 1 femme" in screen.draw_text
        look(rig.shell, "admin_draws-infeasible-fr")
        rig.shell.switch_language("en")
        driver.wait_frames(2)
        look(rig.shell, "admin_draws-infeasible-en")


def test_chances_hashes_and_quotas_in_words(kivy_window: Any) -> None:
    """The sentences the draw pages build from numbers (Kivy's window first: the module loads kv rules)."""
    from screens import governance_widgets as gov

    said = "Chaque volontaire avait"
    assert gov.chances_text(None, 2, 5) == f"{said} la même chance d’être tiré·e : 40 %."
    mixed = {"A": 0.25, "B": 0.5, "C": 0.251}
    assert gov.chances_text(mixed, 1, 3) == f"{said} entre 25 % et 50 % de chances d’être tiré·e."
    assert gov.chances_text({"A": 0.333, "B": 0.334}, 1, 2) == f"{said} 33 % de chances d’être tiré·e."
    assert gov.percent_text(0.004) == "moins de 1 %" and gov.percent_text(0.0) == "0 %"
    assert gov.short_hash("0123456789abcdef0123") == "0123 4567 89ab cdef…"
    assert gov.short_hash("0123") == "0123"
    quotas = [Quota("gender", "femme", 1), Quota("age_band", "60_et_plus", 0, 2)]
    assert gov.quotas_text(quotas) == "au moins 1 femme ; tranche d’âge « 60 ans et plus » : au plus 2"
    assert gov.record_link("https://hub.example/", "d1") == "https://hub.example/api/v1/public/draws/d1"
    rows = gov.chance_rows({"B": 0.5, "A": 0.25}, ["A", "B", "C"], "B")
    assert rows == [("A", 0.25, "25 %", False), ("B", 0.5, "50 %", True)]
