"""Strict at the door (CONTRACT v2): authentication first, JSON only, exact types and bounds, every faulty
field named in French, no value repeated, and nothing changed by a refused request."""

from __future__ import annotations

import json

import pytest

from tests import scenario as s
from tests.e2e.conftest import bearer
from tests.e2e.test_http_flow import problem, session

TODAY = "2026-03-16"  # the tests' clock
JSON = {"Content-Type": "application/json"}


def post(client, path: str, key: str | None, body: object, **headers: str):
    sent = {**JSON, **(bearer(key) if key else {}), **headers}
    content = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return client.post(path, content=content, headers=sent)


def fields(response) -> dict[str, str]:
    body = problem(response, 400, "validation-error")
    return {e["field"]: e["message"] for e in body["errors"]}


def loan_body(w, device_id: str, **changes) -> dict:
    body = {
        "device_id": device_id,
        "beneficiary_id": str(w.beneficiary.id),
        "start_on": TODAY,
        "due_on": "2026-06-01",
        "monthly_fee_cents": 500,
        "deposit_cents": 3000,
    }
    return {**body, **changes}


def device(client, keys) -> str:
    source = post(
        client,
        "/v1/equipment-sources",
        keys.structure,
        {"name": "Gisement", "kind": "company", "commune_insee": s.VALENCE},
    ).json()
    made = post(
        client,
        "/v1/devices",
        keys.structure,
        {"source_id": source["id"], "kind": "laptop", "serial_number": "SN-1", "received_on": TODAY},
    ).json()
    post(client, f"/v1/devices/{made['id']}/refurbishment", keys.structure, {"grade": "A", "refurbished_on": TODAY})
    return made["id"]


@pytest.mark.parametrize("deposit", [9223372036854775808, 10**30, 100_001])
def test_a_loan_deposit_beyond_its_ceiling_is_refused_and_every_read_still_works(client, ledger_world, deposit):
    ledger, w, keys = ledger_world
    device_id = device(client, keys)
    before = ledger.position()
    refused = post(client, "/v1/loans", keys.structure, loan_body(w, device_id, deposit_cents=deposit))
    assert set(fields(refused)) == {"deposit_cents"}
    assert ledger.position() == before
    assert client.get("/v1/loans", headers=bearer(keys.structure)).status_code == 200
    assert client.get("/v1/funders/DEPT26/reconciliation", headers=bearer(keys.funder)).json()["balanced"]


@pytest.mark.parametrize(
    "value", ["2", "20240101", 1500.0, 1.5, True, None, [1], {"n": 1}], ids=lambda v: type(v).__name__ + repr(v)[:8]
)
def test_integers_are_integers(client, ledger_world, value):
    _, _, keys = ledger_world
    body = {
        "funder_code": "DEPT26",
        "reference": "C-2",
        "amount_cents": value,
        "valid_from": "2026-01-01",
        "valid_until": "2026-12-31",
    }
    errors = fields(post(client, "/v1/commitments", keys.admin, body))
    assert list(errors) == ["amount_cents"]
    assert "entier" in errors["amount_cents"]


def test_every_faulty_field_is_named_in_french_without_its_value(client, ledger_world):
    _, _, keys = ledger_world
    body = {
        "first_name": "Zoé\x07",
        "last_name": "",
        "birth_year": "1980",
        "commune_insee": "75056x",
        "publics": ["rsa", "martians"],
        "email": "not-an-address",
        "favourite_colour": "blue",
    }
    refused = post(client, "/v1/beneficiaries", keys.prescriber, body)
    body_text = refused.text
    errors = fields(refused)
    assert set(errors) == {
        "first_name",
        "last_name",
        "birth_year",
        "commune_insee",
        "publics",
        "email",
        "favourite_colour",
    }
    assert errors["favourite_colour"] == "Champ inconnu."
    assert errors["first_name"].startswith("Valeur attendue : un texte")
    for sent in ("Zoé", "1980", "75056x", "martians", "not-an-address", "blue"):
        assert sent not in body_text
    for english in ("Expected", "got", "must", "Object"):
        assert english not in body_text
    assert "Voir « errors »" in refused.json()["detail"]


