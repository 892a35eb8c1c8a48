"""The ASGI application for granian: the ledger is opened from the environment at start-up."""

import gc

from api.access_log import write_lines_to_stdout
from api.app import create_app

# Server workers collect garbage less often: with CPython's defaults (a young collection every 700 net
# allocations) a worker under load runs a full collection every few seconds, and each one pauses every
# request in flight. Objects alive after start-up are frozen out of collections, and young collections wait
# for 20 000 allocations (figures in docs/benchmarks.md).
GC_THRESHOLDS = (20_000, 50, 100)

app = create_app()
write_lines_to_stdout()
gc.collect()
gc.freeze()
gc.set_threshold(*GC_THRESHOLDS)
