"""Bank details (four eyes, pending on change, masking) and a settlement's order and execution, without a database."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain import errors
from domain.bank_accounts import BankAccount, bank_account_id, mask_iban
from domain.settlement import Settlement, end_to_end_id

IBAN = "FR7630004000010000000000136"
OTHER = "FR7630004000010000000000233"
AT = "2026-03-16T10:00:00.000000Z"


def account() -> BankAccount:
    return BankAccount(owner="s1", id=bank_account_id("s1"))  # type: ignore[call-arg]


def test_details_become_payable_only_once_another_person_approves():
    a = account()
    a.submit("Fab'At", IBAN, None, "structure:s1", AT)
    assert (a.status, a.payable) == ("pending", None)
    with pytest.raises(errors.FourEyes):
        a.approve("structure:s1", AT)
    a.approve("admin-key", AT)
    assert a.status == "active" and a.payable is not None and a.payable["iban"] == IBAN
    assert [h["what"] for h in a.history] == ["submitted", "approved"]
    assert all(IBAN not in str(h) for h in a.history), "the history keeps the IBAN masked"


def test_a_change_puts_the_account_back_to_pending_and_nothing_is_payable():
    a = account()
    a.submit("Fab'At", IBAN, None, "k1", AT)
    a.approve("k2", AT)
    a.submit("Fab'At", OTHER, "BNPAFRPP", "k2", AT)
    assert a.status == "pending" and a.payable is None and a.active is not None, "the old account is kept"
    with pytest.raises(errors.FourEyes):
        a.approve("k2", AT)
    a.approve("k1", AT)
    assert a.payable is not None and a.payable["iban"] == OTHER
    with pytest.raises(errors.NothingPending):
        a.approve("k3", AT)


def test_invalid_details_are_refused_naming_fields_not_values():
    a = account()
    with pytest.raises(errors.ValidationError) as refused:
        a.submit(" ", "FR7630004000010000000000134", "12345678", "k1", AT)
    assert {f for f, _ in refused.value.fields} == {"holder", "iban", "bic"}
    assert "FR76" not in str(refused.value.fields)
    assert a.status is None


@given(st.integers(min_value=0, max_value=10**11 - 1))
def test_masking_keeps_only_the_country_check_digits_and_last_four(n):
    from schwifty import IBAN as Iban

    iban = Iban.generate("FR", bank_code="30004", branch_code="00001", account_code=f"{n:011d}").compact
    masked = mask_iban(iban)
    assert masked.startswith(iban[:4] + " ") and masked.endswith(" " + iban[-4:])
    assert masked.replace(" ", "")[4:-4] == "*" * (len(iban) - 8)


def settlement(total: int = 2500) -> Settlement:
    lines = [{"structure_id": "s1", "count": 2, "amount_cents": total, "serials": ["A", "B"]}] if total else []
    return Settlement(id=uuid4(), through=date(2026, 3, 1), lines=lines, total_cents=total)  # type: ignore[call-arg]


def test_an_order_pays_only_lines_with_an_account_and_splits_by_funder_exactly():
    s = settlement()
    with pytest.raises(errors.ValidationError):
        s.order(date(2026, 3, 2), [], {}, {"DEPT26": 2500})
    with pytest.raises(errors.ValidationError):
        s.order(date(2026, 3, 2), [], {"s1": {"holder": "h", "iban": IBAN, "bic": None}}, {"DEPT26": 2400})
    s.order(date(2026, 3, 2), [], {"s1": {"holder": "h", "iban": IBAN, "bic": None}}, {"DEPT26": 2000, "CAF": 500})
    assert s.payment_status == "ordered"


def test_execution_is_recorded_once_not_in_the_future_nor_before_the_order():
    s = settlement()
    s.order(date(2026, 3, 2), [], {"s1": {"holder": "h", "iban": IBAN, "bic": None}}, {"DEPT26": 2500})
    today = date(2026, 3, 10)
    with pytest.raises(errors.ValidationError):
        s.record_execution(date(2026, 3, 11), "BQ", today, "k")
    with pytest.raises(errors.ValidationError):
        s.record_execution(date(2026, 3, 1), "BQ", today, "k")
    s.record_execution(date(2026, 3, 3), "BQ-1", today, "k")
    assert (s.payment_status, s.executed_on, s.bank_reference) == ("executed", date(2026, 3, 3), "BQ-1")
    with pytest.raises(errors.AlreadyExecuted):
        s.record_execution(date(2026, 3, 4), "BQ-2", today, "k")
    empty = settlement(0)
    with pytest.raises(errors.NothingToPay):
        empty.record_execution(date(2026, 3, 3), "BQ", today, "k")


@given(st.uuids(), st.integers(min_value=1, max_value=9999))
def test_end_to_end_ids_fit_and_lead_back(settlement_id, n):
    e2e = end_to_end_id(settlement_id, n)
    assert len(e2e) <= 35 and e2e.startswith("S" + settlement_id.hex[:20].upper()) and e2e.endswith(f"L{n:04d}")
