"""Typed inputs and outputs of the ledger's commands and queries (msgspec structs).

The HTTP API uses these as its request and response bodies, so constraints here are the
contract's: they show in the OpenAPI schema and are checked when a body is decoded.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal
from uuid import UUID

from msgspec import Meta, Struct
from msgspec import field as msgspec_field

from domain.lending import MAX_DEPOSIT_CENTS, MAX_MONTHLY_FEE_CENTS
from domain.values import MAX_CENTS, FunderKind, PrescriberKind, Public, SessionKind, StructureLabel

# No control characters (C0, DEL, C1) in any text: they break CSV, PDFs, logs and headers downstream.
VISIBLE = "^[^\\x00-\\x1f\\x7f-\\x9f]*$"
Cents = Annotated[int, Meta(ge=1, le=MAX_CENTS, description="Integer euro cents, at most 100 M€")]
Text = Annotated[str, Meta(min_length=1, max_length=200, pattern=VISIBLE)]
Reason = Annotated[str, Meta(min_length=1, max_length=2000, pattern=VISIBLE)]
Note = Annotated[str, Meta(max_length=2000, pattern=VISIBLE)]
Insee = Annotated[str, Meta(pattern=r"^(\d{5}|2[AB]\d{3})$", description="Commune INSEE code")]
# Dates carry their bounds in ``extra`` (msgspec has none for dates); ``api/strict_body.py`` checks them,
# and the domain checks them again.
FactDate = Annotated[
    date, Meta(description="The date of a fact: from 2000-01-01 to today (Europe/Paris)", extra={"bounds": "fact"})
]
Day = Annotated[date, Meta(description="From 2000-01-01 to 2100-12-31", extra={"bounds": "calendar"})]
Role = Literal["admin", "prescriber", "structure", "funder", "observatory"]


class Input(Struct, forbid_unknown_fields=True, kw_only=True):
    pass


class Output(Struct, kw_only=True):
    pass


class Actor(Struct, frozen=True):
    """Who is acting: a role and, except for admin and observatory, an organisation."""

    role: Role
    org: str | None = None
    key_id: str | None = None


# -- set-up -------------------------------------------------------------------------------
class NewFunder(Input):
    code: Annotated[str, Meta(pattern=r"^[A-Z0-9-]{2,32}$")]
    name: Text
    kind: FunderKind


class FunderOut(Output):
    code: str
    name: str
    kind: str
    received_cents: int


class NewCommitment(Input):
    funder_code: Annotated[str, Meta(pattern=r"^[A-Z0-9-]{2,32}$")]
    reference: Text
    amount_cents: Cents
    valid_from: Day
    valid_until: Day
    eligible_publics: Annotated[list[Public], Meta(max_length=20)] = []
    territory: Annotated[list[Insee], Meta(max_length=400)] = []
    priority: Annotated[int, Meta(ge=0, le=10_000)] = 100


class CommitmentOut(Output):
    id: UUID
    funder_code: str
    reference: str
    amount_cents: int
    available_cents: int
    valid_from: date
    valid_until: date
    eligible_publics: list[str]
    territory: list[str]
    priority: int


class NewPayment(Input):
    amount_cents: Cents
    received_on: FactDate
    reference: Text


class PaymentOut(Output):
    funder_code: str
    amount_cents: int
    received_on: date
    reference: str
    received_total_cents: int


class NewStructure(Input):
    siret: Annotated[str, Meta(pattern=r"^\d{14}$")]
    name: Text
    commune_insee: Insee
    labels: Annotated[list[StructureLabel], Meta(max_length=20)] = []


class StructureOut(Output):
    id: UUID
    siret: str
    name: str
    commune_insee: str
    labels: list[str]
    accredited: bool


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


# -- beneficiaries and cheques -------------------------------------------------------------
class NewBeneficiary(Input):
    first_name: Text
    last_name: Text
    birth_year: Annotated[int, Meta(ge=1900, le=2100)]
    commune_insee: Insee
    publics: Annotated[list[Public], Meta(max_length=20)] = []
    phone: Annotated[str, Meta(max_length=32, pattern=r"^[0-9 +().-]{6,32}$")] | None = None
    email: Annotated[str, Meta(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")] | None = None


class BeneficiaryOut(Output):
    id: UUID
    age_band: str
    commune_insee: str
    publics: list[str]


class BeneficiaryRecord(Output):
    id: UUID
    prescriber_id: str
    first_name: str
    last_name: str
    birth_year: int
    age_band: str
    commune_insee: str
    publics: list[str]
    phone: str | None = None
    email: str | None = None


class NewChequeBook(Input):
    beneficiary_id: UUID
    count: Annotated[int, Meta(ge=1, le=20)]
    face_value_cents: Annotated[int, Meta(ge=1, le=100_000)] = 1000


class IssuedCheque(Output):
    serial: str
    code: str
    face_value_cents: int
    valid_until: date
    funder_code: str
    commitment_id: UUID


class ChequeBookOut(Output):
    id: UUID
    beneficiary_id: UUID
    cheques: list[IssuedCheque]


class ChequeOut(Output):
    serial: str
    status: Literal["issued", "redeemed", "settled", "expired", "cancelled", "locked"]
    face_value_cents: int
    valid_until: date
    funder_code: str
    commitment_id: UUID
    redeemed_by: str | None = None
    session_date: date | None = None


class ReasonBody(Input):
    reason: Reason


# -- redemptions ---------------------------------------------------------------------------
class Session(Input):
    date: FactDate
    kind: SessionKind
    duration_minutes: Annotated[int, Meta(ge=1, le=600)]
    themes: Annotated[list[Annotated[str, Meta(min_length=1, max_length=100, pattern=VISIBLE)]], Meta(max_length=20)] = []


class NewRedemption(Input):
    serial: Annotated[str, Meta(min_length=1, max_length=32, pattern=VISIBLE)]
    code: Annotated[str, Meta(min_length=1, max_length=32, pattern=VISIBLE)]
    session: Session


class RedemptionOut(Output):
    id: str
    serial: str
    amount_cents: int
    structure_id: str
    session_date: date


class ReversalOut(Output):
    id: str
    serial: str
    status: str


class StatementOut(Output):
    structure_id: str
    redeemed_count: int
    redeemed_cents: int
    settled_cents: int
    pending_cents: int


# -- fund operations -----------------------------------------------------------------------
class NewSettlement(Input):
    through: Day


class SettlementLine(Output):
    structure_id: str
    count: int
    amount_cents: int


class SettlementOut(Output):
    id: UUID
    through: date
    total_cents: int
    lines: list[SettlementLine]


class NewExpiry(Input):
    as_of: FactDate


class ExpiryOut(Output):
    expired_count: int
    released_cents: int


# -- funders' view ------------------------------------------------------------------------
class CommitmentFigures(Output):
    id: UUID
    reference: str
    committed_cents: int
    available_cents: int
    reserved_cents: int
    redeemed_cents: int
    paid_cents: int
    released_cents: int


class Reconciliation(Output):
    funder_code: str
    as_of: date
    committed_cents: int
    received_cents: int
    available_cents: int
    reserved_cents: int
    redeemed_cents: int
    paid_cents: int
    released_cents: int
    balanced: bool
    commitments: list[CommitmentFigures]


Account = Literal["funder", "available", "reserved", "redeemed", "paid"]


class Posting(Output):
    position: int
    at: str
    event_id: str
    kind: str
    commitment_id: UUID
    debit: Account
    credit: Account
    amount_cents: int
    serial: str | None = None
    structure_id: str | None = None


class PostingPage(Output):
    items: list[Posting]
    next_cursor: str | None


class FieldError(Output):
    """One faulty field of a refused request: its path in the body (``session.date``, ``items[2].code``) or
    the header's name, and what is expected, in French (never the value sent)."""

    field: str
    message: str


