"""The access log: one JSON object per request, never a body or a query string."""

from __future__ import annotations

import json
import time

from api.access_log import log, log_access, write_lines_to_stdout
from ledger.types import Actor


def test_the_server_writes_one_json_object_a_line_on_stdout(capsys):
    saved = (log.handlers[:], log.level, log.propagate)
    try:
        write_lines_to_stdout()
        scope = {"method": "POST", "path": "/v1/redemptions", "path_template": "/v1/redemptions", "query_string": b"who=Dupont",
                 "state": {"actor": Actor(role="structure", org="S-1")}}
        log_access(scope, 201, time.perf_counter())
        log_access({"method": "GET", "path": "/nowhere", "state": {}}, 404, time.perf_counter())
    finally:
        log.handlers[:], log.propagate = saved[0], saved[2]
        log.setLevel(saved[1])
    lines = capsys.readouterr().out.splitlines()
    assert [json.loads(line) | {"duration_ms": 0} for line in lines] == [
        {"method": "POST", "path": "/v1/redemptions", "status": 201, "duration_ms": 0, "role": "structure", "org": "S-1"},
        {"method": "GET", "path": "unmatched", "status": 404, "duration_ms": 0, "role": None, "org": None},
    ]
    assert "Dupont" not in "".join(lines)

