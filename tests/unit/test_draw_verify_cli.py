"""`kiosk-hub draw verify FILE [--pool POOL]` run as anyone would: the installed command, in a subprocess."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kiosk.governance.quotas import Quota, Volunteer, fair_panels
from kiosk.governance.sortition import canonical_pool, derive_seed, perform_draw

KIOSK_HUB = Path(sys.executable).with_name("kiosk-hub")
QUOTAS = [Quota("gender", "femme", minimum=1)]


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    assert KIOSK_HUB.exists(), f"{KIOSK_HUB} is missing: install the project in the virtualenv"
    return subprocess.run([str(KIOSK_HUB), "draw", "verify", *map(str, args)], capture_output=True, text=True)


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path, Path]:
    folder = tmp_path_factory.mktemp("draw")
    pool = [Volunteer(f"JAR-{i:04d}", {"gender": "femme" if i < 2 else "homme"}) for i in range(9)]
    record = perform_draw(
        "tirage-jardins", pool, 3, QUOTAS, "trois dés", "2 5 5", fair_panels(pool, 3, QUOTAS)
    )
    record_file, pool_file = folder / "tirage.json", folder / "vivier.json"
    record_file.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    pool_file.write_bytes(canonical_pool("tirage-jardins", pool))
    return record, record_file, pool_file


def test_a_published_record_is_verified_with_its_pool(published: tuple[dict[str, Any], Path, Path]) -> None:
    record, record_file, pool_file = published
    result = run(record_file, "--pool", pool_file)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("Tirage vérifié : « tirage-jardins »")
    assert f"Graine : {record['seed']}" in result.stdout
    assert f"Tirés : {', '.join(record['selected'])}" in result.stdout
    assert "Vivier vérifié" in result.stdout


def test_without_the_pool_it_says_what_was_not_checked(
    published: tuple[dict[str, Any], Path, Path], tmp_path: Path
) -> None:
    record, _, _ = published
    payload = tmp_path / "evenement.json"  # the `draw.performed` payload carries the record
    payload.write_text(json.dumps({"draw_id": record["draw_id"], "randomness": "2 5 5", "record": record}))
    result = run(payload)
    assert result.returncode == 0, result.stdout
    assert "--pool VIVIER" in result.stdout


def _seed(record: dict[str, Any]) -> None:
    record["seed"] = derive_seed(record["pool_hash"], record["draw_id"], "6 6 6")


def _swap(record: dict[str, Any]) -> None:
    record["order"][0], record["order"][-1] = record["order"][-1], record["order"][0]


def _index(record: dict[str, Any]) -> None:
    record["panel_index"] = (record["panel_index"] + 1) % len(record["panels"])


def _panel(record: dict[str, Any]) -> None:
    k = 1 if record["panel_index"] == 0 else 0
    record["panels"][k] = ["JAR-0006", "JAR-0007", "JAR-0008"]


@pytest.mark.parametrize(
    ("tamper", "problem"),
    [
        (_seed, "La graine ne correspond pas"),
        (_swap, "L’ordre publié n’est pas celui que donne la graine."),
        (_index, "mais la graine désigne le n°"),
        (_panel, "L’empreinte des groupes publiés ne correspond pas"),
    ],
    ids=["seed", "swapped-ticket", "panel-index", "panel"],
)
def test_a_tampered_record_fails_with_the_problem(
    published: tuple[dict[str, Any], Path, Path],
    tmp_path: Path,
    tamper: Callable[[dict[str, Any]], None],
    problem: str,
) -> None:
    record, _, pool_file = published
    forged = copy.deepcopy(record)
    tamper(forged)
    forged_file = tmp_path / "tirage.json"
    forged_file.write_text(json.dumps(forged, ensure_ascii=False), encoding="utf-8")
    result = run(forged_file, "--pool", pool_file)
    assert result.returncode == 1, result.stdout
    assert result.stdout.startswith("Tirage NON vérifié")
    assert problem in result.stdout
    assert "Traceback" not in result.stderr


def test_a_pool_file_that_was_changed_fails(
    published: tuple[dict[str, Any], Path, Path], tmp_path: Path
) -> None:
    _, record_file, pool_file = published
    other_pool = tmp_path / "vivier.json"
    other_pool.write_bytes(pool_file.read_bytes().replace(b'"homme"', b'"femme"', 1))
    result = run(record_file, "--pool", other_pool, "--json")
    assert result.returncode == 1
    answer = json.loads(result.stdout)
    assert answer["verified"] is False and answer["pool_checked"] is True
    assert any("L’empreinte du fichier du vivier" in p for p in answer["problems"])


def test_a_file_that_is_not_a_record_or_cannot_be_read(tmp_path: Path) -> None:
    not_json = tmp_path / "notes.txt"
    not_json.write_text("trois dés : 2 5 5")
    result = run(not_json)
    assert result.returncode == 1 and "pas du JSON" in result.stdout
    missing = run(tmp_path / "absent.json")
    assert missing.returncode == 2 and "Fichier illisible" in missing.stdout
    assert "Traceback" not in result.stderr + missing.stderr
