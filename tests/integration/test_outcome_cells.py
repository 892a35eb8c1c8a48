"""The outcome cells (projections/outcome_cells.py) give the indicators, breakdowns and export that the
cheques' rows give, for random sequences of books, redemptions across quarters, reversals, settlements,
cancellations and PIX tests; the funders' cells (projections/funder_cells.py) give the outcomes a scan of each
funder's cheques gave; and ``verify`` finds every cell equal to a recomputation from the events."""

from __future__ import annotations

import tempfile
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from api.bootstrap import open_ledger
from domain import errors
from ledger import types as t
from projections import cell_reads
from projections import funder_outcomes as funder_outcomes_module
from projections.indicator_figures import period_bounds
from projections.observatory_reads import suppression_threshold
from projections.verify import verify
from tests import scenario as s
from tests.conftest import BACKEND, SECRET, Clock, database_config

START = date(2026, 1, 5)
LAST = date(2026, 11, 30)
PEOPLE = [  # (publics, commune, birth year): several cells, one person with no public
    (["senior"], s.VALENCE, 1950),
    (["rsa", "job_seeker"], s.VALENCE, 1980),
    ([], s.DIE, 1990),
    (["senior", "disability"], s.DIE, 1950),
    (["caf_low_income"], s.VALENCE, 2004),
]
OPS = st.lists(
    st.tuples(
        st.sampled_from(["book", "redeem", "redeem", "reverse", "cancel", "settle", "pix", "days"]),
        st.integers(min_value=0, max_value=200),
    ),
    min_size=5,
    max_size=45,
)
PERIODS = [
    (None, None),
    (date(2026, 1, 1), date(2026, 3, 31)),
    (date(2026, 4, 1), date(2026, 6, 30)),
    (date(2026, 1, 1), date(2026, 9, 30)),
    (date(2026, 7, 1), None),
    (None, date(2026, 6, 30)),
    (date(2026, 2, 10), date(2026, 8, 20)),  # two edges around a whole quarter
    (date(2026, 2, 10), date(2026, 12, 31)),  # an edge, then whole quarters
    (date(2026, 1, 1), date(2026, 5, 15)),  # a whole quarter, then an edge
    (date(2026, 3, 3), date(2026, 3, 9)),  # days inside a quarter: all edge
    (date(2026, 2, 1), date(2026, 4, 30)),  # across two quarters, neither whole
    (None, date(2026, 8, 1)),
    (date(2026, 5, 2), None),
]


def scanned_funder_outcomes(ledger, code: str) -> t.FunderOutcomes:
    """What a funder's money did, read by scanning its redeemed cheques (as ``/financeur/resultats`` did before
    its cells)."""
    with ledger.db.read() as cur:
        rows = cur.execute(
            "SELECT c.structure_id, c.beneficiary_id, c.session_kind, c.duration_minutes, b.commune_insee"
            " FROM cheque_index c JOIN beneficiary_facts b ON b.id = c.beneficiary_id"
            " WHERE c.funder_code = ? AND c.status IN ('redeemed', 'settled')",
            (code,),
        ).fetchall()
    threshold = small_cells(ledger.settings)
    people: set[str] = set()
    kinds: dict[str, int] = defaultdict(int)
    groups: dict[str, dict[str, dict]] = {"epci": {}, "structure": {}}
    labels: dict[str, str] = {}
    for structure_id, beneficiary_id, kind, duration, commune in rows:
        people.add(beneficiary_id)
        kinds[kind or "individual"] += 1
        found = ledger.territory.get(commune)
        epci = found.epci_siren if found else "?"
        labels[epci] = found.epci_name if found else "Hors référentiel"
        for by, key in (("epci", epci), ("structure", structure_id or "?")):
            group = groups[by].setdefault(key, {"people": set(), "sessions": 0, "minutes": 0})
            group["people"].add(beneficiary_id)
            group["sessions"] += 1
            group["minutes"] += int(duration or 0)
    labels.update(ledger.structure_names(s.ADMIN, groups["structure"]))

    def shown(by: str) -> list[t.BreakdownRow]:
        out = []
        for key, g in groups[by].items():
            ok = len(g["people"]) >= threshold
            out.append(
                t.BreakdownRow(
                    key=key,
                    label=labels.get(key, key),
                    beneficiaries=len(g["people"]) if ok else None,
                    sessions=g["sessions"] if ok else None,
                    minutes=g["minutes"] if ok else None,
                    suppressed=not ok,
                )
            )
        return sorted(out, key=lambda r: (r.suppressed, -(r.sessions or 0), r.label, r.key))

    return t.FunderOutcomes(
        funder_code=code,
        sessions=len(rows),
        minutes=sum(int(r[3] or 0) for r in rows),
        beneficiaries=len(people) if len(people) >= threshold else None,
        places=len(groups["structure"]),
        sessions_by_kind=dict(kinds),
        by_epci=shown("epci"),
        by_structure=shown("structure"),
    )


