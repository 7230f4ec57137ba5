"""Pure NFC parsing: ATRs, APDU answers, reader names, and the events' privacy guarantees.

The ATRs below are the ones PC/SC readers (ACR122U, ACR1252U, OMNIKEY 5022) synthesise for real cards.
"""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hardware.apdu import (
    GET_UID,
    ApduError,
    acr122_feedback,
    parse_uid_response,
    split_response,
    supports_acr122_feedback,
)
from hardware.atr import (
    ATR_DESFIRE,
    ATR_MIFARE_CLASSIC_1K,
    card_kind,
    iso14443_atr,
    parse_atr,
    storage_card_atr,
    storage_card_name,
)
from hardware.events import CardKind, CardRefused, CardTapped
from hardware.nfc import is_picc_reader
from hardware.pcsc import (
    SCARD_E_NO_SERVICE,
    SCARD_F_INTERNAL_ERROR,
    SCARD_W_REMOVED_CARD,
    Pcsc,
    PcscError,
    StatusEntry,
)

CLASSIC_1K = "3B 8F 80 01 80 4F 0C A0 00 00 03 06 03 00 01 00 00 00 00 6A"
CLASSIC_4K = "3B 8F 80 01 80 4F 0C A0 00 00 03 06 03 00 02 00 00 00 00 69"
ULTRALIGHT = "3B 8F 80 01 80 4F 0C A0 00 00 03 06 03 00 03 00 00 00 00 68"
ULTRALIGHT_C = "3B 8F 80 01 80 4F 0C A0 00 00 03 06 03 00 3A 00 00 00 00 51"
MIFARE_MINI = "3B 8F 80 01 80 4F 0C A0 00 00 03 06 03 00 26 00 00 00 00 4D"
FELICA = "3B 8F 80 01 80 4F 0C A0 00 00 03 06 11 00 3B 00 00 00 00 42"
DESFIRE = "3B 81 80 01 80 80"
JCOP_BANK_CARD = "3B 8A 80 01 00 31 C1 73 C8 40 00 00 90 00 90"
CONTACT_T0_ONLY = "3B 65 00 00 20 63 CB 66 00"  # no TCK: only T=0 is announced


def atr(text: str) -> bytes:
    return bytes.fromhex(text.replace(" ", ""))


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (CLASSIC_1K, CardKind.MIFARE_CLASSIC_1K),
        (CLASSIC_4K, CardKind.MIFARE_CLASSIC_4K),
        (ULTRALIGHT, CardKind.MIFARE_ULTRALIGHT),
        (ULTRALIGHT_C, CardKind.MIFARE_ULTRALIGHT),
        (MIFARE_MINI, CardKind.OTHER),
        (FELICA, CardKind.OTHER),
        (DESFIRE, CardKind.DESFIRE),
        (JCOP_BANK_CARD, CardKind.OTHER),
        (CONTACT_T0_ONLY, CardKind.OTHER),
    ],
)
def test_card_kind_from_real_atrs(text: str, kind: CardKind) -> None:
    assert parse_atr(atr(text)).valid
    assert card_kind(atr(text)) is kind


def test_parse_atr_finds_historical_bytes_and_protocols() -> None:
    parsed = parse_atr(atr(CLASSIC_1K))
    assert parsed.protocols == (0, 1)
    assert parsed.historical == atr("80 4F 0C A0 00 00 03 06 03 00 01 00 00 00 00")
    assert storage_card_name(parsed.historical) == 0x0001
    assert parse_atr(atr(CONTACT_T0_ONLY)).historical == atr("20 63 CB 66 00")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "3B",
        "3B 8F 80 01 80 4F 0C A0 00 00 03 06 03 00 01 00 00 00 00 6B",  # wrong TCK
        "3B 8F 80 01 80 4F 0C A0 00 00 03 06 03 00 01 00 00 00",  # truncated
        "3B 81 80 01 80 80 00",  # one byte too many
        "3B 8F 80",  # interface bytes announced but missing
        "00 81 80 01 80 80",  # TS is neither 3B nor 3F
    ],
)
def test_broken_atrs_are_other_never_an_exception(text: str) -> None:
    assert not parse_atr(atr(text)).valid
    assert card_kind(atr(text)) is CardKind.OTHER


def test_constructed_atrs_match_the_real_ones() -> None:
    assert atr(CLASSIC_1K) == ATR_MIFARE_CLASSIC_1K
    assert atr(DESFIRE) == ATR_DESFIRE
    assert storage_card_atr(0x003A) == atr(ULTRALIGHT_C)


@given(st.binary(max_size=40))
def test_any_bytes_give_a_kind(raw: bytes) -> None:
    assert isinstance(card_kind(raw), CardKind)


@given(st.integers(0, 0xFFFF))
def test_storage_card_atrs_round_trip(name: int) -> None:
    parsed = parse_atr(storage_card_atr(name))
    assert parsed.valid
    assert storage_card_name(parsed.historical) == name


