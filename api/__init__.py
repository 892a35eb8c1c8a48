"""The HTTP API (litestar) and the command line."""
