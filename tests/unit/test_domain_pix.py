"""PIX assessments (domain/pix.py): recording a score, pairing each beneficiary's entry with its exit. No database."""

from __future__ import annotations

import functools
from datetime import date, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain import errors
from domain.pix import MAX_SCORE, Phase, PixAssessment, pix_pairs

TODAY = date(2026, 3, 16)
Row = tuple[str, str, int, str]  # (beneficiary, phase, score, taken_on ISO), as pix_pairs takes them


def replay(events: list) -> Any:
    return functools.reduce(lambda aggregate, event: event.mutate(aggregate), events, None)


def record(
    *,
    beneficiary_id: UUID | None = None,
    phase: Any = "entry",
    score: Any = 512,
    taken_on: date = TODAY,
    recorded_by: str = "structure-1",
    today: date = TODAY,
) -> PixAssessment:
    return PixAssessment.record(
        beneficiary_id=beneficiary_id or uuid4(),
        phase=phase,
        score=score,
        taken_on=taken_on,
        recorded_by=recorded_by,
        today=today,
    )


# -- recording -----------------------------------------------------------------------------------------


def test_the_pix_scale() -> None:
    assert MAX_SCORE == 1024 == 16 * 8 * 8
    assert [p.value for p in Phase] == ["entry", "exit"]


@pytest.mark.parametrize("phase", ["entry", "exit"])
def test_an_assessment_is_recorded(phase: str) -> None:
    beneficiary_id = uuid4()
    taken_on = TODAY - timedelta(days=3)
    a = record(beneficiary_id=beneficiary_id, phase=phase, score=300, taken_on=taken_on, recorded_by="structure-7")
    assert (a.beneficiary_id, a.phase, a.score, a.taken_on, a.recorded_by) == (
        beneficiary_id,
        phase,
        300,
        taken_on,
        "structure-7",
    )
    events = list(a.collect_events())
    assert [type(e).__name__ for e in events] == ["Recorded"]
    (e,) = events
    assert (e.beneficiary_id, e.phase, e.score, e.taken_on, e.recorded_by) == (
        beneficiary_id,
        phase,
        300,
        taken_on,
        "structure-7",
    )
    rebuilt = replay(events)
    assert rebuilt == a and rebuilt is not a


@pytest.mark.parametrize("phase", [Phase.ENTRY, Phase.EXIT])
def test_the_phase_may_be_given_as_the_enum_and_is_stored_as_its_value(phase: Phase) -> None:
    a = record(phase=phase)
    assert a.phase == phase.value
    assert type(a.phase) is str


@pytest.mark.parametrize("phase", ["middle", "Entry", "EXIT", "", " entry", "entrée", None])
def test_unknown_phases_are_refused(phase: Any) -> None:
    with pytest.raises(errors.ValidationError) as info:
        record(phase=phase)
    assert info.value.status == 400 and info.value.slug == "validation-error"


@pytest.mark.parametrize("score", [0, 1, 512, 1023, MAX_SCORE])
def test_scores_from_0_to_1024_are_accepted(score: int) -> None:
    assert record(score=score).score == score


@pytest.mark.parametrize("score", [-1, -1024, MAX_SCORE + 1, 10**6])
def test_scores_outside_the_scale_are_refused(score: int) -> None:
    with pytest.raises(errors.ValidationError):
        record(score=score)


@pytest.mark.parametrize("score", [True, False, 10.0, 0.0, 512.5, "512", None, [512]])
def test_scores_must_be_integers_not_booleans(score: Any) -> None:
    with pytest.raises(errors.ValidationError):
        record(score=score)


@pytest.mark.parametrize("taken_on", [TODAY, TODAY - timedelta(days=1), date(2020, 1, 1)])
def test_a_test_taken_today_or_before_is_accepted(taken_on: date) -> None:
    assert record(taken_on=taken_on).taken_on == taken_on


@pytest.mark.parametrize("taken_on", [TODAY + timedelta(days=1), TODAY + timedelta(days=365)])
def test_a_test_in_the_future_is_refused(taken_on: date) -> None:
    with pytest.raises(errors.ValidationError):
        record(taken_on=taken_on)


