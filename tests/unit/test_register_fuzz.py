"""Fuzzing `import_register`: random bytes, malformed rows, random encodings → a report, never an exception.

One store serves the whole module (hypothesis reruns a test body many times; a store per example would
be slow). Whatever the file, a report that is not ok leaves the journal exactly as it was, and every row
error points at a line that exists in the file.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from kiosk.clock import FixedClock
from kiosk.config import load_config, with_data_dir
from kiosk.register_csv import ImportReport, import_register
from kiosk.register_file import COLUMNS
from kiosk.register_parse import format_date, format_duration
from kiosk.services import Services, open_services
from kiosk.themes import load_catalogue

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TODAY = date(2026, 11, 25)
THEME_LABELS = [*(t.label_fr for t in load_catalogue().themes[:20]), "reparation.velo", "Bicycle"]
PSEUDONYMS = ["Karim", "Élodie", "Zoé", "Ali", "Jean-Marc", "Inès", "Ngozi", "Wen", "Léa", "Marc"]
ENCODINGS = ["utf-8", "utf-8-sig", "cp1252", "utf-16", "latin-1"]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Services, Path]]:
    folder = tmp_path_factory.mktemp("fuzz")
    clock = FixedClock(datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo("Europe/Paris")))
    services = open_services(with_data_dir(load_config(None), folder / "data"), clock)
    yield services, folder / "registre.csv"
    services.close()


def journal(services: Services) -> list[tuple[object, ...]]:
    return [tuple(row) for row in services.store.conn.execute("SELECT id, seq FROM journal ORDER BY seq")]


def run(services: Services, path: Path, data: bytes, dry_run: bool) -> ImportReport:
    path.write_bytes(data)
    before = journal(services)
    report = import_register(services, path, dry_run=dry_run)
    assert isinstance(report, ImportReport)
    assert isinstance(report.describe(), str) and report.describe()
    after = journal(services)
    if dry_run or not report.ok:
        assert after == before
    else:
        assert report.imported
        assert len(after) - len(before) == report.exchanges + len(report.new_members)
    lines = data.count(b"\n") + data.count(b"\r") + 1
    assert all(1 < error.line <= lines for error in report.errors)
    return report


HEADER = ";".join(c.header for c in COLUMNS).encode("utf-8") + b"\r\n"


@FUZZ
@given(
    head=st.sampled_from([b"", HEADER, b"\xef\xbb\xbf" + HEADER]),
    body=st.binary(max_size=3000),
    dry_run=st.booleans(),
)
def test_random_bytes_give_a_report(
    store: tuple[Services, Path], head: bytes, body: bytes, dry_run: bool
) -> None:
    report = run(*store, head + body, dry_run)
    event(f"ok={report.ok} file_error={report.file_error is not None} imported={report.imported}")


# Rows: a realistic register with malformed cells mixed in -------------------------------------

junk = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"]) | st.sampled_from(list(";,\t\"'\r\n=+/")), max_size=30
)
dates = st.one_of(
    st.dates(date(1900, 1, 1), date(2100, 1, 1)).map(format_date),
    st.dates(date(2000, 1, 1), TODAY).map(lambda d: d.strftime("%d/%m/%y")),
    st.dates(date(2000, 1, 1), TODAY).map(date.isoformat),
    st.integers(0, 99_999).map(str),
    junk,
)
durations = st.one_of(
    st.integers(-5, 800).map(lambda m: format_duration(m) if m > 0 else str(m)),
    st.sampled_from(["1h30", "1 h 30", "90 min", "1,5", "45", "0h45", "2", "12h01", "1h75", ""]),
    junk,
)
people = st.one_of(
    st.lists(st.sampled_from(PSEUDONYMS), min_size=1, max_size=4).map(", ".join),
    st.lists(st.sampled_from(PSEUDONYMS), min_size=2, max_size=3).map(" et ".join),
    st.sampled_from(["", "A", "x" * 50, "123", "Karim + Karim"]),
    junk,
)
cells = {
    "date": dates,
    "transmitters": people,
    "learners": people,
    "kind": st.sampled_from(["", "savoir", "Service", "troc"]) | junk,
    "theme": st.sampled_from(THEME_LABELS) | junk,
    "title": st.sampled_from(["Régler ses freins", "Pâte à pain", "X", "=1+1", "a" * 130]) | junk,
    "duration": durations,
    "quartier": st.sampled_from(["", "Les Hauts", "Centre", "q" * 70]) | junk,
    "status": st.sampled_from(["", "confirmé", "en attente", "annulé", "?"]),
}


@st.composite
def registers(draw: st.DrawFn) -> bytes:
    columns = draw(st.permutations(list(COLUMNS)))
    columns = [c for c in columns if c.required or draw(st.booleans())]
    headers = [draw(st.sampled_from([c.header, c.header.upper(), *c.aliases])) for c in columns]
    if draw(st.booleans()):
        headers.append(draw(junk))  # an extra, unknown column
    rows = []
    for _ in range(draw(st.integers(0, 8))):
        row = [draw(cells[c.key]) for c in columns] + ([draw(junk)] if len(headers) > len(columns) else [])
        if draw(st.integers(0, 9)) == 0:
            row = row[: draw(st.integers(0, len(row)))] + draw(st.lists(junk, max_size=2))  # ragged
        rows.append(row)
    delimiter = draw(st.sampled_from([";", ",", "\t"]))
    buffer = io.StringIO(newline="")
    writer = csv.writer(
        buffer, delimiter=delimiter, lineterminator=draw(st.sampled_from(["\r\n", "\n", "\r"]))
    )
    writer.writerows([headers, *rows])
    text = buffer.getvalue()
    if draw(st.booleans()):
        text = f"sep={delimiter}\r\n" + text
    encoding = draw(st.sampled_from(ENCODINGS))
    return text.encode(encoding, errors="replace")


@FUZZ
@given(data=registers(), dry_run=st.booleans())
def test_malformed_registers_give_a_report(store: tuple[Services, Path], data: bytes, dry_run: bool) -> None:
    report = run(*store, data, dry_run)
    event(f"ok={report.ok} file_error={report.file_error is not None} imported={report.imported}")


@st.composite
def good_registers(draw: st.DrawFn) -> tuple[bytes, int]:
    """Only valid rows: the dry run must accept every one of them."""
    header = [c.header for c in COLUMNS]
    rows = []
    for _ in range(draw(st.integers(1, 6))):
        names = draw(st.lists(st.sampled_from(PSEUDONYMS), min_size=2, max_size=5, unique=True))
        split = draw(st.integers(1, len(names) - 1))
        rows.append(
            [
                format_date(draw(st.dates(TODAY - timedelta(days=3650), TODAY))),
                ", ".join(names[:split]),
                draw(st.sampled_from([" et ", " + ", " / ", ","])).join(names[split:]),
                draw(st.sampled_from(["", "savoir", "service"])),
                draw(st.sampled_from(THEME_LABELS)),
                draw(
                    st.text(alphabet="abcdéèàç ;,\"'", min_size=2, max_size=60).filter(
                        lambda t: len(t.strip()) > 1
                    )
                ),
                format_duration(draw(st.integers(1, 720))),
                draw(st.sampled_from(["", "Les Hauts"])),
                draw(st.sampled_from(["", "confirmé", "en attente"])),
            ]
        )
    buffer = io.StringIO(newline="")
    delimiter = draw(st.sampled_from([";", ",", "\t"]))
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows([header, *rows])
    return buffer.getvalue().encode(draw(st.sampled_from(["utf-8-sig", "cp1252", "utf-16"]))), len(rows)


@settings(max_examples=100, deadline=None)
@given(register=good_registers(), dry_run=st.booleans())
def test_valid_registers_are_accepted(
    store: tuple[Services, Path], register: tuple[bytes, int], dry_run: bool
) -> None:
    data, count = register
    report = run(*store, data, dry_run)
    # Hypothesis repeats simple examples: a register already imported is (rightly) refused as such.
    assert report.ok or all("déjà enregistré" in error.reason for error in report.errors), report.describe()
    assert report.exchanges == count or not report.ok
    event(f"ok={report.ok} imported={report.imported}")
