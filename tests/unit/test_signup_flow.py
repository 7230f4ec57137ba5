"""The sign-up wizard's rules without a window: steps, Back keeping entries, consent, and what reaches the
real store (a member, their contact only with consent, and a pass that identifies them)."""

from __future__ import annotations

import pytest

from kiosk.clock import FixedClock
from kiosk.domain import Identified
from kiosk.errors import KioskError
from kiosk.services import Services
from screens.signup_flow import (
    CONSENT_TEXT_VERSION,
    LANGUAGE_CHOICES,
    SignupFlow,
    Step,
    check_contact,
    complete_signup,
    pseudonym_in_use,
)


def at(flow: SignupFlow) -> Step:
    """The flow's step, read afresh (a plain attribute read would let mypy narrow it across calls)."""
    return flow.step


def nobody(_pseudonym: str) -> bool:
    return False


def walk_to_consent(flow: SignupFlow, pseudonym: str = "Léa") -> None:
    flow.start()
    assert flow.submit_pseudonym(pseudonym, nobody)
    flow.choose_quartier("Les Hauts")
    assert flow.submit_quartier()
    flow.choose_languages(["fr", "ar"])
    assert flow.submit_languages()
    assert at(flow) is Step.CONSENT


def test_the_steps_in_order_and_back_keeps_every_entry() -> None:
    flow = SignupFlow()
    assert at(flow) is Step.WELCOME and not flow.back()
    walk_to_consent(flow)
    assert flow.position == (4, 5)  # pseudonym, quartier, languages, consent, summary: no contact step yet

    assert flow.back() and at(flow) is Step.LANGUAGES
    assert flow.languages == ["fr", "ar"]
    assert flow.back() and at(flow) is Step.QUARTIER and flow.quartier == "Les Hauts"
    assert flow.back() and at(flow) is Step.PSEUDONYM and flow.pseudonym == "Léa"
    assert flow.back() and at(flow) is Step.WELCOME
    assert not flow.back()


def test_pseudonym_rules_are_the_services_own() -> None:
    flow = SignupFlow()
    flow.start()
    assert not flow.submit_pseudonym(" x ", nobody)
    assert at(flow) is Step.PSEUDONYM and flow.pseudonym == "x"  # kept in the field to correct it
    assert flow.problem is not None and flow.problem.code == "member.invalid_pseudonym"
    assert "entre 2 et 40" in flow.problem.text()
    assert flow.submit_pseudonym("  Léa   M. ", nobody)
    assert flow.pseudonym == "Léa M." and flow.problem is None


def test_a_pseudonym_in_use_is_told_at_once_and_can_be_changed(services: Services) -> None:
    services.members.register("Élodie", "Centre")
    flow = SignupFlow()
    flow.start()
    assert not flow.submit_pseudonym("elodie", lambda p: pseudonym_in_use(services, p))
    assert at(flow) is Step.PSEUDONYM
    assert flow.problem is not None and flow.problem.code == "member.pseudonym_taken"
    assert "« elodie » est déjà pris" in flow.problem.text()
    assert flow.submit_pseudonym("Élodie M", lambda p: pseudonym_in_use(services, p))
    assert at(flow) is Step.QUARTIER and flow.problem is None


def test_quartier_and_languages_must_be_chosen() -> None:
    flow = SignupFlow()
    flow.start()
    flow.submit_pseudonym("Léa", nobody)
    assert not flow.submit_quartier()
    assert flow.problem is not None and at(flow) is Step.QUARTIER
    flow.choose_quartier("Centre-Gare")
    assert flow.problem is None and flow.submit_quartier()
    assert flow.languages == ["fr"]  # French is ticked to begin with
    flow.choose_languages([])
    assert not flow.submit_languages() and flow.problem is not None
    flow.choose_languages(["zh", "unknown", "fr"])
    assert flow.languages == ["fr", "zh"]  # in the list's order, unknown codes dropped
    assert all(len(code) <= 8 for code, _ in LANGUAGE_CHOICES)


