"""People's accounts for the web pages: role and organisation like API keys, a password hash,
and the lock-out rule (too many wrong passwords in a row lock the account for a while).

The e-mail address is personal data: the aggregate holds only its keyed hash (to find the account
at sign-in) and a sealed copy (to show it to an admin). Times are Unix seconds (the caller's clock).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain import errors
from domain.ids import natural_id

MAX_FAILURES = 5
LOCK_SECONDS = 15 * 60
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256


def check_password_policy(password: str) -> None:
    """Long passphrases rather than composition rules (ANSSI / CNIL recommendations)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise errors.ValidationError(f"Mot de passe : {MIN_PASSWORD_LENGTH} caractères au moins.", field="password")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise errors.ValidationError(f"Mot de passe : {MAX_PASSWORD_LENGTH} caractères au plus.", field="password")
    if password.strip() != password or not password.isprintable():
        raise errors.ValidationError(
            "Mot de passe : ni espace au début ou à la fin, ni caractère de contrôle.",
            field="password",
        )


def normalize_email(email: str) -> str:
    email = email.strip().lower()
    local, at, domain = email.partition("@")
    if not at or not local or "." not in domain or len(email) > 254 or any(c.isspace() for c in email):
        raise errors.ValidationError(
            "E-mail : indiquez une adresse complète, par exemple prenom.nom@exemple.fr.", field="email"
        )
    return email


def locked_out(locked_until: int, now: int) -> errors.DomainError:  # an errors.AccountLocked
    """The refusal while an address is locked out: the same words whether it has an account or not."""
    minutes = max(1, -(-(locked_until - now) // 60))
    return errors.AccountLocked(
        f"Compte verrouillé après {MAX_FAILURES} essais manqués : réessayez dans {minutes} minute(s)"
        " ou demandez à un administrateur de le déverrouiller."
    )


class UserAccount(Aggregate):
    @staticmethod
    def create_id(email_hash: str, **_: Any) -> UUID:
        return natural_id("user", email_hash)

    @event("Created")
    def __init__(self, email_hash: str, sealed_email: str, password_hash: str, role: str, org: str | None) -> None:
        self.email_hash = email_hash
        self.sealed_email = sealed_email
        self.password_hash = password_hash
        self.role = role
        self.org = org
        self.failures = 0
        self.locked_until = 0
        self.disabled = False

    def check_can_sign_in(self, now: int) -> None:
        """Raises when the account may not sign in now, whatever the password."""
        if self.disabled:
            raise errors.SignInRefused("E-mail ou mot de passe incorrect.")
        if now < self.locked_until:
            raise locked_out(self.locked_until, now)

    def sign_in_failed(self, now: int) -> None:
        self._failed(at=now)

    @event("SignInFailed")
    def _failed(self, at: int) -> None:
        self.failures += 1
        if self.failures >= MAX_FAILURES:
            self.locked_until = at + LOCK_SECONDS
            self.failures = 0

    def sign_in_succeeded(self) -> None:
        if self.failures:
            self._cleared()

    @event("FailuresCleared")
    def _cleared(self) -> None:
        self.failures = 0

    def unlock(self) -> None:
        if self.locked_until or self.failures:
            self._unlocked()

    @event("Unlocked")
    def _unlocked(self) -> None:
        self.failures = 0
        self.locked_until = 0

    def change_password(self, password_hash: str) -> None:
        self._password_changed(password_hash=password_hash)

    @event("PasswordChanged")
    def _password_changed(self, password_hash: str) -> None:
        self.password_hash = password_hash

    def disable(self) -> None:
        if not self.disabled:
            self._disabled()

    @event("Disabled")
    def _disabled(self) -> None:
        self.disabled = True

    def enable(self) -> None:
        if self.disabled:
            self._enabled()

    @event("Enabled")
    def _enabled(self) -> None:
        self.disabled = False
