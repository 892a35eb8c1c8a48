"""Value vocabularies and validators shared by the aggregates.

Each vocabulary has its French words beside it (``*_LABELS``, in the order forms offer them): pages and
printed documents take them from here."""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum

from stdnum.fr import siret as _siret

from domain.errors import ValidationError


class FunderKind(StrEnum):
    STATE = "state"
    EU = "eu"
    CAF = "caf"
    DEPARTMENT = "department"
    FRANCE_TRAVAIL = "france_travail"
    CONFERENCE_FINANCEURS = "conference_financeurs"
    EPCI = "epci"
    MSA = "msa"
    CARSAT = "carsat"
    PRIVATE = "private"
    OTHER = "other"


FUNDER_KIND_LABELS: dict[FunderKind, str] = {  # forms offer the Département first
    FunderKind.DEPARTMENT: "Département",
    FunderKind.STATE: "État",
    FunderKind.EU: "Union européenne (FSE+)",
    FunderKind.CAF: "CAF",
    FunderKind.FRANCE_TRAVAIL: "France Travail",
    FunderKind.CONFERENCE_FINANCEURS: "Conférence des financeurs",
    FunderKind.EPCI: "EPCI (intercommunalité)",
    FunderKind.MSA: "MSA",
    FunderKind.CARSAT: "Carsat",
    FunderKind.PRIVATE: "Partenaire privé",
    FunderKind.OTHER: "Autre",
}


class Public(StrEnum):
    RSA = "rsa"
    ASE_YOUNG_ADULT = "ase_young_adult"
    SENIOR = "senior"
    JOB_SEEKER = "job_seeker"
    CAF_LOW_INCOME = "caf_low_income"
    DISABILITY = "disability"
    OTHER = "other"


PUBLIC_LABELS: dict[Public, str] = {
    Public.RSA: "Allocataire du RSA",
    Public.ASE_YOUNG_ADULT: "Jeune majeur de l'ASE",
    Public.SENIOR: "Personne âgée",
    Public.JOB_SEEKER: "Demandeur d'emploi",
    Public.CAF_LOW_INCOME: "Allocataire CAF à faibles revenus",
    Public.DISABILITY: "Personne en situation de handicap",
    Public.OTHER: "Autre",
}


class StructureLabel(StrEnum):
    ECLAIREURS = "eclaireurs_du_numerique"
    FRANCE_SERVICES = "france_services"
    CONSEILLER_NUMERIQUE = "conseiller_numerique"
    AIDANTS_CONNECT = "aidants_connect"
    PIX_CENTER = "pix_center"
    OTHER = "other"


STRUCTURE_LABEL_LABELS: dict[StructureLabel, str] = {
    StructureLabel.ECLAIREURS: "Éclaireurs du numérique",
    StructureLabel.FRANCE_SERVICES: "France services",
    StructureLabel.CONSEILLER_NUMERIQUE: "Conseiller numérique",
    StructureLabel.AIDANTS_CONNECT: "Aidants Connect",
    StructureLabel.PIX_CENTER: "Centre d'évaluation PIX",
    StructureLabel.OTHER: "Autre",
}


class PrescriberKind(StrEnum):
    CCAS = "ccas"
    CAF = "caf"
    FRANCE_SERVICES = "france_services"
    DEPARTMENT = "department"
    FRANCE_TRAVAIL = "france_travail"
    MSA = "msa"
    ASSOCIATION = "association"
    OTHER = "other"


PRESCRIBER_KIND_LABELS: dict[PrescriberKind, str] = {
    PrescriberKind.CCAS: "CCAS",
    PrescriberKind.CAF: "CAF",
    PrescriberKind.FRANCE_SERVICES: "France services",
    PrescriberKind.DEPARTMENT: "Département",
    PrescriberKind.FRANCE_TRAVAIL: "France Travail",
    PrescriberKind.MSA: "MSA",
    PrescriberKind.ASSOCIATION: "Association",
    PrescriberKind.OTHER: "Autre",
}


class SessionKind(StrEnum):
    INDIVIDUAL = "individual"
    COLLECTIVE = "collective"
    ADMINISTRATIVE_PROCEDURE = "administrative_procedure"


SESSION_KIND_LABELS: dict[SessionKind, str] = {
    SessionKind.INDIVIDUAL: "Accompagnement individuel",
    SessionKind.COLLECTIVE: "Atelier collectif",
    SessionKind.ADMINISTRATIVE_PROCEDURE: "Démarche administrative",
}
# Sessions counted by kind (« Séances — individuels »).
SESSION_KIND_PLURALS: dict[SessionKind, str] = {
    SessionKind.INDIVIDUAL: "Individuels",
    SessionKind.COLLECTIVE: "Collectifs",
    SessionKind.ADMINISTRATIVE_PROCEDURE: "Démarches administratives",
}


