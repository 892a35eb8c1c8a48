"""People's accounts against the real store: sign-in, lock-out, sessions, disabling, e-mail never in clear."""

from __future__ import annotations

import pytest

from domain import errors
from domain.accounts import LOCK_SECONDS, MAX_FAILURES
from ledger import types as t
from ledger.web_sessions import ABSOLUTE_SECONDS, IDLE_SECONDS
from tests.scenario import ADMIN, WallClock, world

PASSWORD = "une phrase de passe solide"


@pytest.fixture
def wall(ledger) -> WallClock:
    clock = WallClock()
    ledger.wall_clock = clock
    return clock


def prescriber_user(ledger, email="alice.martin@example.org"):
    w = world(ledger)
    user = ledger.create_user(ADMIN, t.NewUser(email=email, password=PASSWORD, role="prescriber", org=str(w.prescriber.id)))
    return w, user


def test_sign_in_gives_the_accounts_role_and_organisation(ledger, wall):
    w, user = prescriber_user(ledger)
    signed = ledger.sign_in(" Alice.Martin@Example.org", PASSWORD)
    assert signed.actor.role == "prescriber" and signed.actor.org == str(w.prescriber.id)
    assert ledger.session_actor(signed.token) == (signed.actor, signed.csrf)
    ledger.sign_out(signed.token)
    assert ledger.session_actor(signed.token) is None


def test_unknown_address_and_wrong_password_are_refused_alike(ledger, wall):
    prescriber_user(ledger)
    with pytest.raises(errors.SignInRefused) as unknown:
        ledger.sign_in("nobody@example.org", PASSWORD)
    with pytest.raises(errors.SignInRefused) as wrong:
        ledger.sign_in("alice.martin@example.org", PASSWORD + "!")
    assert unknown.value.detail == wrong.value.detail


def test_locked_after_five_failures_even_with_the_right_password(ledger, wall):
    prescriber_user(ledger)
    for _ in range(MAX_FAILURES - 1):
        with pytest.raises(errors.SignInRefused):
            ledger.sign_in("alice.martin@example.org", "pas le bon mot de passe")
    with pytest.raises(errors.AccountLocked):
        ledger.sign_in("alice.martin@example.org", "pas le bon mot de passe")
    with pytest.raises(errors.AccountLocked):
        ledger.sign_in("alice.martin@example.org", PASSWORD)
    wall.now += LOCK_SECONDS
    assert ledger.sign_in("alice.martin@example.org", PASSWORD).actor.role == "prescriber"


def test_an_admin_unlocks_and_disables(ledger, wall):
    _, user = prescriber_user(ledger)
    for _ in range(MAX_FAILURES):
        with pytest.raises((errors.SignInRefused, errors.AccountLocked)):
            ledger.sign_in("alice.martin@example.org", "pas le bon mot de passe")
    assert [u.locked for u in ledger.list_users(ADMIN)] == [True]
    ledger.set_user_state(ADMIN, user.id, unlock=True)
    signed = ledger.sign_in("alice.martin@example.org", PASSWORD)
    ledger.set_user_state(ADMIN, user.id, disabled=True)
    assert ledger.session_actor(signed.token) is None, "disabling ends the account's sessions at once"
    with pytest.raises(errors.SignInRefused):
        ledger.sign_in("alice.martin@example.org", PASSWORD)
    ledger.set_user_state(ADMIN, user.id, disabled=False)
    ledger.sign_in("alice.martin@example.org", PASSWORD)


def test_sessions_expire_when_idle_and_after_a_day_s_work(ledger, wall):
    prescriber_user(ledger)
    idle = ledger.sign_in("alice.martin@example.org", PASSWORD)
    wall.now += IDLE_SECONDS
    assert ledger.session_actor(idle.token) is None
    busy = ledger.sign_in("alice.martin@example.org", PASSWORD)
    started = wall.now
    while wall.now + IDLE_SECONDS // 2 < started + ABSOLUTE_SECONDS:
        wall.now += IDLE_SECONDS // 2
        assert ledger.session_actor(busy.token) is not None, "a busy session stays open"
    wall.now = started + ABSOLUTE_SECONDS
    assert ledger.session_actor(busy.token) is None


def test_creating_users_follows_the_rules(ledger, wall):
    w, _ = prescriber_user(ledger)
    with pytest.raises(errors.AlreadyExists):
        ledger.create_user(ADMIN, t.NewUser(email="ALICE.martin@example.org", password=PASSWORD, role="observatory"))
    with pytest.raises(errors.ValidationError):
        ledger.create_user(ADMIN, t.NewUser(email="bob@example.org", password="court", role="observatory"))
    with pytest.raises(errors.ValidationError):
        ledger.create_user(ADMIN, t.NewUser(email="bob@example.org", password=PASSWORD, role="structure", org="nope"))
    with pytest.raises(errors.Forbidden):
        ledger.create_user(w.prescriber_actor, t.NewUser(email="bob@example.org", password=PASSWORD, role="admin"))
    assert [u.email for u in ledger.list_users(ADMIN)] == ["alice.martin@example.org"]


def test_the_email_is_never_stored_in_clear(ledger, wall):
    prescriber_user(ledger, email="tres.unique.adresse@example.org")
    ledger.sign_in("tres.unique.adresse@example.org", PASSWORD)
    rows = ledger.app.recorder.select_notifications(start=1, limit=10_000)
    assert rows and not any(b"tres.unique" in bytes(n.state) for n in rows)


def test_erasing_an_account_shreds_its_email_and_closes_it(ledger, wall):
    _, user = prescriber_user(ledger, email="a.effacer@example.org")
    signed = ledger.sign_in("a.effacer@example.org", PASSWORD)
    out = ledger.erase_user(ADMIN, user.id)
    assert out.disabled and out.email == "(effacée)"
    assert ledger.session_actor(signed.token) is None
    with pytest.raises(errors.SignInRefused):
        ledger.sign_in("a.effacer@example.org", PASSWORD)
    assert [u.email for u in ledger.list_users(ADMIN)] == ["(effacée)"]
    with pytest.raises(errors.ValidationError):
        ledger.set_user_state(ADMIN, user.id, disabled=False)


def test_production_password_hashing_is_strong():
    """argon2id with at least OWASP's minimum (19 MiB, 2 passes); the tests run a cheaper one (conftest)."""
    from ledger.account_commands import production_hasher

    hasher = production_hasher()
    assert hasher.memory_cost >= 19 * 1024 and hasher.time_cost >= 2
    assert hasher.hash("x").startswith("$argon2id$")


def test_an_old_hash_is_upgraded_at_sign_in(ledger, wall, monkeypatch):
    from argon2 import PasswordHasher

    import ledger.account_commands as module

    _, user = prescriber_user(ledger)
    stronger = PasswordHasher(time_cost=2, memory_cost=2048, parallelism=1)
    monkeypatch.setattr(module, "HASHER", stronger)
    ledger.sign_in("alice.martin@example.org", PASSWORD)
    account = ledger.app.repository.get(user.id)
    assert not stronger.check_needs_rehash(account.password_hash)
    assert stronger.verify(account.password_hash, PASSWORD)
