"""ATR parsing: which family of contactless card is on the reader, as a hint (never a security check).

A PC/SC reader presents a contactless card with a synthesised ATR (PC/SC part 3, section 3.1.3.2.3):

- storage cards (MIFARE Classic, Ultralight, NTAG...):
  ``3B 8F 80 01 80 4F 0C A0 00 00 03 06 SS NN NN 00 00 00 00 TCK``
  where ``A0 00 00 03 06`` is the PC/SC RID, ``SS`` the standard and ``NN NN`` the card name;
- ISO 14443-4 cards (DESFire, bank cards, passports): ``3B 8n 80 01`` + the historical bytes of the ATS + TCK.

Pure functions on bytes: no reader, no pyscard, so they are unit-tested and fuzzed cheaply.
"""

from __future__ import annotations

from dataclasses import dataclass

from hardware.events import CardKind

PCSC_RID = bytes.fromhex("A000000306")
STANDARD_ISO14443A_PART3 = 0x03  # the "SS" byte of MIFARE / NTAG storage cards

# Card names from the PC/SC part 3 supplemental document. NTAG21x cards are reported as Ultralight (0003)
# by the ACS and Identiv readers, which is right: they speak the same commands.
CARD_NAMES: dict[int, CardKind] = {
    0x0001: CardKind.MIFARE_CLASSIC_1K,
    0x0002: CardKind.MIFARE_CLASSIC_4K,
    0x0003: CardKind.MIFARE_ULTRALIGHT,
    0x003A: CardKind.MIFARE_ULTRALIGHT,  # Ultralight C
    0x003D: CardKind.MIFARE_ULTRALIGHT,  # Ultralight EV1
}

# DESFire (EV1/EV2/EV3) answers its RATS with the single historical byte 0x80, so the reader builds
# ``3B 81 80 01 80 80``. Other ISO 14443-4 cards carry other historical bytes.
DESFIRE_HISTORICAL = b"\x80"


@dataclass(frozen=True, slots=True)
class Atr:
    """The parts of an ATR this kiosk cares about. `valid` is False when the bytes are not a whole ATR."""

    raw: bytes
    historical: bytes
    protocols: tuple[int, ...]
    valid: bool


def parse_atr(raw: bytes) -> Atr:
    """Split an ATR (ISO 7816-3) into its historical bytes and protocols. Never raises.

    Walks TS, T0 and the TA/TB/TC/TD chain; the TCK check byte is present whenever a protocol other
    than T=0 is announced, and is verified (XOR of T0..TCK must be 0).
    """
    invalid = Atr(raw, b"", (), False)
    if len(raw) < 2 or raw[0] not in (0x3B, 0x3F):
        return invalid
    position = 1
    indicator = raw[1]  # T0, then each TDi: high nibble says which of TA/TB/TC/TD follow
    historical_count = raw[1] & 0x0F
    protocols: list[int] = []
    while True:
        position += 1
        present = bin(indicator >> 4).count("1")
        has_td = bool(indicator & 0x80)
        position += present - (1 if has_td else 0)  # skip TA/TB/TC
        if not has_td:
            break
        if position >= len(raw):
            return invalid
        indicator = raw[position]
        protocols.append(indicator & 0x0F)
    start = position
    end = start + historical_count
    needs_tck = any(protocol != 0 for protocol in protocols)
    if end + (1 if needs_tck else 0) != len(raw):
        return invalid
    if needs_tck and _xor(raw[1:]) != 0:
        return invalid
    return Atr(raw, raw[start:end], tuple(protocols) or (0,), True)


def card_kind(raw: bytes) -> CardKind:
    """MIFARE Classic 1K/4K, Ultralight/NTAG, DESFire or other, from the ATR the reader synthesised."""
    atr = parse_atr(raw)
    if not atr.valid:
        return CardKind.OTHER
    name = storage_card_name(atr.historical)
    if name is not None:
        return CARD_NAMES.get(name, CardKind.OTHER)
    if atr.historical == DESFIRE_HISTORICAL:
        return CardKind.DESFIRE
    return CardKind.OTHER


def storage_card_name(historical: bytes) -> int | None:
    """The PC/SC part 3 card name (``NN NN``) of an ISO 14443 A part 3 storage card, or None.

    Historical bytes: ``80`` (category), ``4F`` (application identifier tag), ``0C`` (length 12),
    RID (5 bytes), standard (1), card name (2), RFU (4).
    """
    if len(historical) < 11 or historical[:3] != b"\x80\x4f\x0c" or historical[3:8] != PCSC_RID:
        return None
    if historical[8] != STANDARD_ISO14443A_PART3:
        return None
    return int.from_bytes(historical[9:11], "big")


def storage_card_atr(name: int, standard: int = STANDARD_ISO14443A_PART3) -> bytes:
    """The ATR a PC/SC reader gives for a storage card (for the emulator, the simulated reader, tests)."""
    historical = b"\x80\x4f\x0c" + PCSC_RID + bytes([standard]) + name.to_bytes(2, "big") + bytes(4)
    return iso14443_atr(historical)


def iso14443_atr(historical: bytes) -> bytes:
    """``3B 8n 80 01`` + historical bytes + TCK: the PC/SC part 3 ATR of a contactless card."""
    if len(historical) > 15:
        raise ValueError("at most 15 historical bytes")
    body = bytes([0x80 | len(historical), 0x80, 0x01]) + historical
    return b"\x3b" + body + bytes([_xor(body)])


def _xor(data: bytes) -> int:
    result = 0
    for byte in data:
        result ^= byte
    return result


ATR_MIFARE_CLASSIC_1K = storage_card_atr(0x0001)
ATR_MIFARE_CLASSIC_4K = storage_card_atr(0x0002)
ATR_MIFARE_ULTRALIGHT = storage_card_atr(0x0003)
ATR_DESFIRE = iso14443_atr(DESFIRE_HISTORICAL)
