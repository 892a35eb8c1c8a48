"""What every schema shares: the base structs of inputs and outputs, who acts (``Actor``, ``Role``), the
constrained aliases of fields (text, cents, INSEE codes, dates) and the problem details of a refused request."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from msgspec import Meta, Struct

from domain.values import MAX_CENTS

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
# The values of domain.roles.Role, spelled out for the type checker (tests/unit/test_domain_labels.py checks they agree).
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