FUNDER_CODE = re.compile(r"[A-Z0-9-]{2,32}")

AGE_BANDS = (
    (0, 17, "under_18"),
    (18, 25, "18_25"),
    (26, 34, "26_34"),
    (35, 44, "35_44"),
    (45, 54, "45_54"),
    (55, 64, "55_64"),
    (65, 74, "65_74"),
    (75, 200, "75_plus"),
)
AGE_BAND_LABELS: dict[str, str] = {
    "under_18": "Moins de 18 ans",
    "18_25": "18 à 25 ans",
    "26_34": "26 à 34 ans",
    "35_44": "35 à 44 ans",
    "45_54": "45 à 54 ans",
    "55_64": "55 à 64 ans",
    "65_74": "65 à 74 ans",
    "75_plus": "75 ans et plus",
}


def check_funder_code(code: str) -> str:
    if not FUNDER_CODE.fullmatch(code):
        raise ValidationError("Le code financeur doit comporter 2 à 32 caractères A-Z, 0-9 ou -.")
    return code


def check_siret(siret: str) -> str:
    if not (len(siret) == 14 and siret.isdigit() and _siret.is_valid(siret)):
        raise ValidationError("Le SIRET doit comporter 14 chiffres et passer le contrôle de Luhn.")
    return siret


# Bounds every stored value keeps, so that every projection can hold it (a bigint holds 9.2e18: a sum of
# a million amounts at the ceiling still fits) and every date computation stays within the calendar.
MAX_CENTS = 10**10  # 100 M€
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2100, 12, 31)


def check_amount(
    amount_cents: int, *, allow_zero: bool = False, maximum: int = MAX_CENTS, what: str = "montant"
) -> int:
    if not isinstance(amount_cents, int) or isinstance(amount_cents, bool):
        raise ValidationError("Les montants sont des entiers en centimes.", field=what)
    if amount_cents < 0 or (amount_cents == 0 and not allow_zero):
        raise ValidationError("Le montant doit être strictement positif.", field=what)
    if amount_cents > maximum:
        raise ValidationError(f"Le montant ne peut dépasser {maximum:_} centimes.".replace("_", "\u202f"), field=what)
    return amount_cents


def check_day(day: date, what: str) -> date:
    """Any date the ledger keeps: within 2000-01-01 .. 2100-12-31."""
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValidationError("La date doit être comprise entre le 01/01/2000 et le 31/12/2100.", field=what)
    return day


def check_fact_date(day: date, today: date, what: str) -> date:
    """The date of something that happened: not before 2000-01-01, not after today (Europe/Paris)."""
    if not FIRST_DAY <= day <= today:
        raise ValidationError("La date d'un fait doit être comprise entre le 01/01/2000 et aujourd'hui.", field=what)
    return day


def parse_enum(enum: type[StrEnum], value: str, what: str) -> str:
    """The enum's value for ``value``; the refusal names the allowed values, never the one sent."""
    try:
        return enum(value).value
    except ValueError:
        allowed = ", ".join(member.value for member in enum)
        raise ValidationError(f"Valeur inconnue pour {what} (valeurs possibles : {allowed}).", field=what) from None


def age_band(birth_year: int, on: date) -> str:
    age = on.year - birth_year
    if birth_year < 1900 or age < 0:
        raise ValidationError("Année de naissance invalide.")
    for low, high, band in AGE_BANDS:
        if low <= age <= high:
            return band
    raise ValidationError("Année de naissance invalide.")


def parse_enum_list(enum: type[StrEnum], values: list[str], what: str) -> list[str]:
    return sorted({parse_enum(enum, v, what) for v in values})


def add_months(d: date, months: int) -> date:
    """The same day ``months`` later, clamped to the month's last day."""
    month_index = d.month - 1 + months
    year, month = d.year + month_index // 12, month_index % 12 + 1
    for day in (d.day, 30, 29, 28):
        try:
            return date(year, month, min(d.day, day))
        except ValueError:
            continue
    raise AssertionError("unreachable")


FRENCH_MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


def french_day(d: date) -> str:
    """« 1er mars 2027 », « 6 décembre 2026 »: the first of a month is written 1er in French."""
    return f"{'1er' if d.day == 1 else d.day} {FRENCH_MONTHS[d.month - 1]} {d.year}"
