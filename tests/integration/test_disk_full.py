"""Disk full while writing, on a real small file system (a tmpfs mounted for the test).

A write that does not fit fails with `store.disk_full` (or `store.io_error`) and a clear French sentence,
leaves nothing half-written (state and journal as before, no orphan participant, seq without gap), and
the same `Services` object records again once space is freed. Opening a store on a full disk — existing
or new — is refused with a clear error, and works once space is back.

Mounting needs root. Without it, the tmpfs tests are skipped (with that reason) and the fault is still
produced for real by `test_file_size_limit`, which runs the same scenario in a subprocess under
RLIMIT_FSIZE (the kernel refuses to grow files past the limit: EFBIG instead of ENOSPC).
"""

from __future__ import annotations

import contextlib
import errno
import itertools
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from kiosk.clock import FixedClock
from kiosk.config import Config, load_config, with_data_dir
from kiosk.domain import ExchangeKind, ListingKind, ParticipantRole, Partner
from kiosk.errors import KioskError
from kiosk.replay import snapshot
from kiosk.services import Services, open_services
from tests.checks import check_all, journal_rows

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
SMALL_DISK = "3m"
STORAGE_CODES = ("store.disk_full", "store.io_error")
SIGN_UPS = itertools.count(1)


def new_clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo("Europe/Paris")))