small_cells = suppression_threshold


def funder_outcomes(ledger, code: str) -> t.FunderOutcomes:
    out = ledger.funder_outcomes(s.ADMIN, code)
    out.by_epci.sort(key=lambda r: (r.suppressed, -(r.sessions or 0), r.label, r.key))  # ties in any order
    out.by_structure.sort(key=lambda r: (r.suppressed, -(r.sessions or 0), r.label, r.key))
    return out


def reads(ledger, start, end):
    return (
        ledger.indicators(s.ADMIN, start, end),
        ledger.breakdown(s.ADMIN, "quarter", start, end),
        ledger.breakdown(s.ADMIN, "epci", start, end),
        ledger.observatory_export(s.ADMIN, start, end),
    )


@settings(max_examples=20 if BACKEND == "sqlite" else 5, deadline=None, suppress_health_check=list(HealthCheck))
@given(ops=OPS)
@example(ops=[("book", 0), ("redeem", 0), ("days", 68), ("days", 68), ("book", 0), ("redeem", 1), ("reverse", 0)])
@example(ops=[("book", 0), ("redeem", 0), ("days", 68), ("days", 68), ("book", 5), ("redeem", 1), ("pix", 1)])
@example(ops=[("book", 1), ("redeem", 0), ("book", 3), ("redeem", 0), ("reverse", 1)])  # a person's only session
def test_cells_equal_the_cheques_rows(ops):
    clock = Clock(START)
    tmp = tempfile.TemporaryDirectory()
    ledger = open_ledger(database_config(Path(tmp.name)), SECRET, clock=clock)
    try:
        w = s.world(ledger, amount_cents=10_000_000)
        s.funder(ledger, "CAF26", kind="caf")  # a second funder, paying first for some people's cheques
        s.commitment(ledger, "CAF26", 10_000_000, publics=["rsa", "senior"], priority=1, reference="CONV-CAF")
        people = [
            s.beneficiary(ledger, w.prescriber_actor, publics=publics, commune=commune, birth_year=year)
            for publics, commune, year in PEOPLE
        ]
        open_cheques: list[tuple[t.IssuedCheque, str]] = []
        redeemed: list[str] = []
        for op, n in ops:
            try:
                if op == "days":
                    clock.today = min(LAST, clock.today + timedelta(days=1 + n % 70))
                elif op == "book":
                    who = people[n % len(people)]
                    issued = ledger.issue_book(
                        w.prescriber_actor, t.NewChequeBook(beneficiary_id=who.id, count=1 + n % 3)
                    )
                    open_cheques += [(c, str(who.id)) for c in issued.cheques]
                elif op == "redeem" and open_cheques:
                    c, _ = open_cheques.pop(n % len(open_cheques))
                    kind = ("individual", "collective", "administrative_procedure")[n % 3]
                    out = ledger.redeem(w.structure_actor, s.redemption(c.serial, c.code, clock.today, kind, 30 + n))
                    redeemed.append(out.id)
                    open_cheques.append((c, "redeemed"))  # may be reversed, then redeemed again
                elif op == "reverse" and redeemed:
                    ledger.reverse_redemption(
                        w.structure_actor, redeemed.pop(n % len(redeemed)), t.ReasonBody(reason="x")
                    )
                elif op == "cancel" and open_cheques:
                    c, _ = open_cheques.pop(n % len(open_cheques))
                    ledger.cancel_cheque(w.prescriber_actor, c.serial, t.ReasonBody(reason="perdu"))
                elif op == "settle" and n % 4 == 0:
                    ledger.settle(s.ADMIN, t.NewSettlement(through=clock.today))
                elif op == "pix":
                    who = people[n % len(people)]
                    phase = "entry" if n % 2 else "exit"
                    ledger.record_pix(
                        s.ADMIN, str(who.id), t.NewPixAssessment(phase=phase, score=n, taken_on=clock.today)
                    )
            except errors.DomainError as refused:  # a refused command (already redeemed, settled…) is fine
                if isinstance(refused, (errors.ProjectionFailed, errors.ProjectionLagging)):
                    raise
        assert verify(ledger)[0] == []  # every cell and marker equals a recomputation from the events
        for code in ("DEPT26", "CAF26"):
            assert funder_outcomes(ledger, code) == scanned_funder_outcomes(ledger, code), code
            global small_cells
            try:  # and every figure, the small ones too
                small_cells = funder_outcomes_module.suppression_threshold = lambda settings: 1  # type: ignore
                assert funder_outcomes(ledger, code) == scanned_funder_outcomes(ledger, code), code
            finally:
                small_cells = funder_outcomes_module.suppression_threshold = suppression_threshold
        for start, end in PERIODS:
            from_cells = reads(ledger, start, end)
            original = cell_reads.split
            cell_reads.split = lambda start, end: (None, [period_bounds(start, end)])  # all from the cheques' rows
            try:
                from_rows = reads(ledger, start, end)
            finally:
                cell_reads.split = original
            assert from_cells == from_rows, (start, end)
    finally:
        ledger.close()
        tmp.cleanup()