@pytest.mark.parametrize(
    "text", ["06 12 34 56 78", "+33 6 12 34 56 78", "06.12.34.56.78", "lea@example.org", " a.b@c.fr "]
)
def test_contacts_accepted(text: str) -> None:
    assert check_contact(text) == text.strip()


@pytest.mark.parametrize("text", ["", "   ", "0612", "lea@", "lea@example", "bonjour", "1" * 16, "a@b.c"])
def test_contacts_refused(text: str) -> None:
    with pytest.raises(KioskError) as refused:
        check_contact(text)
    assert refused.value.code == "signup.contact_invalid"


def test_declining_consent_forgets_a_contact_typed_before() -> None:
    flow = SignupFlow()
    walk_to_consent(flow)
    flow.answer_consent(True, "2026-11-25T10:00:00+01:00")
    assert at(flow) is Step.CONTACT and flow.position == (5, 6)
    assert flow.submit_contact("06 12 34 56 78") and at(flow) is Step.SUMMARY
    flow.back()
    flow.back()
    assert at(flow) is Step.CONSENT
    flow.answer_consent(False, "2026-11-25T10:01:00+01:00")
    assert at(flow) is Step.SUMMARY and flow.contact == ""
    entry = flow.registration()
    assert entry.contact is None and entry.consent is None
    assert flow.back() and at(flow) is Step.CONSENT  # no contact step on the way back


def test_a_wrong_contact_keeps_the_person_on_the_step() -> None:
    flow = SignupFlow()
    walk_to_consent(flow)
    flow.answer_consent(True, "2026-11-25T10:00:00+01:00")
    assert not flow.submit_contact("06 12")
    assert at(flow) is Step.CONTACT and flow.contact == "06 12"
    assert flow.problem is not None and "téléphone" in flow.problem.text()


def test_declined_consent_registers_no_contact(services: Services) -> None:
    flow = SignupFlow()
    walk_to_consent(flow)
    flow.answer_consent(False, "2026-11-25T10:00:00+01:00")
    member, pass_text = complete_signup(services, flow)
    stored = services.members.get(member.id)
    assert stored.pseudonym == "Léa" and stored.quartier == "Les Hauts"
    assert stored.languages == ("ar", "fr")
    assert stored.contact is None and stored.consent_at is None
    found = services.passes.identify(pass_text)
    assert found.outcome is Identified.MEMBER and found.member is not None and found.member.id == member.id


def test_accepted_consent_registers_the_contact_with_its_version(
    services: Services, clock: FixedClock
) -> None:
    flow = SignupFlow()
    walk_to_consent(flow, "Moussa")
    given_at = clock.now().isoformat()
    flow.answer_consent(True, given_at)
    assert flow.submit_contact("moussa@example.org")
    member, _ = complete_signup(services, flow)
    stored = services.members.get(member.id)
    assert stored.contact == "moussa@example.org" and stored.consent_at == given_at
    row = services.store.conn.execute(
        "SELECT consent_version FROM members WHERE id = ?", (member.id,)
    ).fetchone()
    assert row[0] == CONSENT_TEXT_VERSION


def test_pseudonym_in_use_asks_the_store(services: Services) -> None:
    services.members.register("Élodie", "Centre")
    assert pseudonym_in_use(services, "elodie")
    assert pseudonym_in_use(services, " ÉLODIE ")
    assert not pseudonym_in_use(services, "Élo")


def test_a_pseudonym_taken_meanwhile_sends_the_person_back_to_it(services: Services) -> None:
    flow = SignupFlow()
    walk_to_consent(flow, "Elodie")  # free when typed
    flow.answer_consent(False, "2026-11-25T10:00:00+01:00")
    services.members.register("Élodie", "Centre")  # then someone else (another kiosk, synced) took it
    with pytest.raises(KioskError) as refused:
        complete_signup(services, flow)
    assert refused.value.code == "member.pseudonym_taken"
    assert at(flow) is Step.PSEUDONYM and flow.problem is refused.value
    assert flow.quartier == "Les Hauts" and flow.languages == ["fr", "ar"]  # the rest is kept
