"""APDUs the kiosk sends to a PC/SC contactless reader, and the parsing of their answers. Pure functions.

``FF CA 00 00 00`` is the PC/SC part 3 "Get Data" pseudo-APDU: the reader itself answers with the UID of
the card in its field, followed by the status word ``90 00``. Any other status word means no UID (``6A 81``:
not supported by this card or reader; ``63 00``: the card went away during the exchange).
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.cardid import VALID_UID_LENGTHS

GET_UID = bytes.fromhex("FFCA000000")
SW_OK = 0x9000


class ApduError(Exception):
    """An answer that does not carry what was asked. `code` is the stable CardReadError code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class Response:
    data: bytes
    sw: int

    @property
    def ok(self) -> bool:
        return self.sw == SW_OK


def split_response(raw: bytes) -> Response:
    """Separate the data from the two status bytes (SW1 SW2) that end every response APDU."""
    if not raw:
        # What the stack hands back when the card left the field mid-exchange (vpcd does exactly this).
        raise ApduError("card_removed", "aucune réponse : carte retirée pendant la lecture")
    if len(raw) < 2:
        raise ApduError("short_response", f"réponse de {len(raw)} octet, sans mot d’état")
    return Response(bytes(raw[:-2]), int.from_bytes(raw[-2:], "big"))


def parse_uid_response(raw: bytes) -> bytes:
    """The UID from the answer to GET_UID: status word 90 00 and 4, 7 or 10 bytes, else ApduError."""
    response = split_response(raw)
    if not response.ok:
        raise ApduError("bad_status", f"mot d’état {response.sw:04X} au lieu de 9000")
    if len(response.data) not in VALID_UID_LENGTHS:
        raise ApduError("bad_uid", f"identifiant de {len(response.data)} octet(s) (attendu : 4, 7 ou 10)")
    return response.data


# ACR122U "Bi-Color LED and Buzzer Control" pseudo-APDU: FF 00 40 P2 04 T1 T2 repetitions buzzer.
# P2 bits (ACR122U API, section 6.2): 7 green blink mask, 6 red blink mask, 5 initial green blink state,
# 4 initial red blink state, 3 green state mask, 2 red state mask, 1 final green, 0 final red.
_GREEN_BLINK = 0b1010_1000  # blink green, green off at the end
_RED_BLINK = 0b0101_0100  # blink red, red off at the end
_BUZZER_DURING_T1 = 0x01


def acr122_feedback(ok: bool) -> bytes:
    """One short green blink and beep for a good read; two red blinks and beeps for a refusal or error.

    Durations are in units of 100 ms, kept short so the person is not held at the reader.
    """
    if ok:
        return bytes([0xFF, 0x00, 0x40, _GREEN_BLINK, 0x04, 1, 1, 1, _BUZZER_DURING_T1])
    return bytes([0xFF, 0x00, 0x40, _RED_BLINK, 0x04, 2, 1, 2, _BUZZER_DURING_T1])


def supports_acr122_feedback(reader: str) -> bool:
    """The LED/buzzer pseudo-APDU is an ACR122U (and ACR122T) feature; other readers may misread it."""
    return "ACR122" in reader.upper()
