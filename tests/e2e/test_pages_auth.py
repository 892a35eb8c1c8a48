"""Signing in and out of the pages: cookies, CSRF, lock-out, expiry, redirects, every page guarded."""

from __future__ import annotations

import re

import pytest
from litestar.testing import TestClient

from api.app import create_app
from domain.accounts import LOCK_SECONDS, MAX_FAILURES
from ledger.web_sessions import IDLE_SECONDS
from tests import scenario as s
from tests.e2e.web import PASSWORD, csrf_of, sign_in
from tests.scenario import WallClock

# Pages anyone may read: sign-in, the home page that sends to it, the accessibility statement, the legal notice.
PUBLIC = ("/connexion", "/", "/accessibilite", "/mentions-legales")


def page_paths(app) -> list[str]:
    """Every page (GET, no path parameter) the web router serves, except the sign-in page itself."""
    paths = []
    for route in app.routes:
        if route.path.startswith(("/v1", "/schema", "/static", "/metrics", "/healthz")) or "{" in route.path:
            continue
        if "GET" in route.methods and route.path not in PUBLIC:
            paths.append(route.path)
    return sorted(paths)


def test_every_page_needs_a_session(client, accounts):
    paths = page_paths(create_app(background_projections=False))
    assert len(paths) >= 10
    for path in paths:
        answer = client.get(path, follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"].startswith("/connexion?suite="), path


def test_sign_in_sets_a_protected_cookie_and_returns_to_the_asked_page(client, accounts):
    asked = client.get("/financeur/journal?type=cheque_issued", follow_redirects=False).headers["location"]
    form = client.get(asked)
    answer = client.post(
        "/connexion",
        data={
            "email": accounts.funder,
            "password": PASSWORD,
            "csrf_token": csrf_of(form.text),
            "suite": "/financeur/journal?type=cheque_issued",
        },
        follow_redirects=False,
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/financeur/journal?type=cheque_issued"
    set_cookie = answer.headers["set-cookie"].lower()
    assert "cl_session=" in set_cookie and "httponly" in set_cookie and "samesite=lax" in set_cookie
    assert form.headers["content-security-policy"].startswith("default-src 'self'")


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/v1/funders", "javascript:alert(1)"])
def test_the_return_address_never_leaves_the_site(client, accounts, target):
    form = client.get("/connexion")
    answer = client.post(
        "/connexion",
        data={"email": accounts.funder, "password": PASSWORD, "csrf_token": csrf_of(form.text), "suite": target},
        follow_redirects=False,
    )
    assert answer.headers["location"] == "/financeur"


def test_sign_in_without_the_forms_token_is_refused(client, accounts):
    client.get("/connexion")
    answer = client.post("/connexion", data={"email": accounts.funder, "password": PASSWORD, "csrf_token": "forged"})
    assert answer.status_code == 403 and "cl_session" not in answer.headers.get("set-cookie", "")


def test_wrong_password_then_lock_out_through_the_form(client, accounts):
    for _ in range(MAX_FAILURES - 1):
        answer = sign_in(client, accounts.prescriber, "pas le bon mot de passe")
        assert answer.status_code == 401 and "E-mail ou mot de passe incorrect." in answer.text
    locked = sign_in(client, accounts.prescriber, "pas le bon mot de passe")
    assert locked.status_code == 423 and "verrouillé" in locked.text
    assert sign_in(client, accounts.prescriber).status_code == 423
    assert sign_in(client, "personne@example.org").status_code == 401


def test_sign_out_needs_the_token_and_ends_the_session(client, accounts):
    sign_in(client, accounts.prescriber)
    page = client.get("/prescripteur")
    assert client.post("/deconnexion", data={"csrf_token": "forged"}, follow_redirects=False).status_code == 403
    assert client.get("/prescripteur").status_code == 200, "a forged sign-out did nothing"
    token = client.cookies.get("cl_session")
    assert (
        client.post("/deconnexion", data={"csrf_token": csrf_of(page.text)}, follow_redirects=False).status_code == 303
    )
    client.cookies.set("cl_session", token)
    assert client.get("/prescripteur", follow_redirects=False).status_code == 303, "the old cookie is worthless"


def test_an_idle_session_expires(client, accounts, ledger_world):
    ledger, _, _ = ledger_world
    wall = WallClock()
    ledger.wall_clock = wall
    sign_in(client, accounts.structure)
    assert client.get("/structure").status_code == 200
    wall.now += IDLE_SECONDS
    assert client.get("/structure", follow_redirects=False).status_code == 303


def test_a_disabled_account_is_signed_out_at_once(client, accounts, ledger_world):
    ledger, _, _ = ledger_world
    sign_in(client, accounts.structure)
    (user,) = [u for u in ledger.list_users(s.ADMIN) if u.email == accounts.structure]
    ledger.set_user_state(s.ADMIN, user.id, disabled=True)
    assert client.get("/structure", follow_redirects=False).status_code == 303


def test_home_sends_each_role_to_its_pages(client, accounts):
    for who, home in [
        ("prescriber", "/prescripteur"),
        ("structure", "/structure"),
        ("funder", "/financeur"),
        ("observatory", "/observatoire"),
        ("admin", "/admin"),
    ]:
        sign_in(client, getattr(accounts, who))
        assert client.get("/", follow_redirects=False).headers["location"] == home


def test_pages_are_french_and_refusals_are_pages(client, accounts):
    page = client.get("/connexion")
    assert '<html lang="fr">' in page.text and 'href="#contenu"' in page.text
    sign_in(client, accounts.prescriber)
    missing = client.get("/nulle-part", headers={"Accept": "text/html,application/xhtml+xml"})
    assert (
        missing.status_code == 404 and "text/html" in missing.headers["content-type"] and "existe pas" in missing.text
    )
    assert (
        client.get("/v1/nulle-part", headers={"Accept": "text/html"}).headers["content-type"]
        == "application/problem+json"
    )


# -- the sign-in gives nothing away (issue 15) --------------------------------------------------------------

WRONG_PASSWORD = "pas le bon mot de passe"


def comparable(html: str, email: str) -> str:
    """A sign-in page without what differs by construction: the form's fresh token and the address typed."""
    return CSRF_VALUE.sub('value="…"', html).replace(email, "ADRESSE")


CSRF_VALUE = re.compile(r'(?<=name="csrf_token" )value="[^"]*"')


def test_an_unknown_address_answers_as_a_known_one_lock_out_included(client, accounts, ledger_world):
    ledger, _, _ = ledger_world
    wall = WallClock()
    ledger.wall_clock = wall
    unknown = "personne.inconnue@example.org"
    statuses = []
    for attempt in range(1, MAX_FAILURES + 2):
        known_answer = sign_in(client, accounts.prescriber, WRONG_PASSWORD)
        unknown_answer = sign_in(client, unknown, WRONG_PASSWORD)
        assert unknown_answer.status_code == known_answer.status_code, f"attempt {attempt}"
        assert comparable(unknown_answer.text, unknown) == comparable(known_answer.text, accounts.prescriber), attempt
        statuses.append(known_answer.status_code)
        wall.now += 1
    assert statuses == [401] * (MAX_FAILURES - 1) + [423, 423]
    assert sign_in(client, unknown).status_code == sign_in(client, accounts.prescriber).status_code == 423
    wall.now += LOCK_SECONDS
    assert sign_in(client, unknown, WRONG_PASSWORD).status_code == 401
    assert sign_in(client, accounts.prescriber).status_code == 303


SUITES_THAT_FALL_BACK = [
    "/\n/evil.example",
    "/x\r\nSet-Cookie: a=b",
    "/x\x00",
    "/\t/evil.example",
    "/x\x7f",
    "//evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\\/evil.example",
    " /financeur",
    "/financeur/é",
    "",
]


@pytest.mark.parametrize("suite", SUITES_THAT_FALL_BACK)
def test_a_return_address_that_is_not_a_plain_local_path_falls_back_home(client, accounts, suite):
    form = client.get("/connexion", params={"suite": suite})
    assert form.status_code == 200 and 'name="suite" value="/"' in form.text
    answer = client.post(
        "/connexion",
        data={"email": accounts.funder, "password": PASSWORD, "csrf_token": csrf_of(form.text), "suite": suite},
        follow_redirects=False,
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/financeur"


def test_a_percent_encoded_tab_in_the_query_does_not_reach_the_form(client, accounts):
    """``?suite=/%09/evil.example`` decodes to a tab, which browsers drop from a Location (``//evil.example``)."""
    form = client.get("/connexion?suite=/%09/evil.example")
    assert 'name="suite" value="/"' in form.text


def test_a_wrong_password_keeps_the_return_address(client, accounts):
    form = client.get("/connexion?suite=/financeur/journal")
    refused = client.post(
        "/connexion",
        data={
            "email": accounts.funder,
            "password": WRONG_PASSWORD,
            "csrf_token": csrf_of(form.text),
            "suite": "/financeur/journal",
        },
        follow_redirects=False,
    )
    assert refused.status_code == 401 and 'name="suite" value="/financeur/journal"' in refused.text


def test_the_way_back_from_an_odd_address_is_a_plain_local_path(client, accounts):
    """Asked for a page with a tab or an accent in its address: the sign-in leads back there, percent-encoded."""
    asked = "/prescripteur/beneficiaires/%09%C3%A9?nom=%C3%A9%0A"
    to_sign_in = client.get(asked, follow_redirects=False)
    assert to_sign_in.status_code == 303
    form = client.get(to_sign_in.headers["location"])
    suite = re.search(r'name="suite" value="([^"]*)"', form.text).group(1)
    answer = client.post(
        "/connexion",
        data={"email": accounts.prescriber, "password": PASSWORD, "csrf_token": csrf_of(form.text), "suite": suite},
        follow_redirects=False,
    )
    assert answer.status_code == 303 and answer.headers["location"] == asked


def test_no_redirect_carries_a_control_character():
    from api.web.navigation import redirect

    assert redirect("/a\tb").headers["Location"] == redirect("/é").headers["Location"] == "/"
    assert redirect("/admin?fait=compte").headers["Location"] == "/admin?fait=compte"


def test_sign_in_is_rate_limited_per_client_address(ledger, accounts, monkeypatch):
    monkeypatch.setenv("LEDGER_SIGN_IN_PER_MINUTE", "3")
    with TestClient(app=create_app(ledger, background_projections=False)) as client:
        for _ in range(3):
            assert sign_in(client, "personne@example.org", WRONG_PASSWORD).status_code == 401
        refused = sign_in(client, accounts.funder)
        assert refused.status_code == 429 and "text/html" in refused.headers["content-type"]
        assert "Trop de tentatives" in refused.text and int(refused.headers["retry-after"]) >= 1
        assert "cl_session" not in refused.headers.get("set-cookie", "")
        # Only signing in is limited: the form, the other forms and the API answer as usual.
        assert all(client.get("/connexion").status_code == 200 for _ in range(5))
        assert all(client.post("/deconnexion", data={}).status_code != 429 for _ in range(5))
        assert client.get("/healthz").status_code == 200


def test_the_default_rate_limit_is_twenty_sign_ins_a_minute(ledger, monkeypatch):
    monkeypatch.delenv("LEDGER_SIGN_IN_PER_MINUTE", raising=False)
    with TestClient(app=create_app(ledger, background_projections=False)) as client:
        answers = [client.post("/connexion", data={"email": "a@example.org"}).status_code for _ in range(21)]
    assert answers == [403] * 20 + [429]
