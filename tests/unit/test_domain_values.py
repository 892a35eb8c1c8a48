"""Value vocabularies and validators (domain/values.py), refusals (domain/errors.py), ids (domain/ids.py)."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from itertools import pairwise
from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum import luhn

from domain import errors
from domain.errors import ValidationError
from domain.ids import natural_id
from domain.values import (
    AGE_BANDS,
    FIRST_DAY,
    LAST_DAY,
    MAX_CENTS,
    FunderKind,
    PrescriberKind,
    Public,
    SessionKind,
    StructureLabel,
    add_months,
    age_band,
    check_amount,
    check_day,
    check_fact_date,
    check_funder_code,
    check_siret,
    parse_enum,
    parse_enum_list,
)

# -- add_months ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 3, 16), 12, date(2027, 3, 16)),
        (date(2026, 3, 16), 0, date(2026, 3, 16)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),  # 29 Feb -> no 29 Feb next year
        (date(2024, 2, 29), 48, date(2028, 2, 29)),  # ... but there is four years on
        (date(2023, 2, 28), 12, date(2024, 2, 28)),  # 28 Feb stays 28 Feb in a leap year
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2025, 3, 31), 1, date(2025, 4, 30)),
        (date(2025, 8, 31), 6, date(2026, 2, 28)),
        (date(2025, 5, 31), 12, date(2026, 5, 31)),
        (date(2025, 12, 15), 1, date(2026, 1, 15)),  # year roll-over
        (date(2025, 11, 30), 3, date(2026, 2, 28)),
        (date(2025, 1, 15), -1, date(2024, 12, 15)),  # backwards
        (date(2025, 3, 31), -1, date(2025, 2, 28)),
        (date(2024, 3, 30), -1, date(2024, 2, 29)),
        (date(2026, 1, 1), 24, date(2028, 1, 1)),
    ],
)
def test_add_months_examples(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


@given(
    start=st.dates(min_value=date(1950, 1, 1), max_value=date(2200, 12, 31)),
    months=st.integers(min_value=-240, max_value=240),
)
def test_add_months_is_same_day_clamped_to_month_end(start: date, months: int) -> None:
    result = add_months(start, months)
    # the right month ...
    assert (result.year * 12 + result.month) - (start.year * 12 + start.month) == months
    # ... and the same day, or the month's last day when it has no such day
    last = calendar.monthrange(result.year, result.month)[1]
    assert result.day == min(start.day, last)


@given(start=st.dates(min_value=date(1950, 1, 1), max_value=date(2200, 12, 31)))
def test_add_twelve_months_is_about_a_year(start: date) -> None:
    delta = add_months(start, 12) - start
    assert timedelta(days=364) <= delta <= timedelta(days=366)


# -- SIRET -------------------------------------------------------------------------------------

VALID_SIRETS = ["73282932000074", "35600000000048", "44306184100047", "55208131766522"]


@pytest.mark.parametrize("siret", VALID_SIRETS)
def test_valid_siret_is_accepted_and_returned(siret: str) -> None:
    assert check_siret(siret) == siret


@pytest.mark.parametrize(
    "siret",
    [
        "73282932000075",  # Luhn fails
        "73282932000073",
        "7328293200007",  # 13 digits
        "732829320000740",  # 15 digits
        "",
        "7328293200007A",
        "7328293200007 4",  # spaces are not cleaned here
        " 73282932000074",
        "73282932000074\n",
        "732 829 320 00074",
        "٧٣٢٨٢٩٣٢٠٠٠٠٧٤",  # Arabic-Indic digits are not "14 digits"
        "７３２８２９３２０００００７４",  # full-width digits
        "00000000000000" + "0",
        "12345678901234",
        "73282933000074",  # SIRET Luhn ok? no: SIREN 732829330 breaks
    ],
)
def test_invalid_siret_is_refused(siret: str) -> None:
    with pytest.raises(ValidationError):
        check_siret(siret)


def test_siret_whose_siren_fails_luhn_is_refused_even_if_the_siret_passes() -> None:
    siren = "123456789"  # not Luhn-valid
    assert not luhn.is_valid(siren)
    body = siren + "0000"
    siret = body + luhn.calc_check_digit(body)
    assert luhn.is_valid(siret)
    with pytest.raises(ValidationError):
        check_siret(siret)


def test_la_poste_establishments_follow_their_own_rule() -> None:
    """INSEE's exception: La Poste's establishments (SIREN 356000000) are not Luhn-checked but their
    digit sum is a multiple of 5. python-stdnum implements it; we accept what INSEE accepts."""
    assert not luhn.is_valid("35600000000001")
    assert check_siret("35600000000001") == "35600000000001"
    with pytest.raises(ValidationError):
        check_siret("35600000000002")


siren_bodies = st.text(alphabet="0123456789", min_size=8, max_size=8).filter(lambda s: not s.startswith("35600000"))
nic_bodies = st.text(alphabet="0123456789", min_size=4, max_size=4)


def _siret(siren_body: str, nic_body: str) -> str:
    siren = siren_body + luhn.calc_check_digit(siren_body)
    body = siren + nic_body
    return body + luhn.calc_check_digit(body)


@given(siren_body=siren_bodies, nic_body=nic_bodies)
def test_siret_built_with_luhn_check_digits_is_accepted(siren_body: str, nic_body: str) -> None:
    siret = _siret(siren_body, nic_body)
    assert check_siret(siret) == siret


@given(
    siren_body=siren_bodies,
    nic_body=nic_bodies,
    position=st.integers(min_value=9, max_value=13),
    shift=st.integers(min_value=1, max_value=9),
)
def test_any_single_wrong_digit_of_the_establishment_part_is_refused(
    siren_body: str, nic_body: str, position: int, shift: int
) -> None:
    siret = _siret(siren_body, nic_body)
    digit = str((int(siret[position]) + shift) % 10)
    wrong = siret[:position] + digit + siret[position + 1 :]
    with pytest.raises(ValidationError):
        check_siret(wrong)


@given(siren_body=siren_bodies, nic_body=nic_bodies)
def test_exactly_one_last_digit_makes_a_siret_valid(siren_body: str, nic_body: str) -> None:
    prefix = _siret(siren_body, nic_body)[:13]
    accepted = []
    for d in "0123456789":
        try:
            check_siret(prefix + d)
            accepted.append(d)
        except ValidationError:
            pass
    assert len(accepted) == 1


# -- funder codes ----------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["DEPT26", "AB", "CAF-26", "FT", "EU-FSE-PLUS-2024", "A" * 32, "0-0", "--"])
def test_valid_funder_code(code: str) -> None:
    assert check_funder_code(code) == code


@pytest.mark.parametrize(
    "code",
    ["", "A", "A" * 33, "dept26", "Dept26", "DEPT 26", "DEPT_26", "DÉPT", "DEPT26.", " DEPT26", "DEPT26 ", "DEPT\n26"],
)
def test_invalid_funder_code(code: str) -> None:
    with pytest.raises(ValidationError):
        check_funder_code(code)


@pytest.mark.parametrize("code", ["DEPT26\n", "AB\n"])
def test_funder_code_with_trailing_newline_is_refused(code: str) -> None:
    with pytest.raises(ValidationError):
        check_funder_code(code)


@given(st.from_regex(r"[A-Z0-9-]{2,32}", fullmatch=True))
def test_every_code_of_the_contract_pattern_is_accepted(code: str) -> None:
    assert check_funder_code(code) == code


# -- amounts ---------------------------------------------------------------------------------


@pytest.mark.parametrize("amount", [1, 1000, 10**10])
def test_positive_integer_amounts(amount: int) -> None:
    assert check_amount(amount) == amount


def test_zero_only_when_allowed() -> None:
    with pytest.raises(ValidationError):
        check_amount(0)
    assert check_amount(0, allow_zero=True) == 0


@pytest.mark.parametrize("amount", [-1, -1000, True, False, 10.0, 0.5, "100", None, MAX_CENTS + 1, 2**63, 10**30])
def test_refused_amounts(amount: object) -> None:
    with pytest.raises(ValidationError):
        check_amount(amount)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        check_amount(amount, allow_zero=True)  # type: ignore[arg-type]


# -- age bands -------------------------------------------------------------------------------

ON = date(2026, 6, 1)


@pytest.mark.parametrize(
    ("birth_year", "band"),
    [
        (2026, "under_18"),
        (2009, "under_18"),
        (2008, "18_25"),
        (2001, "18_25"),
        (2000, "26_34"),
        (1992, "26_34"),
        (1991, "35_44"),
        (1982, "35_44"),
        (1981, "45_54"),
        (1972, "45_54"),
        (1971, "55_64"),
        (1962, "55_64"),
        (1961, "65_74"),
        (1952, "65_74"),
        (1951, "75_plus"),
        (1900, "75_plus"),
    ],
)
def test_age_band_boundaries(birth_year: int, band: str) -> None:
    assert age_band(birth_year, ON) == band


@pytest.mark.parametrize("birth_year", [2027, 3000, 1899, 0, -5])
def test_impossible_birth_years(birth_year: int) -> None:
    with pytest.raises(ValidationError):
        age_band(birth_year, ON)


def test_age_bands_are_contiguous_and_cover_every_age() -> None:
    assert AGE_BANDS[0][0] == 0
    for (_, high, _), (low, _, _) in pairwise(AGE_BANDS):
        assert low == high + 1
    assert len({band for _, _, band in AGE_BANDS}) == len(AGE_BANDS)


@given(birth_year=st.integers(min_value=1900, max_value=2026), on=st.dates(date(2026, 1, 1), date(2030, 12, 31)))
def test_age_band_is_coarse(birth_year: int, on: date) -> None:
    band = age_band(birth_year, on)
    age = on.year - birth_year
    (low, high) = next((lo, hi) for lo, hi, b in AGE_BANDS if b == band)
    assert low <= age <= high


# -- enums -----------------------------------------------------------------------------------


def test_vocabularies_are_the_contracts() -> None:
    assert {p.value for p in Public} == {
        "rsa",
        "ase_young_adult",
        "senior",
        "job_seeker",
        "caf_low_income",
        "disability",
        "other",
    }
    assert {k.value for k in FunderKind} == {
        "state",
        "eu",
        "caf",
        "department",
        "france_travail",
        "conference_financeurs",
        "epci",
        "msa",
        "carsat",
        "private",
        "other",
    }
    assert {label.value for label in StructureLabel} == {
        "eclaireurs_du_numerique",
        "france_services",
        "conseiller_numerique",
        "aidants_connect",
        "pix_center",
        "other",
    }
    assert {k.value for k in PrescriberKind} == {
        "ccas",
        "caf",
        "france_services",
        "department",
        "france_travail",
        "msa",
        "association",
        "other",
    }
    assert {k.value for k in SessionKind} == {"individual", "collective", "administrative_procedure"}


def test_parse_enum_list_sorts_and_deduplicates() -> None:
    assert parse_enum_list(Public, ["senior", "rsa", "senior"], "publics") == ["rsa", "senior"]
    assert parse_enum_list(Public, [], "publics") == []
    assert all(type(v) is str for v in parse_enum_list(Public, ["rsa"], "publics"))


@pytest.mark.parametrize("bad", ["RSA", "unknown", "", " rsa"])
def test_parse_enum_list_refuses_unknown_values(bad: str) -> None:
    with pytest.raises(ValidationError) as info:
        parse_enum_list(Public, ["rsa", bad], "publics")
    assert "publics" in info.value.detail


@given(st.lists(st.sampled_from([p.value for p in Public])))
def test_parse_enum_list_property(values: list[str]) -> None:
    assert parse_enum_list(Public, values, "publics") == sorted(set(values))


# -- refusals ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("error", "slug", "status"),
    [
        (errors.ValidationError, "validation-error", 400),
        (errors.NotFound, "not-found", 404),
        (errors.Forbidden, "forbidden", 403),
        (errors.AlreadyExists, "already-exists", 409),
        (errors.InsufficientEligibleFunds, "insufficient-eligible-funds", 409),
        (errors.UnknownCheque, "unknown-cheque", 404),
        (errors.ChequeLocked, "cheque-locked", 423),
        (errors.InvalidVerificationCode, "invalid-verification-code", 422),
        (errors.ChequeCancelled, "cheque-cancelled", 410),
        (errors.ChequeExpired, "cheque-expired", 410),
        (errors.ChequeAlreadyRedeemed, "cheque-already-redeemed", 409),
        (errors.StructureNotAccredited, "structure-not-accredited", 403),
        (errors.IdempotencyKeyReuse, "idempotency-key-reuse", 422),
    ],
)
def test_refusals_carry_the_contracts_slug_and_status(error: type[errors.DomainError], slug: str, status: int) -> None:
    assert issubclass(error, errors.DomainError)
    assert (error.slug, error.status) == (slug, status)
    e = error("détail")
    assert e.detail == "détail" and str(e) == "détail"
    assert error().detail == error.title


@pytest.mark.parametrize(
    "error",
    [
        errors.ChequeLocked,
        errors.InvalidVerificationCode,
        errors.ChequeCancelled,
        errors.ChequeExpired,
        errors.ChequeAlreadyRedeemed,
        errors.ChequeAlreadySettled,
        errors.StructureNotAccredited,
        errors.RedemptionAlreadyReversed,
        errors.InsufficientEligibleFunds,
        errors.UnknownCheque,
    ],
)
def test_from_slug_rebuilds_the_refusal(error: type[errors.DomainError]) -> None:
    rebuilt = errors.from_slug(error.slug, "x")
    assert type(rebuilt) is error
    assert rebuilt.detail == "x" and rebuilt.status == error.status


def test_from_slug_of_an_unknown_slug_is_a_plain_conflict() -> None:
    rebuilt = errors.from_slug("no-such-problem", "x")
    assert type(rebuilt) is errors.DomainError
    assert rebuilt.status == 409


# -- ids ---------------------------------------------------------------------------------------


def test_natural_ids_are_deterministic_and_kind_scoped() -> None:
    assert natural_id("cheque", "ABCD") == natural_id("cheque", "ABCD")
    assert isinstance(natural_id("cheque", "ABCD"), UUID)
    assert natural_id("cheque", "ABCD") != natural_id("funder", "ABCD")
    assert natural_id("cheque", "ABCD") != natural_id("cheque", "ABCE")


# -- bounds every stored value keeps ---------------------------------------------------------


def test_the_ceiling_of_amounts_is_100_million_euros() -> None:
    assert check_amount(MAX_CENTS) == 10**10
    with pytest.raises(ValidationError) as info:
        check_amount(MAX_CENTS + 1, what="amount_cents")
    assert info.value.fields == [("amount_cents", info.value.detail)]


@pytest.mark.parametrize("day", [FIRST_DAY, date(2026, 3, 16), LAST_DAY])
def test_calendar_dates_within_the_bounds(day: date) -> None:
    assert check_day(day, "valid_until") == day


@pytest.mark.parametrize("day", [date(1, 1, 1), date(1999, 12, 31), date(2101, 1, 1), date(9999, 12, 31)])
def test_calendar_dates_out_of_bounds(day: date) -> None:
    with pytest.raises(ValidationError) as info:
        check_day(day, "valid_until")
    assert info.value.fields[0][0] == "valid_until"


TODAY = date(2026, 3, 16)


@pytest.mark.parametrize("day", [FIRST_DAY, TODAY - timedelta(days=1), TODAY])
def test_facts_happened_between_2000_and_today(day: date) -> None:
    assert check_fact_date(day, TODAY, "received_on") == day


@pytest.mark.parametrize("day", [date(1, 1, 1), date(1999, 12, 31), TODAY + timedelta(days=1), date(2099, 1, 1)])
def test_facts_in_the_future_or_before_2000_are_refused(day: date) -> None:
    with pytest.raises(ValidationError) as info:
        check_fact_date(day, TODAY, "received_on")
    assert info.value.fields[0][0] == "received_on"


def _refusal(value: str) -> str:
    with pytest.raises(ValidationError) as info:
        parse_enum(FunderKind, value, "kind")
    return info.value.detail


@given(st.text(min_size=1, max_size=40).filter(lambda v: v not in {k.value for k in FunderKind}))
def test_an_unknown_enum_value_is_never_repeated(value: str) -> None:
    """The refusal is the same whatever was sent: it cannot carry the value."""
    assert _refusal(value) == _refusal("?")
