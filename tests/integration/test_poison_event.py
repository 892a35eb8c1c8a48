"""A stored event one projection cannot apply sets that projection aside, and only it: the other projections
keep advancing and their reads keep answering, the failure is recorded (name, position, exception type:
never the event's values), logged once, seen by other processes, reported by ``verify``, and cleared by a
rebuild once its cause is gone. A database outage is not such a failure."""

from __future__ import annotations

import logging
from uuid import uuid4

import pytest

from api import cli
from domain import errors
from domain.cheques import Cheque
from domain.pix import PixAssessment
from ledger import types as t
from ledger.connections import database_unavailable as is_outage
from projections.lending_views import LendingViews
from projections.outcomes import Outcomes
from projections.verify import verify
from tests import scenario as s
from tests.conftest import BACKEND, PG_URL, SECRET
from tests.integration.outages import losing_connections

TOO_BIG = 2**63  # one more than a BIGINT holds; the domain never accepts it, the event store does
OVERFLOW = {"OverflowError", "NumericValueOutOfRange"}  # SQLite, PostgreSQL


def poison_pix(ledger, beneficiary_id) -> int:
    """Stores a PIX result whose score no INTEGER column holds (the request types and the domain bypassed)."""
    ledger.app.save(
        PixAssessment(
            beneficiary_id=beneficiary_id, phase="entry", score=TOO_BIG, taken_on=ledger.today(), recorded_by="admin"
        )
    )
    return ledger.views.head()


def poison_cheque(ledger, w) -> int:
    """Stores a cheque whose face value no BIGINT column holds: ``ledger_views`` buffers it and fails in its flush."""
    ledger.app.save(
        Cheque(
            serial="POISON-1",
            book_id=uuid4(),
            commitment_id=w.commitment.id,
            funder_code="DEPT26",
            face_value_cents=TOO_BIG,
            valid_until=ledger.today(),
            code_hash="x",
            beneficiary_id=w.beneficiary.id,
            prescriber_id=str(w.prescriber.id),
            issued_on=ledger.today(),
        )
    )
    return ledger.views.head()


def pay(ledger, cents: int = 100) -> None:
    """An event no read waits for (a payment does not catch up the views)."""
    ledger.receive_payment(
        s.ADMIN, "DEPT26", t.NewPayment(amount_cents=cents, received_on=ledger.today(), reference=f"v{cents}")
    )


def remove_the_cause(ledger, position: int) -> None:
    """What a data fix does: the stored event's value made storable."""
    table = ledger.app.recorder.events_table_name
    column = "notification_id" if ledger.db.postgres else "rowid"
    with ledger.db.transaction() as cur:
        state = bytes(cur.execute(f"SELECT state FROM {table} WHERE {column} = ?", (position,)).fetchone()[0])
        transcoder = ledger.app.mapper.transcoder
        fields = transcoder.decode(state)
        (name,) = [k for k, v in fields.items() if v == TOO_BIG]
        fields[name] = 512
        cur.execute(f"UPDATE {table} SET state = ? WHERE {column} = ?", (transcoder.encode(fields), position))


def failure_logs(caplog) -> list[str]:
    return [
        r.getMessage() for r in caplog.records if r.name == "cheque_ledger.projections" and r.levelno == logging.ERROR
    ]


def test_an_event_a_projection_cannot_store_sets_it_aside_and_the_other_reads_go_on(ledger, make_ledger, caplog):
    w = s.world(ledger)
    ledger.views.catch_up()
    poisoned = poison_pix(ledger, w.beneficiary.id)
    s.book(ledger, w, count=2)  # issuing reads ledger_views: it catches up past the poison
    head = ledger.views.head()

    # the other projections advanced, and their reads answer
    assert ledger.reconciliation(t.Actor(role="funder", org="DEPT26"), "DEPT26").reserved_cents == 2000
    positions = ledger.views.positions()
    assert positions["lending_views"] < poisoned and all(
        p == head for n, p in positions.items() if n != "lending_views"
    )
    assert [e.cheques_issued for e in ledger.caseload(w.prescriber_actor)] == [2]
    assert ledger.admin_funders(s.ADMIN)[0].code == "DEPT26"
    # the failed one's reads are refused, also those needing it among others
    with pytest.raises(errors.ProjectionFailed) as refused:
        ledger.pix_history(w.prescriber_actor, str(w.beneficiary.id))
    assert refused.value.status == 503 and refused.value.slug == "projection-failed"
    with pytest.raises(errors.ProjectionFailed):
        ledger.indicators(t.Actor(role="observatory"))

    failure = ledger.views.failures()["lending_views"]
    assert failure.position == poisoned and failure.error in OVERFLOW
    assert ledger.health() == (head, ["lending_views"])
    logged = failure_logs(caplog)
    assert len(logged) == 1, logged  # loudly, once
    assert "lending_views" in logged[0] and str(poisoned) in logged[0] and failure.error in logged[0]
    assert str(TOO_BIG) not in caplog.text

    other = make_ledger()  # another process sees it without having met it
    assert other.health() == (head, ["lending_views"])
    assert other.views.failures()["lending_views"].position == poisoned

    remove_the_cause(ledger, poisoned)
    other.views.rebuild("lending_views")  # rebuilt by another process: this one forgets its failure at its next read
    assert [p.score for p in ledger.pix_history(w.prescriber_actor, str(w.beneficiary.id)).items] == [512]
    assert ledger.health() == (ledger.views.head(), []) and other.views.failures() == {}
    assert len(failure_logs(caplog)) == 1


def names(difference: str, position: int) -> bool:
    """Whether ``difference`` says the Merkle log no longer matches the events at positions that hold ``position``."""
    if "(edited?)" not in difference or " at positions " not in difference:
        return False
    first, last = (int(x) for x in difference.split(" at positions ")[1].split(" ")[0].split(".."))
    return first <= position <= last


