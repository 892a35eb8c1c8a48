"""Admin pages over HTTP: each page opens for the admin only; funders, commitments, payments, structures,
prescribers, accounts and keys are created through the forms; settlement and expiry runs are previewed,
then confirmed, and do exactly what was shown; refusals say why and change nothing."""

from __future__ import annotations

import re
from datetime import date
from html.parser import HTMLParser
from itertools import pairwise

import pytest

from api.web.render import euros
from ledger import types as t
from tests import scenario as s
from tests.e2e.web import PASSWORD, csrf_of, post_form, sign_in

PAGES = [
    "/admin",
    "/admin/financeurs",
    "/admin/structures",
    "/admin/prescripteurs",
    "/admin/comptes",
    "/admin/operations",
]
HOMES = {
    "prescriber": "/prescripteur",
    "structure": "/structure",
    "funder": "/financeur",
    "observatory": "/observatoire",
}
NEW_SIRET = "44200000600019"  # Luhn-valid, as its SIREN


class Markup(HTMLParser):
    """What the accessibility checks need: fields and their labels, tables, headings."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: list[str | None] = []
        self.labels: set[str] = set()
        self.tables = self.captions = 0
        self.col_headers: list[str | None] = []
        self.headings: list[int] = []
        self.ids: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids.append(a["id"])
        if tag in ("input", "select", "textarea") and a.get("type") not in ("hidden", "submit"):
            self.fields.append(a.get("id"))
        elif tag == "label" and a.get("for"):
            self.labels.add(a["for"])
        elif tag == "table":
            self.tables += 1
        elif tag == "caption":
            self.captions += 1
        elif tag == "th":
            self.col_headers.append(a.get("scope"))
        elif re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))


def check_accessible(html: str) -> None:
    m = Markup()
    m.feed(html)
    assert len(m.ids) == len(set(m.ids)), "ids are unique"
    assert all(f and f in m.labels for f in m.fields), f"every field has a label: {m.fields} vs {m.labels}"
    assert m.tables == m.captions, "every table has a caption"
    assert all(scope in ("col", "row") for scope in m.col_headers), "header cells have a scope"
    assert m.headings and m.headings[0] == 1 and m.headings.count(1) == 1
    assert all(b - a <= 1 for a, b in pairwise(m.headings)), f"headings in order: {m.headings}"


def admin_client(client, accounts):
    assert sign_in(client, accounts.admin).headers["location"] == "/admin"
    return client


def test_every_admin_page_renders_and_is_accessible(client, accounts, ledger_world):
    admin_client(client, accounts)
    for path in PAGES:
        answer = client.get(path)
        assert answer.status_code == 200, path
        assert "text/html" in answer.headers["content-type"] and answer.headers["cache-control"] == "no-store"
        check_accessible(answer.text)
    dashboard = client.get("/admin").text
    assert 'href="/financeur?code=DEPT26"' in dashboard and "Équilibré" in dashboard
    assert 'href="/financeur?code=CAF26"' in client.get("/admin/financeurs").text


def test_funder_commitment_and_payment_through_the_forms(client, accounts, ledger_world):
    ledger, _, _ = ledger_world
    admin_client(client, accounts)
    fields = {"code": "msa26", "name": "MSA Ardèche Drôme Loire", "kind": "msa"}
    created = post_form(client, "/admin/financeurs", "/admin/financeurs", fields)
    assert created.status_code == 303 and created.headers["location"] == "/admin/financeurs?fait=financeur"
    assert ledger.get_funder(s.ADMIN, "MSA26").name == "MSA Ardèche Drôme Loire"
    listing = client.get(created.headers["location"]).text
    assert "Financeur créé." in listing and 'href="/financeur?code=MSA26"' in listing

    signed = post_form(
        client,
        "/admin/financeurs/conventions",
        "/admin/financeurs",
        {
            "funder_code": "MSA26",
            "reference": "MSA-2026-01",
            "amount": "12 500,50",
            "valid_from": "2026-01-01",
            "valid_until": "2026-12-31",
            "priority": "50",
            "eligible_publics": ["senior", "rsa"],
            "territory": "26362, 26113",
        },
    )
    assert signed.status_code == 303 and signed.headers["location"].endswith("fait=convention")
    rec = ledger.reconciliation(s.ADMIN, "MSA26")
    assert (rec.committed_cents, rec.available_cents, rec.balanced) == (1_250_050, 1_250_050, True)
    assert [c.reference for c in rec.commitments] == ["MSA-2026-01"]

    paid = post_form(
        client,
        "/admin/financeurs/versements",
        "/admin/financeurs",
        {
            "payment_funder": "MSA26",
            "payment_amount": "3000",
            "received_on": "2026-03-01",
            "payment_reference": "VIR-0042",
        },
    )
    assert paid.status_code == 303 and paid.headers["location"].endswith("fait=versement")
    assert ledger.get_funder(s.ADMIN, "MSA26").received_cents == 300_000
    assert euros(300_000) in client.get("/admin/financeurs").text


def test_structure_registered_suspended_and_reinstated(client, accounts, ledger_world):
    ledger, _, _ = ledger_world
    admin_client(client, accounts)
    done = post_form(
        client,
        "/admin/structures",
        "/admin/structures",
        {
            "name": "Espace numérique de Nyons",
            "siret": "442 000 006 00019",
            "commune_insee": s.DIE,
            "labels": ["france_services", "pix_center"],
        },
    )
    assert done.status_code == 303 and done.headers["location"] == "/admin/structures?fait=structure"
    (new,) = [x for x in ledger.admin_structures(s.ADMIN) if x.siret == NEW_SIRET]
    assert new.accredited and new.labels == ["france_services", "pix_center"]
    listing = client.get(done.headers["location"]).text
    assert "Structure inscrite" in listing and "Espace numérique de Nyons" in listing
    assert f'href="/structure/releve?structure={new.id}"' in listing

    page = "/admin/structures"
    suspended = post_form(client, f"{page}/{new.id}/suspension", page, {"reason": "Convention échue"})
    assert suspended.status_code == 303 and suspended.headers["location"].endswith("fait=suspendue")
    assert not ledger.get_structure(s.ADMIN, str(new.id)).accredited
    assert "Suspendue" in client.get("/admin/structures").text
    back = post_form(client, f"{page}/{new.id}/rehabilitation", page, {"reason": "Convention renouvelée"})
    assert back.status_code == 303 and back.headers["location"].endswith("fait=rehabilitee")
    assert ledger.get_structure(s.ADMIN, str(new.id)).accredited


def test_prescriber_registered(client, accounts, ledger_world):
    ledger, _, _ = ledger_world
    admin_client(client, accounts)
    done = post_form(
        client,
        "/admin/prescripteurs",
        "/admin/prescripteurs",
        {"name": "CCAS de Nyons", "kind": "ccas", "commune_insee": s.VALENCE},
    )
    assert done.status_code == 303 and done.headers["location"] == "/admin/prescripteurs?fait=prescripteur"
    assert "CCAS de Nyons" in [p.name for p in ledger.admin_prescribers(s.ADMIN)]
    assert "Prescripteur inscrit." in client.get(done.headers["location"]).text


def test_accounts_and_api_keys_through_the_forms(client, accounts, ledger_world):
    ledger, w, _ = ledger_world
    admin_client(client, accounts)
    made = post_form(
        client,
        "/admin/comptes",
        "/admin/comptes",
        {
            "email": "Nouvelle.Prescriptrice@example.org",
            "password": PASSWORD,
            "role": "prescriber",
            "org_prescriber": str(w.prescriber.id),
            "org_structure": str(w.structure.id),  # another kind's list: not read for this role
        },
    )
    assert made.status_code == 303 and made.headers["location"] == "/admin/comptes?fait=compte"
    (user,) = [u for u in ledger.list_users(s.ADMIN) if u.email == "nouvelle.prescriptrice@example.org"]
    assert (user.role, user.org) == ("prescriber", str(w.prescriber.id))
    assert "nouvelle.prescriptrice@example.org" in client.get("/admin/comptes").text

    off = post_form(client, f"/admin/comptes/{user.id}/etat", "/admin/comptes", {"action": "desactiver"})
    assert off.status_code == 303 and off.headers["location"].endswith("fait=desactive")
    assert [u.disabled for u in ledger.list_users(s.ADMIN) if u.id == user.id] == [True]
    on = post_form(client, f"/admin/comptes/{user.id}/etat", "/admin/comptes", {"action": "reactiver"})
    assert on.status_code == 303
    assert [u.disabled for u in ledger.list_users(s.ADMIN) if u.id == user.id] == [False]

    key_page = post_form(
        client, "/admin/comptes/cles", "/admin/comptes", {"key_role": "funder", "key_org_funder": "DEPT26"}
    )
    assert key_page.status_code == 201
    key = re.search(r'<code id="cle">([^<]+)</code>', key_page.text).group(1)
    key_id = re.search(r'<code id="identifiant">([^<]+)</code>', key_page.text).group(1)
    assert ledger.authenticate(key) == t.Actor(role="funder", org="DEPT26", key_id=key_id)
    assert key not in client.get("/admin/comptes").text, "the key is shown once"
    listed = client.get("/admin/comptes").text
    assert f'href="/admin/comptes/cles/{key_id}/revocation"' in listed and "Financeur DEPT26" in listed
    confirm = client.get(f"/admin/comptes/cles/{key_id}/revocation")
    assert confirm.status_code == 200 and key_id in confirm.text and "irréversible" in confirm.text
    assert ledger.authenticate(key) is not None, "asking is not revoking"
    assert client.get("/admin/comptes/cles/00000000-0000-0000-0000-000000000000/revocation").status_code == 404
    revoked = post_form(client, "/admin/comptes/cles/revocation", "/admin/comptes", {"key_id": key_id})
    assert revoked.status_code == 303 and revoked.headers["location"].endswith("fait=revoquee")
    assert ledger.authenticate(key) is None
    again = client.get(f"/admin/comptes/cles/{key_id}/revocation", follow_redirects=False)
    assert again.status_code in (302, 303) and again.headers["location"].startswith("/admin/comptes")
    assert f'href="/admin/comptes/cles/{key_id}/revocation"' not in client.get("/admin/comptes").text

    sign_in(client, "nouvelle.prescriptrice@example.org")
    assert client.get("/prescripteur").status_code == 200

    admin_client(client, accounts)
    post_form(client, f"/admin/comptes/{user.id}/etat", "/admin/comptes", {"action": "desactiver"})
    erased = post_form(client, f"/admin/comptes/{user.id}/etat", "/admin/comptes", {"action": "effacer"})
    assert erased.status_code == 303 and erased.headers["location"].endswith("fait=efface")
    assert "nouvelle.prescriptrice@example.org" not in client.get("/admin/comptes").text
    again = post_form(client, f"/admin/comptes/{user.id}/etat", "/admin/comptes", {"action": "reactiver"})
    assert again.status_code == 400 and "effacé" in again.text


def test_an_admin_cannot_disable_their_own_account(client, accounts, ledger_world):
    ledger, _, _ = ledger_world
    admin_client(client, accounts)
    (me,) = [u for u in ledger.list_users(s.ADMIN) if u.email == accounts.admin]
    before = ledger.position()
    refused = post_form(client, f"/admin/comptes/{me.id}/etat", "/admin/comptes", {"action": "desactiver"})
    assert refused.status_code == 400 and "propre compte" in refused.text
    assert ledger.position() == before


def redeemed_world(ledger, w, clock):
    """Five cheques: three redeemed by the world's structure (two sessions on the 10th, one on the 16th),
    one by another structure on the 12th, one left issued."""
    clock.today = date(2026, 3, 1)
    book = s.book(ledger, w, count=5, face_value_cents=2000)
    other = next(x for x in ledger.admin_structures(s.ADMIN) if x.id != w.structure.id)
    other_actor = t.Actor(role="structure", org=str(other.id))
    clock.today = date(2026, 3, 16)
    c = book.cheques
    for cheque, actor, day in [
        (c[0], w.structure_actor, 10),
        (c[1], w.structure_actor, 10),
        (c[2], other_actor, 12),
        (c[3], w.structure_actor, 16),
    ]:
        ledger.redeem(actor, s.redemption(cheque.serial, cheque.code, date(2026, 3, day)))
    return book, other


def hidden(html: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', html).group(1)


def test_settlement_preview_then_confirm_pays_exactly_the_previewed_lines(client, accounts, ledger_world, clock):
    ledger, w, _ = ledger_world
    book, other = redeemed_world(ledger, w, clock)
    admin_client(client, accounts)
    before = ledger.position()
    preview_url = "/admin/operations?jusquau=2026-03-12"
    preview = client.get(preview_url)
    assert preview.status_code == 200 and ledger.position() == before, "a preview records nothing"
    check_accessible(preview.text)
    assert f'id="total-remboursement">{euros(6000)}<' in preview.text
    assert "Fab&#39;At Valence" in preview.text and other.name in preview.text
    shown = ledger.preview_settlement(s.ADMIN, date(2026, 3, 12))
    assert (hidden(preview.text, "count"), hidden(preview.text, "total_cents")) == ("3", "6000")

    statements = {sid: ledger.statement(s.ADMIN, sid).settled_cents for sid in (str(w.structure.id), str(other.id))}
    done = post_form(
        client,
        "/admin/operations/remboursement",
        preview_url,
        {"through": "2026-03-12", "count": "3", "total_cents": "6000"},
    )
    assert done.status_code == 303 and done.headers["location"].startswith("/admin/paiements/")
    assert done.headers["location"].endswith("?fait=rembourse")
    assert "Remboursement effectué" in client.get(done.headers["location"]).text
    for line in shown.lines:
        settled = ledger.statement(s.ADMIN, line.structure_id).settled_cents
        assert settled == statements[line.structure_id] + line.amount_cents
    statuses = [ledger.get_cheque(s.ADMIN, c.serial).status for c in book.cheques]
    assert statuses == ["settled"] * 3 + ["redeemed", "issued"]
    assert ledger.preview_settlement(s.ADMIN, date(2026, 3, 12)).lines == []
    assert ledger.reconciliation(s.ADMIN, "DEPT26").balanced


def test_a_stale_settlement_preview_is_not_run(client, accounts, ledger_world, clock):
    ledger, w, _ = ledger_world
    book, _ = redeemed_world(ledger, w, clock)
    admin_client(client, accounts)
    preview_url = "/admin/operations?jusquau=2026-03-16"
    seen = client.get(preview_url).text
    cheque = book.cheques[4]
    ledger.redeem(w.structure_actor, s.redemption(cheque.serial, cheque.code, date(2026, 3, 16)))  # meanwhile
    before = ledger.position()
    stale = post_form(
        client,
        "/admin/operations/remboursement",
        preview_url,
        {"through": "2026-03-16", "count": hidden(seen, "count"), "total_cents": hidden(seen, "total_cents")},
    )
    assert stale.status_code == 409 and "ont changé" in stale.text
    assert ledger.position() == before
    assert f'id="total-remboursement">{euros(10_000)}<' in stale.text, "the new figures are shown to confirm"


def test_expiry_preview_then_confirm(client, accounts, ledger_world, clock):
    ledger, w, _ = ledger_world
    book = s.book(ledger, w, count=3)
    ledger.cancel_cheque(w.prescriber_actor, book.cheques[0].serial, t.ReasonBody(reason="erreur"))
    clock.today = date.fromordinal(book.cheques[1].valid_until.toordinal() + 2)
    admin_client(client, accounts)
    too_late = client.get("/admin/operations?au=2099-01-01")
    assert too_late.status_code == 400 and "postérieure à aujourd&#39;hui" in too_late.text
    preview_url = f"/admin/operations?au={clock.today.isoformat()}"
    preview = client.get(preview_url)
    assert f'id="total-expiration">{euros(2000)}<' in preview.text and "Financeur DEPT26" in preview.text
    done = post_form(
        client,
        "/admin/operations/expiration",
        preview_url,
        {"as_of": clock.today.isoformat(), "count": "2", "total_cents": "2000"},
    )
    assert done.status_code == 303 and done.headers["location"] == "/admin/operations?fait=expire"
    assert [ledger.get_cheque(s.ADMIN, c.serial).status for c in book.cheques] == ["cancelled", "expired", "expired"]
    assert ledger.reconciliation(s.ADMIN, "DEPT26").released_cents == 3000


def test_refused_forms_say_why_and_change_nothing(client, accounts, ledger_world):
    ledger, _, _ = ledger_world
    admin_client(client, accounts)
    before = ledger.position()
    bad_siret = post_form(
        client,
        "/admin/structures",
        "/admin/structures",
        {"name": "Lieu", "siret": "12345678901234", "commune_insee": s.VALENCE},
    )
    assert bad_siret.status_code == 400 and "Impossible" in bad_siret.text and "SIRET" in bad_siret.text
    assert 'value="Lieu"' in bad_siret.text, "what was typed is kept"
    short = post_form(
        client, "/admin/structures", "/admin/structures", {"name": "", "siret": "123", "commune_insee": ""}
    )
    assert short.status_code == 400 and "3 champs sont à corriger" in short.text
    assert re.search(r'id="f-siret-error">SIRET : [^<]*14 chiffres', short.text)
    assert re.search(r'id="f-name-error">Nom : [^<]*200 caractères', short.text)
    assert re.search(r'id="f-commune_insee-error">Commune : ', short.text)
    assert 'aria-describedby="f-siret-error f-siret-hint"' in short.text and 'value="123"' in short.text
    again = post_form(
        client, "/admin/financeurs", "/admin/financeurs", {"code": "DEPT26", "name": "Doublon", "kind": "department"}
    )
    assert again.status_code == 409 and "existe déjà" in again.text
    money = post_form(
        client,
        "/admin/financeurs/versements",
        "/admin/financeurs",
        {"payment_funder": "DEPT26", "payment_amount": "dix", "received_on": "2026-03-01", "payment_reference": "x"},
    )
    assert money.status_code == 400 and "montant en euros" in money.text
    no_org = post_form(
        client,
        "/admin/comptes",
        "/admin/comptes",
        {"email": "x@example.org", "password": PASSWORD, "role": "structure", "org_structure": ""},
    )
    assert no_org.status_code == 400
    assert re.search(r'id="f-org_structure-error">Organisation : choisissez', no_org.text)
    unknown_key = post_form(
        client, "/admin/comptes/cles/revocation", "/admin/comptes", {"key_id": "00000000-0000-0000-0000-000000000000"}
    )
    assert unknown_key.status_code == 404 and "Impossible" in unknown_key.text
    nothing = post_form(
        client,
        "/admin/operations/remboursement",
        "/admin/operations",
        {"through": "2026-03-16", "count": "0", "total_cents": "0"},
    )
    assert nothing.status_code == 409 and "rien" in nothing.text
    assert ledger.position() == before


@pytest.mark.parametrize("who", ["prescriber", "structure", "funder", "observatory"])
def test_other_roles_get_403_on_every_admin_page(client, accounts, ledger_world, who):
    ledger, w, _ = ledger_world
    sign_in(client, getattr(accounts, who))
    for path in PAGES:
        assert client.get(path).status_code == 403, path
    token = csrf_of(client.get(HOMES[who] + ("?code=DEPT26" if who == "funder" else "")).text)
    before = ledger.position()
    for path, fields in [
        ("/admin/financeurs", {"code": "PIRATE", "name": "x", "kind": "other"}),
        ("/admin/prescripteurs", {"name": "x", "kind": "ccas", "commune_insee": s.VALENCE}),
        (f"/admin/structures/{w.structure.id}/suspension", {"reason": "x"}),
        ("/admin/comptes/cles", {"key_role": "admin"}),
        ("/admin/operations/remboursement", {"through": "2026-03-16", "count": "0", "total_cents": "0"}),
    ]:
        assert client.post(path, data={"csrf_token": token, **fields}, follow_redirects=False).status_code == 403, path
    assert ledger.position() == before


def test_a_post_without_the_csrf_token_is_refused(client, accounts, ledger_world):
    ledger, w, _ = ledger_world
    admin_client(client, accounts)
    before = ledger.position()
    fields = {"code": "SANSJETON", "name": "x", "kind": "other"}
    assert client.post("/admin/financeurs", data=fields, follow_redirects=False).status_code == 403
    wrong = client.post("/admin/financeurs", data={**fields, "csrf_token": "faux"}, follow_redirects=False)
    assert wrong.status_code == 403 and "expiré" in wrong.text
    suspend = client.post(
        f"/admin/structures/{w.structure.id}/suspension", data={"reason": "x"}, follow_redirects=False
    )
    assert suspend.status_code == 403
    assert ledger.position() == before
    assert ledger.get_structure(s.ADMIN, str(w.structure.id)).accredited
