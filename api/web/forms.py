"""Posted forms: reading their fields (sums in euros, dates, lists), building the command's input type
with its constraints checked, naming a refused field in French, and the words of a refusal."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Annotated, Any, Literal, TypeVar, overload

import msgspec
from litestar.enums import RequestEncodingType
from litestar.params import Body

from api.deps import LedgerDep
from api.strict_body import CHOICES, struct_faults
from domain import errors
from domain.cheques import MAX_BOOK_SIZE, MAX_FACE_VALUE_CENTS
from domain.values import MAX_CENTS
from ledger.clock import paris_today

T = TypeVar("T")

FormData = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]


class Form:
    """A posted form whose CSRF token was checked."""

    def __init__(self, data: dict[str, Any]) -> None:
        self._data = data
        self.faults: dict[str, str] = {}  # form field → what is wrong with it, in French

    def get(self, name: str, default: str = "") -> str:
        value = self._data.get(name, default)
        if isinstance(value, list):
            value = value[-1] if value else default
        return str(value).strip()

    def getlist(self, name: str) -> list[str]:
        value = self._data.get(name, [])
        return [str(v) for v in (value if isinstance(value, list) else [value]) if str(v)]

    def optional(self, name: str) -> str | None:
        return self.get(name) or None

    def integer(self, name: str, what: str) -> int:
        """A whole number; otherwise the fault is noted for the field (and ``build`` refuses the form)."""
        try:
            return int(self.get(name))
        except ValueError:
            self.faults.setdefault(name, f"{what} : indiquez un nombre entier, en chiffres.")
            return None  # type: ignore[return-value]  # build() refuses the form, naming this field

    def cents(self, name: str, what: str) -> int:
        """A sum typed in euros (« 20 », « 20,50 », « 1 234,5 ») → integer cents, never a float."""
        text = self.get(name).replace("\u202f", "").replace("\u00a0", "").replace(" ", "").replace("€", "")
        whole, _, frac = text.replace(".", ",").partition(",")
        if not whole.isdigit() or not (frac == "" or (frac.isdigit() and len(frac) <= 2)):
            self.faults.setdefault(name, f"{what} : indiquez un montant en euros, par exemple 20 ou 20,50.")
            return None  # type: ignore[return-value]  # build() refuses the form, naming this field
        return int(whole) * 100 + int(frac.ljust(2, "0") or 0)

    def build(
        self,
        struct: type[T],
        /,
        *,
        names: Mapping[str, str] | None = None,
        messages: Mapping[str, str] | None = None,
        **fields: Any,
    ) -> T:
        """The command's input; refused with every faulty field of the form named (``errors.fields``: form
        field names, French messages placed next to each field by the page). ``names``: the form's own names of
        command fields, where they differ (``{"role": "key_role"}``); ``messages``: this form's words for a
        faulty field (by form field), before ``FIELD_MESSAGES``."""
        messages = {**FIELD_MESSAGES, **(messages or {})}
        try:
            built = msgspec.convert(fields, struct)
        except msgspec.ValidationError:
            built = None
            for path, message in struct_faults(struct, fields, paris_today(), ""):
                name = form_field(path, names)
                self.faults.setdefault(name, messages.get(name) or fault_message(path, message))
        if self.faults or built is None:
            raise form_invalid(self.faults)
        return built


def form_invalid(faults: dict[str, str]) -> errors.ValidationError:
    return errors.faulty_fields(list(faults.items()))


def field_errors(refusal: errors.DomainError, names: Mapping[str, str] | None = None) -> dict[str, str]:
    """The faults of a refused form by form field (for the page to show next to each field)."""
    if not isinstance(refusal, errors.ValidationError):
        return {}
    return {form_field(name, names): message for name, message in refusal.fields if name}


def form_field(path: str, names: Mapping[str, str] | None = None) -> str:
    """A command field (``monthly_fee_cents``, ``session.date``) → the form field that typed it."""
    path = re.sub(r"\[\d+\]", "", path)  # every item of a list is typed in the list's one field
    if names and path in names:
        return names[path]
    return FORM_FIELDS.get(path, path.split(".")[-1])


def fault_message(path: str, expected: str) -> str:
    """« Nom : valeur attendue : un texte de 1 à 200 caractères. »; a choice (a list or boxes in the form) says
    to choose rather than listing the codes behind the choices."""
    if CHOICES in expected:
        return f"{field_label(path)} : choisissez dans la liste proposée."
    return f"{field_label(path)} : {_lower(expected)}"


def field_label(path: str) -> str:
    name = FIELD_NAMES.get(re.sub(r"\[\d+\]", "", path).split(".")[-1], "un champ")
    return name[0].upper() + name[1:]


def _lower(message: str) -> str:
    return message[0].lower() + message[1:] if message else message


FORM_FIELDS = {
    "monthly_fee_cents": "monthly_fee",
    "deposit_cents": "deposit",
    "face_value_cents": "face_value",
    "session.date": "session_date",
    "session.kind": "kind",
    "session.duration_minutes": "duration_minutes",
    "session.themes": "themes",
    "beneficiary_ref": "beneficiary",
    "beneficiary_id": "beneficiary",
}

AMOUNT = f"Montant : un montant en euros de 0,01 € à {MAX_CENTS // 100:_} €.".replace("_", "\u202f")

# Where the words of the schema are not the clearest for a person typing in a form.
FIELD_MESSAGES = {
    "birth_year": "Année de naissance : indiquez l'année en quatre chiffres, par exemple 1958.",
    "email": "E-mail : indiquez une adresse complète, par exemple prenom.nom@exemple.fr.",
    "phone": "Téléphone : indiquez des chiffres, par exemple 06 12 34 56 78.",
    "commune_insee": "Commune : choisissez une commune de la Drôme dans la liste.",
    "first_name": "Prénom : ce champ est obligatoire (200 caractères au plus).",
    "last_name": "Nom : ce champ est obligatoire (200 caractères au plus).",
    "taken_on": "Date du test : indiquez une date passée, au plus tard aujourd'hui.",
    "score": "Score PIX : indiquez un nombre entier de 0 à 1024.",
    "count": f"Nombre de chèques : de 1 à {MAX_BOOK_SIZE}.",
    "amount": AMOUNT,
    "payment_amount": AMOUNT.replace("Montant", "Montant reçu"),
    "funder_code": "Financeur : choisissez un financeur dans la liste.",
    "siret": "SIRET : indiquez les 14 chiffres du SIRET, sans lettre.",
    "face_value": f"Valeur d'un chèque : de 0,01 € à {MAX_FACE_VALUE_CENTS // 100:_} € au plus.".replace("_", "\u202f"),
}


@overload
def parse_day(text: str | None, what: str, *, required: Literal[True]) -> date: ...
@overload
def parse_day(text: str | None, what: str, *, required: bool = False) -> date | None: ...
def parse_day(text: str | None, what: str, *, required: bool = False) -> date | None:
    """A date typed in a form or a query (AAAA-MM-JJ); empty is None unless required."""
    if not text:
        if required:
            raise errors.ValidationError(f"{what} : une date est attendue.")
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise errors.ValidationError(f"{what} : une date au format AAAA-MM-JJ est attendue.") from None


def form_error(refusal: errors.DomainError, *page_level: type[errors.DomainError]) -> str:
    """The words of a refusal, for the form that caused it; re-raised to the error page when it is about the
    page rather than the fields: a server fault, no right to act, or the kinds named."""
    if refusal.status >= 500 or isinstance(refusal, (errors.Forbidden, *page_level)):
        raise refusal
    return refusal.detail


FIELD_NAMES = {
    "name": "nom",
    "slug": "identifiant",
    "description": "description",
    "criteria": "critères",
    "achievement": "badge",
    "certified_on": "date de certification",
    "address": "adresse",
    "postal_code": "code postal",
    "website": "site web",
    "opening_hours": "horaires",
    "services": "services",
    "holder": "titulaire",
    "iban": "IBAN",
    "bic": "BIC",
    "executed_on": "date d'exécution",
    "bank_reference": "référence bancaire",
    "funder_code": "financeur",
    "reference": "référence",
    "amount_cents": "montant",
    "valid_from": "début de validité",
    "valid_until": "fin de validité",
    "eligible_publics": "publics",
    "territory": "communes",
    "priority": "priorité",
    "received_on": "date de réception",
    "siret": "SIRET",
    "labels": "labels",
    "on": "date",
    "password": "mot de passe",
    "role": "rôle",
    "org": "organisation",
    "through": "date",
    "as_of": "date",
    "monthly_fee_cents": "mensualité",
    "deposit_cents": "caution",
    "device_id": "appareil",
    "beneficiary_id": "bénéficiaire",
    "start_on": "début",
    "due_on": "retour prévu",
    "condition": "état",
    "phase": "test",
    "score": "score",
    "taken_on": "date du test",
    "first_name": "prénom",
    "last_name": "nom",
    "birth_year": "année de naissance",
    "commune_insee": "commune",
    "publics": "publics",
    "phone": "téléphone",
    "email": "e-mail",
    "count": "nombre de chèques",
    "face_value_cents": "valeur d'un chèque",
    "reason": "motif",
    "serial": "numéro du chèque",
    "code": "code",
    "session": "séance",
    "date": "date",
    "duration_minutes": "durée",
    "themes": "thèmes",
    "kind": "type",
}


def communes(ledger: LedgerDep) -> list[tuple[str, str]]:
    """The communes of the territory, by name: the choices of a commune field."""
    return sorted(((c.insee, c.name) for c in ledger.territory.communes()), key=lambda pair: pair[1])