@pytest.mark.parametrize(
    ("start", "end", "scope"),
    [
        (None, None, cell_reads.ALL_TIME),
        (date(2026, 1, 1), date(2026, 3, 31), ("2026-Q1", "2026-Q1")),
        (date(2026, 10, 1), date(2027, 3, 31), ("2026-Q4", "2027-Q1")),
        (None, date(2026, 12, 31), ("0000-Q1", "2026-Q4")),
        (date(2026, 1, 2), None, None),
        (date(2026, 1, 1), date(2026, 3, 30), None),
        (date(2026, 2, 1), date(2026, 4, 30), None),
    ],
)
def test_periods_of_whole_quarters_read_cells(start, end, scope):
    assert cell_reads.scope_of(start, end) == scope


@pytest.mark.parametrize(
    ("start", "end", "scope", "edges"),
    [
        (None, None, cell_reads.ALL_TIME, []),
        (date(2026, 1, 1), date(2026, 3, 31), ("2026-Q1", "2026-Q1"), []),
        (
            date(2026, 2, 10),
            date(2026, 8, 20),
            ("2026-Q2", "2026-Q2"),
            [("2026-02-10", "2026-03-31"), ("2026-07-01", "2026-08-20")],
        ),
        (date(2026, 1, 2), None, ("2026-Q2", "9999-Q4"), [("2026-01-02", "2026-03-31")]),
        (None, date(2026, 3, 30), ("0000-Q1", "2025-Q4"), [("2026-01-01", "2026-03-30")]),
        (date(2026, 2, 1), date(2026, 4, 30), None, [("2026-02-01", "2026-04-30")]),
        (date(2026, 12, 1), date(2027, 3, 31), ("2027-Q1", "2027-Q1"), [("2026-12-01", "2026-12-31")]),
        (date(2026, 12, 1), date(2027, 3, 30), None, [("2026-12-01", "2027-03-30")]),
        (
            date(2026, 11, 5),
            date(2027, 7, 1),
            ("2027-Q1", "2027-Q2"),
            [("2026-11-05", "2026-12-31"), ("2027-07-01", "2027-07-01")],
        ),
    ],
)
def test_a_period_splits_into_whole_quarters_and_edge_days(start, end, scope, edges):
    assert cell_reads.split(start, end) == (scope, edges)


@given(start=st.dates(date(2025, 1, 1), date(2028, 12, 31)), days=st.integers(0, 800))
def test_the_edges_and_the_whole_quarters_cover_the_period_once(start, days):
    end = start + timedelta(days=days)
    scope, edges = cell_reads.split(start, end)
    covered = [day for low, high in edges for day in _days(date.fromisoformat(low), date.fromisoformat(high))]
    if scope is not None:
        covered += [d for d in _days(start, end) if scope[0] <= f"{d.year}-Q{(d.month - 1) // 3 + 1}" <= scope[1]]
    assert sorted(covered) == list(_days(start, end))
    assert (
        len(edges) <= 2
        and all(date.fromisoformat(h) - date.fromisoformat(lo) < timedelta(days=92) for lo, h in edges)
        or scope is None
    )


def _days(low: date, high: date):
    return (low + timedelta(days=i) for i in range((high - low).days + 1))
