"""Refusals of the domain, each with the contract's problem slug and HTTP status."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class DomainError(Exception):
    """A command was refused. ``slug`` names the problem type (``/problems/<slug>``)."""

    slug = "conflict"
    status = 409
    title = "Conflit"

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title


def _error(name: str, slug: str, status: int, title: str) -> type[DomainError]:
    return type(name, (DomainError,), {"slug": slug, "status": status, "title": title})


class ValidationError(DomainError):
    """A value breaks a rule. ``fields`` names the faulty fields: ``(field, message)`` pairs, French, never
    repeating the value sent (it may be personal data)."""

    slug = "validation-error"
    status = 400
    title = "Requête invalide"

    def __init__(
        self, detail: str = "", *, field: str | None = None, fields: list[tuple[str, str]] | None = None
    ) -> None:
        super().__init__(detail)
        self.fields: list[tuple[str, str]] = fields if fields is not None else [(field or "", self.detail)]


def faulty_fields(fields: list[tuple[str, str]]) -> ValidationError:
    """One refusal naming every faulty field (``(field, message)``), so that a person corrects them all at once."""
    count = len(fields)
    detail = "Un champ est à corriger" if count == 1 else f"{count} champs sont à corriger"
    return ValidationError(f"{detail} : " + " ; ".join(message for _, message in fields), fields=fields)


def every_check(*checks: Callable[[], T]) -> list[T]:
    """Each check's result, in order; when some refuse, one refusal naming every faulty field of them all."""
    results: list[T] = []
    fields: list[tuple[str, str]] = []
    for check in checks:
        try:
            results.append(check())
        except ValidationError as refusal:
            fields += refusal.fields
    if fields:
        raise faulty_fields(fields)
    return results


NotFound = _error("NotFound", "not-found", 404, "Ressource introuvable")
Forbidden = _error("Forbidden", "forbidden", 403, "Accès refusé")
AlreadyExists = _error("AlreadyExists", "already-exists", 409, "Existe déjà")
InsufficientEligibleFunds = _error(
    "InsufficientEligibleFunds", "insufficient-eligible-funds", 409, "Fonds éligibles insuffisants"
)
UnknownCheque = _error("UnknownCheque", "unknown-cheque", 404, "Chèque inconnu")
ChequeLocked = _error("ChequeLocked", "cheque-locked", 423, "Chèque verrouillé")
InvalidVerificationCode = _error(
    "InvalidVerificationCode", "invalid-verification-code", 422, "Code de vérification invalide"
)
ChequeCancelled = _error("ChequeCancelled", "cheque-cancelled", 410, "Chèque annulé")
ChequeExpired = _error("ChequeExpired", "cheque-expired", 410, "Chèque expiré")
ChequeAlreadyRedeemed = _error("ChequeAlreadyRedeemed", "cheque-already-redeemed", 409, "Chèque déjà encaissé")
ChequeAlreadySettled = _error("ChequeAlreadySettled", "cheque-already-settled", 409, "Chèque déjà remboursé")
ChequeNotRedeemed = _error("ChequeNotRedeemed", "cheque-not-redeemed", 409, "Chèque non encaissé")
ChequeNotLocked = _error("ChequeNotLocked", "cheque-not-locked", 409, "Chèque non verrouillé")
StructureNotAccredited = _error("StructureNotAccredited", "structure-not-accredited", 403, "Structure non habilitée")
RedemptionAlreadyReversed = _error(
    "RedemptionAlreadyReversed", "redemption-already-reversed", 409, "Encaissement déjà annulé"
)
BeneficiaryErased = _error("BeneficiaryErased", "not-found", 404, "Ressource introuvable")
IdempotencyKeyReuse = _error("IdempotencyKeyReuse", "idempotency-key-reuse", 422, "Clé d'idempotence déjà utilisée")
ConcurrencyConflict = _error(
    "ConcurrencyConflict", "concurrency-conflict", 503, "Trop de modifications concurrentes, réessayez"
)
SignInRefused = _error("SignInRefused", "sign-in-refused", 401, "Connexion refusée")
AccountLocked = _error("AccountLocked", "account-locked", 423, "Compte verrouillé")
ProjectionLagging = _error(
    "ProjectionLagging", "projection-lagging", 503, "Les vues ne sont pas encore à jour, réessayez"
)
ProjectionFailed = _error("ProjectionFailed", "projection-failed", 503, "Une vue est en panne")
ServiceUnavailable = _error(
    "ServiceUnavailable", "service-unavailable", 503, "Service momentanément indisponible"
)  # the database is unreachable or lost its connections (``ledger/connections.py``)


def from_slug(slug: str, detail: str) -> DomainError:
    """Rebuilds a refusal from its slug (for outcomes replayed by idempotency)."""
    for cls in _all_subclasses(DomainError):
        if cls.slug == slug:
            return cls(detail)
    return DomainError(detail)


def _all_subclasses(cls: type[DomainError]) -> list[type[DomainError]]:
    out: list[type[DomainError]] = []
    for sub in cls.__subclasses__():
        out.append(sub)
        out.extend(_all_subclasses(sub))
    return out


DeviceUnavailable = _error("DeviceUnavailable", "device-unavailable", 409, "Appareil indisponible")
InvalidTransition = _error("InvalidTransition", "invalid-transition", 409, "Opération impossible dans cet état")
BadgesNotConfigured = _error(
    "BadgesNotConfigured", "badges-not-configured", 503, "Badges non configurés"
)  # no key to sign credentials (LEDGER_BADGE_KEY unset on PostgreSQL): ``ledger/badge_key.py``

# -- money reaches structures (bank details, settlements' orders and execution) ------------------
FourEyes = _error("FourEyes", "four-eyes", 409, "Validation par une autre personne requise")
NothingPending = _error("NothingPending", "nothing-pending", 409, "Aucune coordonnée bancaire en attente")
SettlementChanged = _error("SettlementChanged", "settlement-changed", 409, "Le remboursement a changé")
NothingToPay = _error("NothingToPay", "nothing-to-pay", 409, "Rien à payer")
AlreadyExecuted = _error("AlreadyExecuted", "already-executed", 409, "Virement déjà exécuté")
FundAccountMissing = _error("FundAccountMissing", "fund-account-missing", 409, "Compte du fonds non renseigné")
