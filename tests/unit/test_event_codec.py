"""Every event class round-trips through the stored MessagePack (``ledger/event_codec.py``) into an equal event,
values of the same types; the projections' fast read gives the same text from it as from the JSON of earlier
versions; JSON states are told apart from MessagePack by their first byte."""

from __future__ import annotations

import hashlib
import importlib
import inspect
import pkgutil
import typing
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import Mapper
from hypothesis import given, settings
from hypothesis import strategies as st

import domain
from ledger.event_codec import KEYS, CompactTranscoder, is_json, json_transcoder, raw_fields
from projections.raw_events import day_text, instant_text, uuid_text

COMPACT = Mapper(transcoder=CompactTranscoder())
JSON = Mapper(transcoder=json_transcoder())


def event_classes() -> list[type]:
    modules = [importlib.import_module(f"domain.{m.name}") for m in pkgutil.iter_modules(domain.__path__)]
    modules += [importlib.import_module(name) for name in ("ledger.access", "ledger.idempotency")]
    found: dict[str, type] = {}
    for module in modules:
        for aggregate in vars(module).values():
            if not (inspect.isclass(aggregate) and issubclass(aggregate, Aggregate)):
                continue
            if aggregate.__module__ != module.__name__:
                continue
            for name in dir(aggregate):
                cls = getattr(aggregate, name)
                if (
                    inspect.isclass(cls)
                    and issubclass(cls, Aggregate.Event)
                    and cls.__qualname__.startswith(aggregate.__qualname__ + ".")
                ):
                    found[f"{cls.__module__}:{cls.__qualname__}"] = cls
    return [found[k] for k in sorted(found)]


EVENTS = event_classes()
INSTANTS = st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(2200, 1, 1))
UTC_INSTANTS = INSTANTS.map(lambda d: d.replace(tzinfo=UTC))
OTHER_INSTANTS = st.one_of(
    INSTANTS,  # naive
    st.builds(
        lambda d, minutes: d.replace(tzinfo=timezone(timedelta(minutes=minutes))), INSTANTS, st.integers(-720, 720)
    ),
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**63), 2**64 - 1),
    st.floats(allow_nan=False),
    st.text(),
    st.uuids(),
    st.dates(),
    UTC_INSTANTS,
    OTHER_INSTANTS,
    st.decimals(allow_nan=False, allow_infinity=False),
)
ANY = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4))


def values_for(hint: Any) -> st.SearchStrategy[Any]:
    if hint is datetime:
        return UTC_INSTANTS | OTHER_INSTANTS
    if hint is int:
        return st.integers(-(2**63), 2**64 - 1)
    if hint is Any:
        return ANY
    origin = typing.get_origin(hint)
    if origin is list:
        return st.lists(values_for(typing.get_args(hint)[0]), max_size=4)
    if origin is dict:
        key, value = typing.get_args(hint)
        return st.dictionaries(values_for(key), values_for(value), max_size=4)
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        return st.one_of(*(values_for(a) for a in typing.get_args(hint)))
    if hint is type(None):
        return st.none()
    return st.from_type(hint)


@st.composite
def events(draw: st.DrawFn, cls: type) -> Any:
    hints = typing.get_type_hints(cls)
    state: dict[str, Any] = {"originator_id": draw(st.uuids()), "originator_version": draw(st.integers(1, 2**31))}
    for name, hint in hints.items():
        if name in state or typing.get_origin(hint) is typing.ClassVar:
            continue
        state[name] = draw(values_for(hint))
    event = object.__new__(cls)
    object.__setattr__(event, "__dict__", state)
    return event


