"""Opening the SQLite store: WAL, busy_timeout, foreign keys, and migrations run at start."""

from __future__ import annotations

import logging
import sqlite3
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DatabaseError, OperationalError

from autoposter_gui.domain.errors import StoreError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)
MIGRATIONS_DIR = Path(__file__).with_name("migrations")
BUSY_TIMEOUT_MS = 10_000
# The newest migration; a test checks it matches the migrations folder. Lets start-up skip Alembic when current.
SCHEMA_HEAD = "0001"


class _RawConnection(sqlite3.Connection):
    """A plain sqlite3 connection that can be weakly referenced (the store's registry of per-thread ones)."""


def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    # Let SQLAlchemy's "begin" event emit BEGIN IMMEDIATE, so writers queue on busy_timeout instead of failing.
    dbapi_connection.isolation_level = None
    cur = dbapi_connection.cursor()
    cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA foreign_keys = ON")
    cur.execute("PRAGMA journal_mode = WAL")
    cur.execute("PRAGMA synchronous = NORMAL")
    cur.close()


READ_ONLY = "autoposter_read_only"


def _on_begin(conn: Any) -> None:
    # Writers take the write lock up front (they queue on busy_timeout instead of failing on upgrade). Readers
    # (Store.read) open no transaction at all: each SELECT reads its own WAL snapshot and never waits for a
    # writer, and with no BEGIN/ROLLBACK round trips a read releases and re-takes the GIL half as often, which
    # is what keeps the GUI thread responsive while the runner's threads are busy.
    if not conn.get_execution_options().get(READ_ONLY):
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(db_path: Path) -> Engine:
    """An engine for ``db_path`` with WAL, busy_timeout and foreign keys on every connection."""
    engine = create_engine(f"sqlite:///{db_path}", connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "begin", _on_begin)
    return engine


def explain_db_error(exc: Exception, db_path: Path) -> StoreError:
    """Turn a SQLite failure into a message that says what to do."""
    text = str(getattr(exc, "orig", exc)).lower()
    if "not a database" in text or "malformed" in text or "file is encrypted" in text:
        return StoreError(
            f"The database {db_path} is damaged and was left untouched. Restore it from a backup "
            f"(Settings → Restore from backup), or move it aside to start fresh."
        )
    if "readonly" in text or "read-only" in text or "unable to open" in text:
        return StoreError(f"Cannot write to the data folder {db_path.parent}; check its permissions and free space")
    if "disk is full" in text or "database or disk is full" in text:
        return StoreError(f"The disk holding {db_path.parent} is full; free some space and try again")
    if "locked" in text or "busy" in text:
        return StoreError("The database is busy (another Autoposter is writing); try again in a moment")
    return StoreError(f"The database {db_path} could not be used ({type(exc).__name__}); see the log for details")


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        has_table = conn.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE type='table' AND name='alembic_version'"
        ).scalar()
        if not has_table:
            return None
        value = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
        return str(value) if value is not None else None


def migrate(engine: Engine) -> None:
    """Bring the schema up to date with the Alembic migrations shipped in the package."""
    if current_revision(engine) == SCHEMA_HEAD:
        return
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "head")


class Store:
    """One database: the engine plus a session factory."""

    def __init__(self, db_path: Path, *, run_migrations: bool = True) -> None:
        self.db_path = db_path
        try:
            db_path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"Cannot create the data folder {db_path.parent}: {exc.strerror}") from None
        self.engine = make_engine(db_path)
        self._cursors = threading.local()
        self._raw_lock = threading.Lock()
        # Weak: a thread's connection is closed once the thread has ended (its thread-local goes; the garbage
        # collector frees it); close() closes the rest.
        self._raw_connections: weakref.WeakSet[_RawConnection] = weakref.WeakSet()
        if run_migrations:
            try:
                migrate(self.engine)
            except (DatabaseError, OperationalError, sqlite3.DatabaseError) as exc:
                self.engine.dispose()
                log.error("cannot open database: %s", type(exc).__name__)
                raise explain_db_error(exc, db_path) from None

    # The ORM is imported on first use: a process that only lists (`autoposter queue`) reads on the raw path.
    @cached_property
    def _sessions(self) -> sessionmaker[Session]:
        from sqlalchemy.orm import sessionmaker

        return sessionmaker(self.engine, expire_on_commit=False)

    @cached_property
    def _read_sessions(self) -> sessionmaker[Session]:
        from sqlalchemy.orm import sessionmaker

        return sessionmaker(self.engine.execution_options(**{READ_ONLY: True}), expire_on_commit=False)

    def session(self) -> Session:
        return self._sessions()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work is committed on success and rolled back on error."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except (DatabaseError, OperationalError) as exc:
            session.rollback()
            raise explain_db_error(exc, self.db_path) from None
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only session: every statement reads the latest committed data (each SELECT is one snapshot);
        it never takes, or waits for, the write lock."""
        session = self._read_sessions()
        try:
            yield session
            if session.new or session.dirty or session.deleted:
                raise RuntimeError("Store.read() is read-only: use transaction() to write")
        except (DatabaseError, OperationalError) as exc:
            raise explain_db_error(exc, self.db_path) from None
        finally:
            session.close()  # the loaded objects stay usable, detached

    @contextmanager
    def read_raw(self) -> Iterator[sqlite3.Connection]:
        """A lean read path for hot GUI reads: this thread's own plain sqlite3 connection, query-only and in
        autocommit (each SELECT is one WAL snapshot; no transaction is held), without the ORM's per-statement
        cost. Rows come back as tuples; the caller turns stored datetimes into values."""
        conn: _RawConnection | None = getattr(self._cursors, "conn", None)
        if conn is None:
            try:
                conn = sqlite3.connect(
                    self.db_path,
                    timeout=BUSY_TIMEOUT_MS / 1000,
                    isolation_level=None,
                    check_same_thread=False,
                    factory=_RawConnection,
                )
                conn.execute("PRAGMA query_only = ON")
            except sqlite3.DatabaseError as exc:
                raise explain_db_error(exc, self.db_path) from None
            self._cursors.conn = conn
            with self._raw_lock:
                self._raw_connections.add(conn)
        try:
            yield conn
        except sqlite3.DatabaseError as exc:
            raise explain_db_error(exc, self.db_path) from None

    def close(self) -> None:
        with self._raw_lock:
            connections = list(self._raw_connections)
            self._raw_connections = weakref.WeakSet()
        for conn in connections:
            conn.close()
        self._cursors = threading.local()
        self.engine.dispose()
