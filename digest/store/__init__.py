"""Storage behind a small interface; :func:`open_store` picks the backend by URL."""

from __future__ import annotations

from digest.store.sql import SQLStore

Store = SQLStore  # one implementation today (SQLite and PostgreSQL through SQLAlchemy)


def open_store(url: str) -> SQLStore:
    """Open (creating or migrating as needed) the store at ``url``."""
    return SQLStore(url)


__all__ = ["Store", "SQLStore", "open_store"]