def test_missing_and_nested_fields_are_named_by_their_path(client, ledger_world):
    _, _, keys = ledger_world
    refused = post(
        client,
        "/v1/redemptions/batch",
        keys.structure,
        {
            "items": [
                {"serial": "AAAA-BBBB-C", "code": "X", "session": session(TODAY)},
                {
                    "serial": "AAAA-BBBB-C",
                    "session": {"date": "2099-01-01", "kind": "individual", "duration_minutes": 0},
                },
            ]
        },
    )
    errors = fields(refused)
    assert set(errors) == {"items[1].code", "items[1].session.date", "items[1].session.duration_minutes"}
    assert errors["items[1].code"] == "Champ obligatoire."
    assert "aujourd'hui" in errors["items[1].session.date"]


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/v1/expiries", {"as_of": "2099-01-01"}, "as_of"),
        (
            "/v1/funders/DEPT26/payments",
            {"amount_cents": 100, "received_on": "2099-01-01", "reference": "V"},
            "received_on",
        ),
        (
            "/v1/funders/DEPT26/payments",
            {"amount_cents": 100, "received_on": "1999-12-31", "reference": "V"},
            "received_on",
        ),
        (
            "/v1/funders/DEPT26/payments",
            {"amount_cents": 10**10 + 1, "received_on": TODAY, "reference": "V"},
            "amount_cents",
        ),
        (
            "/v1/commitments",
            {
                "funder_code": "DEPT26",
                "reference": "R",
                "amount_cents": 1,
                "valid_from": "2026-01-01",
                "valid_until": "9999-12-31",
            },
            "valid_until",
        ),
    ],
)
def test_dates_of_facts_and_amounts_keep_their_bounds(client, ledger_world, path, body, field):
    ledger, _, keys = ledger_world
    before = ledger.position()
    assert set(fields(post(client, path, keys.admin, body))) == {field}
    assert ledger.position() == before


def test_pix_in_year_one_and_devices_received_in_2099_are_refused(client, ledger_world):
    ledger, w, keys = ledger_world
    source = post(
        client, "/v1/equipment-sources", keys.structure, {"name": "G", "kind": "company", "commune_insee": s.VALENCE}
    ).json()
    before = ledger.position()
    pix = post(
        client,
        f"/v1/beneficiaries/{w.beneficiary.id}/pix-assessments",
        keys.structure,
        {"phase": "entry", "score": 300, "taken_on": "0001-01-01"},
    )
    assert set(fields(pix)) == {"taken_on"}
    received = post(
        client,
        "/v1/devices",
        keys.structure,
        {"source_id": source["id"], "kind": "laptop", "serial_number": "S", "received_on": "2099-01-01"},
    )
    assert set(fields(received)) == {"received_on"}
    assert ledger.position() == before


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", None, "application/json; charset=latin-1"]
)
def test_bodies_must_be_json(client, ledger_world, content_type):
    ledger, _, keys = ledger_world
    headers = {**bearer(keys.admin), **({"Content-Type": content_type} if content_type else {})}
    before = ledger.position()
    response = client.post(
        "/v1/funders", content=json.dumps({"code": "NEW", "name": "N", "kind": "other"}), headers=headers
    )
    problem(response, 415, "unsupported-media-type")
    assert ledger.position() == before


def test_json_with_a_charset_is_fine(client, ledger_world):
    _, _, keys = ledger_world
    response = post(
        client,
        "/v1/funders",
        keys.admin,
        {"code": "NEW", "name": "N", "kind": "other"},
        **{"Content-Type": "application/json; charset=UTF-8"},
    )
    assert response.status_code == 201, response.text


@pytest.mark.parametrize("path", ["/v1/funders", "/v1/redemptions", "/v1/redemptions/batch", "/v1/loans"])
def test_deep_json_is_refused_and_authentication_comes_first(client, ledger_world, path):
    _, _, keys = ledger_world
    deep = b"[" * 1000 + b"]" * 1000
    problem(post(client, path, None, deep), 401, "unauthenticated")
    problem(post(client, path, "cl_not-a-key", deep), 401, "unauthenticated")
    problem(post(client, path, None, "not json", **{"Content-Type": "text/plain"}), 401, "unauthenticated")
    assert fields(post(client, path, keys.admin, deep)) == {"": "JSON imbriqué trop profondément (au plus 32 niveaux)."}
    nested_33 = b'{"a":' * 33 + b"1" + b"}" * 33
    assert "" in fields(post(client, path, keys.admin, nested_33))


@pytest.mark.parametrize("key", ["a b", "é", "x" * 256, "tab\there"])
def test_a_malformed_idempotency_key_is_a_problem(client, ledger_world, key):
    _, _, keys = ledger_world
    headers = [(k.encode(), v.encode()) for k, v in {**JSON, **bearer(keys.admin)}.items()]
    response = client.post(
        "/v1/funders",
        content=json.dumps({"code": "NEW", "name": "N", "kind": "other"}),
        headers=[*headers, (b"Idempotency-Key", key.encode("utf-8"))],
    )
    assert list(fields(response)) == ["Idempotency-Key"]


@pytest.mark.parametrize("text", ["Nom\nsur deux lignes", "Nom\x00", "Nom\r", "Nom\x85"])
def test_texts_have_no_control_characters(client, ledger_world, text):
    _, _, keys = ledger_world
    assert list(fields(post(client, "/v1/funders", keys.admin, {"code": "NEW", "name": text, "kind": "other"}))) == [
        "name"
    ]


def test_long_texts_are_refused_at_their_limit(client, ledger_world):
    _, _, keys = ledger_world
    assert (
        post(client, "/v1/funders", keys.admin, {"code": "A1", "name": "n" * 200, "kind": "other"}).status_code == 201
    )
    assert list(
        fields(post(client, "/v1/funders", keys.admin, {"code": "A2", "name": "n" * 201, "kind": "other"}))
    ) == ["name"]
