"""The Data Integrity signer without a database: its refusals, its did:key, and that any change breaks the proof
(checked here by recomputing the signed data; the independent check is the DCC verifier in tests/integration)."""

from __future__ import annotations

import base64
import copy
import hashlib
import socket

import base58
import pytest
from cryptography.exceptions import InvalidSignature
from hypothesis import given, settings
from hypothesis import strategies as st
from pyld import jsonld  # type: ignore[import-untyped]

from ledger import data_integrity as di
from ledger.badge_key import load_badge_key, parse_seed
from ledger.config import ConfigurationError, DatabaseConfig

KEY = parse_seed(base64.b64encode(bytes(range(32))).decode())


def credential() -> dict:
    return {
        "@context": [di.VC_V2, di.OB_V3],
        "id": "urn:uuid:0b7f3a3e-6f0e-4c5b-9b1e-3f5a8c1d2e4f",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": KEY.did, "type": ["Profile"], "name": "Département de la Drôme"},
        "validFrom": "2026-03-16T09:30:00Z",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "urn:uuid:1b7f3a3e-6f0e-4c5b-9b1e-3f5a8c1d2e4f",
                "type": ["Achievement"],
                "name": "Premiers pas",
                "description": "Sait envoyer un courriel.",
                "criteria": {"narrative": "A envoyé un courriel."},
            },
        },
    }


def verifies(signed: dict) -> bool:
    proof = dict(signed["proof"])
    value = proof.pop("proofValue")
    document = {k: v for k, v in signed.items() if k != "proof"}
    try:
        KEY.private.public_key().verify(base58.b58decode(value[1:]), di._hash_data(document, proof))
    except InvalidSignature:
        return False
    return True


def test_the_did_key_is_the_multikey_of_the_public_key():
    assert KEY.did.startswith("did:key:z6Mk")
    decoded = base58.b58decode(KEY.multibase[1:])
    assert decoded[:2] == b"\xed\x01" and decoded[2:] == KEY.public_bytes
    assert KEY.verification_method == f"{KEY.did}#{KEY.multibase}"


def test_a_property_no_context_defines_is_refused_not_signed():
    for where in ("top", "achievement", "issuer"):
        doc = credential()
        target = {"top": doc, "achievement": doc["credentialSubject"]["achievement"], "issuer": doc["issuer"]}[where]
        target["couleurPreferee"] = "bleu"
        with pytest.raises(di.UndefinedProperties) as refused:
            di.sign(doc, KEY, "2026-03-16T09:30:00Z")
        assert refused.value.paths[0].endswith("couleurPreferee")


def test_contexts_are_never_fetched(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("the signer tried the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    assert verifies(di.sign(credential(), KEY, "2026-03-16T09:30:00Z"))
    doc = credential()
    doc["@context"] = [*doc["@context"], "https://example.org/other-context.json"]
    with pytest.raises(jsonld.JsonLdError, match="loading remote context failed"):
        di.sign(doc, KEY, "2026-03-16T09:30:00Z")


@settings(max_examples=15, deadline=None)
@given(name=st.text(min_size=1, max_size=40).filter(lambda s: s.strip()))
def test_any_change_of_a_signed_field_breaks_the_proof(name):
    signed = di.sign(credential(), KEY, "2026-03-16T09:30:00Z")
    assert verifies(signed)
    changed = copy.deepcopy(signed)
    changed["credentialSubject"]["achievement"]["name"] = name
    assert verifies(changed) == (name == "Premiers pas")


def test_the_badge_key_is_generated_beside_the_sqlite_file_once(tmp_path):
    config = DatabaseConfig.from_url(f"sqlite:///{tmp_path / 'ledger.db'}")
    first = load_badge_key(config, None)
    assert (tmp_path / "ledger.db.badge-key").stat().st_mode & 0o777 == 0o600
    assert load_badge_key(config, None).did == first.did
    assert hashlib.sha256(first.public_bytes).digest() != hashlib.sha256(KEY.public_bytes).digest()


def test_the_badge_key_is_required_on_postgresql_and_checked():
    postgres = DatabaseConfig.from_url("postgresql://postgres@127.0.0.1/db")
    with pytest.raises(ConfigurationError):
        load_badge_key(postgres, None)
    with pytest.raises(ConfigurationError):
        load_badge_key(postgres, base64.b64encode(b"short").decode())
    assert load_badge_key(postgres, base64.urlsafe_b64encode(bytes(range(32))).decode().rstrip("=")).did == KEY.did
