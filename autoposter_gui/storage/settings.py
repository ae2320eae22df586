"""The ``settings`` table: plain text values by key (the engine's settings service gives them meaning)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from autoposter_gui.storage.db import Store


class SettingsTable:
    """Reads and writes of the key/value ``settings`` table; no secret is ever stored here."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def get(self, key: str) -> str | None:
        with self.store.read_raw() as conn:
            row = conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def all(self, keys: Iterable[str] | None = None) -> dict[str, str]:
        with self.store.read_raw() as conn:
            rows = conn.execute("SELECT key, value FROM settings").fetchall()
        wanted = None if keys is None else set(keys)
        return {str(k): str(v) for k, v in rows if wanted is None or k in wanted}

    def set(self, key: str, value: str | None) -> None:
        """Store ``value`` under ``key`` (None removes it)."""
        with self.store.write_raw() as conn:
            _write(conn, key, value)

    def update(self, key: str, change: Callable[[str | None], str | None]) -> tuple[str | None, str | None]:
        """Read-modify-write one value in one transaction (BEGIN IMMEDIATE: no other writer in between);
        returns (old, new)."""
        with self.store.write_raw() as conn:
            row = conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
            old = None if row is None else str(row[0])
            new = change(old)
            if new != old:
                _write(conn, key, new)
        return old, new


def _write(conn: sqlite3.Connection, key: str, value: str | None) -> None:
    if value is None:
        conn.execute("DELETE FROM settings WHERE key = ?", (key,))
    else:
        conn.execute(
            "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )
