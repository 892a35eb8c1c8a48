"""Form helpers of the pages: sums typed in euros become integer cents; refusals name fields, never values."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from api.web.forms import Form, field_name
from api.web.navigation import safe_next
from api.web.pages_auth import HOMES
from api.web.render import NAV, current_link
from domain import errors
from domain.roles import Role


@pytest.mark.parametrize(
    "typed, cents",
    [
        ("20", 2000),
        ("20,5", 2050),
        ("20,50", 2050),
        ("20.05", 2005),
        ("1 234,56", 123456),
        ("1\u202f234,56 €", 123456),
        ("0", 0),
    ],
)
def test_euros_become_cents(typed, cents):
    assert Form({"x": typed}).cents("x", "Montant") == cents


@pytest.mark.parametrize("typed", ["", "vingt", "20,555", "-5", "1e3", ",5", "20,5,0"])
def test_bad_sums_are_refused(typed):
    """Noted against the field (every faulty field is shown at once, issue 18), then refused by build()."""
    form = Form({"x": typed})
    form.cents("x", "Montant")
    assert form.faults["x"].startswith("Montant : indiquez un montant en euros")
    with pytest.raises(errors.ValidationError) as info:
        form.build(dict)
    assert info.value.fields == [("x", form.faults["x"])]


@given(st.integers(min_value=0, max_value=10**9))
def test_cents_round_trip_through_french_text(cents):
    typed = f"{cents // 100:,}".replace(",", " ") + f",{cents % 100:02d}"
    assert Form({"x": typed}).cents("x", "Montant") == cents


def test_refusals_name_the_field_in_french_never_the_value():
    assert field_name("Object missing required field `code`") == "code"
    assert field_name("Invalid enum value 'secret-value' - at `$.session.kind`") == "type"
    assert field_name("Expected `int` >= 1 - at `$.count`") == "nombre de chèques"
    assert field_name("Expected `str` - at `$.themes[3]`") == "thèmes"
    assert "secret" not in field_name("Invalid enum value 'secret' - at `$.kind`")


def test_lists_and_single_values():
    form = Form({"publics": ["rsa", "senior"], "name": " Jeanne "})
    assert form.getlist("publics") == ["rsa", "senior"] and form.getlist("name") == [" Jeanne "]
    assert form.get("name") == "Jeanne" and form.optional("missing") is None


@pytest.mark.parametrize(
    "target, kept",
    [
        ("/financeur", "/financeur"),
        ("/structure?x=1", "/structure?x=1"),
        ("//evil.example", "/"),
        ("https://evil.example", "/"),
        ("/\\\\evil", "/"),
        ("/v1/funders", "/"),
        ("", "/"),
        (None, "/"),
    ],
)
def test_return_addresses_stay_on_the_site(target, kept):
    assert safe_next(target) == kept


def test_one_menu_entry_is_current():
    links = [("/admin", "Tableau de bord"), ("/admin/financeurs", "Financeurs"), ("/observatoire", "Indicateurs")]
    assert current_link("/admin", links) == "/admin"
    assert current_link("/admin/financeurs/conventions", links) == "/admin/financeurs"
    assert current_link("/administration", links) is None


def test_every_role_has_a_home_page_and_a_menu():
    assert set(HOMES) == set(NAV) == set(Role)
