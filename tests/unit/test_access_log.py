"""The access log: one JSON object per request, never a body or a query string."""

from __future__ import annotations

import io
import json
import logging
import time

from api.access_log import BatchedLines, log, log_access, write_lines_to_stdout
from ledger.types import Actor


def test_the_server_writes_one_json_object_a_line_on_stdout(capsys):
    saved = (log.handlers[:], log.level, log.propagate)
    try:
        write_lines_to_stdout()
        scope = {
            "method": "POST",
            "path": "/v1/redemptions",
            "path_template": "/v1/redemptions",
            "query_string": b"who=Dupont",
            "state": {"actor": Actor(role="structure", org="S-1")},
        }
        log_access(scope, 201, time.perf_counter())
        log_access({"method": "GET", "path": "/nowhere", "state": {}}, 404, time.perf_counter())
        log.handlers[0].close()  # writes what is buffered
    finally:
        log.handlers[:], log.propagate = saved[0], saved[2]
        log.setLevel(saved[1])
    lines = capsys.readouterr().out.splitlines()
    assert [json.loads(line) | {"duration_ms": 0} for line in lines] == [
        {
            "method": "POST",
            "path": "/v1/redemptions",
            "status": 201,
            "duration_ms": 0,
            "role": "structure",
            "org": "S-1",
        },
        {"method": "GET", "path": "unmatched", "status": 404, "duration_ms": 0, "role": None, "org": None},
    ]
    assert "Dupont" not in "".join(lines)


def test_lines_are_written_in_batches_and_none_is_lost_at_close():

    stream = io.StringIO()
    handler = BatchedLines(stream, interval=3600)  # no timed flush during the test
    logger = logging.getLogger("cheque_ledger.test_batched")
    logger.handlers[:], logger.propagate = [handler], False
    logger.setLevel("INFO")
    for i in range(3):
        logger.info('{"n": %d}', i)
    assert stream.getvalue() == "", "nothing written on the request path"
    handler.flush()
    logger.info('{"n": 3}')
    handler.close()
    assert [json.loads(line)["n"] for line in stream.getvalue().splitlines()] == [0, 1, 2, 3]


def test_lines_are_written_soon_without_a_flush():

    stream = io.StringIO()
    handler = BatchedLines(stream, interval=0.01)
    logger = logging.getLogger("cheque_ledger.test_batched_timed")
    logger.handlers[:], logger.propagate = [handler], False
    logger.setLevel("INFO")
    logger.info('{"n": 1}')
    deadline = time.monotonic() + 2
    while not stream.getvalue() and time.monotonic() < deadline:
        time.sleep(0.01)
    handler.close()
    assert stream.getvalue() == '{"n": 1}\n'
