"""The stored form of a cheque's events is a contract with every database already written: the same topics and
fields, whatever way the domain triggers them; events stored earlier replay into the same cheque."""

from __future__ import annotations

import json
from datetime import date
from uuid import UUID

import pytest
from eventsourcing.persistence import Mapper, StoredEvent

from domain.cheques import Cheque, Status
from ledger.event_codec import CompactTranscoder, json_transcoder

HASH = "h" * 64
ID = UUID("0c82ecbb-6001-4c4e-a2f7-c505254e29eb")
STORED = [  # as written by the release before explicit event classes (timestamps fixed)
    (
        "domain.cheques:Cheque.Issued",
        '{"timestamp":{"_type_":"datetime_iso","_data_":"2026-03-16T09:00:00+00:00"},'
        '"originator_topic":"domain.cheques:Cheque","serial":"S8HF-0BY8-E","book_id":{"_type_":"uuid_hex","_data_":'
        '"00000000000000000000000000000001"},"commitment_id":{"_type_":"uuid_hex","_data_":"00000000000000000000000000000002"},'
        '"funder_code":"DEPT26","face_value_cents":1000,"valid_until":{"_type_":"date_iso","_data_":"2027-03-16"},'
        f'"code_hash":"{HASH}","beneficiary_id":{{"_type_":"uuid_hex","_data_":"00000000000000000000000000000003"}},'
        '"prescriber_id":"p1","issued_on":{"_type_":"date_iso","_data_":"2026-03-16"}}',
    ),
    (
        "domain.cheques:Cheque.CodeRejected",
        '{"timestamp":{"_type_":"datetime_iso","_data_":"2026-03-20T10:00:00+00:00"},"wrong_codes":1}',
    ),
    (
        "domain.cheques:Cheque.Redeemed",
        '{"timestamp":{"_type_":"datetime_iso","_data_":"2026-03-20T10:01:00+00:00"},'
        '"redemption_id":"RDM-S8HF-0BY8-E-1","structure_id":"s1","session_date":{"_type_":"date_iso","_data_":"2026-03-20"},'
        '"session_kind":"individual","duration_minutes":60,"themes":["mail"]}',
    ),
]


def mapper() -> Mapper:
    """The JSON that every event was stored in before MessagePack (ledger/event_codec.py)."""
    return Mapper(transcoder=json_transcoder())


def redeem(cheque: Cheque, code_hash: str) -> object:
    return cheque.redeem(
        presented_code_hash=code_hash,
        structure_id="s1",
        structure_accredited=True,
        session_date=date(2026, 3, 20),
        session_kind="individual",
        duration_minutes=60,
        themes=["mail"],
        today=date(2026, 3, 20),
    )


def without_timestamp(state: bytes) -> dict:
    fields = json.loads(state)
    del fields["timestamp"]
    return fields


def test_a_wrong_code_then_a_redemption_are_stored_as_before():
    cheque = Cheque(
        serial="S8HF-0BY8-E",
        book_id=UUID(int=1),
        commitment_id=UUID(int=2),
        funder_code="DEPT26",
        face_value_cents=1000,
        valid_until=date(2027, 3, 16),
        code_hash=HASH,
        beneficiary_id=UUID(int=3),
        prescriber_id="p1",
        issued_on=date(2026, 3, 16),
    )
    assert redeem(cheque, "x" * 64) is not None
    assert redeem(cheque, HASH) is None
    stored = [mapper().to_stored_event(e) for e in cheque.collect_events()]
    assert [(s.topic, s.originator_version) for s in stored] == [(topic, v) for v, (topic, _) in enumerate(STORED, 1)]
    assert [without_timestamp(s.state) for s in stored] == [without_timestamp(state.encode()) for _, state in STORED]
    assert [list(json.loads(s.state)) for s in stored] == [list(json.loads(state)) for _, state in STORED], (
        "field order"
    )


@pytest.mark.parametrize("m", [mapper(), Mapper(transcoder=CompactTranscoder())], ids=["json", "ledger's"])
def test_events_stored_earlier_replay_into_the_same_cheque(m):
    cheque = None
    for version, (topic, state) in enumerate(STORED, 1):
        event = m.to_domain_event(
            StoredEvent(originator_id=ID, originator_version=version, topic=topic, state=state.encode())
        )
        cheque = event.mutate(cheque)
    assert cheque is not None and cheque.version == 3
    assert (cheque.status, cheque.wrong_codes, cheque.redemptions, cheque.redeemed_by) == (Status.REDEEMED, 0, 1, "s1")
    assert cheque.redeemers == {"RDM-S8HF-0BY8-E-1": "s1"}
    assert (cheque.session_date, cheque.session_kind, cheque.duration_minutes) == (date(2026, 3, 20), "individual", 60)
    assert cheque.current_redemption_id == "RDM-S8HF-0BY8-E-1"
