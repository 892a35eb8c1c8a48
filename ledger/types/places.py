"""Places in the national schema: the records of the national export, and the paper directory's content."""

from __future__ import annotations

from ledger.types.common import Output


class PlaceRecord(Output, omit_defaults=True):
    """One place of the national "schéma des lieux de médiation numérique" (its field names, its ``|``-joined
    lists); optional fields are left out when empty, as the schema's tools expect."""

    id: str
    pivot: str
    nom: str
    adresse: str
    code_postal: str
    commune: str
    code_insee: str
    date_maj: str
    source: str
    services: str | None = None
    dispositif_programmes_nationaux: str | None = None
    telephone: str | None = None
    courriels: str | None = None
    site_web: str | None = None
    horaires: str | None = None


class DirectoryPlace(Output):
    """A place as the paper directory prints it, in French."""

    name: str
    address: str
    postal_code: str
    commune: str
    phone: str | None
    email: str | None
    website: str | None
    hours: list[str]  # « Du lundi au vendredi : de 9 h à 12 h », …
    services: list[str]  # the schema's French names
    labels: list[str]  # « France services », …


class DirectoryCommune(Output):
    insee: str
    name: str
    places: list[DirectoryPlace]


class DirectoryOut(Output):
    """The places of an EPCI or a commune, grouped by commune (by name)."""

    title: str  # « Communauté d'agglomération Valence Romans Agglo » or the commune's name
    communes: list[DirectoryCommune]


class IncompletePlace(Output):
    id: str
    name: str
    commune: str
    missing: list[str]  # French: « adresse », « code postal »
