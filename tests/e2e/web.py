"""Helpers for page tests: accounts per role on the e2e world, signing in through the form, CSRF tokens."""

from __future__ import annotations

import re
from dataclasses import dataclass

from litestar.testing import TestClient

from ledger import types as t
from tests import scenario as s

PASSWORD = "mot de passe de démonstration"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Accounts:
    admin: str
    prescriber: str
    other_prescriber: str
    structure: str
    other_structure: str
    funder: str
    observatory: str


def make_accounts(ledger, w, other_prescriber_id: str, other_structure_id: str) -> Accounts:
    def user(email: str, role: str, org: str | None = None) -> str:
        ledger.create_user(s.ADMIN, t.NewUser(email=email, password=PASSWORD, role=role, org=org))
        return email

    return Accounts(
        admin=user("admin@example.org", "admin"),
        prescriber=user("prescriptrice@example.org", "prescriber", str(w.prescriber.id)),
        other_prescriber=user("autre.prescriptrice@example.org", "prescriber", other_prescriber_id),
        structure=user("mediateur@example.org", "structure", str(w.structure.id)),
        other_structure=user("autre.mediateur@example.org", "structure", other_structure_id),
        funder=user("financeur@example.org", "funder", "DEPT26"),
        observatory=user("observatoire@example.org", "observatory"),
    )


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "the page has a form with a CSRF token"
    return found.group(1)


def sign_in(client: TestClient, email: str, password: str = PASSWORD):
    client.cookies.clear()
    form = client.get("/connexion")
    return client.post(
        "/connexion",
        data={"email": email, "password": password, "csrf_token": csrf_of(form.text)},
        follow_redirects=False,
    )


def post_form(client: TestClient, path: str, page: str, fields: dict | None = None, **kw):
    """POSTs a form found on ``page`` (its CSRF token included)."""
    html = client.get(page).text
    return client.post(path, data={"csrf_token": csrf_of(html), **(fields or {})}, follow_redirects=False, **kw)
