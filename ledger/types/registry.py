"""Who takes part: structures and their accreditation, prescribers, API keys, and people's accounts on the
web pages."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from msgspec import Meta

from domain.places import PlaceService
from domain.values import PrescriberKind, StructureLabel
from ledger.types.common import VISIBLE, Actor, FactDate, Input, Insee, Output, Reason, Role, Text

# -- set-up -------------------------------------------------------------------------------
Address = Annotated[str, Meta(min_length=1, max_length=200, pattern=VISIBLE, description="Street and number")]
PostalCode = Annotated[str, Meta(pattern=r"^\d{5}$")]
Phone = Annotated[str, Meta(min_length=1, max_length=30, pattern=VISIBLE)]
Email = Annotated[str, Meta(min_length=3, max_length=254, pattern=VISIBLE)]
Website = Annotated[str, Meta(min_length=8, max_length=500, pattern=VISIBLE)]
Services = Annotated[list[PlaceService], Meta(max_length=20, description="The national schema's services")]
OpeningHours = Annotated[
    str, Meta(min_length=1, max_length=500, pattern=VISIBLE, description="OpenStreetMap opening_hours syntax")
]


class NewStructure(Input):
    siret: Annotated[str, Meta(pattern=r"^\d{14}$")]
    name: Text
    commune_insee: Insee
    labels: Annotated[list[StructureLabel], Meta(max_length=20)] = []
    address: Address | None = None
    postal_code: PostalCode | None = None
    phone: Phone | None = None
    email: Email | None = None
    website: Website | None = None
    services: Services = []
    opening_hours: OpeningHours | None = None


class StructureDetails(Input):
    """A structure's place details, replacing the previous ones whole (a field left out is cleared)."""

    address: Address | None = None
    postal_code: PostalCode | None = None
    phone: Phone | None = None
    email: Email | None = None
    website: Website | None = None
    services: Services = []
    opening_hours: OpeningHours | None = None


class StructureOut(Output):
    id: UUID
    siret: str
    name: str
    commune_insee: str
    labels: list[str]
    accredited: bool
    address: str | None = None
    postal_code: str | None = None
    phone: str | None = None
    email: str | None = None
    website: str | None = None
    services: list[str] = []
    opening_hours: str | None = None


class ImportRejection(Output):
    line: int
    errors: list[str]


class ImportOut(Output):
    created: int
    updated: int
    unchanged: int
    rejected: list[ImportRejection]


class AccreditationChange(Input):
    reason: Reason
    on: FactDate | None = None


class NewPrescriber(Input):
    name: Text
    kind: PrescriberKind
    commune_insee: Insee


class PrescriberOut(Output):
    id: UUID
    name: str
    kind: str
    commune_insee: str


class NewApiKey(Input):
    role: Role
    org: Annotated[str, Meta(min_length=1, max_length=64, pattern=VISIBLE)] | None = None


class ApiKeyOut(Output):
    id: UUID
    role: str
    org: str | None
    key: str | None = None


class ApiKeyEntry(Output):
    """A key as listed to admins: never the key itself (only its keyed hash is stored) nor that hash. The ledger
    does not record when a key was last used (a write per request, on the hot path)."""

    id: UUID
    role: str
    org: str | None
    created_at: str  # RFC 3339, UTC
    revoked: bool
    revoked_at: str | None = None


class ApiKeyPage(Output):
    items: list[ApiKeyEntry]
    next_cursor: str | None


# -- people's accounts (web pages) --------------------------------------------------------------
class NewUser(Input):
    email: Annotated[str, Meta(min_length=3, max_length=254, pattern=VISIBLE)]
    password: Annotated[str, Meta(min_length=1, max_length=256)]
    role: Role
    org: Annotated[str, Meta(min_length=1, max_length=64, pattern=VISIBLE)] | None = None


class UserOut(Output):
    id: UUID
    email: str
    role: str
    org: str | None
    disabled: bool = False
    locked: bool = False


class SignedIn(Output):
    """A new web session: the cookie's token (shown once) and the user's actor."""

    token: str
    csrf: str
    actor: Actor


class ErasurePreview(Output):
    """A person about to be erased, as the admin may see them: no name, coarse facts, their prescriber."""

    beneficiary_id: str
    prescriber_name: str
    commune_insee: str
    age_band: str