class Problem(Output, omit_defaults=True):
    """RFC 9457 problem details; ``errors`` on 400 `validation-error`, naming every faulty field."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldError] | None = None


class RedemptionBatch(Input):
    items: Annotated[list[NewRedemption], Meta(min_length=1, max_length=1000)]


class BatchItemResult(Output):
    index: int
    status: int
    redemption: RedemptionOut | None = None
    problem: Problem | None = None


class BatchResult(Output):
    results: list[BatchItemResult]


# -- observatory ---------------------------------------------------------------------------
class SessionCounts(Output):
    individual: int
    collective: int
    administrative_procedure: int


class PixFigures(Output):
    entries: int
    exits: int
    pairs: int
    entry_avg: float | None
    exit_avg: float | None
    delta_avg: float | None


class LoanFigures(Output):
    agreements_signed: int
    active: int
    overdue: int
    returned: int
    lost: int
    agreements_by_quarter: dict[str, int] = {}


class Indicators(Output):
    from_: date | None = msgspec_field(name="from")
    to: date | None
    beneficiaries_accompanied: int
    cheques_issued: int
    cheques_redeemed: int
    redemption_rate: float
    sessions: SessionCounts
    minutes: int
    pix: PixFigures
    loans: LoanFigures
    equipment_sources: int
    funders: int
    partners: int = 0


class ExportRow(Output, kw_only=True):
    quarter: str
    commune_insee: str
    epci: str | None
    public: str
    age_band: str
    beneficiaries: int | None
    sessions: int | None
    minutes: int | None
    cheques_redeemed: int | None
    pix_pairs: int | None = None
    pix_delta_avg: float | None = None
    suppressed: bool


class ExportPage(Output):
    items: list[ExportRow]


# -- lending ------------------------------------------------------------------------------
class NewEquipmentSource(Input):
    name: Text
    kind: Literal["company", "public_body", "association", "individual"]
    commune_insee: Insee


class EquipmentSourceOut(Output):
    id: UUID
    name: str
    kind: str
    commune_insee: str


class NewDevice(Input):
    source_id: UUID
    kind: Literal["laptop", "desktop", "tablet", "smartphone"]
    serial_number: Annotated[str, Meta(min_length=1, max_length=100, pattern=VISIBLE)]
    received_on: FactDate


class DeviceOut(Output):
    id: UUID
    source_id: UUID
    structure_id: str
    kind: str
    serial_number: str
    status: Literal["received", "available", "on_loan", "needs_repair", "retired"]
    grade: str | None = None


class Refurbishment(Input):
    grade: Literal["A", "B", "C"]
    refurbished_on: FactDate


class Retirement(Input):
    reason: Literal["recycled", "beyond_repair", "donated"]
    on: FactDate


class NewLoan(Input):
    device_id: UUID
    beneficiary_id: UUID
    start_on: FactDate
    due_on: Day
    monthly_fee_cents: Annotated[int, Meta(ge=0, le=MAX_MONTHLY_FEE_CENTS, description="Integer euro cents, at most 200 €")]
    deposit_cents: Annotated[int, Meta(ge=0, le=MAX_DEPOSIT_CENTS, description="Integer euro cents, at most 1 000 €")]


class LoanOut(Output):
    id: UUID
    device_id: UUID
    beneficiary_id: UUID
    structure_id: str
    start_on: date
    due_on: date
    monthly_fee_cents: int
    deposit_cents: int
    status: Literal["active", "overdue", "returned", "lost"]
    follow_ups: int
    ended_on: date | None = None


class NewFollowUp(Input):
    on: FactDate
    kind: Literal["visit", "call", "workshop"]
    note: Note | None = None


class FollowUpOut(Output):
    loan_id: UUID
    on: date
    kind: str
    follow_ups: int


class LoanExtension(Input):
    due_on: Day


class LoanReturn(Input):
    on: FactDate
    condition: Literal["good", "damaged", "incomplete"]


class LoanLoss(Input):
    on: FactDate


class LoanPage(Output):
    items: list[LoanOut]
    next_cursor: str | None


# -- PIX ----------------------------------------------------------------------------------
class NewPixAssessment(Input):
    phase: Literal["entry", "exit"]
    score: Annotated[int, Meta(ge=0, le=1024)]
    taken_on: FactDate


class PixAssessmentOut(Output):
    id: UUID
    beneficiary_id: UUID
    phase: str
    score: int
    taken_on: date


class PixHistory(Output):
    beneficiary_id: UUID
    items: list[PixAssessmentOut]


class LoanPosting(Output):
    position: int
    at: str
    event_id: str
    loan_id: UUID
    structure_id: str
    kind: str
    debit: Literal["beneficiary", "deposits_held", "deposits_kept", "fees_collected"]
    credit: Literal["beneficiary", "deposits_held", "deposits_kept", "fees_collected"]
    amount_cents: int


class LoanPostingPage(Output):
    items: list[LoanPosting]
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


class MoneyPoint(Output):
    """A funder's balances at the end of a day (Europe/Paris): the reconciliation's totals as of that day."""

    day: date
    available_cents: int
    reserved_cents: int
    redeemed_cents: int
    paid_cents: int


class BreakdownRow(Output):
    """Sessions paid by cheque, grouped by quarter or by EPCI; a group counting fewer distinct beneficiaries
    than the small-cell threshold shows no figures (``suppressed``)."""

    key: str
    label: str
    beneficiaries: int | None
    sessions: int | None
    minutes: int | None
    suppressed: bool
