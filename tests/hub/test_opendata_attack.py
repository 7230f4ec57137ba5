"""The suppression attack on a whole export: every file read back from disk, every hidden figure bounded by
linear programming from the totals of its own file (and the members file checked against the exchanges
file). Built so that primary-only suppression leaks: the test catches it when secondary suppression is off.
Also: byte-identical exports, a valid Data Package, and a failed export that leaves the previous one."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import frictionless
import pytest

from hub.opendata import export as export_module
from hub.opendata import suppression
from hub.opendata.export import write_network
from hub.stats.model import ExchangeFact, Facts, ListingFact, MemberFact, Scope
from tests.hub.opendata_attack import Bounds, ranges

DAY = "20250331"
ALL = "tous"


def _exchange(
    n: int, collective: str, theme: str, teacher: str, learner: str, minutes: int = 60
) -> ExchangeFact:
    return ExchangeFact(
        id=f"x{n}",
        collective_ids=frozenset({collective}),
        recorded_in=collective,
        theme_id=theme,
        kind="knowledge",
        occurred_at=f"2025-03-{1 + n % 27:02d}T10:00:00.000+00:00",
        duration_min=minutes,
        status="confirmed",
        transmitters=(teacher,),
        learners=(learner,),
    )


def adversarial_facts() -> Facts:
    """March 2025, collectives A and B, themes cuisine and jardinage; A × cuisine is one pair (sensitive),
    every total has plenty of members: without secondary suppression, A's total minus A × jardinage
    tells it. Sign-ups: 3 in A, 7 in B: the network's 10 minus B's 7 would tell A's."""
    exchanges = [
        _exchange(0, "a", "cuisine.monde", "a1", "a2"),
        _exchange(1, "a", "cuisine.quotidien", "a1", "a2"),
    ]
    n = 2
    for collective, theme, people in (
        ("a", "jardinage.potager", 6),
        ("b", "cuisine.monde", 7),
        ("b", "jardinage.compost", 5),
    ):
        names = [f"{collective}{theme[:3]}{i}" for i in range(people)]
        for i, teacher in enumerate(names):  # a ring: everyone teaches the next one, nobody dominates
            exchanges.append(_exchange(n, collective, theme, teacher, names[(i + 1) % people], 30 + 15 * i))
            n += 1
    members = [
        MemberFact(f"ma{i}", "a", "Belleville", "2025-03-05T09:00:00.000+00:00", i == 0) for i in range(3)
    ]
    members += [
        MemberFact(f"mb{i}", "b", "Charonne", "2025-03-06T09:00:00.000+00:00", False) for i in range(7)
    ]
    listings = [
        ListingFact(
            f"l{i}",
            f"o{i % 2}",
            "a",
            "offer",
            "cuisine.monde",
            "2025-03-01T00:00:00.000+00:00",
            None,
            None,
            False,
        )
        for i in range(3)
    ]
    listings += [
        ListingFact(
            f"j{i}",
            f"g{i}",
            "b",
            "offer",
            "jardinage.potager",
            "2025-03-01T00:00:00.000+00:00",
            None,
            None,
            False,
        )
        for i in range(6)
    ]
    return Facts(
        scope=Scope("reseau"),
        collectives={"a": ("Savoirs A", "Belleville"), "b": ("Savoirs B", "Charonne")},
        members=tuple(members),
        exchanges=tuple(exchanges),
        listings=tuple(listings),
        workshops=(),
        kiosks=(),
        kiosk_acts=(),
        draws=(),
        elections=(),
    )


def read(folder: Path, name: str) -> list[dict[str, str]]:
    (path,) = folder.glob(f"{DAY}_*_{name}.csv")
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


Cell = tuple[str, str, str]  # (group, line, column) of a file's row


def attack_file(
    rows: list[dict[str, str]], group: str, line: str, column: str, measure: str, rounding: float
) -> dict[Cell, tuple[float, float]]:
    """Bounds of the hidden `measure` of a file whose rows add up along `line` and `column` (« tous »)."""
    bounds: dict[Cell, Bounds] = {}
    hidden = []
    for row in rows:
        key = (row[group] if group else "", row[line], row[column])
        text = row[measure]
        if text == "":
            bounds[key] = (0.0 if rounding else 1.0, None)
            hidden.append(key)
        else:
            value = float(text)
            bounds[key] = (max(0.0, value - rounding), value + rounding)
    equations: list[dict[Cell, float]] = []
    for g in {k[0] for k in bounds}:
        keys = [k for k in bounds if k[0] == g]
        for a in {k[1] for k in keys}:
            parts = [k for k in keys if k[1] == a and k[2] != ALL]
            if (g, a, ALL) in bounds and parts:
                equations.append({**{k: 1.0 for k in parts}, (g, a, ALL): -1.0})
        for b in {k[2] for k in keys}:
            parts = [k for k in keys if k[2] == b and k[1] != ALL]
            if (g, ALL, b) in bounds and parts:
                equations.append({**{k: 1.0 for k in parts}, (g, ALL, b): -1.0})
    return ranges(bounds, equations, hidden)


