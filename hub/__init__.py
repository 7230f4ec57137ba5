"""Reference hub server (FastAPI + SQLAlchemy Core). Arrives with the hub and sync issue."""
