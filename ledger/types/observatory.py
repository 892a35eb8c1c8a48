"""The observatory's figures: indicators, the anonymised export's rows and the breakdown of sessions."""

from __future__ import annotations

from datetime import date

from msgspec import field as msgspec_field

from ledger.types.common import Output


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
    certifications: int = 0  # PIX certifications passed in the period (Action 7)


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
    badges_awarded: int = 0  # Open Badges awarded in the period (Action 7)


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


class BreakdownRow(Output):
    """Sessions paid by cheque, grouped by quarter or by EPCI; a group counting fewer distinct beneficiaries
    than the small-cell threshold shows no figures (``suppressed``)."""

    key: str
    label: str
    beneficiaries: int | None
    sessions: int | None
    minutes: int | None
    suppressed: bool
