"""The canonical payload text (kiosk/journal.encode_payload, which the hub also uses) is exactly what
`json.dumps(sort_keys, compact, non-ASCII kept)` writes: the journal, the hub and older rows compare those
bytes. It is now written by a C encoder built once: the same text, for every kind of value."""

from __future__ import annotations

import json
import math
from datetime import datetime
from typing import Any

import pytest

from kiosk.journal import encode_payload

PAYLOADS: list[dict[str, Any]] = [
    {},
    {"b": 1, "a": 2, "É": 3, "é": 4, "Z": 5, "10": 6, "9": 7},
    {
        "pseudonym": "Zoé « Noël » — 🎉",
        "quote": 'il a dit "oui"',
        "back": "a\\b",
        "ctl": "x\ny\t\x00\x1f\x7f",
    },
    {"sep": "\u2028\u2029", "nbsp": "\u00a0\u202f", "surrogate_free": "𝄞"},
    {"n": [0, -1, 2**53, 2**70, -(2**64)], "f": [0.1, 1e-05, 1e16, 1.5e300, -0.0, 123.456]},
    {
        "t": True,
        "f": False,
        "none": None,
        "empty": [],
        "nested": {"z": [{"b": 1, "a": [None, {"y": 2, "x": 1}]}]},
    },
    {"participants": [{"member_id": "m1", "role": "transmitter", "confirmed": True}]},
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_text_is_json_dumps_canonical_text(payload: dict[str, Any]) -> None:
    expected = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    assert encode_payload(payload) == expected
    assert json.loads(encode_payload(payload)) == payload


def test_special_floats_are_written_as_json_dumps_writes_them() -> None:
    payload = {"nan": math.nan, "inf": math.inf, "ninf": -math.inf}
    assert encode_payload(payload) == json.dumps(payload, sort_keys=True, separators=(",", ":"))


def test_what_json_cannot_hold_is_refused_as_json_dumps_refuses_it() -> None:
    with pytest.raises(TypeError, match="not JSON serializable"):
        encode_payload({"at": datetime(2026, 11, 26)})
