"""`cheque-ledger serve` refuses to start, in one clear line, when the ledger cannot be opened."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.e2e.test_server_crash import ROOT, free_port


def test_serve_stops_at_once_when_the_database_is_unreachable():
    port = free_port()
    env = {**os.environ, "LEDGER_DATABASE_URL": "postgresql://postgres@127.0.0.1:1/nowhere", "LEDGER_SECRET": "s" * 32}
    done = subprocess.run(
        [sys.executable, "-m", "api.cli", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert (
        done.stderr.strip().splitlines()[-1]
        == "cheque-ledger: the ledger could not be opened (see above); not serving."
    )
