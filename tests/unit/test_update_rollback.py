"""`kiosk update`: two versions side by side in temporary directories, the symlink switch, the pending
marker, confirm, the automatic rollback past the deadline, the history.

The versions are small venv-like trees (`venv/bin/kiosk`, `venv/bin/python`) made by a builder given to
`install`: building real virtualenvs with Kivy in them has no place in a unit test. systemd is replaced
by a recorder of what would be restarted: there is no systemd in the test machine's container.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.update import (
    HISTORY_FILE,
    PENDING_FILE,
    Installation,
    UpdateError,
    check,
    confirm,
    install,
    read_history,
    read_pending,
    rollback,
    version_of,
)

START = datetime(2026, 11, 26, 1, 2, tzinfo=UTC)


class Systemd:
    def __init__(self) -> None:
        self.calls: list[str] = []

    def restart_kiosk(self) -> None:
        self.calls.append("restart")

    def schedule_check(self, seconds: int, argv: Sequence[str]) -> None:
        self.calls.append(f"check in {seconds} s: {' '.join(argv)}")


def fake_build(source: Path, venv: Path) -> None:
    (venv / "bin").mkdir(parents=True)
    for name in ("kiosk", "python"):
        (venv / "bin" / name).write_text(f"#!/bin/sh\n# built from {source.name}\n", encoding="utf-8")


def source_tree(tmp_path: Path, version: str) -> Path:
    folder = tmp_path / f"src-{version}"
    folder.mkdir()
    (folder / "pyproject.toml").write_text(
        f'[project]\nname = "kiosque-des-savoirs"\nversion = "{version}"\n', encoding="utf-8"
    )
    return folder


class Clock:
    def __init__(self) -> None:
        self.at = START

    def __call__(self) -> datetime:
        return self.at


@pytest.fixture
def two_versions(tmp_path: Path) -> tuple[Installation, Path, Clock, Systemd]:
    """0.1.0 installed and confirmed, then 0.2.0 installed and pending."""
    inst, data = Installation(tmp_path / "opt"), tmp_path / "data"
    clock, systemd = Clock(), Systemd()
    install(source_tree(tmp_path, "0.1.0"), inst, data, builder=fake_build, systemd=None, now=clock)
    assert confirm(inst, data, now=clock) is not None
    clock.at += timedelta(days=1)
    install(
        source_tree(tmp_path, "0.2.0"), inst, data, builder=fake_build, systemd=systemd,
        check_argv=["python", "-m", "kiosk.cli", "update", "check"], now=clock,
    )  # fmt: skip
    return inst, data, clock, systemd


def test_install_switches_current_and_leaves_a_pending_marker(
    two_versions: tuple[Installation, Path, Clock, Systemd],
) -> None:
    inst, data, clock, systemd = two_versions
    assert inst.installed() == ["0.1.0-20261126T0102", "0.2.0-20261127T0102"]
    assert inst.current.resolve() == (inst.versions / "0.2.0-20261127T0102").resolve()
    assert (inst.current / "venv" / "bin" / "kiosk").is_file()
    pending = read_pending(data)
    assert pending is not None
    assert (pending.previous, pending.new) == ("0.1.0-20261126T0102", "0.2.0-20261127T0102")
    assert datetime.fromisoformat(pending.deadline) == clock.at + timedelta(seconds=60)
    assert systemd.calls == ["restart", "check in 70 s: python -m kiosk.cli update check"]


def test_check_past_the_deadline_rolls_back_and_records_it(
    two_versions: tuple[Installation, Path, Clock, Systemd],
) -> None:
    inst, data, clock, _ = two_versions
    systemd = Systemd()
    clock.at += timedelta(seconds=30)
    assert check(inst, data, systemd=systemd, now=clock) == "waiting"
    assert inst.current_version() == "0.2.0-20261127T0102" and systemd.calls == []
    clock.at += timedelta(seconds=40)  # 70 s after the switch, never confirmed
    assert check(inst, data, systemd=systemd, now=clock) == "rolled_back"
    assert inst.current_version() == "0.1.0-20261126T0102"
    assert systemd.calls == ["restart"]
    assert not (data / PENDING_FILE).exists()
    last = read_history(data)[-1]
    assert last["action"] == "rollback"
    assert (last["from"], last["to"]) == ("0.2.0-20261127T0102", "0.1.0-20261126T0102")
    assert check(inst, data, systemd=systemd, now=clock) == "ok", "nothing pending any more"


def test_a_confirmed_update_is_never_rolled_back(
    two_versions: tuple[Installation, Path, Clock, Systemd],
) -> None:
    inst, data, clock, _ = two_versions
    clock.at += timedelta(seconds=20)
    # the app confirms for its own version only: the old one running (a rollback happened) does not
    assert confirm(inst, data, running="0.1.0-20261126T0102", now=clock) is None
    assert confirm(inst, data, running="0.2.0-20261127T0102", now=clock) is not None
    clock.at += timedelta(minutes=5)
    systemd = Systemd()
    assert check(inst, data, systemd=systemd, now=clock) == "ok"
    assert inst.current_version() == "0.2.0-20261127T0102" and systemd.calls == []
    actions = [entry["action"] for entry in json.loads((data / HISTORY_FILE).read_text(encoding="utf-8"))]
    assert actions == ["install", "confirm", "install", "confirm"]


def test_old_versions_are_pruned_keeping_two(tmp_path: Path) -> None:
    inst, data, clock = Installation(tmp_path / "opt"), tmp_path / "data", Clock()
    for version in ("0.1.0", "0.2.0", "0.3.0"):
        install(source_tree(tmp_path, version), inst, data, builder=fake_build, systemd=None, now=clock)
        confirm(inst, data, now=clock)
        clock.at += timedelta(hours=1)
    assert inst.installed() == ["0.2.0-20261126T0202", "0.3.0-20261126T0302"]


def test_manual_rollback_and_a_refused_second_install(
    two_versions: tuple[Installation, Path, Clock, Systemd], tmp_path: Path
) -> None:
    inst, data, clock, _ = two_versions
    with pytest.raises(UpdateError, match="attend encore sa confirmation"):
        install(source_tree(tmp_path, "0.3.0"), inst, data, builder=fake_build, systemd=None, now=clock)
    assert rollback(inst, data, systemd=None, now=clock) == "0.1.0-20261126T0102"
    assert inst.current_version() == "0.1.0-20261126T0102"
    assert read_history(data)[-1]["reason"] == "demandé à la main"


def test_a_failed_build_leaves_nothing_to_switch_to(tmp_path: Path) -> None:
    inst, data = Installation(tmp_path / "opt"), tmp_path / "data"

    def broken(source: Path, venv: Path) -> None:
        raise UpdateError("L’installation a échoué : pas de réseau")

    with pytest.raises(UpdateError, match="pas de réseau"):
        install(source_tree(tmp_path, "0.1.0"), inst, data, builder=broken, systemd=None)
    assert inst.installed() == [] and inst.current_version() is None and read_pending(data) is None


def test_running_version_is_read_from_the_venv_prefix(tmp_path: Path) -> None:
    inst = Installation(tmp_path / "opt")
    install(source_tree(tmp_path, "0.1.0"), inst, tmp_path / "data", builder=fake_build, systemd=None)
    (name,) = inst.installed()
    assert inst.running_version(str(inst.current / "venv")) == name  # through the symlink
    assert inst.running_version("/usr") is None


def test_version_of_a_wheel_and_a_source_tree(tmp_path: Path) -> None:
    assert version_of(tmp_path / "kiosque_des_savoirs-0.4.1-py3-none-any.whl") == "0.4.1"
    assert version_of(source_tree(tmp_path, "0.5.0")) == "0.5.0"
    with pytest.raises(UpdateError):
        version_of(tmp_path)


def test_update_check_command(
    two_versions: tuple[Installation, Path, Clock, Systemd],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    inst, data, _, _ = two_versions
    site = tmp_path / "site.toml"
    site.write_text(f'[kiosk]\ndata_dir = "{data}"\n', encoding="utf-8")
    marker = json.loads((data / PENDING_FILE).read_text(encoding="utf-8"))
    (data / PENDING_FILE).write_text(json.dumps({**marker, "deadline": "2001-01-01T00:00:00+00:00"}))
    code = main(["update", "check", "--root", str(inst.root), "--no-restart", "--config", str(site)])
    assert code == 1
    assert "retour à la précédente" in capsys.readouterr().out
    assert inst.current_version() == "0.1.0-20261126T0102"
