"""One stored event as the JSON text of a pull `Change`, written once when the event is stored.

A pull answer is then the join of stored strings: no row decoding, no per-field encoding. Building this
text for every change of every pull was most of the hub's CPU when 200 kiosks pulled at once. The text is
rebuilt (set to NULL, then rebuilt on read) when the row changes afterwards: erasure redacts payloads.
tests/hub/test_pull_json.py checks it against the `PullResponse` model.
"""

from __future__ import annotations

from collections.abc import Mapping
from json.encoder import encode_basestring as _text  # a JSON string, non-ASCII kept (as pydantic writes it)
from typing import Any


def change_json(row: Mapping[Any, Any]) -> str:
    """`row`: the events table's columns (an insert dict or a Row's `_mapping`)."""
    return (
        f'{{"kind":"event","hub_seq":{int(row["seq"])},"event":{{"id":{_text(row["id"])},'
        f'"type":{_text(row["type"])},"schema":{int(row["schema"])},"kiosk_id":{_text(row["kiosk_id"])},'
        f'"seq":{int(row["kiosk_seq"])},"occurred_at":{_text(row["occurred_at"])},"hlc":{_text(row["hlc"])},'
        f'"clock_synced":{"true" if row["clock_synced"] else "false"},"payload":{row["payload"]}}},'
        f'"received_at":{_text(row["received_at"])},"corrected_at":{_text(row["corrected_at"])},'
        f'"flags":{row["flags"]}}}'
    )
