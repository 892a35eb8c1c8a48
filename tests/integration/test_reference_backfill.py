"""Issue 18: beneficiaries registered before references existed have one too. The reference is derived from
the id; a database whose directory was built without the column replays it (projection version 2) and the
structure then finds the person by the reference printed on a new book."""

from __future__ import annotations

import pytest

from domain import errors
from domain.codes import reference_of
from tests import scenario as s

OLD_CASELOAD = [
    "DROP TABLE caseload",
    "CREATE TABLE caseload (beneficiary_id TEXT PRIMARY KEY, prescriber_id TEXT NOT NULL,"
    " registered_at TEXT NOT NULL, erased INTEGER NOT NULL)",
]


def test_a_beneficiary_registered_before_references_is_found_by_its_reference(make_ledger):
    first = make_ledger()
    w = s.world(first)
    first.views.catch_up()
    with first.db.read() as cur:
        rows = cur.execute("SELECT beneficiary_id, prescriber_id, registered_at, erased FROM caseload").fetchall()
    with first.db.transaction() as cur:  # the last release's directory: no reference column, version 1
        for statement in OLD_CASELOAD:
            cur.execute(statement)
        cur.executemany("INSERT INTO caseload VALUES (?, ?, ?, ?)", [tuple(r) for r in rows])
        cur.execute("DELETE FROM projection_versions WHERE name = 'directory'")
    first.close()

    second = make_ledger()
    reference = reference_of(w.beneficiary.id)
    typed = reference.lower().replace("-", "")
    record = second.get_beneficiary(w.prescriber_actor, typed)
    assert record.id == w.beneficiary.id and record.reference == reference
    pix = second.record_pix(
        w.structure_actor, typed, s.t.NewPixAssessment(phase="entry", score=100, taken_on=second.today())
    )
    assert pix.beneficiary_id == w.beneficiary.id
    book = s.book(second, w, count=1)
    assert book.beneficiary_reference == reference


def test_an_erased_person_is_not_found_by_reference(ledger):
    w = s.world(ledger)
    ledger.erase_beneficiary(s.ADMIN, str(w.beneficiary.id))
    with pytest.raises(errors.NotFound):
        ledger.get_beneficiary(s.ADMIN, w.beneficiary.reference)
