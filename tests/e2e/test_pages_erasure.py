"""Erasing a person from the admin pages: find, see what will be erased (no name), confirm; nothing is
erased without the confirmation, and the person's name is gone for their prescriber afterwards."""

from __future__ import annotations

import pytest

from domain import errors
from tests.e2e.web import post_form, sign_in


def test_erasure_takes_a_confirmation_then_destroys_the_name(client, accounts, ledger_world):
    ledger, w, _ = ledger_world
    bid = str(w.beneficiary.id)
    sign_in(client, accounts.admin)
    preview = client.get(f"/admin/effacement?beneficiaire={bid}")
    assert preview.status_code == 200 and 'id="apercu"' in preview.text and "CCAS de Valence" in preview.text
    assert "Camille" not in preview.text and "MARTIN" not in preview.text.upper(), "the admin sees no name"
    page = f"/admin/effacement?beneficiaire={bid}"
    unconfirmed = post_form(client, f"/admin/effacement/{bid}", page, {})
    assert unconfirmed.status_code == 303 and "fait=" not in unconfirmed.headers["location"]
    assert ledger.get_beneficiary(w.prescriber_actor, bid).first_name == "Camille", "not erased without confirming"
    done = post_form(client, f"/admin/effacement/{bid}", page, {"confirmation": "oui"})
    assert done.headers["location"] == "/admin/effacement?fait=personne-effacee"
    assert "Personne effacée" in client.get(done.headers["location"]).text
    with pytest.raises(errors.NotFound):
        ledger.get_beneficiary(w.prescriber_actor, bid)
    again = client.get(f"/admin/effacement?beneficiaire={bid}")
    assert again.status_code == 404 and "déjà effacé" in again.text


def test_only_the_admin_erases(client, accounts, ledger_world):
    ledger, w, _ = ledger_world
    sign_in(client, accounts.prescriber)
    assert client.get(f"/admin/effacement?beneficiaire={w.beneficiary.id}").status_code == 403
    assert ledger.get_beneficiary(w.prescriber_actor, str(w.beneficiary.id)).first_name == "Camille"
