"""The French words of the domain's vocabularies (beside each enum in ``domain/``): every member has one,
none is left over, none is blank, and no two members of a vocabulary share one (a form would offer two
identical choices)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from enum import StrEnum
from typing import get_args

import pytest

import domain
from domain import cheques, lending, pix, places, roles, values
from ledger import types as t

LABELLED: list[tuple[str, set[str], dict]] = [
    ("FunderKind", set(values.FunderKind), values.FUNDER_KIND_LABELS),
    ("Public", set(values.Public), values.PUBLIC_LABELS),
    ("StructureLabel", set(values.StructureLabel), values.STRUCTURE_LABEL_LABELS),
    ("PrescriberKind", set(values.PrescriberKind), values.PRESCRIBER_KIND_LABELS),
    ("SessionKind", set(values.SessionKind), values.SESSION_KIND_LABELS),
    ("SessionKind (counted)", set(values.SessionKind), values.SESSION_KIND_PLURALS),
    ("DeviceKind", set(lending.DeviceKind), lending.DEVICE_KIND_LABELS),
    ("DeviceStatus", set(lending.DeviceStatus), lending.DEVICE_STATUS_LABELS),
    ("LoanStatus", set(lending.LoanStatus), lending.LOAN_STATUS_LABELS),
    ("ReturnCondition", set(lending.ReturnCondition), lending.RETURN_CONDITION_LABELS),
    ("Phase", set(pix.Phase), pix.PHASE_LABELS),
    ("Role", set(roles.Role), roles.ROLE_LABELS),
    ("PlaceService", set(places.PlaceService), places.PLACE_SERVICE_LABELS),
    ("cheque Status", {v for k, v in vars(cheques.Status).items() if k.isupper()}, cheques.CHEQUE_STATUS_LABELS),
    # counted by lifecycle: a locked cheque is an issued one
    (
        "cheque Status (counted)",
        {v for k, v in vars(cheques.Status).items() if k.isupper()} - {cheques.Status.LOCKED},
        cheques.CHEQUE_STATUS_PLURALS,
    ),
]
# Vocabularies no page or document shows yet (give them labels when one does).
UNLABELLED = {"SourceKind"}


@pytest.mark.parametrize(("name", "members", "labels"), LABELLED, ids=[name for name, _, _ in LABELLED])
def test_every_member_has_one_french_label(name: str, members: set[str], labels: dict) -> None:
    assert set(labels) == members, f"{name}: labels for exactly its members"
    words = list(labels.values())
    assert all(isinstance(w, str) and w and w == w.strip() for w in words), f"{name}: no blank label"
    assert len(set(words)) == len(words), f"{name}: no two members share a label"


def test_every_domain_vocabulary_is_labelled() -> None:
    """A new StrEnum in the domain gets its labels beside it (or is named in UNLABELLED)."""
    modules = [importlib.import_module(f"domain.{m.name}") for m in pkgutil.iter_modules(domain.__path__)]
    enums = {
        name
        for module in modules
        for name, obj in vars(module).items()
        if inspect.isclass(obj) and issubclass(obj, StrEnum) and obj.__module__ == module.__name__
    }
    labelled = {name.split(" ")[0] for name, _, _ in LABELLED}
    assert enums - UNLABELLED <= labelled
    assert enums >= UNLABELLED, "UNLABELLED names only existing vocabularies"


def test_forms_offer_the_departement_first() -> None:
    """Forms list choices in the labels' order, which for funders is not the enum's."""
    assert next(iter(values.FUNDER_KIND_LABELS)) == values.FunderKind.DEPARTMENT


def test_the_api_role_names_are_the_role_enum() -> None:
    """Requests name a role by one of domain.roles.Role's values (an inline enum in the OpenAPI schema)."""
    assert get_args(t.Role) == tuple(role.value for role in roles.Role)
    assert set(roles.ROLES_WITH_ORG) < set(roles.Role)
