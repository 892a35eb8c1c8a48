"""IBAN and BIC at the door, with ``schwifty``: ISO 13616 checksum and each country's format, the SEPA zone,
the BIC's format and country. Normalised (compact, upper case) before the domain checks them again.

Refusals name the field and what is wrong, never the value (an account number is not for logs)."""

from __future__ import annotations

from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException

from domain import errors


def normalise_bank_details(iban: str, bic: str | None, *, require_bic: bool = False) -> tuple[str, str | None]:
    """``(iban, bic)`` compact and upper case; every faulty field in one 400 ``validation-error``."""
    problems: list[tuple[str, str]] = []
    compact_iban = ""
    try:
        parsed = IBAN(iban)
    except SchwiftyException:
        problems.append(("iban", "IBAN invalide : la clé de contrôle ou le format du pays ne correspond pas."))
    else:
        if not parsed.in_sepa_zone:
            problems.append(("iban", "Cet IBAN n'est pas celui d'un pays de la zone SEPA."))
        compact_iban = parsed.compact
    compact_bic: str | None = None
    if bic is None or not bic.strip():
        if require_bic:
            problems.append(("bic", "Le BIC est obligatoire."))
    else:
        try:
            compact_bic = BIC(bic).compact
        except SchwiftyException:
            problems.append(("bic", "BIC invalide (8 ou 11 caractères : banque, pays, localité, agence)."))
    if problems:
        raise errors.ValidationError(problems[0][1], fields=problems)
    return compact_iban, compact_bic
