"""The pure parsers behind the register import: cells as librarians type them, files as Excel saves them."""

from __future__ import annotations

from datetime import date

import pytest

from kiosk.domain import ExchangeKind
from kiosk.register_file import decode, excel_safe, header_key, match_header, parse_register, unescape_cell
from kiosk.register_parse import (
    CellError,
    ThemeIndex,
    format_duration,
    parse_date,
    parse_duration,
    parse_kind,
    parse_status,
    split_people,
)
from kiosk.themes import load_catalogue

TODAY = date(2026, 11, 25)


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("1h30", 90), ("1 h 30", 90), ("1H30", 90), ("0h45", 45), ("2h", 120), ("2 heures", 120),
        ("1h30min", 90), ("1 heure 05", 65), ("90 min", 90), ("45mn", 45), ("45 minutes", 45),
        ("1,5", 90), ("1.5", 90), ("0,75 h", 45), ("1:30", 90), ("01:30:00", 90), ("45", 45),
        ("12h", 720), ("10", 10),
    ],
)  # fmt: skip
def test_durations_as_written_on_paper(text: str, minutes: int) -> None:
    assert parse_duration(text) == minutes


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "durée manquante."),
        ("2", "durée « 2 » ambiguë : écrivez « 2h » ou « 2 min »."),
        ("0", "hors limites"),
        ("12h01", "hors limites"),
        ("13h", "hors limites"),
        ("1h75", "plus de 59 minutes"),
        ("une heure", "illisible"),
        ("9" * 5000, "illisible"),
        ("-1h", "illisible"),
    ],
)
def test_bad_durations_say_why(text: str, reason: str) -> None:
    with pytest.raises(CellError) as raised:
        parse_duration(text)
    assert reason in raised.value.reason


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("25/11/2026", TODAY), ("5/3/2026", date(2026, 3, 5)), ("25/11/26", TODAY),
        ("25/11/98", date(1998, 11, 25)), ("2026-11-25", TODAY), ("25.11.2026", TODAY),
        ("25/11/2026 00:00", TODAY), (" 25/11/2026 ", TODAY), ("46346", date(2026, 11, 20)),
    ],
)  # fmt: skip
def test_dates_as_written_on_paper(text: str, expected: date) -> None:
    assert parse_date(text, TODAY) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "date manquante."),
        ("26/11/2026", "dans le futur"),
        ("29/02/2026", "impossible"),
        ("25/13/2026", "impossible"),
        ("25/11/1026", "trop ancienne"),
        ("hier", "illisible"),
        ("11/25/2026", "impossible"),  # an American date is caught, not silently swapped
    ],
)
def test_bad_dates_say_why(text: str, reason: str) -> None:
    with pytest.raises(CellError) as raised:
        parse_date(text, TODAY)
    assert reason in raised.value.reason


def test_nature_and_status() -> None:
    assert parse_kind("") is ExchangeKind.KNOWLEDGE
    assert parse_kind("Savoir") is ExchangeKind.KNOWLEDGE
    assert parse_kind(" SERVICE ") is ExchangeKind.SERVICE
    with pytest.raises(CellError, match="nature « troc » inconnue"):
        parse_kind("troc")
    assert parse_status("") is True and parse_status("Confirmé") is True
    assert parse_status("en attente") is False
    with pytest.raises(CellError, match="échange annulé"):
        parse_status("Annulé")
    with pytest.raises(CellError, match="statut « peut-être » inconnu"):
        parse_status("peut-être")


def test_people_in_one_cell() -> None:
    def nobody(_: str) -> bool:
        return False

    assert split_people("Ali, Zoé et Marc", nobody) == ["Ali", "Zoé", "Marc"]
    assert split_people("Ali+Zoé / Marc ET Léa;Ina & Bo", nobody) == [
        "Ali",
        "Zoé",
        "Marc",
        "Léa",
        "Ina",
        "Bo",
    ]
    assert split_people(" Ali ,, ", nobody) == ["Ali"]
    assert split_people("Etienne", nobody) == ["Etienne"]  # « et » only as a word
    assert split_people("", nobody) == []

    def known(name: str) -> bool:
        return name.casefold() in {"jean et marie", "a/b"}

    assert split_people("Jean et Marie, Paul", known) == ["Jean et Marie", "Paul"]
    assert split_people("Paul et A/B", known) == ["Paul", "A/B"]
    assert split_people(",".join(["x"] * 10_000), nobody) == ["x"] * 10_000  # stays linear