def test_a_failure_in_a_flush_is_placed_at_its_event_and_verify_reports_it(ledger):
    w = s.world(ledger)
    ledger.views.catch_up()
    pay(ledger, 101)
    poisoned = poison_cheque(ledger, w)
    pay(ledger, 102)
    pay(ledger, 103)
    ledger.views.catch_up()  # one batch: ledger_views buffers the cheque and fails when it writes it

    failure = ledger.views.failures()["ledger_views"]
    assert failure.position == poisoned and failure.error in OVERFLOW
    assert ledger.views.positions()["ledger_views"] == poisoned - 2
    with pytest.raises(errors.ProjectionFailed):
        ledger.reconciliation(t.Actor(role="funder", org="DEPT26"), "DEPT26")
    assert ledger.list_users(s.ADMIN) == []  # directory
    assert ledger.pix_history(w.prescriber_actor, str(w.beneficiary.id)).items == []  # lending_views

    differences, _, checked = verify(ledger)
    assert differences == [
        f"projection ledger_views failed on the event at position {poisoned} ({failure.error});"
        " rebuild it once the cause is removed"
    ]
    assert checked == ledger.views.head()

    remove_the_cause(ledger, poisoned)
    ledger.views.rebuild("ledger_views")
    assert ledger.views.failures() == {}
    assert ledger.reconciliation(t.Actor(role="funder", org="DEPT26"), "DEPT26").reserved_cents == 512
    differences, _, _ = verify(ledger)
    assert any(names(d, poisoned) for d in differences)  # the fix is visible (its block of events is named)


def test_an_event_that_cannot_be_decoded_fails_each_projection_that_reads_it(ledger, monkeypatch):
    w = s.world(ledger)
    position = next(  # an event outcomes and directory both read
        n.id
        for n in ledger.app.recorder.select_notifications(start=1, limit=1000)
        if n.topic.endswith("Beneficiary.Registered")
    )
    real = ledger.app.mapper.to_domain_event

    def decode(notification):
        if getattr(notification, "id", None) == position:
            raise ValueError("undecodable")
        return real(notification)

    monkeypatch.setattr(ledger.app.mapper, "to_domain_event", decode)
    ledger.views.rebuild()
    assert {n: (f.position, f.error) for n, f in ledger.views.failures().items()} == {
        "outcomes": (position, "ValueError"),
        "directory": (position, "ValueError"),
    }
    assert (
        ledger.reconciliation(t.Actor(role="funder", org="DEPT26"), "DEPT26").committed_cents
        == w.commitment.amount_cents
    )


def test_newer_code_applying_the_event_clears_the_failure_everywhere(ledger, make_ledger, monkeypatch):
    w = s.world(ledger)
    poisoned = poison_pix(ledger, w.beneficiary.id)
    ledger.views.catch_up()
    assert ledger.views.failed_here().keys() == {"lending_views"}

    def clamped(self, cur, e, position):
        cur.execute(
            "INSERT INTO pix_results (id, beneficiary_id, phase, score, taken_on, recorded_by) VALUES (?, ?, ?, ?, ?, ?)",
            (
                str(e.originator_id),
                str(e.beneficiary_id),
                e.phase,
                min(e.score, 1024),
                e.taken_on.isoformat(),
                e.recorded_by,
            ),
        )

    monkeypatch.setattr(LendingViews, "_on_PixAssessment_Recorded", clamped)
    fixed = make_ledger()  # a process with the fix deployed
    fixed.views.catch_up()
    assert fixed.views.positions()["lending_views"] == fixed.views.head() >= poisoned
    ledger.views.catch_up()  # this process sees the failure no longer stands
    assert ledger.views.failures() == {} and ledger.health()[1] == []
    assert [p.score for p in ledger.pix_history(w.prescriber_actor, str(w.beneficiary.id)).items] == [1024]


def test_a_connection_lost_during_a_catch_up_sets_no_projection_aside(ledger, monkeypatch, caplog):
    w = s.world(ledger)
    ledger.views.catch_up()
    s.beneficiary(ledger, w.prescriber_actor)
    lose = losing_connections(monkeypatch)
    monkeypatch.setattr(Outcomes, "apply", lambda self, cur, event, notification: cur.execute(lose))
    with pytest.raises(Exception) as raised:
        ledger.views.catch_up()
    assert is_outage(raised.value), raised.value
    with pytest.raises(Exception) as raised:
        ledger.admin_funders(s.ADMIN)  # a read meets the outage itself, never projection-failed
    assert is_outage(raised.value), raised.value
    assert ledger.views.failures() == {} and failure_logs(caplog) == []
    monkeypatch.undo()
    ledger.views.catch_up()
    assert set(ledger.views.positions().values()) == {ledger.views.head()}
    assert ledger.health() == (ledger.views.head(), [])


def test_the_command_line_reports_a_failed_projection(ledger, tmp_path, monkeypatch, capsys):
    w = s.world(ledger)
    poisoned = poison_pix(ledger, w.beneficiary.id)
    monkeypatch.setenv(
        "LEDGER_DATABASE_URL", PG_URL if BACKEND == "postgres" else f"sqlite:///{tmp_path / 'ledger.db'}"
    )
    monkeypatch.setenv("LEDGER_SECRET", SECRET.decode())
    assert cli.main(["verify"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("FAILED") and f"projection lending_views failed on the event at position {poisoned} (" in out
    assert cli.main(["rebuild", "lending_views"]) == 1
    assert "FAILED: projection lending_views failed" in capsys.readouterr().err
    remove_the_cause(ledger, poisoned)
    assert cli.main(["rebuild", "lending_views"]) == 0
    assert ledger.views.failures() == {}
