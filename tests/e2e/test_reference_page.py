"""The API reference page works on a closed network: every file it loads is served by the ledger itself."""

from __future__ import annotations

import re


def test_the_reference_page_loads_nothing_from_outside(client):
    page = client.get("/schema")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    sources = re.findall(r"(?:src|href)=['\"]([^'\"]+)['\"]", page.text)
    assert sources, "the page names the files it loads"
    assert not [s for s in sources if not s.startswith("/")], "a file from another site"
    for source in sources:
        asset = client.get(source)
        assert asset.status_code == 200, source
        assert len(asset.content) > 500, source
    assert '"openapi":"3.1' in page.text.replace(" ", "")  # the schema itself is inlined
