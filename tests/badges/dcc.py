"""Runs the Digital Credentials Consortium's verifier (``verify_credential.mjs``, node, offline) on a credential.

The npm packages come from the project's package.json (``npm ci`` at the repository root); without node or
them the tests that use this fail, they are never skipped."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

SCRIPT = Path(__file__).with_name("verify_credential.mjs")
ROOT = Path(__file__).resolve().parents[2]


def dcc_verify(credential: dict[str, Any]) -> dict[str, Any]:
    """The verifier's report: ``{verified, proof, errors}``."""
    report = _run(credential)
    return dict(report)


def dcc_verify_all(credentials: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The verifier's reports on many credentials, in one node process."""
    return list(_run(credentials))


def _run(payload: Any) -> Any:
    node = shutil.which("node")
    assert node, "node is needed to run the DCC verifier (tests/badges/verify_credential.mjs)"
    assert (ROOT / "node_modules" / "@digitalcredentials" / "vc").is_dir(), "run `npm ci` at the repository root"
    done = subprocess.run(
        [node, str(SCRIPT)],
        input=json.dumps(payload).encode(),
        capture_output=True,
        timeout=60,
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert done.stdout, done.stderr.decode()
    report = json.loads(done.stdout)
    verified = all(r["verified"] for r in report) if isinstance(report, list) else report["verified"]
    assert (done.returncode == 0) == verified, done.stderr.decode()
    return report
