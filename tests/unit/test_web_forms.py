"""Form helpers of the pages: sums typed in euros become integer cents; refusals name fields, never values."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from api.web.forms import Form, field_errors
from api.web.navigation import safe_next
from api.web.pages_auth import HOMES
from api.web.render import NAV, current_link
from domain import errors
from domain.roles import Role
from ledger import types as t


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


def refused(form: Form, struct: type, **kw) -> dict[str, str]:
    with pytest.raises(errors.ValidationError) as info:
        form.build(struct, **kw)
    assert dict(info.value.fields) == form.faults, "the refusal carries every fault, by form field"
    return form.faults


def test_every_faulty_field_is_named_with_what_it_expects_never_the_value():
    faults = refused(Form({}), t.NewFunder, code="département 26", name="", kind="SECRET-KIND")
    assert set(faults) == {"code", "name", "kind"}
    assert "2 à 32 caractères" in faults["code"] and faults["code"].startswith("Code : ")
    assert faults["name"] == "Nom : valeur attendue : un texte de 1 à 200 caractères (sans caractère de contrôle)."
    assert faults["kind"] == "Type : choisissez dans la liste proposée.", "a choice names no internal codes"
    assert not any(v in m for m in faults.values() for v in ("département 26", "SECRET-KIND"))


def test_a_field_s_own_words_and_the_form_s_names_win():
    faults = refused(
        Form({}),
        t.NewFunder,
        names={"code": "funder_code_typed"},
        messages={"funder_code_typed": "Code : par exemple CAF26."},
        code="x",
        name="Caisse",
        kind="caf",
    )
    assert faults == {"funder_code_typed": "Code : par exemple CAF26."}


def test_faults_noted_while_reading_are_kept_and_list_items_point_at_their_field():
    form = Form({"amount": "dix", "priority": "1,5"})
    amount = form.cents("amount", "Montant")
    priority = form.integer("priority", "Priorité")
    faults = refused(
        form,
        t.NewCommitment,
        names={"amount_cents": "amount"},
        funder_code="DEPT26",
        reference="",
        amount_cents=amount,
        valid_from="2026-01-01",
        valid_until="31/12/2026",
        eligible_publics=["rsa", "martians"],
        territory=["26362", "123"],
        priority=priority,
    )
    assert set(faults) == {"amount", "priority", "reference", "valid_until", "eligible_publics", "territory"}
    assert faults["amount"].startswith("Montant : indiquez un montant en euros"), "the reading's words, not the type's"
    assert "AAAA-MM-JJ" in faults["valid_until"] and "INSEE" in faults["territory"]
    assert faults["eligible_publics"].endswith("choisissez dans la liste proposée.")


def test_a_well_formed_form_builds_its_command():
    built = Form({}).build(t.NewApiKey, names={"role": "key_role"}, role="funder", org="DEPT26")
    assert built == t.NewApiKey(role="funder", org="DEPT26")


def test_a_command_s_refusal_is_placed_beside_the_form_s_field():
    refusal = errors.ValidationError("Organisation : Financeur introuvable.", field="org")
    assert field_errors(refusal, {"org": "key_org_funder"}) == {
        "key_org_funder": "Organisation : Financeur introuvable."
    }
    assert field_errors(errors.ValidationError("Tout le formulaire.")) == {}, "a refusal of no field stays on top"
    assert field_errors(errors.NotFound("Clé introuvable.")) == {}


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


def request_patterns() -> set[str]:
    """Every pattern a request type's text field must match (``ledger/types/``)."""
    import msgspec
    import msgspec.inspect as mi

    found: set[str] = set()

    def walk(info: object) -> None:
        if isinstance(info, mi.Metadata):
            walk(info.type)
        elif isinstance(info, mi.StrType) and info.pattern:
            found.add(info.pattern)
        elif isinstance(info, mi.UnionType):
            for member in info.types:
                walk(member)
        elif isinstance(info, mi.ListType):
            walk(info.item_type)
        elif isinstance(info, mi.StructType):
            for f in info.fields:
                walk(f.type)

    for name in t.__all__:
        kind = getattr(t, name)
        if isinstance(kind, type) and issubclass(kind, msgspec.Struct):
            walk(mi.type_info(kind))
    return found


def test_every_pattern_is_said_in_words():
    """A faulty field says what is expected; « au format attendu » says nothing (issue 18)."""
    from api.strict_body import PATTERN_WORDS

    assert request_patterns() - set(PATTERN_WORDS) == set()