def typed(value: Any) -> Any:
    """A value with its types spelled out, so that 1 == 1.0 == True and equal instants in other zones differ."""
    if isinstance(value, dict):
        return {k: typed(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [typed(v) for v in value]
    if isinstance(value, datetime):
        return ("datetime", value.isoformat())
    if isinstance(value, float):
        return ("float", repr(value))
    return (type(value).__name__, value)


def test_every_event_class_is_found():
    assert len(EVENTS) > 80
    assert {"Cheque.Issued", "Cheque.Redeemed", "Commitment.Reserved"} <= {c.__qualname__ for c in EVENTS}


@pytest.mark.parametrize("cls", EVENTS, ids=lambda c: c.__qualname__)
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_every_event_class_round_trips(cls, data):
    event = data.draw(events(cls))
    stored = COMPACT.to_stored_event(event)
    assert not is_json(stored.state)
    assert typed(vars(COMPACT.to_domain_event(stored))) == typed(vars(event))


def views_text(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"_type_", "_data_"}:
        kind = value["_type_"]
        return {"uuid_hex": uuid_text, "date_iso": day_text, "datetime_iso": instant_text}[kind](value)
    if isinstance(value, datetime):
        return instant_text(value)
    return value


@settings(max_examples=200, deadline=None)
@given(
    ids=st.lists(st.uuids(), min_size=1, max_size=3),
    day=st.dates(),
    at=UTC_INSTANTS,
    text=st.text(),
    number=st.integers(-(2**63), 2**63 - 1),
)
def test_the_views_read_the_same_text_from_both_formats(ids, day, at, text, number):
    state = {"timestamp": at, "commitment_id": ids[0], "valid_until": day, "serial": text, "face_value_cents": number}
    compact, legacy = CompactTranscoder().encode(state), json_transcoder().encode(state)
    assert is_json(legacy) and not is_json(compact)
    assert len(compact) < len(legacy)
    from_json = {k: views_text(v) for k, v in raw_fields(legacy).items()}
    from_compact = {k: views_text(v) for k, v in raw_fields(compact).items()}
    assert from_compact == from_json
    assert from_compact["commitment_id"] == str(ids[0]) and from_compact["valid_until"] == day.isoformat()


def test_json_states_are_still_decoded_by_the_ledgers_transcoder():
    legacy = json_transcoder().encode({"id": UUID(int=7), "on": date(2026, 3, 16), "cents": Decimal("1.5")})
    assert legacy.startswith(b"{")
    assert CompactTranscoder().decode(legacy) == {"id": UUID(int=7), "on": date(2026, 3, 16), "cents": Decimal("1.5")}


def test_a_value_no_event_can_hold_is_refused():
    with pytest.raises(TypeError):
        CompactTranscoder().encode({"x": object()})


def test_a_cheque_issued_takes_less_than_two_fifths_of_its_json():
    state = {
        "timestamp": datetime(2026, 3, 16, 9, 0, 0, 123456, tzinfo=UTC),
        "originator_topic": "domain.cheques:Cheque",
        "serial": "S8HF-0BY8-E",
        "book_id": UUID(int=1),
        "commitment_id": UUID(int=2),
        "funder_code": "DEPT26",
        "face_value_cents": 1000,
        "valid_until": date(2027, 3, 16),
        "code_hash": "h" * 64,
        "beneficiary_id": UUID(int=3),
        "prescriber_id": str(UUID(int=4)),
        "issued_on": date(2026, 3, 16),
    }
    compact, legacy = CompactTranscoder().encode(state), json_transcoder().encode(state)
    assert len(compact) * 5 < len(legacy) * 2, (len(compact), len(legacy))  # 237 bytes against 685


# The field names' vocabulary as stored: appending is the only change allowed (ledger/event_codec.py, KEYS).
PINNED_KEYS = (95, "f07d7e05a26e65621ca2918e005b9e7f6699efe36954f7103c09ba606512bd3d")


def test_the_field_names_stored_as_numbers_are_only_ever_appended_to():
    count, digest = PINNED_KEYS
    assert hashlib.sha256("\n".join(KEYS[:count]).encode()).hexdigest() == digest, (
        "KEYS was reordered or an entry removed: events stored before would be read with other field names"
    )
    assert len(set(KEYS)) == len(KEYS)


def test_every_field_of_every_event_class_has_its_number():
    missing = {
        name
        for cls in EVENTS
        for name, hint in typing.get_type_hints(cls).items()
        if name not in ("originator_id", "originator_version") and typing.get_origin(hint) is not typing.ClassVar
    } - set(KEYS)
    assert not missing, f"append {sorted(missing)} to KEYS (stored as text until then)"


def test_a_name_not_listed_is_stored_as_text_and_read_back():
    state = {"timestamp": datetime(2026, 3, 16, tzinfo=UTC), "a_field_of_tomorrow": [UUID(int=1)], "serial": "X"}
    stored = CompactTranscoder().encode(state)
    assert b"a_field_of_tomorrow" in stored and b"timestamp" not in stored and b"serial" not in stored
    assert CompactTranscoder().decode(stored) == state
    assert raw_fields(stored)["a_field_of_tomorrow"] == [str(UUID(int=1))]