def test_themes_by_id_or_label_in_either_language() -> None:
    themes = ThemeIndex.build((t.id, t.label_fr, t.label_en) for t in load_catalogue().themes)
    for text in ("Vélo", "velo", "VÉLO", "Bicycle", "reparation.velo", " Réparation.Vélo "):
        assert themes.resolve(text) == "reparation.velo"
    assert themes.resolve("Réparation et bricolage") == "reparation"
    assert themes.resolve("Français") == "langues.francais"  # unique prefix of « Français (FLE, …) »
    assert themes.resolve("Garde d'enfants ponctuelle") == "entraide.garde"  # straight apostrophe
    with pytest.raises(CellError, match="vouliez-vous dire « Vélo »"):
        themes.resolve("Vélos")
    with pytest.raises(CellError, match="thème « Astrologie » inconnu"):
        themes.resolve("Astrologie")
    with pytest.raises(CellError, match="thème manquant"):
        themes.resolve("  ")


def test_every_catalogue_label_is_unambiguous() -> None:
    """The export writes French labels: each must lead back to its own theme."""
    catalogue = load_catalogue()
    themes = ThemeIndex.build((t.id, t.label_fr, t.label_en) for t in catalogue.themes)
    for theme in catalogue.themes:
        assert themes.resolve(theme.label_fr) == theme.id
        assert themes.resolve(theme.label_en) == theme.id


def test_headers_are_matched_loosely() -> None:
    assert header_key(" Durée (h) ") == "duree"
    assert header_key("QUI TRANSMET ?") == "quitransmet"
    header = match_header(
        ["date", "Transmetteur·rice", "Apprenant·e·s", "THEME", "Intitule", "Temps", "Notes", ""]
    )
    assert header.positions == {
        "date": 0, "transmitters": 1, "learners": 2, "theme": 3, "title": 4, "duration": 5,
    }  # fmt: skip
    assert header.ignored == ("Notes",)


def test_decoding_guesses_what_excel_wrote() -> None:
    text = "Élodie;Pâte à pain"
    assert decode(text.encode("cp1252")) == (text, "Windows-1252")
    assert decode(text.encode("utf-8")) == (text, "UTF-8")
    assert decode(text.encode("utf-8-sig")) == (text, "UTF-8")
    assert decode(text.encode("utf-16")) == (text, "UTF-16")
    with pytest.raises(CellError, match="pas un texte CSV"):
        decode(b"abc\x00def")


def test_row_line_numbers_follow_the_file() -> None:
    parsed = parse_register(
        "\r\nDate;Qui transmet;Qui apprend;Thème;Intitulé;Durée\r\n"
        '20/11/2026;A;B;Vélo;"un\ndeux\rtrois";1h\r\n'
        "\n"
        "21/11/2026;A;B;Vélo;x;1h\n"
    )
    assert [line for line, _ in parsed.rows] == [3, 7]
    assert parsed.rows[0][1]["title"] == "un\ndeux\rtrois"


def test_formula_guard_round_trips() -> None:
    for text in ("=1+1", "+33 6", "-tiret", "@home", "normal", "'déjà", ""):
        assert unescape_cell(excel_safe(text)) == text
    assert excel_safe("=SOMME(A1)") == "'=SOMME(A1)"


def test_duration_format_parses_back() -> None:
    for minutes in range(1, 721):
        assert parse_duration(format_duration(minutes)) == minutes


def test_excel_sep_line_sets_the_separator() -> None:
    parsed = parse_register(
        "sep=|\r\nDate|Qui transmet|Qui apprend|Thème|Intitulé|Durée\r\n20/11/2026|A|B|Vélo|x;y|1h\r\n"
    )
    assert parsed.delimiter == "|" and [line for line, _ in parsed.rows] == [3]
    assert parsed.rows[0][1]["title"] == "x;y"
    with pytest.raises(CellError, match="vide"):
        parse_register("sep=;\r\n\r\n")
