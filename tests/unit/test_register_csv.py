"""Paper register import (all-or-nothing, every bad row reported) and export for French Excel.

Files are real files written in tmp_path, in the encodings and separators spreadsheets produce.
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.clock import FixedClock
from kiosk.config import Config
from kiosk.domain import ExchangeKind, ExchangeStatus, ParticipantRole, Partner
from kiosk.errors import KioskError
from kiosk.register_csv import ImportReport, export_exchanges, import_register
from kiosk.services import Services, open_services

T, L = ParticipantRole.TRANSMITTER, ParticipantRole.LEARNER
HEADER = ["Date", "Qui transmet", "Qui apprend", "Nature", "Thème", "Intitulé", "Durée", "Quartier"]
GOOD = [
    ["25/11/2026", "Karim", "Élodie", "savoir", "Vélo", "Régler ses freins", "1h30", "Les Hauts"],
    ["24/11/26", "Zoé", "Ali, Marc et Léa", "", "Cuisine du quotidien", "Pâte à pain; levain", "90 min", ""],
    ["2026-11-20", "Inès + Hugo", "Ali", "service", "démarches en ligne", "Dossier CAF", "1,5", ""],
]


def write_csv(
    path: Path,
    rows: list[list[str]],
    *,
    encoding: str = "utf-8-sig",
    delimiter: str = ";",
    header: list[str] = HEADER,
) -> Path:
    """A register as a spreadsheet saves it (csv module quoting, CRLF)."""
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows([header, *rows])
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def journal_size(services: Services) -> int:
    return int(services.store.conn.execute("SELECT count(*) FROM journal").fetchone()[0])


def state(services: Services) -> list[int]:
    conn = services.store.conn
    tables = ("members", "exchanges", "exchange_participants")
    return [int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]) for table in tables]


def exchanges_as_text(services: Services) -> set[tuple[object, ...]]:
    """What a librarian would compare: day, people, nature, theme, title, duration, status."""
    found = services.exchanges.between("1900-01-01", "2100-01-01")
    return {
        (
            exchange.occurred_at[:10],
            tuple(sorted(p.pseudonym for p in exchange.side(T))),
            tuple(sorted(p.pseudonym for p in exchange.side(L))),
            exchange.kind,
            exchange.theme_id,
            exchange.title,
            exchange.duration_min,
            exchange.status,
        )
        for exchange in found
        if exchange.status is not ExchangeStatus.CANCELLED
    }


# Importing ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["cp1252", "utf-8", "utf-8-sig", "utf-16"])
@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
def test_imports_excel_files_in_every_encoding_and_separator(
    services: Services, tmp_path: Path, encoding: str, delimiter: str
) -> None:
    path = write_csv(tmp_path / "registre.csv", GOOD, encoding=encoding, delimiter=delimiter)
    report = import_register(services, path, dry_run=False)
    assert report.ok, report.describe()
    assert report.imported and report.exchanges == 3 and report.delimiter == delimiter
    assert sorted(report.new_members) == sorted(
        ["Karim", "Élodie", "Zoé", "Ali", "Marc", "Léa", "Inès", "Hugo"]
    )
    assert exchanges_as_text(services) == {
        ("2026-11-25", ("Karim",), ("Élodie",), ExchangeKind.KNOWLEDGE, "reparation.velo",
         "Régler ses freins", 90, ExchangeStatus.CONFIRMED),
        ("2026-11-24", ("Zoé",), ("Ali", "Léa", "Marc"), ExchangeKind.KNOWLEDGE, "cuisine.quotidien",
         "Pâte à pain; levain", 90, ExchangeStatus.CONFIRMED),
        ("2026-11-20", ("Hugo", "Inès"), ("Ali",), ExchangeKind.SERVICE, "demarches.en-ligne",
         "Dossier CAF", 90, ExchangeStatus.CONFIRMED),
    }  # fmt: skip


def test_import_is_one_transaction_of_registered_then_recorded_events(
    services: Services, tmp_path: Path
) -> None:
    karim = services.members.register("Karim", "Centre")
    before = journal_size(services)
    report = import_register(services, write_csv(tmp_path / "r.csv", GOOD[:1]), dry_run=False)
    assert report.ok
    types = [
        row[0]
        for row in services.store.conn.execute(
            "SELECT type FROM journal WHERE seq > ? ORDER BY seq", (before,)
        )
    ]
    assert types == ["member.registered", "exchange.recorded"]  # Élodie is new; Karim was known
    exchange = services.exchanges.between("2026-11-25", "2026-11-26")[0]
    assert exchange.recorded_by is None  # nobody recorded it at the kiosk: signed on paper
    assert exchange.status is ExchangeStatus.CONFIRMED
    assert services.exchanges.summary(karim.id).minutes_given == 90
    assert exchange.occurred_at.startswith("2026-11-25T10:00")  # today: never later than now


def test_known_members_are_matched_accents_and_case_aside(services: Services, tmp_path: Path) -> None:
    elodie = services.members.register("Élodie", "Centre")
    rows = [["20/11/2026", "ELODIE", "karim", "", "reparation.velo", "Chambre à air", "0h45", ""]]
    report = import_register(services, write_csv(tmp_path / "r.csv", rows), dry_run=False)
    assert report.ok and report.new_members == ["karim"]
    exchange = services.exchanges.between("2026-11-20", "2026-11-21")[0]
    assert exchange.side(T)[0].member_id == elodie.id


def test_unknown_members_join_the_row_quartier_else_the_site_one(
    config: Config, clock: FixedClock, tmp_path: Path
) -> None:
    site = replace(config, site=replace(config.site, quartier="Les Blagis"))
    services = open_services(site, clock)
    try:
        rows = [
            ["20/11/2026", "Karim", "Élodie", "", "Vélo", "Freins", "1h", "Les Hauts"],
            ["21/11/2026", "Karim", "Zoé", "", "Vélo", "Dérailleur", "1h", ""],
        ]
        assert import_register(services, write_csv(tmp_path / "r.csv", rows), dry_run=False).ok
        quartiers = dict(services.store.conn.execute("SELECT pseudonym, quartier FROM members").fetchall())
        assert quartiers == {"Karim": "Les Hauts", "Élodie": "Les Hauts", "Zoé": "Les Blagis"}
    finally:
        services.close()


def test_default_quartier_when_the_site_has_none(services: Services, tmp_path: Path) -> None:
    rows = [["20/11/2026", "Karim", "Zoé", "", "Vélo", "Dérailleur", "1h", ""]]
    assert import_register(services, write_csv(tmp_path / "r.csv", rows), dry_run=False).ok
    assert {member.quartier for member in services.members.find("")} == {"Non renseigné"}


def test_a_known_pseudonym_holding_a_separator_stays_whole(services: Services, tmp_path: Path) -> None:
    services.members.register("Jean et Marie", "Centre")
    rows = [["20/11/2026", "Jean et Marie", "Paul / Anne", "", "Vélo", "Freins", "1h", ""]]
    report = import_register(services, write_csv(tmp_path / "r.csv", rows), dry_run=False)
    assert report.ok and report.new_members == ["Paul", "Anne"]


def test_status_column_keeps_pending_exchanges_pending(services: Services, tmp_path: Path) -> None:
    header = [*HEADER, "Statut"]
    rows = [
        ["20/11/2026", "Karim", "Zoé", "", "Vélo", "Freins", "1h", "", "en attente"],
        ["21/11/2026", "Karim", "Zoé", "", "Vélo", "Dérailleur", "1h", "", "Confirmé"],
    ]
    assert import_register(services, write_csv(tmp_path / "r.csv", rows, header=header), dry_run=False).ok
    pending, confirmed = services.exchanges.between("2026-11-01", "2026-12-01")
    assert (pending.status, confirmed.status) == (ExchangeStatus.PENDING, ExchangeStatus.CONFIRMED)
    for participant in pending.participants:  # each confirms at their next tap, as at the kiosk
        services.exchanges.confirm(pending.id, participant.member_id or "")
    assert services.exchanges.get(pending.id).status is ExchangeStatus.CONFIRMED


def test_dry_run_reports_every_bad_row_with_its_physical_line(services: Services, tmp_path: Path) -> None:
    text = (
        "\ufeffDate;Qui transmet;Qui apprend;Thème;Intitulé;Durée;Remarques\r\n"  # line 1
        "20/11/2026;Karim;Zoé;Vélo;Freins;1h;\r\n"  # 2: good
        "\r\n"  # 3: blank, skipped
        '21/11/2026;Karim;Zoé;Vélo;"Deux\r\nlignes";1h;\r\n'  # 4-5: good, quoted cell on two lines
        "32/11/2026;Karim;Zoé;Vélo;Freins;1h;\r\n"  # 6: impossible date
        "01/01/2027;Karim;Zoé;Vélos;Freins;2;\r\n"  # 7: future, unknown theme, ambiguous duration
        "20/11/2026;Karim;Karim;Vélo;X;13h;\r\n"  # 8: both sides, title too short, too long
        "20/11/2026;;Zoé;Vélo;Freins;1h;\r\n"  # 9: no transmitter
        "20/11/2026;Karim;Zoé;Vélo;Freins;1h;en trop;et encore\r\n"  # 10: too many cells
        "20/11/2026;Karim;Zoé\r\n"  # 11: too few cells
        ";;;;;;\r\n"  # 12: empty cells only, skipped
    )
    path = tmp_path / "r.csv"
    path.write_bytes(text.encode("utf-8"))
    before = (journal_size(services), state(services))
    report = import_register(services, path, dry_run=True)
    assert not report.ok and not report.imported
    assert (journal_size(services), state(services)) == before
    assert report.rows == 8 and report.exchanges == 2 and report.ignored_columns == ("Remarques",)
    by_line: dict[int, list[str]] = {}
    for error in report.errors:
        by_line.setdefault(error.line, []).append(error.reason)
    assert sorted(by_line) == [6, 7, 8, 9, 10, 11]
    assert by_line[6] == ["date « 32/11/2026 » impossible."]
    assert len(by_line[7]) == 3 and "vouliez-vous dire « Vélo »" in " ".join(by_line[7])
    assert "« 2h » ou « 2 min »" in " ".join(by_line[7])
    assert len(by_line[8]) == 3 and "à la fois" in " ".join(by_line[8])
    assert by_line[9] == ["aucune personne dans la colonne « Qui transmet »."]
    text_out = report.describe()
    assert "ligne 6 : date « 32/11/2026 » impossible." in text_out
    assert "Vérification seulement : rien n’a été importé." in text_out


def test_all_or_nothing_one_bad_row_imports_nothing(services: Services, tmp_path: Path) -> None:
    services.members.register("Karim", "Centre")
    rows = [*GOOD, ["20/11/2026", "Karim", "Zoé", "", "Vélo", "Freins", "25h", ""]]
    path = write_csv(tmp_path / "r.csv", rows)
    journal_before = list(services.store.conn.execute("SELECT * FROM journal"))
    state_before = state(services)
    report = import_register(services, path, dry_run=False)
    assert not report.ok and not report.imported
    assert [error.line for error in report.errors] == [5]
    assert "Rien n’a été importé : l’import se fait en entier ou pas du tout." in report.describe()
    assert list(services.store.conn.execute("SELECT * FROM journal")) == journal_before
    assert state(services) == state_before
    write_csv(path, rows[:-1])
    assert import_register(services, path, dry_run=False).ok


def test_a_register_imported_twice_is_refused(services: Services, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "r.csv", GOOD)
    assert import_register(services, path, dry_run=False).ok
    again = import_register(services, path, dry_run=False)
    assert not again.ok and [error.line for error in again.errors] == [2, 3, 4]
    assert "déjà enregistré" in again.errors[0].reason
    assert len(services.exchanges.between("2026-01-01", "2027-01-01")) == 3


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "Le fichier est vide."),
        (b"\r\n  \r\n", "Le fichier est vide."),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "n’est pas un texte CSV"),
        (b"PK\x03\x04\x14\x00\x06\x00", "n’est pas un texte CSV"),
        (b"Date;Qui transmet\r\n\x81\x8d\x8f", "ni en UTF-8 ni en Windows-1252 (octet illisible ligne 2)"),
        ("Nom;Prénom;Âge\r\nA;B;3\r\n".encode(), "n’est pas un en-tête de registre"),
        ("Date;Qui transmet;Qui apprend;Thème\r\n".encode(), "manquante(s) dans l’en-tête : Intitulé, Durée"),
        ("Date;Date;Qui transmet;Qui apprend;Thème;Intitulé;Durée\r\n".encode(), "apparaît deux fois"),
        (b"\xef\xbb\xbfDate;\xff\xfe", "Le texte UTF-8 est abîmé à la ligne 1."),
    ],
)  # fmt: skip
def test_unusable_files_get_a_sentence(
    services: Services, tmp_path: Path, content: bytes, expected: str
) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes(content)
    for dry_run in (True, False):
        report = import_register(services, path, dry_run=dry_run)
        assert not report.ok and report.file_error is not None
        assert expected in report.describe()
        assert report.describe().endswith("Rien n’a été importé.")
    assert journal_size(services) == 0


def test_header_only_and_missing_paths(services: Services, tmp_path: Path) -> None:
    report = import_register(services, write_csv(tmp_path / "r.csv", []), dry_run=False)
    assert not report.ok and report.file_error is None and not report.errors
    assert "le fichier n’a que son en-tête" in report.describe()
    missing = import_register(services, tmp_path / "absent.csv", dry_run=True)
    assert not missing.ok and "est introuvable" in missing.describe()
    folder = import_register(services, tmp_path, dry_run=True)
    assert not folder.ok and "est un dossier" in folder.describe()


def test_a_huge_line_is_one_bad_row(services: Services, tmp_path: Path) -> None:
    rows = [GOOD[0], ["20/11/2026", "Karim", "Zoé", "", "Vélo", "x" * 300_000, "1h", ""], GOOD[2]]
    report = import_register(services, write_csv(tmp_path / "r.csv", rows), dry_run=True)
    assert [error.line for error in report.errors] == [3]
    assert report.exchanges == 2
    assert len(report.describe()) < 2000


def test_excel_sep_line_serial_dates_and_aliases(services: Services, tmp_path: Path) -> None:
    text = (
        "sep=,\r\n"
        "DATE,Transmetteur·rice(s),Apprenant·e·s,Thème,Titre,Durée (h)\r\n"
        '46346,Karim,Zoé,Bicycle,Freins,"1,5"\r\n'  # 46346 is Excel's serial for 20/11/2026
    )
    path = tmp_path / "r.csv"
    path.write_text(text, encoding="utf-8")
    report = import_register(services, path, dry_run=False)
    assert report.ok, report.describe()
    exchange = services.exchanges.between("2026-11-20", "2026-11-21")[0]
    assert (exchange.theme_id, exchange.duration_min) == ("reparation.velo", 90)


# Exporting ---------------------------------------------------------------------------------------


PEOPLE = [("Karim", "Les Hauts"), ("Élodie", "Les Hauts"), ("Zoé", "Centre"), ("Ali", "Centre"),
          ("Inès", "Les Blagis"), ("Jean-Marc", "Centre")]  # fmt: skip
K, S = ExchangeKind.KNOWLEDGE, ExchangeKind.SERVICE
NOVEMBER = [  # day, kind, theme, title, minutes, who transmits, who learns, learners present
    (2, K, "reparation.velo", "Régler ses freins", 90, "Karim", ["Élodie"], True),
    (10, K, "cuisine.quotidien", 'Pâte "maison"; levain', 120, "Zoé", ["Ali", "Inès", "Jean-Marc"], True),
    (20, S, "demarches", '=HYPERLINK("x")', 45, "Inès", ["Karim"], False),  # pending: Karim was absent
    (21, K, "langues", "Conversation", 30, "Ali", ["Zoé"], True),  # cancelled below
    (24, K, "jardinage", "Hors période", 60, "Jean-Marc", ["Élodie"], True),
]


def populate(services: Services, clock: FixedClock) -> None:
    """November 2026 at the kiosk: a lesson, a workshop, a pending service, a cancelled one, a late one."""
    ids = {name: services.members.register(name, quartier).id for name, quartier in PEOPLE}
    recorded = []
    for day, kind, theme, title, minutes, teacher, learners, present in NOVEMBER:
        partners = [Partner(T, ids[teacher]), *(Partner(L, ids[name], present=present) for name in learners)]
        when = datetime(2026, 11, day, 15, 30, tzinfo=clock.now().tzinfo)
        exchange = services.exchanges.record(
            ids[teacher], kind, theme, title, minutes, partners, occurred_at=when
        )
        recorded.append(exchange.id)
    services.exchanges.cancel(recorded[3], ids["Ali"], "erreur de saisie")


def test_export_opens_in_french_excel(services: Services, clock: FixedClock, tmp_path: Path) -> None:
    populate(services, clock)
    path = tmp_path / "export.csv"
    assert export_exchanges(services, path, date(2026, 11, 2), date(2026, 11, 20)) == 3
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfDate;Qui transmet;Qui apprend;Nature;Th\xc3\xa8me;")
    assert raw.count(b"\r\n") == 4 and raw.count(b"\n") == 4
    lines = raw.decode("utf-8-sig").split("\r\n")
    assert lines[0] == "Date;Qui transmet;Qui apprend;Nature;Thème;Intitulé;Durée;Quartier;Statut"
    assert lines[1] == "02/11/2026;Karim;Élodie;savoir;Vélo;Régler ses freins;1h30;Les Hauts;confirmé"
    assert lines[2].startswith(
        '10/11/2026;Zoé;Ali, Inès, Jean-Marc;savoir;Cuisine du quotidien;"Pâte ""maison""'
    )
    assert lines[2].endswith(";2h;;confirmé")  # three quartiers: none written
    formula_guarded = '"\'=HYPERLINK(""x"")"'  # shown as text by Excel, never run
    assert (
        lines[3]
        == f"20/11/2026;Inès;Karim;service;Démarches administratives;{formula_guarded};0h45;;en attente"
    )
    assert not list(tmp_path.glob(".export.csv.*"))


def test_export_then_import_round_trips(
    services: Services, clock: FixedClock, config: Config, tmp_path: Path
) -> None:
    populate(services, clock)
    path = tmp_path / "export.csv"
    assert export_exchanges(services, path, date(2026, 1, 1), date(2026, 11, 25)) == 4
    fresh = open_services(
        replace(config, kiosk=replace(config.kiosk, data_dir=str(tmp_path / "other"))), clock
    )
    try:
        report = import_register(fresh, path, dry_run=False)
        assert report.ok, report.describe()
        assert exchanges_as_text(fresh) == exchanges_as_text(services)
        quartiers = dict(fresh.store.conn.execute("SELECT pseudonym, quartier FROM members").fetchall())
        assert quartiers["Karim"] == "Les Hauts" and quartiers["Ali"] == "Non renseigné"
    finally:
        fresh.close()


def test_a_failed_export_leaves_the_old_file_whole(
    services: Services, clock: FixedClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    populate(services, clock)
    path = tmp_path / "export.csv"
    path.write_text("ancien export", encoding="utf-8")

    # A full disk cannot be produced on demand here: fsync failing with ENOSPC stands for it.
    def full(_fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(KioskError) as raised:
        export_exchanges(services, path, date(2026, 1, 1), date(2026, 12, 31))
    assert "n’a pas pu être écrit (No space left on device)" in raised.value.text()
    assert path.read_text(encoding="utf-8") == "ancien export"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".export")] == []
    with pytest.raises(KioskError):
        export_exchanges(services, tmp_path / "absent" / "x.csv", date(2026, 1, 1), date(2026, 12, 31))


# Command line ------------------------------------------------------------------------------------


def site_config(tmp_path: Path) -> Path:
    path = tmp_path / "site.toml"
    path.write_text(f'[kiosk]\ndata_dir = "{tmp_path / "data"}"\n', encoding="utf-8")
    return path


def test_cli_import_and_export(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = str(site_config(tmp_path))
    rows = [[f"{day}/03/2024", "Karim", "Zoé, Ali", "", "Vélo", "Freins", "1h", ""] for day in (1, 2)]
    good = write_csv(tmp_path / "bon.csv", rows, encoding="cp1252")
    bad = write_csv(
        tmp_path / "mauvais.csv", [*rows, ["31/02/2024", "Karim", "Zoé", "", "Vélo", "Freins", "1h", ""]]
    )
    assert main(["import-register", str(bad), "--config", config]) == 2
    assert main(["import-register", str(good), "--dry-run", "--config", config]) == 0
    assert main(["import-register", str(good), "--config", config]) == 0
    assert main(["import-register", str(tmp_path / "absent.csv"), "--config", config]) == 2
    (tmp_path / "binaire.csv").write_bytes(bytes(range(256)) * 10)
    assert main(["import-register", str(tmp_path / "binaire.csv"), "--config", config]) == 2
    out_file = tmp_path / "export.csv"
    assert (
        main(["export", str(out_file), "--from", "01/03/2024", "--to", "2024-03-31", "--config", config]) == 0
    )
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    assert "ligne 4 : date « 31/02/2024 » impossible." in captured.out
    assert "2 échange(s) importé(s), 3 membre(s) créé(s)." in captured.out
    assert "2 échange(s) exporté(s)" in captured.out
    assert out_file.read_bytes().startswith(b"\xef\xbb\xbfDate;")


def test_report_is_a_plain_value(tmp_path: Path) -> None:
    report = ImportReport(str(tmp_path / "r.csv"), dry_run=True, file_error="Le fichier est vide.")
    assert not report.ok
    assert report.describe() == "Registre r.csv : Le fichier est vide. Rien n’a été importé."