def assert_protected(folder: Path) -> int:
    """Every hidden figure of the additive files keeps a range of one unit at least; returns how many."""
    checked = 0
    exchanges = read(folder, "echanges-mensuels")
    for measure, rounding in (("nombreEchanges", 0.0), ("heures", 0.5)):
        found = attack_file(exchanges, "mois", "collectif", "theme", measure, rounding)
        for key, (low, high) in found.items():
            assert high - low >= 1.0 - 1e-6, f"{measure} {key} recovered: [{low}, {high}]"
            checked += 1
    members = read(folder, "membres-mensuels")
    for row in members:
        row["colonne"] = "inscriptions"
    for key, (low, high) in attack_file(members, "mois", "collectif", "colonne", "inscriptions", 0.0).items():
        assert high - low >= 1.0 - 1e-6, f"inscriptions {key} recovered: [{low}, {high}]"
        checked += 1
    listings = read(folder, "offres-demandes")
    long = [
        {"theme": r["theme"], "sorte": kind, "n": r[kind]}
        for r in listings
        for kind in ("offres", "demandes")
    ]
    for key, (low, high) in attack_file(long, "", "sorte", "theme", "n", 0.0).items():
        assert high - low >= 1.0 - 1e-6, f"annonces {key} recovered: [{low}, {high}]"
        checked += 1
    # Active members are the exchanges file's distinct members of each collective's total, hidden alike.
    totals = {(r["mois"], r["collectif"]): r["membresDistincts"] for r in exchanges if r["theme"] == ALL}
    for row in members:
        if (row["mois"], row["collectif"]) in totals:
            assert row["membresActifs"] == totals[(row["mois"], row["collectif"])]
    return checked


def test_the_attack_recovers_nothing_from_an_export(tmp_path: Path) -> None:
    exported = write_network(tmp_path, "reseau", "Réseau des collectifs", adversarial_facts(), DAY)
    rows = read(exported.folder, "echanges-mensuels")
    small = next(r for r in rows if r["collectif"] == "a" and r["theme"] == "cuisine")
    assert small["nombreEchanges"] == small["heures"] == small["membresDistincts"] == ""
    assert assert_protected(exported.folder) >= 4
    signups = {r["collectif"]: r["inscriptions"] for r in read(exported.folder, "membres-mensuels")}
    assert signups == {"a": "", "b": "", ALL: "10"}  # 3 in A (one of them erased, still counted)


def test_primary_only_suppression_would_leak(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(suppression, "protect", suppression.primary_only)
    exported = write_network(tmp_path, "reseau", "Réseau des collectifs", adversarial_facts(), DAY)
    with pytest.raises(AssertionError, match="recovered"):
        assert_protected(exported.folder)


def test_same_data_same_bytes_and_a_valid_data_package(tmp_path: Path) -> None:
    first = write_network(tmp_path / "one", "reseau", "Réseau des collectifs", adversarial_facts(), DAY)
    second = write_network(tmp_path / "two", "reseau", "Réseau des collectifs", adversarial_facts(), DAY)
    assert first.files == second.files
    for name in first.files:
        assert (first.folder / name).read_bytes() == (second.folder / name).read_bytes(), name
    report = frictionless.validate(first.folder / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_a_failed_export_leaves_the_previous_one_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = write_network(tmp_path, "reseau", "Réseau des collectifs", adversarial_facts(), DAY)
    content = {name: (before.folder / name).read_bytes() for name in before.files}

    written = []

    def crash_on_third_file(descriptor: int) -> None:  # a mock: a disk filling up mid-export, on demand
        written.append(descriptor)
        if len(written) == 3:
            raise OSError("disque plein")

    monkeypatch.setattr(os, "fsync", crash_on_third_file)
    with pytest.raises(OSError):
        write_network(tmp_path, "reseau", "Réseau des collectifs", adversarial_facts(), "20250401")
    monkeypatch.undo()
    assert {p.name: p.read_bytes() for p in before.folder.iterdir()} == content
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != before.folder.name]
    assert leftovers and all(name.startswith(export_module.LEFTOVER_PREFIX) for name in leftovers)
    export_module._clean_leftovers(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == [before.folder.name]
