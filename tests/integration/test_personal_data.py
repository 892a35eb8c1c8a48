"""Personal data never reaches the stored events in clear, and erasure really erases."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from domain import errors
from ledger.personal_data import KeyErased
from tests import scenario as s
from tests.conftest import BACKEND, PG_URL

PEOPLE = [
    {
        "first_name": "Zéphirine",
        "last_name": "Quillebœuf",
        "phone": "06 98 76 54 32",
        "email": "zephirine.q@example.org",
    },
    {
        "first_name": "Anatole",
        "last_name": "Vercingétorix",
        "phone": "+33 4 75 11 22 33",
        "email": "anatole.v@example.net",
    },
]


def stored_bytes(tmp_path) -> bytes:
    """Everything the database holds, as bytes: the SQLite files, or a pg_dump of the database."""
    if BACKEND == "postgres":
        assert shutil.which("pg_dump"), "pg_dump is needed for this test"
        return subprocess.run(["pg_dump", "--data-only", PG_URL], check=True, capture_output=True).stdout
    return b"".join(p.read_bytes() for p in sorted(tmp_path.glob("ledger.db*")) if not p.name.endswith(".secret"))


def needles(person: dict) -> list[bytes]:
    out = []
    for value in person.values():
        for form in {value, value.lower(), value.upper()}:
            out += [form.encode("utf-8"), form.encode("utf-16-le"), form.encode("unicode_escape")]
    return out


def test_no_personal_data_in_clear_and_erasure_erases(ledger, tmp_path):
    w = s.world(ledger)
    ids = [s.beneficiary(ledger, w.prescriber_actor, **person).id for person in PEOPLE]
    book = ledger.issue_book(w.prescriber_actor, s.t.NewChequeBook(beneficiary_id=ids[0], count=2))
    ledger.redeem(w.structure_actor, s.redemption(book.cheques[0].serial, book.cheques[0].code, ledger.today()))
    before = ledger.reconciliation(s.ADMIN, "DEPT26")
    assert ledger.get_beneficiary(w.prescriber_actor, str(ids[0])).last_name == "Quillebœuf"

    data = stored_bytes(tmp_path)
    for person in PEOPLE:
        for needle in needles(person):
            assert needle not in data, f"personal data stored in clear: {needle!r}"
    assert b"Camille" not in data  # the world's own beneficiary too

    with ledger.db.read() as cur:
        key = cur.execute(
            "SELECT key_material FROM beneficiary_keys WHERE beneficiary_id = ?", (str(ids[0]),)
        ).fetchone()[0]
    key = bytes(key)
    # pg_dump shows bytea as hex; SQLite files hold the raw bytes
    key_forms = [key, key.hex().encode()]
    assert any(form in stored_bytes(tmp_path) for form in key_forms), "the check below would be vacuous"
    ledger.erase_beneficiary(s.ADMIN, str(ids[0]))

    with pytest.raises(errors.NotFound):
        ledger.get_beneficiary(w.prescriber_actor, str(ids[0]))
    record = ledger.app.repository.get(ids[0])
    with pytest.raises(KeyErased):
        ledger.vault.open(record.id, record.sealed_personal_data)
    remaining = stored_bytes(tmp_path)
    assert not any(form in remaining for form in key_forms), "the erased key survives in the database files"
    # the other beneficiary is untouched; the money facts stay
    assert ledger.get_beneficiary(w.prescriber_actor, str(ids[1])).first_name == "Anatole"
    after = ledger.reconciliation(s.ADMIN, "DEPT26")
    assert after == before
    assert ledger.get_cheque(s.ADMIN, book.cheques[0].serial).session_date == ledger.today()
    assert (record.age_band, record.commune_insee) == ("65_74", s.VALENCE)  # coarse facts remain