@contextlib.contextmanager
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A tmpfs of a few MiB mounted on a folder created here, unmounted (by that path) afterwards."""
    mount_point = tmp_path / "small-disk"
    mount_point.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small file system needs root: test_file_size_limit covers the fault")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={SMALL_DISK},mode=0700", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        pytest.skip(f"mount refused ({mounted.stderr.strip()}): test_file_size_limit covers the fault")
    try:
        yield mount_point
    finally:
        unmounted = subprocess.run(["umount", str(mount_point)], capture_output=True, text=True)
        if unmounted.returncode != 0:  # still busy: detach it anyway, then say so
            subprocess.run(["umount", "--lazy", str(mount_point)], check=False)
            pytest.fail(f"{mount_point} was still in use: {unmounted.stderr.strip()}")


def fill(folder: Path, leave: int = 0) -> Path:
    """Fill the file system with a filler file, leaving about `leave` bytes free."""
    filler = folder / "filler"
    descriptor = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        for chunk in (1 << 16, 1 << 12, 1):
            with contextlib.suppress(OSError):
                while shutil.disk_usage(folder).free - chunk >= leave:
                    os.write(descriptor, b"\0" * chunk)
    finally:
        os.close(descriptor)
    return filler


def capture(services: Services) -> tuple[Any, ...]:
    store = services.store
    return snapshot(store), journal_rows(store)


def some_writes(services: Services, people: list[str]) -> list[Callable[[], object]]:
    """What a busy market morning writes: workshops with many learners, listings, sign-ups."""
    exchanges, listings, members = services.exchanges, services.listings, services.members

    def workshop() -> object:
        partners = [Partner(ParticipantRole.TRANSMITTER, member_id=people[0])]
        partners += [Partner(ParticipantRole.LEARNER, member_id=m, present=False) for m in people[1:]]
        partners.append(Partner(ParticipantRole.LEARNER, guest_name="Mme Diallo"))
        title = "Atelier pain au levain"
        return exchanges.record(people[0], ExchangeKind.KNOWLEDGE, "cuisine.patisserie", title, 120, partners)

    def listing() -> object:
        text = "Je peux vous montrer comment régler les freins et changer une chambre à air. " * 12
        return listings.publish(people[1], ListingKind.OFFER, "reparation.velo", "Réparation de vélo", text)

    def sign_up() -> object:
        return members.register(f"Voisine {next(SIGN_UPS)}", "Belleville")

    return [workshop, listing, sign_up]


def write_until_refused(services: Services, people: list[str]) -> KioskError:
    """Write until the disk refuses; every refusal must leave state and journal exactly as they were."""
    writes = some_writes(services, people)
    for attempt in range(20_000):
        before = capture(services)
        try:
            writes[attempt % len(writes)]()
        except KioskError as error:
            assert not services.store.conn.in_transaction
            assert capture(services) == before, f"{error.code}: something was half-written"
            return error
    raise AssertionError("the disk never filled up")


def check_refusal(error: KioskError) -> None:
    assert error.code in STORAGE_CODES, error.code
    text = error.text("fr")
    assert "rien n’a été enregistré" in text, text
    assert "Traceback" not in text


def register_people(services: Services) -> list[str]:
    names = ["Aïcha", "Bruno", "Chloé", "Dédé", "Élise", "Fatou"]
    return [services.members.register(name, "Belleville").id for name in names]


def check_goes_on(services: Services, people: list[str], config: Config, replay_dir: Path) -> None:
    """Space is back: the same services record again, and the store is whole."""
    for write in some_writes(services, people):
        write()
    events = check_all(services.store, config, replay_dir)
    assert events > len(people)


@pytest.mark.parametrize("leave", [0, 64 * 1024, 512 * 1024], ids=["full", "64KiB-left", "512KiB-left"])
def test_writing_on_a_full_disk(tmp_path: Path, leave: int) -> None:
    with small_disk(tmp_path) as disk:
        config = with_data_dir(load_config(None), disk / "data")
        services = open_services(config, new_clock())
        try:
            people = register_people(services)
            filler = fill(disk, leave)
            error = write_until_refused(services, people)
            check_refusal(error)
            again = write_until_refused(services, people)  # still full: refused again, cleanly
            check_refusal(again)
            filler.unlink()
            check_goes_on(services, people, config, tmp_path / "replay")
        finally:
            services.close()


def test_opening_on_a_full_disk(tmp_path: Path) -> None:
    with small_disk(tmp_path) as disk:
        config = with_data_dir(load_config(None), disk / "data")
        services = open_services(config, new_clock())
        try:
            people = register_people(services)
        finally:
            services.close()
        filler = fill(disk)
        with pytest.raises(KioskError) as existing:
            open_services(config, new_clock())
        check_refusal(existing.value)
        new_config = with_data_dir(config, disk / "new")
        with pytest.raises(KioskError) as new:
            open_services(new_config, new_clock())
        check_refusal(new.value)
        leftovers = sorted(p.name for p in new_config.data_dir.iterdir())
        assert leftovers == [], f"a half-created store was left behind: {leftovers}"
        filler.unlink()
        for folder, cfg in (("replay-existing", config), ("replay-new", new_config)):
            services = open_services(cfg, new_clock())
            try:
                if cfg is config:
                    assert len(services.members.find("")) == len(people)
                    check_goes_on(services, people, cfg, tmp_path / folder)
                else:
                    check_goes_on(services, register_people(services), cfg, tmp_path / folder)
            finally:
                services.close()


def file_size_limit_scenario(folder: str) -> None:
    """Run in a subprocess: the same scenario, with RLIMIT_FSIZE as the full disk."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of being killed
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    config = with_data_dir(load_config(None), Path(folder) / "data")
    services = open_services(config, new_clock())
    try:
        people = register_people(services)
        largest = max(path.stat().st_size for path in config.data_dir.iterdir())
        resource.setrlimit(resource.RLIMIT_FSIZE, (largest + 16 * 1024, hard))
        error = write_until_refused(services, people)
        check_refusal(error)
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        check_goes_on(services, people, config, Path(folder) / "replay")
    finally:
        services.close()
    print(json.dumps({"code": error.code, "text": error.text("fr")}, ensure_ascii=False))


def test_file_size_limit(tmp_path: Path) -> None:
    """A limit on file size (RLIMIT_FSIZE, a real kernel refusal): also works without root."""
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from tests.integration.test_disk_full import file_size_limit_scenario as run;"
            " run(sys.argv[1])",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["code"] in STORAGE_CODES, outcome


def test_enospc_is_what_the_small_disk_gives(tmp_path: Path) -> None:
    """The filler really fills: the fault in the tests above is the kernel's ENOSPC, not a simulation."""
    with small_disk(tmp_path) as disk:
        fill(disk)
        with pytest.raises(OSError) as full:
            (disk / "one-more").write_bytes(b"x" * 8192)
        assert full.value.errno == errno.ENOSPC
