"""A structure as a place of the national "schéma des lieux de médiation numérique" (ANCT's Cartographie
nationale): its postal address, contacts, services and opening hours, checked as the national library
(``@gouvfr-anct/lieux-de-mediation-numerique``) checks them, so every place we accept can be exported.

The vocabularies are the schema's: ``PLACE_SERVICE_LABELS`` are its ``services`` values word for word, and
``NATIONAL_PROGRAMMES`` maps our labels to its ``dispositif_programmes_nationaux``."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any

from domain.errors import ValidationError
from domain.opening_hours import parse_opening_hours
from domain.values import StructureLabel


class PlaceService(StrEnum):
    SOLIDARITY_EQUIPMENT = "solidarity_equipment"
    ADMINISTRATIVE_PROCEDURES = "administrative_procedures"
    EVERYDAY_TOOLS = "everyday_tools"
    PROFESSIONAL_INTEGRATION = "professional_integration"
    SAFE_USE = "safe_use"
    PARENTING = "parenting"
    LEISURE = "leisure"
    UNDERSTANDING = "understanding"
    INTERNET_ACCESS = "internet_access"


# The schema's own words (its ``services`` values), also printed in the directory.
PLACE_SERVICE_LABELS: dict[PlaceService, str] = {
    PlaceService.ADMINISTRATIVE_PROCEDURES: "Aide aux démarches administratives",
    PlaceService.EVERYDAY_TOOLS: "Maîtrise des outils numériques du quotidien",
    PlaceService.SAFE_USE: "Utilisation sécurisée du numérique",
    PlaceService.PROFESSIONAL_INTEGRATION: "Insertion professionnelle via le numérique",
    PlaceService.PARENTING: "Parentalité et éducation avec le numérique",
    PlaceService.LEISURE: "Loisirs et créations numériques",
    PlaceService.UNDERSTANDING: "Compréhension du monde numérique",
    PlaceService.INTERNET_ACCESS: "Accès internet et matériel informatique",
    PlaceService.SOLIDARITY_EQUIPMENT: "Acquisition de matériel informatique à prix solidaire",
}
SERVICE_BY_LABEL: dict[str, PlaceService] = {label: service for service, label in PLACE_SERVICE_LABELS.items()}

# Our labels that are national programmes; the others (Éclaireurs du numérique, other) are not in the schema.
NATIONAL_PROGRAMMES: dict[StructureLabel, str] = {
    StructureLabel.AIDANTS_CONNECT: "Aidants Connect",
    StructureLabel.CONSEILLER_NUMERIQUE: "Conseillers numériques",
    StructureLabel.FRANCE_SERVICES: "France Services",
    StructureLabel.PIX_CENTER: "Certification PIX",
}
LABEL_BY_PROGRAMME: dict[str, StructureLabel] = {name: label for label, name in NATIONAL_PROGRAMMES.items()}

# The national library's patterns (models/adresse, contact, courriel, url), so a place we accept is one it reads.
# Compiled ASCII: JavaScript's \d and \w are ASCII (Python's match any script's digits and letters); our
# addresses and phones take a plain space where the library's \s also takes tabs and line breaks (a subset).
ADDRESS = re.compile(r"^[0-9A-Za-zÀ-ÖØ-öø-ÿœ-ŸŒ\-,()°.&:+–|;'’/ ]+$")
POSTAL_CODE = re.compile(r"^\d{5}$", re.ASCII)
PHONE = re.compile(
    r"^(?:(?:\+|00)(?:33|262|269|508|590|594|596|681|687|689)[ .-]{0,3}(?:\(0\)[ .-]{0,3})?|0)"
    r"(?:(?:[1-9](?:[ .-]?\d{2}){4}|\d{2}(?:[ .-]\d{3}){2})|\d{6}| \d{3}(?: \d{2}){3})$",
    re.ASCII,
)
EMAIL = re.compile(
    r"^[a-zA-Z0-9_][a-zA-Z0-9.!#$%&'*+\\=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?"
    r"(?:\.[a-zA-Z0-9][a-zA-Z0-9-]{0,61}[a-zA-Z0-9])+$",
    re.ASCII,
)
WEBSITE = re.compile(
    r"^https?://(?:[;:&=+$,\w-]+@)?[A-Za-z0-9.-]+(?:(?:/[+~,%@/.\w_-]*)?\??[-+=&;%@.\w_]*#?[.!/\\\w]*)?$",
    re.ASCII,
)
DETAIL_FIELDS = ("address", "postal_code", "phone", "email", "website", "services", "opening_hours")


def normalise_phone(phone: str) -> str:
    """« 04 75 12 34 56 » -> « +33475123456 » (the national schema's form); other accepted forms kept as typed."""
    digits = re.sub(r"[\s.-]", "", phone)
    if re.fullmatch(r"0[1-9]\d{8}", digits):
        return "+33" + digits[1:]
    return phone.strip()


def check_details(
    *,
    address: str | None = None,
    postal_code: str | None = None,
    phone: str | None = None,
    email: str | None = None,
    website: str | None = None,
    services: list[str] | None = None,
    opening_hours: str | None = None,
) -> dict[str, Any]:
    """The place's details, normalised (hours in canonical form, phone as +33…), as the event stores them.

    Every faulty field is named at once (``ValidationError.fields``), in French, never quoting the value."""
    faults: list[tuple[str, str]] = []
    out: dict[str, Any] = dict.fromkeys(DETAIL_FIELDS)
    out["services"] = []
    if address is not None and address.strip():
        if len(address) > 200 or not ADDRESS.fullmatch(address.strip()):
            faults.append(
                ("address", "Adresse invalide : lettres, chiffres et ponctuation simple, 200 caractères au plus.")
            )
        out["address"] = address.strip()
    if postal_code is not None and postal_code.strip():
        if not POSTAL_CODE.fullmatch(postal_code.strip()):
            faults.append(("postal_code", "Le code postal doit comporter 5 chiffres."))
        out["postal_code"] = postal_code.strip()
    if (out["address"] is None) != (out["postal_code"] is None):
        field = "postal_code" if out["postal_code"] is None else "address"
        faults.append((field, "L'adresse et le code postal vont ensemble : donnez les deux, ou aucun."))
    if phone is not None and phone.strip():
        if not PHONE.fullmatch(phone.strip()):
            faults.append(("phone", "Numéro de téléphone invalide (exemple : 04 75 12 34 56)."))
        else:
            out["phone"] = normalise_phone(phone)
    if email is not None and email.strip():
        if len(email) > 254 or not EMAIL.fullmatch(email.strip()):
            faults.append(("email", "Adresse électronique invalide."))
        out["email"] = email.strip()
    if website is not None and website.strip():
        if len(website) > 500 or not WEBSITE.fullmatch(website.strip()):
            faults.append(("website", "Site web invalide : une adresse http:// ou https://."))
        out["website"] = website.strip()
    for value in services or []:
        try:
            service = PlaceService(value)
        except ValueError:
            allowed = ", ".join(s.value for s in PlaceService)
            faults.append(("services", f"Service inconnu (valeurs possibles : {allowed})."))
            continue
        if service.value not in out["services"]:
            out["services"].append(service.value)
    out["services"].sort()
    if opening_hours is not None and opening_hours.strip():
        try:
            out["opening_hours"] = parse_opening_hours(opening_hours).canonical()
        except ValidationError as e:
            faults.extend(e.fields)
    if faults:
        raise ValidationError("Coordonnées du lieu invalides. " + " ".join(m for _, m in faults), fields=faults)
    return out


def has_postal_address(details: dict[str, Any] | None) -> bool:
    """A place the national export and the paper directory can show: it has an address and a postal code."""
    return bool(details and details.get("address") and details.get("postal_code"))
