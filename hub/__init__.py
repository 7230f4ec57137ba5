"""Reference hub server (FastAPI + SQLAlchemy Core): pairs kiosks and syncs their journals (DESIGN §5).

SQLite by default, PostgreSQL by URL; the same code and tests on both. Imports nothing of the kiosk app.
"""

__version__ = "0.1.0"
