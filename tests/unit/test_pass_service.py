"""Member passes through the services: issued here, verified offline here and at another kiosk of the
collective once its key has arrived, refused when revoked, erased, forged or from another collective."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from kiosk import journal, projections
from kiosk.clock import FixedClock
from kiosk.config import Config
from kiosk.domain import Identified, Role
from kiosk.passes import generate_signing_key, issue_pass, key_id_for
from kiosk.services import Services, open_services


def test_a_pass_identifies_its_member(services: Services) -> None:
    karim = services.members.register("Karim", "Les Hauts")
    text = services.passes.issue(karim.id)
    assert text.startswith("KDS1.") and len(text) < 160
    found = services.passes.identify(text)
    assert found.outcome is Identified.MEMBER and found.member is not None
    assert found.member.id == karim.id
    # The signing key was published in the journal, once, for the other kiosks.
    services.passes.issue(karim.id)
    published = services.store.query("SELECT payload FROM journal WHERE type = 'pass.key_published'")
    assert len(published) == 1


def test_revoked_then_replaced(services: Services, clock: FixedClock) -> None:
    karim = services.members.register("Karim", "Les Hauts")
    old = services.passes.issue(karim.id)
    clock.advance(minutes=5)
    services.passes.revoke(karim.id, actor_id=karim.id)
    refused = services.passes.identify(old)
    assert refused.outcome is Identified.REVOKED and refused.refusal is not None
    assert "désactivé" in refused.refusal.text()
    clock.advance(seconds=1)
    new = services.passes.issue(karim.id)
    assert services.passes.identify(new).outcome is Identified.MEMBER


def test_only_staff_revoke_someone_elses_pass(services: Services) -> None:
    karim = services.members.register("Karim", "Les Hauts")
    ines = services.members.register("Inès", "Centre")
    with pytest.raises(Exception) as refused:
        services.passes.revoke(karim.id, actor_id=ines.id)
    assert getattr(refused.value, "code", "") == "auth.not_allowed"
    librarian = services.members.register("Mme Diallo", "Centre", roles=(Role.LIBRARIAN,))
    services.passes.revoke(karim.id, actor_id=librarian.id)


def test_erasure_ends_every_pass(services: Services, clock: FixedClock) -> None:
    yvette = services.members.register("Yvette", "Centre")
    text = services.passes.issue(yvette.id)
    clock.advance(seconds=1)
    services.members.erase(yvette.id, actor_id=yvette.id)
    assert services.passes.identify(text).outcome is Identified.REVOKED


@pytest.mark.parametrize(
    "mangle",
    [
        lambda text: text[:-3] + ("AAA" if not text.endswith("AAA") else "BBB"),  # altered signature
        lambda text: text[:20],  # truncated
        lambda text: "https://example.org/l/123",  # not a pass
        lambda text: "KDS9." + text[5:],  # unknown version
        lambda text: text + "A" * 600,  # oversized
    ],
)
def test_bad_passes_are_refused_with_a_reason(services: Services, mangle: object) -> None:
    karim = services.members.register("Karim", "Les Hauts")
    text = services.passes.issue(karim.id)
    found = services.passes.identify(mangle(text))  # type: ignore[operator]
    assert found.outcome is Identified.INVALID_PASS and found.member is None
    assert found.refusal is not None and found.refusal.text()


def test_a_pass_signed_by_an_unknown_key_or_for_another_collective(services: Services) -> None:
    karim = services.members.register("Karim", "Les Hauts")
    stranger = generate_signing_key()
    foreign = issue_pass(
        stranger,
        key_id_for(stranger.public_key()),
        karim.id,
        services.ctx.collective_id,
        services.ctx.clock.now(),
    )
    assert services.passes.identify(foreign).outcome is Identified.INVALID_PASS
    services.passes.issue(karim.id)  # creates this kiosk's key
    own_key = services.passes._signing_key(services.store.conn)
    elsewhere = issue_pass(
        own_key, key_id_for(own_key.public_key()), karim.id, "autre-collectif", services.ctx.clock.now()
    )
    refused = services.passes.identify(elsewhere)
    assert refused.outcome is Identified.INVALID_PASS
    assert refused.refusal is not None and refused.refusal.code == "pass.wrong_collective"


def test_another_kiosk_accepts_the_pass_once_the_key_and_member_have_synced(
    services: Services, config: Config, clock: FixedClock, tmp_path: Path
) -> None:
    karim = services.members.register("Karim", "Les Hauts")
    text = services.passes.issue(karim.id)
    other = open_services(replace(config, kiosk=replace(config.kiosk, data_dir=str(tmp_path / "b"))), clock)
    try:
        assert other.passes.identify(text).outcome is Identified.INVALID_PASS  # key unknown there
        # What sync does: the first kiosk's events, applied at the second (journaled as remote there).
        with other.store.transaction() as conn:
            for event in journal.read_all(services.store.conn):
                conn.execute(journal.INSERT_SQL, journal.journal_row(event, origin="remote", pushed=True))
                projections.apply(conn, event)
        found = other.passes.identify(text)
        assert found.outcome is Identified.MEMBER and found.member is not None
        assert found.member.pseudonym == "Karim"
    finally:
        other.close()
