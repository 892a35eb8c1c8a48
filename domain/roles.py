"""Who acts: the roles an API key or a person's account has, and their French names.

An admin acts for the fund; an observatory reads anonymous figures; the other roles act for one
organisation (a prescriber, a structure, a funder)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    PRESCRIBER = "prescriber"
    STRUCTURE = "structure"
    FUNDER = "funder"
    OBSERVATORY = "observatory"


ROLES_WITH_ORG = (Role.PRESCRIBER, Role.STRUCTURE, Role.FUNDER)

ROLE_LABELS: dict[Role, str] = {  # in the order the account form offers them
    Role.PRESCRIBER: "Prescripteur",
    Role.STRUCTURE: "Structure de médiation",
    Role.FUNDER: "Financeur",
    Role.OBSERVATORY: "Observatoire",
    Role.ADMIN: "Administration",
}
