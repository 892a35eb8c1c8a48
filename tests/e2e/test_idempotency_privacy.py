"""Idempotency records hold nothing derived from personal data that survives erasure: the request's
fingerprint is keyed with the server secret, so no digest of the body can be found by hashing guesses."""

from __future__ import annotations

import base64
import hashlib
import json

import msgspec

from ledger import types as t
from tests.e2e.conftest import bearer
from tests.integration.test_personal_data import stored_bytes

PERSON = {
    "first_name": "Zéphirine",
    "last_name": "Quillebœuf",
    "birth_year": 1961,
    "commune_insee": "26362",
    "publics": ["rsa"],
    "phone": "06 98 76 54 32",
    "email": "zephirine.q@example.org",
}
PATH = "/v1/beneficiaries"


def unkeyed_digests(body: bytes) -> list[bytes]:
    """Every plain digest an attacker with a dictionary could match: of the body as sent, as the server
    re-encodes it, with or without the method and path, in every usual encoding."""
    canonical = msgspec.json.encode(msgspec.convert(PERSON, t.NewBeneficiary))
    messages = [prefix + text for text in (body, canonical) for prefix in (b"", b"POST " + PATH.encode() + b"\n")]
    found = []
    for message in messages:
        for algorithm in ("sha256", "sha1", "md5", "blake2b", "sha512"):
            digest = hashlib.new(algorithm, message).digest()
            hexed = digest.hex().encode()
            found += [digest, hexed, hexed.hex().encode(), base64.b64encode(digest), hexed.upper()]
    return found


def test_an_erased_person_cannot_be_found_again_through_an_idempotency_record(client, ledger_world, tmp_path):
    ledger, _, keys = ledger_world
    body = json.dumps(PERSON).encode()
    headers = {**bearer(keys.prescriber), "Content-Type": "application/json", "Idempotency-Key": "register-zephirine"}
    created = client.post(PATH, content=body, headers=headers)
    assert created.status_code == 201, created.text
    assert client.post(PATH, content=body, headers=headers).json() == created.json()  # the record is there and used
    assert client.delete(f"{PATH}/{created.json()['id']}", headers=bearer(keys.admin)).status_code == 204
    ledger.views.catch_up()

    data = stored_bytes(tmp_path)
    for needle in unkeyed_digests(body):
        assert needle not in data, "an unkeyed digest of a person's registration is stored"
