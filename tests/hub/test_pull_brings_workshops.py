"""A workshop scheduled at one kiosk, with its registrations and check-ins, reaches the other kiosks, with
its theme (here one of the catalogue shipped with the software, found at the other kiosk with the same label;
a collective's own themes travel by pull too: test_collective_themes.py)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from kiosk.domain import Role
from tests.hub.kiosks import HubHandle, Kiosk

WORKSHOP_TABLES = {
    "workshops": "SELECT id, title, theme_id, starts_at, duration_min, site_id, place, capacity,"
    " animator_ids, status, scheduled_by FROM workshops",
    "registrations": "SELECT workshop_id, member_id, registered_at, hlc, status FROM workshop_registrations",
    "attendance": "SELECT workshop_id, attendee, member_id, checked_in_at, hlc FROM workshop_attendance",
}


def _workshop_rows(kiosk: Kiosk) -> dict[str, list[Any]]:
    conn = kiosk.store.conn
    return {name: sorted(conn.execute(sql).fetchall()) for name, sql in WORKSHOP_TABLES.items()}


def _theme(kiosk: Kiosk, theme_id: str) -> tuple[Any, ...]:
    row = kiosk.store.conn.execute(
        "SELECT id, parent_id, label_fr, label_en FROM themes WHERE id = ?", (theme_id,)
    ).fetchone()
    return tuple(row)


def test_a_workshop_with_its_registrations_scheduled_at_a_is_known_at_b(
    hub: HubHandle, tmp_path: Path
) -> None:
    collective = hub.collective("Savoirs de la Chapelle")
    a, b = Kiosk(tmp_path / "a", collective, name="Centre social"), Kiosk(tmp_path / "b", collective)
    a.pair(hub, collective)
    b.pair(hub, collective)
    librarian = a.member("Sandrine", Role.LIBRARIAN)
    animator = a.member("Élodie", Role.ANIMATOR)
    amina, bruno, chloe = a.member("Amina"), a.member("Bruno"), a.member("Chloé")
    starts = a.clock.now() + timedelta(days=3)
    scheduled = a.services.workshops.schedule(
        librarian, "Réparer son vélo", "reparation.velo", starts, 120, 2, [animator], place="Cour de l’école"
    )
    for member in (amina, bruno, chloe):
        a.services.workshops.register(scheduled.id, member)
    a.services.workshops.unregister(scheduled.id, chloe)
    a.services.workshops.check_in(scheduled.id, amina)
    a.services.workshops.check_in_guest(scheduled.id)
    assert a.sync().rejected == ()
    report = b.sync()
    assert report.apply_errors == 0

    seen = b.services.workshops.get(scheduled.id)
    assert seen == a.services.workshops.get(scheduled.id)
    assert (seen.title, seen.theme_id, seen.starts_at, seen.duration_min, seen.place, seen.capacity) == (
        "Réparer son vélo",
        "reparation.velo",
        starts.isoformat(timespec="minutes"),
        120,
        "Cour de l’école",
        2,
    )
    assert (seen.animator_ids, seen.registered, seen.waiting, seen.places_left) == ((animator,), 2, 0, 0)
    assert [w.id for w in b.services.workshops.upcoming()] == [scheduled.id]
    assert b.services.workshops.present(scheduled.id) == [(amina, "Amina")]
    assert b.services.workshops.guests(scheduled.id) == 1
    assert _workshop_rows(b) == _workshop_rows(a)
    # The theme the workshop names is in B's own catalogue, with the same labels as at A.
    velo = ("reparation.velo", "reparation", "Vélo", "Bicycle")
    assert _theme(b, "reparation.velo") == _theme(a, "reparation.velo") == velo

    # And back: a registration taken at B goes on A's waiting list, in the same place at both kiosks.
    b.services.workshops.register(scheduled.id, chloe)
    b.sync()
    a.sync()
    at_a = a.services.workshops.registration(scheduled.id, chloe)
    assert at_a.waiting_list and at_a == b.services.workshops.registration(scheduled.id, chloe)
    assert _workshop_rows(a) == _workshop_rows(b)
    a.close()
    b.close()
