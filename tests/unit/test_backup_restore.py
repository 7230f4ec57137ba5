"""`kiosk backup` while the kiosk writes, and `kiosk restore` with its refusals. Real stores throughout."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import pytest

from kiosk.backup import BackupError, backups_in, make_backup, prune_backups, restore, verify_backup
from kiosk.cli import main
from kiosk.config import Config, load_config, with_data_dir
from kiosk.domain import ExchangeKind, ParticipantRole, Partner
from kiosk.runlock import RunLock
from kiosk.services import Services, open_services

T, L = ParticipantRole.TRANSMITTER, ParticipantRole.LEARNER


def test_backup_while_the_kiosk_records_exchanges_is_consistent(
    services: Services, config: Config, tmp_path: Path
) -> None:
    karim = services.members.register("Karim", "Les Hauts")
    elodie = services.members.register("Élodie", "Centre")
    done = threading.Event()
    recorded: list[int] = []

    def record_exchanges() -> None:  # the kiosk at work, on its own connection, during the backups
        writer = open_services(config)
        try:
            while not done.is_set() or len(recorded) < 40:
                writer.exchanges.record(
                    karim.id, ExchangeKind.KNOWLEDGE, "reparation.velo", "Régler ses freins", 30,
                    [Partner(T, karim.id), Partner(L, elodie.id, present=True)],
                )  # fmt: skip
                recorded.append(1)
        finally:
            writer.close()

    thread = threading.Thread(target=record_exchanges)
    thread.start()
    copies = []
    try:
        while len(recorded) < 5:
            threading.Event().wait(0.01)
        for _ in range(3):
            copies.append(make_backup(config.database_path, tmp_path / "backups")[0])
    finally:
        done.set()
        thread.join()
    counts = []
    for path in copies:
        info = verify_backup(path)  # sha256, integrity_check, ours
        with sqlite3.connect(path) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            seqs = [
                row[0] for row in conn.execute("SELECT seq FROM journal WHERE origin = 'local' ORDER BY seq")
            ]
            assert seqs == list(range(1, len(seqs) + 1)), "every event up to a point, no gap"
            assert info.last_seq == seqs[-1]
            exchanges = conn.execute("SELECT count(*) FROM exchanges").fetchone()[0]
            events = conn.execute("SELECT count(*) FROM journal WHERE type = 'exchange.recorded'").fetchone()[
                0
            ]
            assert exchanges == events, "no exchange without its event, no event without its exchange"
            counts.append(exchanges)
    assert counts == sorted(counts) and counts[-1] < len(recorded) + 1
    assert counts[0] > 0, "the backups were taken while exchanges were being written"


def test_keep_only_the_newest_backups_of_this_kiosk(
    services: Services, config: Config, tmp_path: Path
) -> None:
    dest = tmp_path / "backups"
    made = []
    for second in range(4):
        moment = datetime(2026, 11, 26, 1, 0, second, tzinfo=UTC)
        made.append(make_backup(config.database_path, dest, now=partial(lambda m: m, moment))[0])
    other = dest / "kiosk-00000000-20200101T000000Z.sqlite3"  # another kiosk's, on the same USB stick
    other.write_bytes(made[0].read_bytes())
    removed = prune_backups(dest, services.kiosk_id, keep=2)
    assert removed == made[:2]
    assert backups_in(dest, services.kiosk_id) == made[2:]
    assert other.exists() and not made[0].with_suffix(".json").exists()


def test_restore_round_trip_keeps_the_replaced_database(
    services: Services, config: Config, tmp_path: Path
) -> None:
    services.members.register("Karim", "Les Hauts")
    backup, _ = make_backup(config.database_path, tmp_path / "backups")
    services.members.register("Inès", "Centre")  # after the backup: gone once restored
    services.close()
    done = restore(backup, config.database_path, config.data_dir, force=False)
    assert done.kept_as is not None and done.kept_as.name.startswith("kiosk.sqlite3.before-restore-")
    restored = open_services(config)
    try:
        names = [row["pseudonym"] for row in restored.store.query("SELECT pseudonym FROM members")]
        assert names == ["Karim"]
    finally:
        restored.close()
    with sqlite3.connect(done.kept_as) as conn:
        assert conn.execute("SELECT count(*) FROM members").fetchone()[0] == 2


def test_restore_refuses_another_kiosks_backup_unless_forced(config: Config, tmp_path: Path) -> None:
    other_config = with_data_dir(load_config(None), tmp_path / "other")
    other = open_services(other_config)
    other.members.register("Lucas", "Nord")
    backup, info = make_backup(other_config.database_path, tmp_path / "backups")
    other.close()
    mine = open_services(config)
    my_id = mine.kiosk_id
    mine.close()
    with pytest.raises(BackupError, match="vient d’une autre borne"):
        restore(backup, config.database_path, config.data_dir, force=False)
    check = open_services(config)
    assert check.kiosk_id == my_id, "refused: nothing changed"
    check.close()
    restore(backup, config.database_path, config.data_dir, force=True)
    forced = open_services(config)
    assert forced.kiosk_id == info.kiosk_id
    forced.close()


def test_restore_refuses_while_the_kiosk_runs(services: Services, config: Config, tmp_path: Path) -> None:
    backup, _ = make_backup(config.database_path, tmp_path / "backups")
    lock = RunLock(config.data_dir)
    assert lock.acquire()  # what `kiosk run` holds
    try:
        with pytest.raises(BackupError, match="La borne est en marche"):
            restore(backup, config.database_path, config.data_dir, force=False)
    finally:
        lock.release()


def test_a_damaged_backup_is_refused(services: Services, config: Config, tmp_path: Path) -> None:
    backup, _ = make_backup(config.database_path, tmp_path / "backups")
    data = bytearray(backup.read_bytes())
    data[-100] ^= 0xFF
    backup.write_bytes(bytes(data))
    with pytest.raises(BackupError, match="empreinte"):
        verify_backup(backup)


def test_backup_and_restore_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = tmp_path / "site.toml"
    site.write_text(f'[kiosk]\ndata_dir = "{tmp_path / "data"}"\n', encoding="utf-8")
    services = open_services(load_config(site))
    services.members.register("Karim", "Les Hauts")
    services.close()
    assert main(["backup", "--config", str(site), "--keep", "3"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Sauvegarde faite : ") and "/data/backups/kiosk-" in out
    (path,) = backups_in(tmp_path / "data" / "backups")
    assert main(["restore", str(path), "--config", str(site)]) == 0
    assert "Base restaurée" in capsys.readouterr().out
    assert main(["restore", str(tmp_path / "nope.sqlite3"), "--config", str(site)]) == 2
    assert "introuvable" in capsys.readouterr().err
