"""Issue 18 in the domain: people's references (derived from the id, typeable, with a check character), the
allocation that prefers commitments leaving 90 days of validity and the ``short-validity`` warning, the
French long date (« 1er mars »), the age bands in words, the bound on a cheque's value."""

from __future__ import annotations

import re
from datetime import date
from uuid import UUID, uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.cheques import MAX_FACE_VALUE_CENTS, check_book_request, cheque_validity, validity_warnings
from domain.codes import SERIAL_ALPHABET, looks_like_reference, normalize_reference, reference_of
from domain.errors import NotFound, ValidationError
from domain.funding import Commitment, choose_funding
from domain.values import AGE_BAND_LABELS, AGE_BANDS, french_day

REFERENCE = re.compile(rf"^B-[{SERIAL_ALPHABET}]{{4}}-[{SERIAL_ALPHABET}]{{4}}-[{SERIAL_ALPHABET}]$")


@given(st.uuids())
def test_every_id_has_a_well_formed_reference_that_normalises_to_itself(beneficiary_id: UUID) -> None:
    reference = reference_of(beneficiary_id)
    assert REFERENCE.match(reference), reference
    assert reference_of(beneficiary_id) == reference  # derived: the same every time, nothing stored
    assert normalize_reference(reference) == reference


@given(st.uuids(), st.data())
def test_a_reference_typed_in_any_case_with_or_without_dashes_is_found(beneficiary_id: UUID, data) -> None:
    reference = reference_of(beneficiary_id)
    typed = "".join(
        data.draw(st.sampled_from(["", " ", "-"])) + (ch.lower() if data.draw(st.booleans()) else ch)
        for ch in reference.replace("-", "")
    )
    if data.draw(st.booleans()):
        typed = typed.lstrip(" -")[1:]  # the B is optional too
    assert normalize_reference(typed) == reference


@given(st.uuids(), st.integers(2, 9), st.sampled_from(SERIAL_ALPHABET))
def test_a_single_wrong_character_is_refused(beneficiary_id: UUID, position: int, replacement: str) -> None:
    reference = reference_of(beneficiary_id).replace("-", "")
    if reference[position] == replacement:
        return
    typo = reference[:position] + replacement + reference[position + 1 :]
    with pytest.raises(NotFound):
        normalize_reference(typo)


@pytest.mark.parametrize("typed", ["", "B", "B-1234", "B-7K3M-9QX4", "X-7K3M-9QX4-R-1", "B-7K3M-9QX4-#"])
def test_malformed_references_are_not_found(typed: str) -> None:
    with pytest.raises(NotFound):
        normalize_reference(typed)


def test_an_id_is_not_taken_for_a_reference() -> None:
    beneficiary_id = uuid4()
    assert not looks_like_reference(str(beneficiary_id))
    assert looks_like_reference(reference_of(beneficiary_id))


def test_references_are_spread_over_40_bits() -> None:
    references = {reference_of(uuid4()) for _ in range(20_000)}
    assert len(references) == 20_000


# -- validity people can use (finding 4) ---------------------------------------------------------------


def commitment(reference: str, valid_until: date, priority: int) -> Commitment:
    return Commitment.sign(
        funder_code="F",
        reference=reference,
        amount_cents=100_000,
        valid_from=date(2026, 1, 1),
        valid_until=valid_until,
        eligible_publics=[],
        territory=[],
        priority=priority,
    )


def test_a_commitment_ending_within_90_days_is_chosen_last_even_with_a_better_priority() -> None:
    """The issue: a book issued on 6 December was valid until 31 December, its commitment ending."""
    today = date(2026, 12, 6)
    ending = commitment("ENDING", date(2026, 12, 31), priority=1)
    lasting = commitment("LASTING", date(2027, 12, 31), priority=100)
    chosen = choose_funding(
        [ending, lasting], count=3, face_value_cents=1000, on=today, publics=[], commune_insee="26362"
    )
    assert [c.reference for c in chosen] == ["LASTING"] * 3
    assert validity_warnings([cheque_validity(today, c.valid_until) for c in chosen], today) == []


def test_short_validity_is_used_when_nothing_else_is_left_and_then_warned() -> None:
    today = date(2026, 12, 6)
    ending = commitment("ENDING", date(2026, 12, 31), priority=1)
    chosen = choose_funding([ending], count=2, face_value_cents=1000, on=today, publics=[], commune_insee="26362")
    warnings = validity_warnings([cheque_validity(today, c.valid_until) for c in chosen], today)
    assert [code for code, _ in warnings] == ["short-validity"]
    assert "31 décembre 2026" in warnings[0][1] and "90 jours" in warnings[0][1]


def test_the_warning_starts_below_90_days() -> None:
    today = date(2026, 1, 1)
    assert validity_warnings([date(2026, 4, 1)], today) == []  # 90 days
    assert [c for c, _ in validity_warnings([date(2026, 3, 31)], today)] == ["short-validity"]  # 89 days


# -- French words (finding 7) ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "words"),
    [(date(2027, 3, 1), "1er mars 2027"), (date(2026, 12, 6), "6 décembre 2026"), (date(2026, 8, 31), "31 août 2026")],
)
def test_french_day(day: date, words: str) -> None:
    assert french_day(day) == words


def test_every_age_band_has_words() -> None:
    assert set(AGE_BAND_LABELS) == {band for *_, band in AGE_BANDS}
    assert AGE_BAND_LABELS["75_plus"] == "75 ans et plus"
    assert all("_" not in label for label in AGE_BAND_LABELS.values())


# -- a cheque's value has a ceiling ----------------------------------------------------------------------


def test_a_cheque_value_is_bounded_in_the_domain() -> None:
    check_book_request(1, MAX_FACE_VALUE_CENTS)
    with pytest.raises(ValidationError) as info:
        check_book_request(1, MAX_FACE_VALUE_CENTS + 1)
    assert "1\u202f000 €" in info.value.detail and info.value.fields[0][0] == "face_value_cents"
