"""People's accounts for the web pages: created by an admin, signed in with e-mail and password
(argon2id), locked out after repeated failures, disabled and unlocked by an admin.

An account acts with the same role and organisation rules as an API key: pages call the same
commands with the account's :class:`~ledger.types.Actor`.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import NoReturn
from uuid import UUID

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from domain import errors
from domain.accounts import UserAccount, check_password_policy, locked_out, normalize_email
from ledger import types as t
from ledger.decision import Decision
from ledger.idempotency import Idem
from ledger.personal_data import KeyErased
from ledger.service import LedgerCore


def production_hasher() -> PasswordHasher:
    """argon2id with argon2-cffi's defaults (RFC 9106's low-memory profile: 64 MiB, 3 passes, 4 lanes)."""
    return PasswordHasher()


HASHER = production_hasher()
WRONG = "E-mail ou mot de passe incorrect."
JUST_LOCKED = "Trop d'essais manqués : le compte est verrouillé pour 15 minutes."
ERASED = "(effacée)"


def hash_email(secret: bytes, email: str) -> str:
    return hmac.new(secret, f"user-email:{email}".encode(), hashlib.sha256).hexdigest()


def failures_key(secret: bytes, email: str) -> str:
    """The key of an address's failed sign-ins when it has no usable account (never the address itself)."""
    return hmac.new(secret, f"sign-in-failures:{email}".encode(), hashlib.sha256).hexdigest()


