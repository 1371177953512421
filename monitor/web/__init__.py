"""The dashboard and JSON API. FastAPI and uvicorn are imported only by the commands
that serve them (``monitor web``, ``monitor run --http``)."""
