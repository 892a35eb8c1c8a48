"""Browser tests: a real `cheque-ledger serve` over the test database of the current backend, driven by
Playwright in Debian's Chromium, with axe-core for accessibility. Missing Chromium or axe-core fails the
run with one clear line: these tests never skip."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests import scenario as s
from tests.conftest import BACKEND, PG_URL, SECRET
from tests.e2e.test_server_crash import free_port, start_server
from tests.e2e.web import PASSWORD, Accounts, make_accounts

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "screenshots"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("LEDGER_CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def missing_tools() -> str | None:
    problems = []
    if not Path(CHROMIUM).exists():
        problems.append(f"Chromium not found at {CHROMIUM} (apt-get install chromium, or set LEDGER_CHROMIUM)")
    if not AXE.exists():
        problems.append(f"axe-core not found at {AXE} (run scripts/setup-env --with-test-tools, which runs npm ci)")
    return "browser tests cannot run: " + "; ".join(problems) if problems else None


@pytest.fixture(scope="module")
def browser():
    """One Chromium per test module. Not per session: Playwright's sync API keeps an event loop running
    in the main thread while it is started, and later tests that call ``asyncio.run`` would fail."""
    from playwright.sync_api import sync_playwright

    if problem := missing_tools():  # fail each browser test in one line; the rest of the suite still runs
        pytest.fail(problem, pytrace=False)
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class Site:
    url: str
    ledger: object
    world: s.World
    accounts: Accounts

    def page(self, browser, *, bypass_csp: bool = False, width: int = 1280):
        context = browser.new_context(
            base_url=self.url,
            locale="fr-FR",
            accept_downloads=True,
            bypass_csp=bypass_csp,
            viewport={"width": width, "height": 900},
        )
        return context.new_page()


@pytest.fixture
def site(ledger, tmp_path) -> Iterator[Site]:
    """The server over the same database as ``ledger``, with a funded world and a web account per role."""
    url = PG_URL if BACKEND == "postgres" else f"sqlite:///{tmp_path / 'ledger.db'}"
    w = s.world(ledger, amount_cents=1_000_000)
    other_p = s.prescriber(ledger, "CCAS de Crest")
    other_s = ledger.register_structure(
        s.ADMIN, s.t.NewStructure(siret="35600000000048", name="Autre lieu", commune_insee=s.DIE)
    )
    accounts = make_accounts(ledger, w, str(other_p.id), str(other_s.id))
    env = {**os.environ, "LEDGER_DATABASE_URL": url, "LEDGER_SECRET": SECRET.decode()}
    port = free_port()
    server = start_server(env, port)
    try:
        yield Site(url=f"http://127.0.0.1:{port}", ledger=ledger, world=w, accounts=accounts)
    finally:
        server.terminate()
        server.wait(10)


def sign_in(page, email: str, password: str = PASSWORD) -> None:
    page.goto("/connexion")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()
    assert "/connexion" not in page.url, f"sign-in failed for {email}"


def sign_out(page) -> None:
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url(re.compile(r".*/connexion.*"))


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def overflow(page) -> str | None:
    """RGAA 10.11 (reflow): the page never scrolls sideways. Says which elements stick out when it does."""
    found = page.evaluate(
        """() => {
          const width = document.documentElement.clientWidth;
          if (document.documentElement.scrollWidth <= width) return null;
          const out = [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > width + 1)
            .slice(0, 4)
            .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className ? '.' + e.className : ''));
          return document.documentElement.scrollWidth + 'px > ' + width + 'px: ' + out.join(', ');
        }"""
    )
    return f"{page.url} scrolls sideways: {found}" if found else None


MIN_CHART_TEXT_PX = 11


def small_chart_text(page) -> str | None:
    """A chart's words as drawn on screen (its SVG scaled to the page): none under 11 px."""
    found = page.evaluate(
        """(least) => {
          const small = [];
          for (const svg of document.querySelectorAll('svg.chart')) {
            const box = svg.getBoundingClientRect();
            if (box.width === 0) continue;  // the other drawing of the chart, hidden at this width
            const scale = box.width / svg.viewBox.baseVal.width;
            for (const t of svg.querySelectorAll('text')) {
              const px = scale * parseFloat(getComputedStyle(t).fontSize);
              if (px < least) small.push(`${t.textContent} ${px.toFixed(1)}px`);
            }
          }
          return small.slice(0, 4).join(', ') || null;
        }""",
        MIN_CHART_TEXT_PX,
    )
    return f"{page.url} chart text too small: {found}" if found else None
