"""The ASGI application for granian: the ledger is opened from the environment at start-up."""

from api.access_log import write_lines_to_stdout
from api.app import create_app

app = create_app()
write_lines_to_stdout()
