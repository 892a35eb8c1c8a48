"""The bytes of stored events: MessagePack written by msgspec, with ids, dates and instants in binary;
events stored as JSON by earlier versions are read as they are.

``eventsourcing``'s JSON transcoder writes a ``Cheque.Issued`` in 653 bytes: each id a tagged object
(``{"_type_":"uuid_hex","_data_":"…32 hex…"}``, 50 bytes), each date and instant likewise, and it decodes
through Python's ``json`` with an object hook. Here the same dict is MessagePack: an id is 16 raw bytes
(extension type 1, 18 bytes in all), a date its proleptic ordinal (type 2, 6 bytes), an instant in UTC
MessagePack's own timestamp (10 or 15 bytes), a ``Decimal`` its text (type 3), any other ``datetime`` its ISO
text (type 4). An event's field names are small integers, their index in ``KEYS`` (a name not listed stays
text). Strings, numbers, lists and maps are MessagePack's. A ``Cheque.Issued`` takes about 240 bytes.

**Old events stay readable and keep their bytes.** Every state the JSON transcoder wrote is a JSON object, so
its first byte is ``{`` (0x7b); a MessagePack map starts with 0x80–0x8f, 0xde or 0xdf. ``decode`` looks at
that byte. Nothing is ever re-encoded: the Merkle log (``ledger/merkle.py``) hashes each event's bytes as
stored, so an old event keeps its bytes and its leaf, and a new one is sealed with its MessagePack bytes.

``raw_fields`` is the projections' fast read (``projections/raw_events.py``): plain values with ids as dashed
text and dates as ISO text, the shape the views store, for both formats.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any
from uuid import UUID

import msgspec
from eventsourcing.persistence import DatetimeAsISO, DecimalAsStr, JSONTranscoder, Transcoder, Transcoding, UUIDAsHex

UUID_EXT, DATE_EXT, DECIMAL_EXT, DATETIME_EXT = 1, 2, 3, 4
# The names of events' fields, written as their index here (one byte each below 128) instead of their text: a
# stored event's keys are an integer (the name at that index) or a string (a name not listed). APPEND ONLY:
# an entry moved or removed would rename the fields of every event stored before (tests/unit/test_event_codec.py
# pins them). A new field is stored as text until it is appended here.
KEYS: tuple[str, ...] = (
    "accredited",
    "achievement_id",
    "age_band",
    "amount_cents",
    "as_of",
    "at",
    "awarded_by",
    "awarded_on",
    "badge_id",
    "bank_reference",
    "beneficiary_id",
    "bic",
    "book_id",
    "by",
    "by_funder",
    "certified_on",
    "code",
    "code_hash",
    "commitment_id",
    "commune_insee",
    "condition",
    "count",
    "credential",
    "criteria",
    "deposit_cents",
    "description",
    "details",
    "device_id",
    "due_on",
    "duration_minutes",
    "eligible_publics",
    "email_hash",
    "executed_on",
    "face_value_cents",
    "fees_cents",
    "fingerprint",
    "funder_code",
    "grade",
    "held",
    "holder",
    "iban",
    "issued_on",
    "key_hash",
    "kind",
    "labels",
    "lines",
    "loan_id",
    "made_on",
    "monthly_fee_cents",
    "name",
    "on",
    "org",
    "originator_topic",
    "owner",
    "password_hash",
    "payees",
    "phase",
    "prescriber_id",
    "priority",
    "publics",
    "reason",
    "received_on",
    "record_id",
    "recorded_by",
    "redemption_id",
    "reference",
    "role",
    "score",
    "sealed_email",
    "sealed_note",
    "sealed_outcome",
    "sealed_personal_data",
    "serial",
    "serial_number",
    "serials",
    "session_date",
    "session_kind",
    "settlement_id",
    "siret",
    "slug",
    "source_id",
    "start_on",
    "structure_id",
    "taken_on",
    "territory",
    "themes",
    "through",
    "timestamp",
    "total_cents",
    "valid_from",
    "valid_until",
    "wrong_codes",
    "topic",
    "state",
    "class_version",
)
KEY_INDEX = {name: i for i, name in enumerate(KEYS)}
JSON_FIRST_BYTE = 0x7B  # "{": every state the JSON transcoder wrote
Ext = msgspec.msgpack.Ext


class DateAsISO(Transcoding):
    """Dates in the JSON events of earlier versions (``{"_type_": "date_iso", "_data_": "2026-03-16"}``)."""

    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


def json_transcoder() -> JSONTranscoder:
    """The transcoder that wrote every event before this one: reads them, and writes them in tests."""
    transcoder = JSONTranscoder()
    for transcoding in (UUIDAsHex(), DecimalAsStr(), DatetimeAsISO(), DateAsISO()):
        transcoder.register(transcoding)
    return transcoder


def _uuid(value: UUID) -> Ext:
    return Ext(UUID_EXT, value.bytes)


def _date(value: date) -> Ext:
    return Ext(DATE_EXT, value.toordinal().to_bytes(4, "big"))


def _datetime(value: datetime) -> Any:
    if value.tzinfo is UTC:
        return value  # MessagePack's timestamp: read back as a UTC ``datetime``
    return Ext(DATETIME_EXT, value.isoformat().encode())


def _decimal(value: Decimal) -> Ext:
    return Ext(DECIMAL_EXT, str(value).encode())


def _tagged(value: Any) -> Any:
    convert = _CONVERT.get(type(value))
    return value if convert is None else convert(value)


def _list(value: list | tuple) -> list:
    return [_tagged(v) for v in value]


def _dict(value: dict) -> dict:
    return {k: _tagged(v) for k, v in value.items()}


def _state(value: dict) -> dict:
    """An event's fields: named by their index in ``KEYS`` when listed (only at the top: values keep theirs)."""
    return {KEY_INDEX.get(k, k): _tagged(v) for k, v in value.items()}


