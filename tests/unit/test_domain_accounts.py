"""Accounts for people: password policy, e-mail normalisation, lock-out after repeated failures."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain import errors
from domain.accounts import LOCK_SECONDS, MAX_FAILURES, UserAccount, check_password_policy, normalize_email


def account() -> UserAccount:
    return UserAccount(email_hash="h", sealed_email="s", password_hash="p", role="prescriber", org="org-1")


def test_id_derives_from_the_email_hash_only():
    assert account().id == UserAccount.create_id("h")
    assert UserAccount.create_id("h") != UserAccount.create_id("other")


@pytest.mark.parametrize(
    "password", ["court", "x" * 11, " espace-devant-123", "espace-derriere-123 ", "tab\tinside-12345", "y" * 257]
)
def test_password_policy_refuses(password):
    with pytest.raises(errors.ValidationError):
        check_password_policy(password)


@pytest.mark.parametrize("password", ["x" * 12, "une phrase de passe assez longue", "é" * 12])
def test_password_policy_accepts(password):
    check_password_policy(password)


def test_email_is_normalised_and_checked():
    assert normalize_email("  Alice.Martin@Drome.FR ") == "alice.martin@drome.fr"
    for bad in ["", "alice", "alice@", "@drome.fr", "alice@drome", "a b@drome.fr"]:
        with pytest.raises(errors.ValidationError):
            normalize_email(bad)


def test_locked_on_the_fifth_failure_in_a_row_for_a_quarter_of_an_hour():
    a = account()
    for i in range(MAX_FAILURES - 1):
        a.check_can_sign_in(1000 + i)
        a.sign_in_failed(1000 + i)
    a.check_can_sign_in(1010)
    a.sign_in_failed(1010)
    with pytest.raises(errors.AccountLocked) as refused:
        a.check_can_sign_in(1011)
    assert "15 minute" in refused.value.detail
    with pytest.raises(errors.AccountLocked):
        a.check_can_sign_in(1010 + LOCK_SECONDS - 1)
    a.check_can_sign_in(1010 + LOCK_SECONDS)


def test_a_success_clears_the_count():
    a = account()
    for i in range(MAX_FAILURES - 1):
        a.sign_in_failed(i)
    a.sign_in_succeeded()
    a.sign_in_failed(10)
    a.check_can_sign_in(11)
    assert a.failures == 1


def test_a_success_without_failures_records_nothing():
    a = account()
    a.collect_events()
    a.sign_in_succeeded()
    assert a.collect_events() == []


def test_admin_unlock_and_disable():
    a = account()
    for i in range(MAX_FAILURES):
        a.sign_in_failed(i)
    a.unlock()
    a.check_can_sign_in(MAX_FAILURES)
    a.disable()
    with pytest.raises(errors.SignInRefused):
        a.check_can_sign_in(10_000)
    a.enable()
    a.check_can_sign_in(10_000)


@given(st.lists(st.sampled_from(["fail", "ok", "wait"]), max_size=40))
def test_never_more_than_max_failures_before_a_lock(steps):
    """Model: a lock starts exactly on every MAX_FAILURES-th consecutive failure and lasts LOCK_SECONDS."""
    a = account()
    now, streak, locked_until = 0, 0, 0
    for step in steps:
        now += 1
        if step == "wait":
            now += LOCK_SECONDS
            continue
        if now < locked_until:
            with pytest.raises(errors.AccountLocked):
                a.check_can_sign_in(now)
            continue
        a.check_can_sign_in(now)
        if step == "fail":
            a.sign_in_failed(now)
            streak += 1
            if streak == MAX_FAILURES:
                locked_until, streak = now + LOCK_SECONDS, 0
        else:
            a.sign_in_succeeded()
            streak = 0
        assert a.failures == streak
        assert a.locked_until == locked_until


def test_an_account_s_address_and_password_are_refused_together_each_by_its_field():
    """Issue 18: every faulty field at once, each beside its field, never the value typed."""
    with pytest.raises(errors.ValidationError) as info:
        errors.every_check(lambda: normalize_email("alice"), lambda: check_password_policy("court"))
    assert [field for field, _ in info.value.fields] == ["email", "password"]
    assert info.value.detail.startswith("2 champs sont à corriger : E-mail : indiquez une adresse complète")
    assert "12 caractères" in info.value.fields[1][1]
    assert not any("alice" in m or "court" in m for _, m in info.value.fields)
    assert errors.every_check(lambda: normalize_email("A@b.fr"), lambda: 2) == ["a@b.fr", 2]
