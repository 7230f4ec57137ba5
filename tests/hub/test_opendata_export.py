"""`kiosk-hub opendata export DIR` on a real hub (SQLite and PostgreSQL) fed by real kiosks of two
collectives: files named after Etalab's convention, a valid Data Package, a README that lists every
column, and the figures worked out by hand, small cells hidden. Also the draws and elections files (from
built facts) and the daily export of `serve`."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import frictionless

from hub import admin
from hub.cli_opendata import DailyExport
from hub.db import Database
from hub.opendata.governance import categories_dataset, draws_dataset, elections_dataset
from hub.opendata.model import PARIS
from hub.stats.model import DrawFact, ElectionFact, Facts, Scope
from kiosk.domain import ExchangeKind, ListingKind, ParticipantRole, Partner
from tests.hub.kiosks import HubHandle, Kiosk

PRODUCER = "reseau-des-collectifs"  # slug of the default network's name
FIGURES = ("nombreEchanges", "heures", "membresDistincts")


def ring(kiosk: Kiosk, members: list[str], theme: str) -> None:
    """Each member teaches the next one an hour: nobody takes part in more than 2 of the exchanges."""
    for i, teacher in enumerate(members):
        learner = members[(i + 1) % len(members)]
        partners = [
            Partner(ParticipantRole.TRANSMITTER, teacher, present=True),
            Partner(ParticipantRole.LEARNER, learner, present=True),  # both tap: confirmed at once
        ]
        kiosk.services.exchanges.record(teacher, ExchangeKind.KNOWLEDGE, theme, "Atelier", 60, partners)


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def test_export_of_two_collectives(fresh_hub: HubHandle, tmp_path: Path) -> None:
    belleville = fresh_hub.collective("Savoirs de Belleville", "Belleville")
    charonne = fresh_hub.collective("Savoirs de Charonne", "Charonne")
    a, b = Kiosk(tmp_path / "a", belleville), Kiosk(tmp_path / "b", charonne)
    try:
        a.pair(fresh_hub, belleville)
        b.pair(fresh_hub, charonne)
        people_a = [a.member(f"A{i}") for i in range(6)]
        people_b = [b.member(f"B{i}") for i in range(6)]
        ring(a, people_a, "cuisine.quotidien")  # 6 exchanges, 6 h, 6 members
        ring(a, people_a[:5], "jardinage.potager")  # 5, 5 h, 5 members
        ring(b, people_b, "jardinage.compost")  # 6, 6 h, 6 members
        ring(b, people_b[:2], "cuisine.monde")  # 2 exchanges between 2 members only: a small cell
        for member in people_a[:5]:
            a.services.listings.publish(member, ListingKind.OFFER, "cuisine.monde", "Cuisine", "")
        b.services.listings.publish(people_b[0], ListingKind.REQUEST, "jardinage.potager", "Potager", "")
        b.services.members.erase(people_b[5], people_b[5])  # erased: still counted, anonymously
        a.sync()
        b.sync()
    finally:
        a.close()
        b.close()
    day = datetime.now(PARIS)
    date, month = day.strftime("%Y%m%d"), day.strftime("%Y-%m")
    out = tmp_path / "opendata"
    command = [sys.executable, "-m", "hub", "opendata", "export", str(out), "--db", fresh_hub.db.url]
    done = subprocess.run([*command, "--date", date, "--json"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    (exported,) = json.loads(done.stdout)
    folder = out / PRODUCER
    assert exported["folder"] == str(folder)
    names = ["echanges-mensuels", "offres-demandes", "membres-mensuels", "tirages", "tirages-categories"]
    for name in [*names, "elections"]:
        assert (folder / f"{date}_{PRODUCER}_{name}.csv").is_file()

    report = frictionless.validate(folder / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    assert package["licenses"][0]["name"] == "etalab-2.0"
    readme = (folder / "README.md").read_text(encoding="utf-8")
    for resource in package["resources"]:
        assert resource["path"] in readme
        for field in resource["schema"]["fields"]:
            assert f"| `{field['name']}` |" in readme, field["name"]

    exchanges = read_csv(folder / f"{date}_{PRODUCER}_echanges-mensuels.csv")
    a_id, b_id = belleville, charonne
    assert exchanges == [
        [*("mois", "collectif", "collectifNom", "quartier", "theme", "themeLibelle"), *FIGURES],
        # B × cuisine has 2 members: hidden, and with it the cheapest cycle of cells that hides it.
        [month, a_id, "Savoirs de Belleville", "Belleville", "cuisine", "Cuisine", "", "", ""],
        [month, a_id, "Savoirs de Belleville", "Belleville", "jardinage", "Jardinage", "", "", ""],
        [month, a_id, "Savoirs de Belleville", "Belleville", "tous", "Toutes thématiques", "11", "11", "6"],
        [month, b_id, "Savoirs de Charonne", "Charonne", "cuisine", "Cuisine", "", "", ""],
        [month, b_id, "Savoirs de Charonne", "Charonne", "jardinage", "Jardinage", "", "", ""],
        [month, b_id, "Savoirs de Charonne", "Charonne", "tous", "Toutes thématiques", "8", "8", "6"],
        [month, "tous", "Tout le réseau", "tous", "cuisine", "Cuisine", "8", "8", "8"],
        [month, "tous", "Tout le réseau", "tous", "jardinage", "Jardinage", "11", "11", "11"],
        [month, "tous", "Tout le réseau", "tous", "tous", "Toutes thématiques", "19", "19", "12"],
    ]
    members = read_csv(folder / f"{date}_{PRODUCER}_membres-mensuels.csv")
    assert members[1:] == [
        [month, a_id, "Savoirs de Belleville", "Belleville", "6", "6"],
        [month, b_id, "Savoirs de Charonne", "Charonne", "6", "6"],
        [month, "tous", "Tout le réseau", "tous", "12", "12"],
    ]
    listings = read_csv(folder / f"{date}_{PRODUCER}_offres-demandes.csv")
    # One request by one member: hidden, with the requests' total (no total per theme is published).
    assert listings[1:] == [
        ["cuisine", "Cuisine", "5", "0"],
        ["jardinage", "Jardinage", "0", ""],
        ["tous", "Toutes thématiques", "5", ""],
    ]
    # Exported again: the same bytes, and the folder replaced whole.
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    again = subprocess.run([*command, "--date", date], capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


def test_draws_and_elections_publish_no_small_counts() -> None:
    record = {
        "seed": "ab" * 32,
        "pool_size": 12,
        "selected": ["t1", "t2", "t3"],
        # age: every count ≥ 5, 1 « non renseigné » → not published; genre: 6 + 6 → published
        "category_counts": {"age": {"18-39": 5, "40+": 6}, "genre": {"femme": 6, "homme": 6}},
    }
    draws = (
        DrawFact("d1", "c", "cuisine", 3, 12, "performed", record),
        DrawFact("d2", "c", "jardinage", 2, 4, "frozen", None),  # 4 volunteers: size hidden
    )
    profile = [0, 0, 1, 2, 2, 0, 0]
    result = {"candidates": ["m1"], "ranking": [{"candidate": "m1", "median": 3, "profile": profile}]}
    elections = (
        ElectionFact("e1", "c", "Médiation", "closed", 5, result),
        ElectionFact("e2", "c", "Trésorerie", "closed", 3, None),
    )
    facts = Facts(Scope("reseau"), {"c": ("C", "Q")}, (), (), (), (), (), (), draws, elections)
    assert draws_dataset(facts).rows == (
        ("d1", "c", "cuisine", "Cuisine", "performed", 3, 12, "ab" * 32, 3),
        ("d2", "c", "jardinage", "Jardinage", "frozen", 2, None, None, None),
    )
    assert categories_dataset(facts).rows == (("d1", "genre", "femme", 6), ("d1", "genre", "homme", 6))
    assert elections_dataset(facts).rows == (("e1", "c", 5, 1, "Assez bien", *profile),)
    assert "m1" not in repr(elections_dataset(facts).rows)


def test_the_daily_export_of_serve_writes_at_start(tmp_path: Path) -> None:
    """`kiosk-hub serve --opendata-dir DIR` starts this thread: an export at once, then one a day."""
    url = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    db = Database(url)
    admin.init(db)
    admin.add_collective(db, "Savoirs de Belleville", "Belleville")
    db.dispose()
    daily = DailyExport(url, tmp_path / "opendata", period=3600)
    daily.start()
    package = tmp_path / "opendata" / PRODUCER / "datapackage.json"
    deadline = time.monotonic() + 60
    while not package.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    daily.stopped.set()
    daily.join(timeout=30)
    assert package.exists() and not daily.is_alive()
    assert frictionless.validate(package).valid
