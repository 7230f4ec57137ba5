"""The answers of push and pull as JSON text, written without the protocol models.

One stored event as the JSON text of a pull `Change` is written once, when the event is stored: a pull
answer is then the join of stored strings, with no row decoding and no per-field encoding. Building this
text for every change of every pull was most of the hub's CPU when 200 kiosks pulled at once. The text is
rebuilt (set to NULL, then rebuilt on read) when the row changes afterwards: erasure redacts payloads.
A push answer's results likewise (a model per event cost more than storing the event).
tests/hub/test_pull_json.py checks both texts against the `PullResponse` and `PushResponse` models.
"""

from __future__ import annotations

from collections.abc import Mapping
from json.encoder import encode_basestring as _text  # a JSON string, non-ASCII kept (as pydantic writes it)
from typing import Any

from sync_client.protocol import Outcome, Reason

# The columns of a stored event, in the order the hub inserts them (hub/ingest.py, hub/network_outbox.py).
EVENT_COLUMNS = (
    "collective_id",
    "seq",
    "id",
    "type",
    "schema",
    "kiosk_id",
    "kiosk_seq",
    "occurred_at",
    "hlc",
    "clock_synced",
    "payload",
    "received_at",
    "skew_ms",
    "corrected_at",
    "flags",
    "member_id",
    "redacted",
    "change_json",
)

# One event's answer: id, status, reason, detail, hub_seq (the fields of `EventResult`, in its order).
Result = tuple[str, Outcome, Reason | None, str, int | None]


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


def push_json(results: list[Result], hub_time: str, skew_ms: int | None) -> str:
    """`PushResponse(results=…, hub_time=…, skew_ms=…).model_dump_json()`, written directly."""
    answers = ",".join(
        f'{{"id":{_text(id_)},"status":"{status.value}",'
        f'"reason":{"null" if reason is None else _text(reason.value)},"detail":{_text(detail)},'
        f'"hub_seq":{"null" if hub_seq is None else int(hub_seq)}}}'
        for id_, status, reason, detail, hub_seq in results
    )
    skew = "null" if skew_ms is None else int(skew_ms)
    return f'{{"results":[{answers}],"hub_time":{_text(hub_time)},"skew_ms":{skew}}}'
