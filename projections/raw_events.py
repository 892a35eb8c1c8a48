"""Stored events read straight from their bytes, for projections that only copy fields into rows.

Decoding an event through the application's mapper builds Python objects (``UUID``, ``date``,
``datetime``) that a view then turns back into the text it stores. Here the stored bytes are decoded by
msgspec into plain values (``ledger/event_codec.py: raw_fields``): MessagePack with ids and dates already
as the views' text; JSON of earlier versions with the library's tagged values (``{"_type_": "uuid_hex",
"_data_": …}`` and the like), turned into the views' text by the helpers below. The helpers also take the
Python objects, so the same handlers can be fed mapper-decoded events
(``tests/integration/test_ledger_views_raw.py`` checks that both give the same rows on every event kind).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any
from uuid import UUID

from ledger.clock import instant
from ledger.event_codec import raw_fields as fields

__all__ = ["day_text", "fields", "instant_text", "uuid_text"]


def uuid_text(value: Any) -> str:
    if type(value) is str:  # MessagePack: already the views' text
        return value
    if type(value) is dict:
        assert value["_type_"] == "uuid_hex", value["_type_"]
        return _dashed(value["_data_"])
    return str(value) if isinstance(value, UUID) else value


@lru_cache(maxsize=4096)  # the same commitment, book, beneficiary and structure ids come back event after event
def _dashed(h: str) -> str:
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def day_text(value: Any) -> str:
    if type(value) is str:
        return value
    if type(value) is dict:
        assert value["_type_"] == "date_iso", value["_type_"]
        return value["_data_"]
    return value.isoformat() if isinstance(value, date) else value


def instant_text(value: Any) -> str:
    if type(value) is datetime and value.tzinfo is UTC:  # MessagePack's timestamp: ``ledger.clock.instant``, inlined
        return value.isoformat(timespec="microseconds")[:26] + "Z"
    if type(value) is dict:
        assert value["_type_"] == "datetime_iso", value["_type_"]
        text = value["_data_"]
        if len(text) == 32 and text.endswith("+00:00"):  # UTC with microseconds: the usual case
            return text[:26] + "Z"
        return instant(datetime.fromisoformat(text))
    return instant(value)