@settings(max_examples=100, deadline=None)
@given(
    phase=st.sampled_from(["entry", "exit"]),
    score=st.integers(-50, MAX_SCORE + 50),
    offset=st.integers(-400, 5),
)
def test_recording_accepts_exactly_the_valid_assessments(phase: str, score: int, offset: int) -> None:
    taken_on = TODAY + timedelta(days=offset)
    valid = 0 <= score <= MAX_SCORE and offset <= 0
    if not valid:
        with pytest.raises(errors.ValidationError):
            record(phase=phase, score=score, taken_on=taken_on)
        return
    a = record(phase=phase, score=score, taken_on=taken_on)
    assert (a.phase, a.score, a.taken_on) == (phase, score, taken_on)
    assert replay(list(a.collect_events())) == a


# -- pairing entries with exits ------------------------------------------------------------------------


def test_no_assessments_no_pairs() -> None:
    assert pix_pairs([]) == {}


def test_one_entry_and_one_exit_make_a_pair() -> None:
    assert pix_pairs([("a", "entry", 100, "2026-01-05"), ("a", "exit", 300, "2026-04-01")]) == {"a": (100, 300)}


def test_the_first_entry_is_paired_with_the_latest_exit() -> None:
    rows = [
        ("a", "entry", 100, "2026-01-05"),
        ("a", "entry", 150, "2026-01-02"),  # earlier, though given later: the first entry
        ("a", "entry", 120, "2026-02-01"),
        ("a", "exit", 260, "2026-04-01"),  # the latest exit, given before an earlier one
        ("a", "exit", 200, "2026-03-01"),
    ]
    assert pix_pairs(rows) == {"a": (150, 260)}


def test_beneficiaries_with_a_single_phase_are_left_out() -> None:
    rows = [
        ("only-entries", "entry", 80, "2026-01-01"),
        ("only-entries", "entry", 90, "2026-02-01"),
        ("only-exits", "exit", 90, "2026-02-01"),
        ("only-exits", "exit", 95, "2026-03-01"),
        ("both", "exit", 500, "2026-03-01"),
        ("both", "entry", 400, "2026-01-01"),
    ]
    assert pix_pairs(rows) == {"both": (400, 500)}


def test_each_beneficiary_is_paired_on_its_own() -> None:
    rows = [
        ("a", "entry", 10, "2026-01-01"),
        ("b", "entry", 20, "2025-12-01"),
        ("b", "exit", 40, "2026-06-01"),
        ("a", "exit", 30, "2026-02-01"),
        ("c", "entry", 50, "2026-01-01"),
    ]
    assert pix_pairs(rows) == {"a": (10, 30), "b": (20, 40)}


def test_ties_are_broken_by_the_order_given() -> None:
    # the first of several entries on the first day; the last of several exits on the latest day
    rows = [
        ("a", "entry", 111, "2026-01-01"),
        ("a", "entry", 222, "2026-01-01"),
        ("a", "exit", 333, "2026-05-01"),
        ("a", "exit", 444, "2026-05-01"),
    ]
    assert pix_pairs(rows) == {"a": (111, 444)}
    assert pix_pairs(list(reversed(rows))) == {"a": (222, 333)}


def test_iso_dates_compare_across_years() -> None:
    rows = [
        ("a", "entry", 1, "2026-01-01"),
        ("a", "entry", 2, "2025-12-31"),
        ("a", "exit", 3, "2026-12-31"),
        ("a", "exit", 4, "2027-01-01"),
    ]
    assert pix_pairs(rows) == {"a": (2, 4)}


def test_phases_may_be_given_as_the_enum() -> None:
    assert pix_pairs([("a", Phase.ENTRY, 5, "2026-01-01"), ("a", Phase.EXIT, 9, "2026-02-01")]) == {"a": (5, 9)}