class AccountCommands(LedgerCore):
    _dummy_hash: str | None = None

    def create_user(self, actor: t.Actor, body: t.NewUser, idem: Idem | None = None) -> t.UserOut:
        self._require(actor)
        email, _, org = errors.every_check(  # every faulty field at once
            lambda: normalize_email(body.email),
            lambda: check_password_policy(body.password),
            lambda: self._check_key_org(body.role, body.org),  # type: ignore[attr-defined]  # SetupCommands's
        )
        email_hash = hash_email(self.secret, email)
        user_id = UserAccount.create_id(email_hash)
        if idem is not None:
            replay = self.replay(idem, t.UserOut)
            if replay is not None:
                return replay
        if self._exists(user_id):
            raise errors.AlreadyExists("Un compte existe déjà pour cette adresse e-mail.")
        password_hash = HASHER.hash(body.password)
        sealed = self.vault.seal_new(user_id, email.encode())

        def decide() -> Decision:
            account = UserAccount(
                email_hash=email_hash, sealed_email=sealed, password_hash=password_hash, role=body.role, org=org
            )
            return Decision([account], t.UserOut(id=account.id, email=email, role=body.role, org=org))

        try:
            return self._execute(idem, decide, t.UserOut)
        except BaseException:
            if not self._exists(user_id):
                self.vault.forget_orphan(user_id)
            raise

    # -- signing in and out ------------------------------------------------------------------
    def sign_in(self, email: str, password: str) -> t.SignedIn:
        """A new session, or a refusal that says nothing of whether the address has an account: an address
        without a usable account is refused, counted and locked out like an account with a wrong password."""
        account: UserAccount | None = None
        try:
            email = normalize_email(email)
            account = self._load(UserAccount.create_id(hash_email(self.secret, email)), UserAccount, "Compte")
        except (errors.ValidationError, errors.NotFound):
            email = email.strip().lower()
        if account is None or account.disabled:
            self._refuse_without_account(email, password)
        user_id = account.id
        now = int(self.wall_clock())
        account.check_can_sign_in(now)
        if not self._verify(account.password_hash, password):

            def failed() -> Decision:
                fresh = self._load(user_id, UserAccount, "Compte")
                fresh.check_can_sign_in(now)
                fresh.sign_in_failed(now)
                locked = now < fresh.locked_until
                refusal = errors.AccountLocked(JUST_LOCKED) if locked else errors.SignInRefused(WRONG)
                return Decision([fresh], error=refusal)

            self._execute(None, failed, type(None))
        rehash = HASHER.check_needs_rehash(account.password_hash)
        if account.failures or rehash:

            def succeeded() -> Decision:
                fresh = self._load(user_id, UserAccount, "Compte")
                fresh.sign_in_succeeded()
                if rehash:
                    fresh.change_password(HASHER.hash(password))
                return Decision([fresh])

            self._execute(None, succeeded, type(None))
        token, session = self.sessions.open(str(user_id))
        return t.SignedIn(token=token, csrf=session.csrf, actor=self._actor_of(account))

    def _refuse_without_account(self, email: str, password: str) -> NoReturn:
        """The answers of an account with a wrong password, for an address without a usable account: the
        same refusals, the same lock-out, one password check's time (none while locked, like an account)."""
        key = failures_key(self.secret, email)
        now = int(self.wall_clock())
        locked_until = self.failed_sign_ins.locked_until(key)
        if now < locked_until:
            raise locked_out(locked_until, now)
        self._verify_dummy(password)
        outcome, locked_until = self.failed_sign_ins.failed(key, now)
        if outcome == "locked":
            raise locked_out(locked_until, now)
        raise errors.AccountLocked(JUST_LOCKED) if outcome == "locking" else errors.SignInRefused(WRONG)

    def _verify(self, password_hash: str, password: str) -> bool:
        try:
            return HASHER.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def _verify_dummy(self, password: str) -> None:
        """Spends the time a real check takes, so timing does not tell which addresses have accounts."""
        if self._dummy_hash is None:
            type(self)._dummy_hash = HASHER.hash("not a password of anyone")
        assert self._dummy_hash is not None
        self._verify(self._dummy_hash, password)

    @staticmethod
    def _actor_of(account: UserAccount) -> t.Actor:
        return t.Actor(role=account.role, org=account.org, key_id=f"user:{account.id}")  # type: ignore[arg-type]

    def session_actor(self, token: str) -> tuple[t.Actor, str] | None:
        """The actor and CSRF token of a live session whose account is still enabled."""
        session = self.sessions.find(token)
        if session is None:
            return None
        try:
            account = self._load_id(session.user_id, UserAccount, "Compte")
        except errors.NotFound:
            return None
        if account.disabled:
            self.sessions.close(token)
            return None
        return self._actor_of(account), session.csrf

    def sign_out(self, token: str) -> None:
        self.sessions.close(token)

    # -- administration ------------------------------------------------------------------------
    def _user_out(self, account: UserAccount) -> t.UserOut:
        try:
            email = self.vault.open_text(account.id, account.sealed_email).decode()
        except KeyErased:
            email = ERASED
        return t.UserOut(
            id=account.id,
            email=email,
            role=account.role,
            org=account.org,
            disabled=account.disabled,
            locked=int(self.wall_clock()) < account.locked_until,
        )

    def erase_user(self, actor: t.Actor, user_id: str | UUID) -> t.UserOut:
        """Disables the account for good and destroys the key of its sealed e-mail (crypto-shredding):
        the address can no longer be read, and the account can no longer sign in."""
        self._require(actor)
        account = self._load_id(user_id, UserAccount, "Compte")
        self.erasures.record("user", account.id)  # outside the database, for restores (ledger/erasure_list.py)
        self.vault.erase(account.id)
        return self.set_user_state(actor, account.id, disabled=True)

    def set_user_state(
        self, actor: t.Actor, user_id: str | UUID, *, disabled: bool | None = None, unlock: bool = False
    ) -> t.UserOut:
        """Disables (ending its sessions at once), enables or unlocks an account."""
        self._require(actor)

        def decide() -> Decision:
            account = self._load_id(user_id, UserAccount, "Compte")
            if disabled is False and self._user_out(account).email == ERASED:
                raise errors.ValidationError("Ce compte a été effacé : il ne peut pas être réactivé.")
            if disabled is True:
                account.disable()
            elif disabled is False:
                account.enable()
            if unlock:
                account.unlock()
            return Decision([account], self._user_out(account))

        out = self._execute(None, decide, t.UserOut)
        if out.disabled:
            self.sessions.close_all(str(out.id))
        return out
