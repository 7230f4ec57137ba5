"""Kill -9 a kiosk recording a stream of 1,000 exchanges, at random moments, again and again.

After each kill the store is reopened: every exchange whose call returned (its id was printed) is there,
state and journal agree (replaying the journal gives the state), `PRAGMA integrity_check` is ok and the
journal's seq has no gap. Stores are reused for a few kills in a row, then a fresh one is started (so some
kills land while a store is being created).

Kill moments are drawn two ways: after the k-th printed id plus a few random milliseconds (always mid-
stream, whatever the machine's speed), or after a random delay from the start (which also hits start-up:
opening, migrating, registering members). The seed is printed; set KIOSK_KILL9_SEED to replay a run.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kiosk.config import load_config, with_data_dir
from kiosk.store import Store
from tests.checks import check_all

WRITER = Path(__file__).with_name("crash_writer.py")
KILLS = 40
KILLS_PER_STORE = 5
STREAM = 1000

pytestmark = pytest.mark.slow


def is_exchange_id(line: str) -> bool:
    return len(line) == 36 and line.count("-") == 4


def kill_writer(data_dir: Path, seed: int, rng: random.Random, after_ids: bool) -> tuple[list[str], bool]:
    """Start the writer and SIGKILL it at a random moment: after a random number of printed ids, or
    after a random delay. Returns the printed ids and whether the writer was still running."""
    process = subprocess.Popen(
        [sys.executable, str(WRITER), str(data_dir), str(STREAM), str(seed)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert process.stdout is not None and process.stderr is not None
    lines: list[str] = []
    try:
        if after_ids:
            wanted = rng.randint(1, STREAM - 100)
            while sum(map(is_exchange_id, lines)) < wanted:
                line = process.stdout.readline()
                assert line, "the writer stopped by itself: " + process.stderr.read()
                lines.append(line.strip())
            time.sleep(rng.uniform(0, 0.002))
        else:
            time.sleep(rng.uniform(0, 0.6))
        mid_stream = process.poll() is None
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:  # only if an assertion above failed: never leave it running
            process.kill()
            process.wait(timeout=30)
    lines += [line.strip() for line in process.stdout.read().splitlines()]
    errors = process.stderr.read()
    process.stdout.close()
    process.stderr.close()
    assert process.returncode == -signal.SIGKILL or "done" in lines, errors
    assert "Traceback" not in errors, errors
    return [line for line in lines if is_exchange_id(line)], mid_stream


def test_every_saved_exchange_survives_kill_9(tmp_path: Path) -> None:
    seed = int(os.environ.get("KIOSK_KILL9_SEED", random.randrange(2**32)))
    print(f"KIOSK_KILL9_SEED={seed}")
    rng = random.Random(seed)
    config = load_config(None)
    mid_stream_kills = start_up_kills = 0
    for kill in range(KILLS):
        data_dir = tmp_path / f"store-{kill // KILLS_PER_STORE}"
        printed, running = kill_writer(data_dir, rng.randrange(2**32), rng, after_ids=kill % 4 != 3)
        mid_stream_kills += running and bool(printed)
        start_up_kills += running and not printed
        path = with_data_dir(config, data_dir).database_path
        if not path.exists():  # killed before the store was created: nothing was promised
            assert not printed
            continue
        store = Store.open(path)
        try:
            if store.query_one("SELECT 1 FROM kiosk_state") is None:  # killed between opening and set-up
                assert not printed and store.query_one("SELECT 1 FROM journal") is None
                assert store.integrity_check() == ["ok"]
                continue
            saved = {row[0] for row in store.conn.execute("SELECT id FROM exchanges")}
            lost = [exchange_id for exchange_id in printed if exchange_id not in saved]
            assert not lost, f"kill {kill}: {len(lost)} of {len(printed)} saved exchanges lost"
            check_all(store, config, tmp_path / f"replay-{kill}")
        finally:
            store.close()
    print(f"{mid_stream_kills} kills mid-stream, {start_up_kills} during start-up, of {KILLS}")
    assert mid_stream_kills >= KILLS // 2, f"only {mid_stream_kills} kills landed mid-stream"
