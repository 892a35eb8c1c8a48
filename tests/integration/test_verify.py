"""`verify` passes on a clean ledger and names what was tampered with."""

from __future__ import annotations

from projections.verify import verify
from tests import scenario as s


def busy_ledger(ledger):
    w = s.world(ledger)
    b = s.book(ledger, w, count=4)
    for c in b.cheques[:2]:
        ledger.redeem(w.structure_actor, s.redemption(c.serial, c.code, ledger.today()))
    ledger.cancel_cheque(w.prescriber_actor, b.cheques[3].serial, s.t.ReasonBody(reason="perdu"))
    ledger.receive_payment(
        s.ADMIN, "DEPT26", s.t.NewPayment(amount_cents=5000, received_on=ledger.today(), reference="v1")
    )
    ledger.views.catch_up()
    return w, b


def events_table(ledger) -> str:
    return ledger.app.recorder.events_table_name


def nid(ledger) -> str:
    """The column holding the notification id (SQLite uses the rowid)."""
    return "notification_id" if ledger.db.postgres else "rowid"


def row_of(ledger, serial_event: str):
    """The notification id and state of the first stored event whose topic ends with ``serial_event``."""
    with ledger.db.read() as cur:
        rows = cur.execute(
            f"SELECT {nid(ledger)}, topic, state FROM {events_table(ledger)} ORDER BY {nid(ledger)}"
        ).fetchall()
    return next((nid, bytes(state)) for nid, topic, state in rows if topic.endswith(serial_event))


def test_clean_ledger_verifies(ledger):
    busy_ledger(ledger)
    differences, head, checked = verify(ledger)
    assert differences == []
    assert checked > 10 and head == ledger.audit.root()[1].hex()  # the Merkle root of every stored event


def test_edited_event_row_is_named(ledger):
    busy_ledger(ledger)
    position, state = row_of(ledger, "Cheque.Redeemed")
    transcoder = ledger.app.mapper.transcoder
    fields = transcoder.decode(state)
    assert fields["duration_minutes"] == 60
    tampered = transcoder.encode({**fields, "duration_minutes": 600})
    with ledger.db.transaction() as cur:
        cur.execute(f"UPDATE {events_table(ledger)} SET state = ? WHERE {nid(ledger)} = ?", (tampered, position))
    differences, _, _ = verify(ledger)
    assert differences and "does not match the events at positions" in differences[0]  # its block of 2^K events
    first, last = (int(x) for x in differences[0].split("positions ")[1].split(" ")[0].split(".."))
    assert first <= position <= last and last - first < 16


def test_deleted_event_row_is_named(ledger):
    busy_ledger(ledger)
    position, _ = row_of(ledger, "Cheque.Cancelled")
    with ledger.db.transaction() as cur:
        cur.execute(f"DELETE FROM {events_table(ledger)} WHERE {nid(ledger)} = ?", (position,))
    differences, _, _ = verify(ledger)
    assert any(f"to position {position}, the events put position {position + 1}" in d for d in differences), (
        "the leaves after it no longer match"
    )
    assert any("leaves for" in d and "(events deleted?)" in d for d in differences)


def test_edited_projection_row_is_named(ledger):
    _, b = busy_ledger(ledger)
    with ledger.db.transaction() as cur:
        cur.execute("UPDATE cheque_index SET status = 'settled' WHERE serial = ?", (b.cheques[0].serial,))
    differences, _, _ = verify(ledger)
    assert differences[0] == f"cheque_index: cheque {b.cheques[0].serial} is 'settled', events say 'redeemed'"
    # the running balances (redeemed and paid) and the structure's totals no longer agree with the cheque index
    assert len(differences) == 4 and all("the cheque index gives" in d for d in differences[1:3])
    assert differences[3].startswith("structure_totals: structure")


def test_edited_balance_row_is_named(ledger):
    busy_ledger(ledger)
    with ledger.db.transaction() as cur:
        cur.execute("UPDATE balance_days SET redeemed = redeemed + 1")
    differences, _, _ = verify(ledger)
    assert differences and differences[0].startswith("balance_days: commitment")
    assert any("the journal give" in d for d in differences) and any("the events give" in d for d in differences)


def test_edited_journal_row_is_named(ledger):
    busy_ledger(ledger)
    with ledger.db.transaction() as cur:
        cur.execute("UPDATE journal SET amount_cents = amount_cents + 1 WHERE kind = 'cheque_redeemed'")
    differences, _, _ = verify(ledger)
    assert differences and differences[0].startswith("journal: commitment")


def test_edited_funder_cell_is_named(ledger):
    w, _ = busy_ledger(ledger)
    with ledger.db.transaction() as cur:
        cur.execute("UPDATE funder_cells SET beneficiaries = beneficiaries + 1 WHERE axis = 'structure'")
    differences, _, _ = verify(ledger)
    assert differences == [
        f"funder_cells: cell DEPT26/structure/{w.structure.id} is [2, 120, 2, 0, 0, 2], events give [2, 120, 2, 0, 0, 1]"
    ]
