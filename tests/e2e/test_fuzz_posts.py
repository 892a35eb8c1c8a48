"""Random JSON shapes posted to every POST of the API (deep, huge numbers, wrong types, unicode, the right
field names with wrong values): only 4xx problem+json answers, and a refused request changes nothing."""

from __future__ import annotations

import json
import re
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar.testing import TestClient

from api.app import create_app
from tests import scenario as s
from tests.conftest import BACKEND
from tests.e2e.conftest import bearer

STATS = {"requests": 0, "server_errors": 0}
EXAMPLES = 1000 if BACKEND == "sqlite" else 500

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=False),
    st.text(max_size=50),
    st.sampled_from(["", "2026-03-16", "2099-01-01", "0001-01-01", "1e400", "\u0000", "💶" * 300]),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)


def deep(depth: int) -> bytes:
    return b'{"a":' * depth + b"1" + b"}" * depth


@st.composite
def bodies(draw: st.DrawFn, names: list[str]) -> bytes:
    kind = draw(st.sampled_from(["shape", "fields", "deep", "raw"]))
    if kind == "deep":
        return deep(draw(st.integers(min_value=30, max_value=3000)))
    if kind == "raw":
        return draw(st.binary(max_size=64))
    if kind == "fields" and names:  # the operation's own field names, with values of any type
        chosen = draw(st.lists(st.sampled_from(names), unique=True, max_size=len(names)))
        return json.dumps({name: draw(values) for name in chosen}).encode()
    return json.dumps(draw(values)).encode()


def post_operations(app: Any) -> list[tuple[str, list[str]]]:
    """Each POST path of the API and the field names of its body."""
    schema = app.openapi_schema.to_schema()
    components = schema.get("components", {}).get("schemas", {})
    found = []
    for path, item in schema["paths"].items():
        post = item.get("post")
        if not path.startswith("/v1/") or post is None:
            continue
        body = post.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
        ref = body.get("$ref", "").rpartition("/")[2]
        found.append((path, sorted(components.get(ref, {}).get("properties", {}))))
    return found


def test_random_json_to_every_post_is_refused_cleanly(ledger_world):
    ledger, w, keys = ledger_world
    cheque = s.book(ledger, w, count=1).cheques[0]
    real = {
        "code": "DEPT26",
        "structure_id": str(w.structure.id),
        "serial": cheque.serial,
        "beneficiary_id": str(w.beneficiary.id),
    }
    with TestClient(app=create_app(ledger, background_projections=False)) as client:
        operations = post_operations(client.app)
        assert len(operations) >= 20

        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
        @given(operation=st.sampled_from(operations), data=st.data())
        def fuzz(operation: tuple[str, list[str]], data: st.DataObject) -> None:
            path, names = operation
            url = re.sub(r"\{(\w+)\}", lambda m: real.get(m.group(1), "00000000-0000-0000-0000-000000000000"), path)
            body = data.draw(bodies(names))
            before = ledger.position()
            response = client.post(
                url, content=body, headers={**bearer(keys.admin), "Content-Type": "application/json"}
            )
            STATS["requests"] += 1
            STATS["server_errors"] += response.status_code >= 500
            assert response.status_code < 500, (path, response.text)
            if response.status_code >= 400:
                assert response.headers["content-type"].startswith("application/problem+json"), path
                assert ledger.position() == before, f"a refused request changed the ledger: {path}"

        fuzz()
    assert STATS["server_errors"] == 0
