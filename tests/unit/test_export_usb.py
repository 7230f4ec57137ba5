"""Export of exchanges for French Excel, read back with csv; the USB stick found from a real mount table file
(written here, pointing at temporary folders) rather than the machine's /proc/mounts."""

from __future__ import annotations

import csv
import os
from datetime import date, datetime
from pathlib import Path

import pytest

from kiosk.clock import FixedClock
from kiosk.domain import ExchangeKind, Member, ParticipantRole, Partner, Role
from kiosk.errors import KioskError
from kiosk.exports import HEADER, export_exchanges, removable_mounts
from kiosk.services import Services


@pytest.fixture
def people(services: Services) -> dict[str, Member]:
    register = services.members.register
    return {
        "lib": register("Sandrine", "Belleville", roles=(Role.LIBRARIAN,)),
        "karim": register("Karim", "Belleville"),
        "ines": register("Inès", "Belleville"),
        "yvette": register("=Yvette", "Belleville"),  # what a member typed must never run as a formula
    }


def record(
    services: Services,
    clock: FixedClock,
    day: datetime,
    title: str,
    minutes: int,
    by: Member,
    to: list[Member],
) -> str:
    clock.current = day
    partners = [Partner(ParticipantRole.TRANSMITTER, by.id)]
    partners += [Partner(ParticipantRole.LEARNER, m.id, present=True) for m in to]
    return services.exchanges.record(by.id, ExchangeKind.KNOWLEDGE, "cuisine", title, minutes, partners).id


@pytest.fixture
def november(services: Services, clock: FixedClock, people: dict[str, Member]) -> None:
    tz = clock.now().tzinfo
    record(
        services, clock, datetime(2026, 10, 31, 18, tzinfo=tz), "Avant", 60, people["karim"], [people["ines"]]
    )
    record(services, clock, datetime(2026, 11, 2, 10, tzinfo=tz), "Crème brûlée", 90, people["karim"],
           [people["yvette"], people["ines"]])  # fmt: skip
    cancelled = record(
        services,
        clock,
        datetime(2026, 11, 15, 14, tzinfo=tz),
        "Tajine",
        45,
        people["ines"],
        [people["karim"]],
    )
    services.exchanges.cancel(cancelled, people["lib"].id, "Doublon")
    record(
        services, clock, datetime(2026, 11, 30, 23, tzinfo=tz), "Vélo", 120, people["ines"], [people["karim"]]
    )
    record(
        services, clock, datetime(2026, 12, 1, 9, tzinfo=tz), "Après", 60, people["karim"], [people["ines"]]
    )


def read_back(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 BOM, so Excel reads the accents"
    assert b"\r\n" in raw and raw.count(b"\n") == raw.count(b"\r\n"), "CRLF line ends"
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle, delimiter=";"))


def mounts_file(tmp_path: Path, lines: list[str]) -> Path:
    table = tmp_path / "mounts"
    table.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return table


@pytest.mark.usefixtures("november")
def test_the_csv_is_what_french_excel_opens(services: Services, tmp_path: Path) -> None:
    result = export_exchanges(
        services, date(2026, 11, 1), date(2026, 11, 30), tmp_path / "data", tmp_path / "no-mounts"
    )
    assert not result.on_usb
    assert result.path == tmp_path / "data" / "exports" / "echanges_2026-11-01_2026-11-30.csv"
    assert result.rows == 3
    rows = read_back(result.path)
    assert rows[0] == list(HEADER)
    assert rows[1:] == [
        ["02/11/2026", "Savoir", "Cuisine", "Crème brûlée", "1,5", "Karim", "'=Yvette, Inès", "Confirmé",
         "Maison de quartier"],
        ["15/11/2026", "Savoir", "Cuisine", "Tajine", "0,75", "Inès", "Karim", "Annulé",
         "Maison de quartier"],
        ["30/11/2026", "Savoir", "Cuisine", "Vélo", "2", "Inès", "Karim", "Confirmé", "Maison de quartier"],
    ]  # fmt: skip


@pytest.mark.usefixtures("november")
def test_an_export_never_overwrites(services: Services, tmp_path: Path) -> None:
    def export() -> Path:
        return export_exchanges(
            services, date(2026, 11, 1), date(2026, 11, 30), tmp_path, tmp_path / "none"
        ).path

    first, second, third = export(), export(), export()
    assert [p.name for p in (first, second, third)] == [
        "echanges_2026-11-01_2026-11-30.csv",
        "echanges_2026-11-01_2026-11-30-2.csv",
        "echanges_2026-11-01_2026-11-30-3.csv",
    ]
    assert read_back(first) == read_back(third)
    assert sorted(p.name for p in (tmp_path / "exports").iterdir()) == sorted(
        p.name for p in (first, second, third)
    )


def test_an_empty_range_has_the_header_only_and_a_reversed_one_is_refused(
    services: Services, tmp_path: Path
) -> None:
    result = export_exchanges(services, date(2026, 1, 1), date(2026, 1, 1), tmp_path, tmp_path / "none")
    assert result.rows == 0 and read_back(result.path) == [list(HEADER)]
    with pytest.raises(KioskError) as reversed_range:
        export_exchanges(services, date(2026, 2, 1), date(2026, 1, 1), tmp_path, tmp_path / "none")
    assert reversed_range.value.code == "export.bad_range"


@pytest.mark.usefixtures("november")
def test_the_first_writable_usb_stick_is_used(services: Services, tmp_path: Path) -> None:
    media = tmp_path / "media"
    stick_ro, stick, second, disk = media / "ro", media / "CLÉ USB", media / "second", tmp_path / "root"
    for folder in (stick_ro, stick, second, disk):
        folder.mkdir(parents=True)
    table = mounts_file(
        tmp_path,
        [
            f"/dev/mmcblk0p2 {disk} ext4 rw,noatime 0 0",  # the kiosk's own disk: not under the roots
            f"proc {media}/proc proc rw 0 0",  # not a removable file system
            f"/dev/sdb1 {stick_ro} vfat ro,nosuid 0 0",  # read-only
            f"/dev/sdc1 {str(stick).replace(' ', chr(92) + '040')} exfat rw,nosuid,nodev 0 0",
            f"/dev/sdd1 {second} vfat rw 0 0",
        ],
    )
    assert removable_mounts(table, roots=(str(media),)) == [stick, second]
    result = export_exchanges(
        services, date(2026, 11, 1), date(2026, 11, 30), tmp_path / "data", table, roots=(str(media),)
    )
    assert result.on_usb and result.path.parent == stick
    assert len(read_back(result.path)) == 4
    assert not (tmp_path / "data" / "exports").exists()


@pytest.mark.usefixtures("november")
def test_a_stick_that_fails_to_write_falls_back_to_the_kiosk(services: Services, tmp_path: Path) -> None:
    """Writing onto the stick fails (here: a folder already sits where the export's scratch file goes, a
    real failure any user gets): the export goes to the kiosk instead, and nothing is left on the stick."""
    stick = tmp_path / "media" / "stick"
    stick.mkdir(parents=True)
    (stick / f".echanges_2026-11-01_2026-11-30.{os.getpid()}.part").mkdir()
    table = mounts_file(tmp_path, [f"/dev/sdb1 {stick} vfat rw 0 0"])
    assert removable_mounts(table, roots=(str(tmp_path),)) == [stick]
    result = export_exchanges(
        services, date(2026, 11, 1), date(2026, 11, 30), tmp_path / "data", table, roots=(str(tmp_path),)
    )
    assert not result.on_usb and result.rows == 3
    assert result.path.parent == tmp_path / "data" / "exports"
    assert not list(stick.glob("*.csv"))
