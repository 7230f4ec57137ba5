"""Admin PINs: hashed in local tables (never journaled), kiosk-wide lock-out after wrong PINs that survives a
restart and ends after five minutes of the kiosk's clock. Real stores, the tests' controllable clock."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from kiosk.clock import FixedClock
from kiosk.config import Config
from kiosk.demo import DEMO_ADMIN_PIN, generate_demo
from kiosk.demo_content import DEMO_CARDS
from kiosk.domain import Member, PinCheck, Role
from kiosk.errors import KioskError
from kiosk.services import Services, open_services
from kiosk.services.admin import ADMIN_LOCK_SECONDS


@pytest.fixture
def staff(services: Services) -> dict[str, Member]:
    register = services.members.register
    return {
        "lib": register("Sandrine", "Belleville", roles=(Role.LIBRARIAN,)),
        "ani": register("Élodie", "Belleville", roles=(Role.ANIMATOR,)),
        "both": register("Hugo", "Belleville", roles=(Role.LIBRARIAN, Role.ANIMATOR)),
        "member": register("Karim", "Belleville"),
    }


def test_roles(services: Services, staff: dict[str, Member]) -> None:
    admin = services.admin
    assert [admin.is_staff(staff[k]) for k in ("lib", "ani", "both", "member")] == [True, True, True, False]
    assert [admin.is_librarian(staff[k]) for k in ("lib", "ani", "both", "member")] == [
        True,
        False,
        True,
        False,
    ]


def test_a_pin_is_stored_hashed_locally_and_never_journaled(
    services: Services, staff: dict[str, Member]
) -> None:
    lib = staff["lib"].id
    events = services.store.conn.execute("SELECT count(*) FROM journal").fetchone()[0]
    assert not services.admin.has_pin(lib)
    services.admin.set_pin(lib, "24681357")
    assert services.admin.has_pin(lib)
    assert services.store.conn.execute("SELECT count(*) FROM journal").fetchone()[0] == events
    row = services.store.query_one("SELECT * FROM admin_pins WHERE member_id = ?", (lib,))
    assert row is not None
    assert "24681357" not in "".join(str(value) for value in tuple(row))
    assert len(bytes.fromhex(row["hash"])) == 32 and len(bytes.fromhex(row["salt"])) == 16
    services.admin.set_pin(staff["ani"].id, "24681357")
    other = services.store.query_one(
        "SELECT salt, hash FROM admin_pins WHERE member_id = ?", (staff["ani"].id,)
    )
    assert other is not None and other["hash"] != row["hash"]  # a random salt each: same PIN, other hash
    assert services.admin.check_pin(lib, "24681357").ok


@pytest.mark.parametrize("pin", ["123", "123456789", "12a4", "", "١٢٣٤", "12 34"])
def test_a_pin_is_four_to_eight_digits(services: Services, staff: dict[str, Member], pin: str) -> None:
    with pytest.raises(KioskError) as refused:
        services.admin.set_pin(staff["lib"].id, pin)
    assert refused.value.code == "admin.pin_format"
    assert refused.value.text("en") == "The code must be 4 to 8 digits long."
    assert not services.admin.has_pin(staff["lib"].id)


def test_who_may_set_a_pin(services: Services, staff: dict[str, Member]) -> None:
    admin = staff["lib"].id
    with pytest.raises(KioskError) as not_staff:
        services.admin.set_pin(staff["member"].id, "1234", admin)
    assert not_staff.value.code == "admin.pin_not_staff"
    with pytest.raises(KioskError) as animator_for_other:
        services.admin.set_pin(staff["lib"].id, "1234", staff["ani"].id)
    assert animator_for_other.value.code == "auth.librarians_only"
    services.admin.set_pin(staff["ani"].id, "1111", staff["ani"].id)  # their own
    services.admin.set_pin(staff["ani"].id, "2222", admin)  # a librarian resets it
    assert not services.admin.check_pin(staff["ani"].id, "1111").ok
    assert services.admin.check_pin(staff["ani"].id, "2222").ok


def test_five_wrong_pins_lock_for_five_minutes_then_it_opens_again(
    services: Services, clock: FixedClock, staff: dict[str, Member]
) -> None:
    admin, lib = services.admin, staff["lib"].id
    admin.set_pin(lib, "2468")
    assert admin.lock_state() == PinCheck(False, 5, None)
    for left in (4, 3, 2, 1):
        check = admin.check_pin(lib, "0000")
        assert (check.ok, check.attempts_left, check.locked_until) == (False, left, None)
        clock.advance(seconds=10)
    locked = admin.check_pin(lib, "1357")
    assert (locked.ok, locked.attempts_left) == (False, 0)
    assert locked.locked_until == clock.now() + timedelta(seconds=ADMIN_LOCK_SECONDS)
    clock.advance(seconds=ADMIN_LOCK_SECONDS - 1)
    still = admin.check_pin(lib, "2468")  # even the right PIN: not checked while locked
    assert (still.ok, still.attempts_left, still.locked_until) == (False, 0, locked.locked_until)
    assert admin.lock_state().locked_until == locked.locked_until
    clock.advance(seconds=1)
    assert admin.lock_state() == PinCheck(False, 5, None)  # the lock is over
    opened = admin.check_pin(lib, "2468")
    assert (opened.ok, opened.attempts_left, opened.locked_until) == (True, 5, None)


def test_wrong_pins_count_kiosk_wide_and_a_right_one_resets_the_count(
    services: Services, staff: dict[str, Member]
) -> None:
    admin = services.admin
    admin.set_pin(staff["lib"].id, "2468")
    admin.set_pin(staff["ani"].id, "1357")
    admin.check_pin(staff["lib"].id, "0000")
    admin.check_pin(staff["ani"].id, "0000")
    assert admin.check_pin(staff["both"].id, "2468").attempts_left == 2  # no PIN: a failure like any other
    assert admin.check_pin(staff["member"].id, "2468").attempts_left == 1
    assert admin.check_pin(staff["ani"].id, "1357").ok
    assert admin.lock_state().attempts_left == 5


def test_the_lock_survives_a_restart(config: Config, clock: FixedClock) -> None:
    first = open_services(config, clock)
    try:
        lib = first.members.register("Sandrine", "Belleville", roles=(Role.LIBRARIAN,)).id
        first.admin.set_pin(lib, "2468")
        for _ in range(5):
            first.admin.check_pin(lib, "9999")
        until = first.admin.lock_state().locked_until
    finally:
        first.close()
    assert until is not None
    again = open_services(config, clock)
    try:
        assert again.admin.check_pin(lib, "2468") == again.admin.lock_state()
        assert again.admin.lock_state().locked_until == until
        clock.advance(seconds=ADMIN_LOCK_SECONDS)
        assert again.admin.check_pin(lib, "2468").ok
    finally:
        again.close()


def test_a_clock_gone_back_does_not_stretch_the_lock(
    services: Services, clock: FixedClock, staff: dict[str, Member]
) -> None:
    """No RTC on a Pi: after a restart the clock may say a day earlier. The lock still lasts five minutes."""
    lib = staff["lib"].id
    services.admin.set_pin(lib, "2468")
    for _ in range(5):
        services.admin.check_pin(lib, "0000")
    clock.advance(days=-1)
    assert services.admin.lock_state().locked_until == clock.now() + timedelta(seconds=ADMIN_LOCK_SECONDS)
    clock.advance(seconds=ADMIN_LOCK_SECONDS)
    assert services.admin.check_pin(lib, "2468").ok


def test_the_number_of_attempts_comes_from_the_config(config: Config, clock: FixedClock) -> None:
    strict = replace(config, security=replace(config.security, admin_pin_attempts=2))
    services = open_services(strict, clock)
    try:
        lib = services.members.register("Sandrine", "Belleville", roles=(Role.LIBRARIAN,)).id
        services.admin.set_pin(lib, "2468")
        assert services.admin.check_pin(lib, "0000").attempts_left == 1
        assert services.admin.check_pin(lib, "0000").locked_until is not None
    finally:
        services.close()


def test_an_erased_member_loses_their_pin(services: Services, staff: dict[str, Member]) -> None:
    services.admin.set_pin(staff["ani"].id, "2468")
    services.members.erase(staff["ani"].id, staff["lib"].id)
    assert not services.admin.has_pin(staff["ani"].id)
    assert not services.admin.check_pin(staff["ani"].id, "2468").ok


def test_the_demo_admin_card_and_an_animator_open_with_the_demo_pin(
    config: Config, clock: FixedClock
) -> None:
    services = open_services(config, clock)
    try:
        generate_demo(services)
        admin_card = services.cards.identify(services.cards.read(DEMO_CARDS[0].uid))
        animator_card = services.cards.identify(services.cards.read(DEMO_CARDS[1].uid))
        assert admin_card.member is not None and animator_card.member is not None
        assert services.admin.is_librarian(admin_card.member)
        assert services.admin.is_staff(animator_card.member) and not services.admin.is_librarian(
            animator_card.member
        )
        assert services.admin.check_pin(admin_card.member.id, DEMO_ADMIN_PIN).ok
        assert services.admin.check_pin(animator_card.member.id, DEMO_ADMIN_PIN).ok
        assert services.store.conn.execute("SELECT count(*) FROM admin_pins").fetchone()[0] == 2
    finally:
        services.close()