def test_recorded_assessments_pair_up() -> None:
    """From aggregates to the pairs, the way the views feed them (taken_on as ISO text)."""
    someone, other = uuid4(), uuid4()
    assessments = [
        record(beneficiary_id=someone, phase="exit", score=700, taken_on=date(2026, 3, 1)),
        record(beneficiary_id=someone, phase="entry", score=300, taken_on=date(2026, 1, 10)),
        record(beneficiary_id=someone, phase="entry", score=350, taken_on=date(2026, 1, 20)),
        record(beneficiary_id=other, phase="entry", score=100, taken_on=date(2026, 1, 10)),
    ]
    rows = [(str(a.beneficiary_id), a.phase, a.score, a.taken_on.isoformat()) for a in assessments]
    assert pix_pairs(rows) == {str(someone): (300, 700)}


# -- pairing against a simple reference ----------------------------------------------------------------


def reference_pairs(rows: list[Row]) -> dict[str, tuple[int, int]]:
    """Sort each beneficiary's rows by date (a stable sort keeps the order given within a day):
    the entry is the first of the sorted entries, the exit the last of the sorted exits."""
    out: dict[str, tuple[int, int]] = {}
    for beneficiary in dict.fromkeys(r[0] for r in rows):
        entries = sorted((r for r in rows if r[0] == beneficiary and r[1] == "entry"), key=lambda r: r[3])
        exits = sorted((r for r in rows if r[0] == beneficiary and r[1] == "exit"), key=lambda r: r[3])
        if entries and exits:
            out[beneficiary] = (entries[0][2], exits[-1][2])
    return out


ROWS = st.lists(
    st.tuples(
        st.sampled_from(["a", "b", "c", "d"]),
        st.sampled_from(["entry", "exit"]),
        st.integers(0, MAX_SCORE),
        st.dates(date(2025, 11, 1), date(2026, 2, 28)).map(date.isoformat),  # few dates: many ties
    ),
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(rows=ROWS)
def test_pix_pairs_matches_the_reference(rows: list[Row]) -> None:
    assert pix_pairs(rows) == reference_pairs(rows)


@settings(max_examples=150, deadline=None)
@given(rows=ROWS)
def test_pairs_are_for_beneficiaries_with_both_phases_and_use_their_scores(rows: list[Row]) -> None:
    pairs = pix_pairs(rows)
    both = {b for b, p, _, _ in rows if p == "entry"} & {b for b, p, _, _ in rows if p == "exit"}
    assert set(pairs) == both
    for b, (entry, exit_) in pairs.items():
        entries = [r for r in rows if r[0] == b and r[1] == "entry"]
        exits = [r for r in rows if r[0] == b and r[1] == "exit"]
        first_day, last_day = min(r[3] for r in entries), max(r[3] for r in exits)
        assert entry in {r[2] for r in entries if r[3] == first_day}
        assert exit_ in {r[2] for r in exits if r[3] == last_day}


@settings(max_examples=150, deadline=None)
@given(rows=ROWS, data=st.data())
def test_with_distinct_days_the_order_given_does_not_matter(rows: list[Row], data: st.DataObject) -> None:
    # one row per (beneficiary, phase, day): no ties, so any order gives the same pairs
    unique = list({(b, p, d): (b, p, s, d) for b, p, s, d in rows}.values())
    shuffled = data.draw(st.permutations(unique))
    assert pix_pairs(shuffled) == pix_pairs(unique) == reference_pairs(unique)


@settings(max_examples=100, deadline=None)
@given(rows=ROWS, beneficiary=st.sampled_from(["a", "b", "c", "d"]), phase=st.sampled_from(["entry", "exit"]))
def test_a_later_entry_or_an_earlier_exit_changes_nothing(rows: list[Row], beneficiary: str, phase: str) -> None:
    score = 999
    before = pix_pairs(rows)
    day = "2026-12-31" if phase == "entry" else "2025-01-01"  # after every entry / before every exit
    after = pix_pairs([*rows, (beneficiary, phase, score, day)])
    for b in before:
        assert after[b] == before[b]


def test_pix_pairs_ignores_unknown_phases():
    from domain.pix import pix_pairs as _pairs

    rows = [("a", "entry", 100, "2026-01-01"), ("a", "middle", 900, "2026-02-01"), ("a", "exit", 150, "2026-01-15")]
    assert _pairs(rows) == {"a": (100, 150)}
