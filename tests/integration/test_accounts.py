"""People's accounts against the real store: sign-in, lock-out, sessions, disabling, e-mail never in clear."""

from __future__ import annotations

import pytest

from domain import errors
from domain.accounts import LOCK_SECONDS, MAX_FAILURES
from ledger import types as t
from ledger.account_commands import WRONG
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
    user = ledger.create_user(
        ADMIN, t.NewUser(email=email, password=PASSWORD, role="prescriber", org=str(w.prescriber.id))
    )
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


# -- an unknown address is refused exactly as a known one (issue 15) ----------------------------------------


def refusal(ledger, email, password="pas le bon mot de passe") -> tuple[str, str]:
    with pytest.raises((errors.SignInRefused, errors.AccountLocked)) as refused:
        ledger.sign_in(email, password)
    return refused.value.slug, refused.value.detail


@pytest.mark.parametrize("unknown", ["nobody@example.org", "pas une adresse", ""])
def test_an_unknown_address_is_locked_out_like_a_known_one(ledger, wall, unknown):
    prescriber_user(ledger)
    for attempt in range(1, MAX_FAILURES + 3):
        known = refusal(ledger, "alice.martin@example.org")
        assert refusal(ledger, unknown) == known, f"attempt {attempt}"
        assert known[0] == ("sign-in-refused" if attempt < MAX_FAILURES else "account-locked")
        wall.now += 61
    wall.now += LOCK_SECONDS
    assert refusal(ledger, unknown) == refusal(ledger, "alice.martin@example.org") == ("sign-in-refused", WRONG)


def test_a_disabled_account_answers_as_a_wrong_password_even_with_the_right_one(ledger, wall):
    _, user = prescriber_user(ledger)
    ledger.create_user(ADMIN, t.NewUser(email="bob@example.org", password=PASSWORD, role="observatory"))
    ledger.set_user_state(ADMIN, user.id, disabled=True)
    for attempt in range(1, MAX_FAILURES + 2):
        disabled = refusal(ledger, "alice.martin@example.org", PASSWORD)
        assert disabled == refusal(ledger, "bob@example.org") == refusal(ledger, "nobody@example.org"), attempt


def test_every_refusal_spends_one_password_check(ledger, wall, monkeypatch):
    """Timing tells nothing either: an unknown address, a disabled account and a wrong password each cost one
    argon2 verification; a locked address (known or not) none."""
    from argon2 import PasswordHasher

    import ledger.account_commands as module

    checks = []

    class Counting(PasswordHasher):
        def verify(self, hash, password):  # noqa: A002
            checks.append(1)
            return super().verify(hash, password)

    monkeypatch.setattr(module, "HASHER", Counting(time_cost=1, memory_cost=1024, parallelism=1))
    prescriber_user(ledger)
    bob = ledger.create_user(ADMIN, t.NewUser(email="bob@example.org", password=PASSWORD, role="observatory"))
    ledger.set_user_state(ADMIN, bob.id, disabled=True)
    for email in ["alice.martin@example.org", "nobody@example.org", "bob@example.org", "pas une adresse"]:
        checks.clear()
        refusal(ledger, email)
        assert len(checks) == 1, email
    for _ in range(MAX_FAILURES):
        refusal(ledger, "alice.martin@example.org")
        refusal(ledger, "nobody@example.org")
    checks.clear()
    locked = refusal(ledger, "alice.martin@example.org"), refusal(ledger, "nobody@example.org")
    assert locked[0][0] == locked[1][0] == "account-locked"
    assert checks == []


def test_failures_of_unknown_addresses_are_kept_under_a_keyed_hash_and_expire(ledger, wall):
    import hashlib

    from ledger.web_sessions import FAILURES_TABLE

    for _ in range(MAX_FAILURES - 1):
        refusal(ledger, "Tres.Unique@Example.org")
    with ledger.db.read() as cur:
        rows = cur.execute(f"SELECT * FROM {FAILURES_TABLE}").fetchall()
    assert len(rows) == 1
    stored = repr(rows).lower()
    assert "tres.unique" not in stored
    assert hashlib.sha256(b"tres.unique@example.org").hexdigest() not in stored
    refusal(ledger, "tres.unique@example.org")  # the fifth: locked for LOCK_SECONDS
    wall.now += LOCK_SECONDS
    refusal(ledger, "someone.else@example.org")  # any later write drops what has expired
    with ledger.db.read() as cur:
        assert cur.execute(f"SELECT COUNT(*) FROM {FAILURES_TABLE}").fetchone()[0] == 1


def test_the_failures_of_unknown_addresses_are_bounded(ledger, wall, monkeypatch):
    from ledger import web_sessions

    monkeypatch.setattr(web_sessions, "MAX_FAILURE_ROWS", 5)
    for i in range(12):
        refusal(ledger, f"inconnu{i}@example.org")
        wall.now += web_sessions.TIDY_EVERY
    with ledger.db.read() as cur:
        assert cur.execute(f"SELECT COUNT(*) FROM {web_sessions.FAILURES_TABLE}").fetchone()[0] == 5


def test_a_failure_counted_while_another_locked_the_address_counts_nothing(ledger):
    """Two refusals at once: the one that finds the address locked (between its check and its count) says so."""
    store = ledger.failed_sign_ins
    outcomes = [store.failed("k", 1000) for _ in range(MAX_FAILURES)]
    assert outcomes == [("counted", 0)] * (MAX_FAILURES - 1) + [("locking", 1000 + LOCK_SECONDS)]
    assert store.failed("k", 1001) == ("locked", 1000 + LOCK_SECONDS)
    assert store.locked_until("k") == 1000 + LOCK_SECONDS
    assert store.failed("k", 1000 + LOCK_SECONDS) == ("counted", 0)