@given(st.binary(max_size=15))
def test_iso14443_atrs_round_trip(historical: bytes) -> None:
    parsed = parse_atr(iso14443_atr(historical))
    assert (parsed.valid, parsed.historical) == (True, historical)


@pytest.mark.parametrize("length", [4, 7, 10])
def test_uid_of_each_valid_length(length: int) -> None:
    uid = bytes(range(1, length + 1))
    assert parse_uid_response(uid + b"\x90\x00") == uid


@pytest.mark.parametrize(
    ("answer", "code"),
    [
        ("6A 81", "bad_status"),  # function not supported
        ("63 00", "bad_status"),  # ACR122U: the card left during the command
        ("04 A1 B2 C3 62 82", "bad_status"),  # data with a warning is still not a UID
        ("90 00", "bad_uid"),
        ("01 02 03 04 05 90 00", "bad_uid"),
        ("", "card_removed"),  # what vpcd and readers hand back when the card left mid-exchange
        ("90", "short_response"),
    ],
)
def test_answers_that_carry_no_uid(answer: str, code: str) -> None:
    with pytest.raises(ApduError) as raised:
        parse_uid_response(atr(answer))
    assert raised.value.code == code


def test_split_response() -> None:
    response = split_response(atr("04 A1 90 00"))
    assert (response.data, response.sw, response.ok) == (atr("04 A1"), 0x9000, True)
    assert atr("FF CA 00 00 00") == GET_UID


def test_acr122_feedback_apdus() -> None:
    good, bad = acr122_feedback(ok=True), acr122_feedback(ok=False)
    assert good[:3] == bad[:3] == atr("FF 00 40")
    assert good[4] == bad[4] == 4 and len(good) == len(bad) == 9
    assert good[3] != bad[3]
    assert supports_acr122_feedback("ACS ACR122U PICC Interface 00 00")
    assert not supports_acr122_feedback("ACS ACR1252 Dual Reader [ACR1252 Dual Reader PICC] 00 00")


@pytest.mark.parametrize(
    ("name", "picc"),
    [
        ("ACS ACR122U PICC Interface 00 00", True),
        ("ACS ACR1252 Dual Reader [ACR1252 Dual Reader PICC] 00 00", True),
        ("ACS ACR1252 Dual Reader [ACR1252 Dual Reader SAM] 00 01", False),
        ("ACS ACR1281 1S Dual Reader [ACR1281 1S Dual Reader SAM] 01 00", False),
        ("Identiv uTrust 3700 F CL Reader [uTrust 3700 F CL Reader] 00 00", True),
        ("Samsung Reader 00 00", True),  # "SAM" must be a word of its own
        ("Virtual PCD 00 00", True),
    ],
)
def test_sam_slots_are_ignored_by_name(name: str, picc: bool) -> None:
    assert is_picc_reader(name) is picc


def test_extra_ignored_reader_words() -> None:
    assert not is_picc_reader("OMNIKEY 3121 00 00", ["SAM", "OMNIKEY 3121"])


def test_the_raw_uid_stays_out_of_repr_and_equality() -> None:
    uid = atr("04 A1 B2 C3 D4 E5 F6")
    tapped = CardTapped("hash", CardKind.DESFIRE, "reader", uid=uid)
    assert "04a1b2c3" not in repr(tapped).lower() and "\\x04" not in repr(tapped)
    assert tapped == dataclasses.replace(tapped, uid=b"")
    assert tapped.uid == uid
    refused = CardRefused("reader", "random_uid", uid=atr("08 01 02 03"))
    assert "uid=" not in repr(refused)
    with pytest.raises(dataclasses.FrozenInstanceError):
        tapped.uid_hash = "other"  # type: ignore[misc]


def test_status_entry_flags() -> None:
    entry = StatusEntry("r", (3 << 16) | 0x0022, b"")
    assert (entry.changed, entry.present, entry.gone, entry.events) == (True, True, False, 3)
    assert StatusEntry("r", 0x0006, b"").gone


def test_pcsc_errors_are_classified() -> None:
    assert PcscError("x", SCARD_E_NO_SERVICE).service_lost
    assert PcscError("x", SCARD_W_REMOVED_CARD).card_gone
    assert PcscError("x", -2146435069 & 0xFFFFFFFF).code == 0x80100003  # a negative LONG from some stacks


def test_pyscard_system_error_becomes_a_service_error() -> None:
    """pyscard raises SystemError (instead of returning the code) for some calls on a dead context; we
    met it with the real stack, but it cannot be produced on demand, hence this stand-in module."""

    def broken(*_: object) -> None:
        raise SystemError("<built-in function SCardListReaders> returned NULL without setting an exception")

    scard = SimpleNamespace(SCardListReaders=broken)
    with pytest.raises(PcscError) as raised:
        Pcsc(scard).list_readers(0)  # type: ignore[arg-type]
    assert raised.value.code == SCARD_F_INTERNAL_ERROR
    assert raised.value.service_lost
