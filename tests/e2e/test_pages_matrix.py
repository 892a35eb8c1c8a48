"""Every page × every signed-in role: the role's own pages open, every other role gets 403 — the pages'
rule is the API's. Pages with an organisation in the path are covered by each role's page tests."""

from __future__ import annotations

from api.app import create_app
from tests.e2e.web import sign_in

# Which roles each section of the site is for (the admin may open them all, naming an organisation).
SECTIONS = {
    "/prescripteur": {"prescriber", "admin"},
    "/structure": {"structure", "admin"},
    "/financeur": {"funder", "admin"},
    "/observatoire": {"observatory", "admin"},
    "/admin": {"admin"},
}
ROLES = ["admin", "prescriber", "structure", "funder", "observatory"]


def section_of(path: str) -> str:
    return next(
        prefix
        for prefix in SECTIONS
        if path == prefix or path.startswith(prefix + "/") or path.startswith(prefix + ".")
    )


def pages() -> list[str]:
    app = create_app(background_projections=False)
    return sorted(
        route.path
        for route in app.routes
        if "GET" in route.methods and "{" not in route.path and route.path.startswith(tuple(SECTIONS))
    )


def test_every_page_for_every_role(client, accounts, ledger_world):
    _, w, _ = ledger_world
    admin_choice = {"/structure": f"?structure={w.structure.id}", "/financeur": "?code=DEPT26"}
    paths = pages()
    assert len(paths) >= 10
    mismatches, cells = [], 0
    for role in ROLES:
        sign_in(client, getattr(accounts, role))
        for path in paths:
            section = section_of(path)
            query = admin_choice.get(section, "") if role == "admin" else ""
            answer = client.get(path + query, follow_redirects=False)
            cells += 1
            allowed = role in SECTIONS[section]
            if (answer.status_code == 200) != allowed or (not allowed and answer.status_code != 403):
                mismatches.append(f"{path} as {role}: {answer.status_code}")
    assert not mismatches, "\n".join(mismatches)
    assert cells == len(paths) * len(ROLES)
