"""The ASGI application for granian: the ledger is opened from the environment at start-up."""

from api.app import create_app

app = create_app()