def _named(fields: dict) -> dict:
    return {KEYS[k] if type(k) is int else k: v for k, v in fields.items()}


# msgspec writes ``UUID``, ``date`` and ``Decimal`` as strings, which would read back as strings: they are
# turned into extensions first (by exact type; a subclass is refused by msgspec's encoder, as by the JSON one).
_CONVERT: dict[type, Any] = {
    UUID: _uuid,
    date: _date,
    datetime: _datetime,
    Decimal: _decimal,
    list: _list,
    tuple: _list,
    dict: _dict,
}


def _refuse(value: Any) -> Any:
    raise TypeError(f"Object of type {type(value)} cannot be stored in an event")


def _ext(code: int, data: memoryview) -> Any:
    if code == UUID_EXT:
        return UUID(bytes=bytes(data))
    if code == DATE_EXT:
        return date.fromordinal(int.from_bytes(data, "big"))
    if code == DECIMAL_EXT:
        return Decimal(bytes(data).decode())
    if code == DATETIME_EXT:
        return datetime.fromisoformat(bytes(data).decode())
    raise ValueError(f"unknown extension type {code} in a stored event")


@lru_cache(maxsize=4096)  # the same commitment, book, beneficiary and structure ids come back event after event
def _id_text(raw: bytes) -> str:
    return str(UUID(bytes=raw))


@lru_cache(maxsize=4096)  # a few days and validity ends cover most events
def _day_text(raw: bytes) -> str:
    return date.fromordinal(int.from_bytes(raw, "big")).isoformat()


def _ext_text(code: int, data: memoryview) -> Any:
    """Ids and dates as the views store them (dashed text, ISO text)."""
    if code == UUID_EXT:
        return _id_text(data.tobytes())
    if code == DATE_EXT:
        return _day_text(data.tobytes())
    return _ext(code, data)


ENCODER = msgspec.msgpack.Encoder(enc_hook=_refuse)
DECODER = msgspec.msgpack.Decoder(ext_hook=_ext)
TEXT_DECODER = msgspec.msgpack.Decoder(ext_hook=_ext_text)
LEGACY_TEXT_DECODER = msgspec.json.Decoder()


def is_json(state: bytes) -> bool:
    return state[0] == JSON_FIRST_BYTE


class CompactTranscoder(Transcoder):
    """Writes MessagePack; reads it and the JSON of earlier versions (``eventsourcing``'s ``Transcoder``)."""

    def __init__(self) -> None:
        self.legacy = json_transcoder()

    def encode(self, obj: Any) -> bytes:
        return ENCODER.encode(_state(obj))

    def decode(self, data: bytes) -> Any:
        if is_json(data):
            return self.legacy.decode(data)
        return _named(DECODER.decode(data))


def raw_fields(state: bytes) -> dict[str, Any]:
    """A stored event's fields as plain values: MessagePack with ids and dates as text; JSON as msgspec reads
    it (tagged values left as dicts, for ``projections/raw_events.py`` to read)."""
    if is_json(state):
        return LEGACY_TEXT_DECODER.decode(state)
    return _named(TEXT_DECODER.decode(state))
