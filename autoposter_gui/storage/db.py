"""Opening the SQLite store: WAL, busy_timeout, foreign keys, and migrations run at start."""

from __future__ import annotations

import errno
import logging
import os
import shutil
import sqlite3
import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DatabaseError, OperationalError

from autoposter_gui.domain.errors import DatabaseReplacedError, MissingDatabaseError, StoreError
from autoposter_gui.storage import folder as data_folder
from autoposter_gui.storage.lean import SCHEMA_HEAD

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)
MIGRATIONS_DIR = Path(__file__).with_name("migrations")
BUSY_TIMEOUT_MS = 10_000


class _RawConnection(sqlite3.Connection):
    """A plain sqlite3 connection that can be weakly referenced (the store's registry of per-thread ones)."""


def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    # Let SQLAlchemy's "begin" event emit BEGIN IMMEDIATE, so writers queue on busy_timeout instead of failing.
    dbapi_connection.isolation_level = None
    cur = dbapi_connection.cursor()
    cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA foreign_keys = ON")
    cur.execute("PRAGMA journal_mode = WAL")
    # FULL: in WAL mode NORMAL may lose the last commits on power loss, and a lost in-flight record could let a
    # post be published twice. FULL syncs the WAL on every commit (cost measured in benchmark B2).
    cur.execute("PRAGMA synchronous = FULL")
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


SQLITE_FULL = 13
SQLITE_IOERR = 10
LOW_SPACE_BYTES = 1_000_000


def disk_full_message(folder: Path) -> str:
    return f"The disk is full (the data folder {folder} is on it); free some space and try again"


def is_disk_full(exc: BaseException, folder: Path) -> bool:
    """SQLITE_FULL, ENOSPC, or an I/O error while the disk holding ``folder`` has (almost) no space left."""
    orig = getattr(exc, "orig", None) or exc
    if isinstance(orig, OSError) and orig.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return True
    code = getattr(orig, "sqlite_errorcode", None)
    if isinstance(code, int) and code & 0xFF == SQLITE_FULL:
        return True
    text = str(orig).lower()
    if "disk is full" in text:
        return True
    if (isinstance(code, int) and code & 0xFF == SQLITE_IOERR) or "disk i/o error" in text:
        try:
            return shutil.disk_usage(folder).free < LOW_SPACE_BYTES
        except OSError:
            return False
    return False


def explain_db_error(exc: Exception, db_path: Path) -> StoreError:
    """Turn a SQLite failure into a message that says what to do."""
    text = str(getattr(exc, "orig", exc)).lower()
    if is_disk_full(exc, db_path.parent):
        return StoreError(disk_full_message(db_path.parent))
    if "not a database" in text or "malformed" in text or "file is encrypted" in text:
        return StoreError(
            f"The database {db_path} is damaged and was left untouched. Restore it from a backup "
            f"(Settings → Restore from backup), or move it aside to start fresh."
        )
    if "readonly" in text or "read-only" in text or "unable to open" in text:
        return StoreError(f"Cannot write to the data folder {db_path.parent}; check its permissions and free space")
    if "locked" in text or "busy" in text:
        return StoreError("The database is busy (another Autoposter is writing); try again in a moment")
    return StoreError(f"The database {db_path} could not be used ({type(exc).__name__}); see the log for details")


def missing_database_error(db_path: Path) -> MissingDatabaseError:
    """The database of a folder used before is missing or empty: name the newest backup and how to restore it."""
    from datetime import datetime

    from autoposter_gui.storage.backup import list_backups  # backup imports this module

    backups = list_backups(db_path)
    state = "missing" if not db_path.exists() else "empty (0 bytes)"
    summary = f"The database {db_path} is {state}, but this data folder was used before"
    if backups:
        taken = datetime.fromtimestamp(backups[0].stat().st_mtime).strftime("%Y-%m-%d %H:%M")
        advice = f"restore the newest backup (taken {taken}) with `autoposter restore --latest`"
    else:
        taken = None
        advice = "there is no backup; to start with an empty database on purpose, run `autoposter restore --empty`"
    return MissingDatabaseError(
        f"{summary}, so no empty one was started: {advice}",
        summary=summary,
        latest_backup=backups[0] if backups else None,
        taken=taken,
    )


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

    def __init__(self, db_path: Path, *, run_migrations: bool = True, allow_new: bool = False) -> None:
        """Open ``db_path``. A missing or 0-byte database in a folder used before raises MissingDatabaseError
        unless ``allow_new`` (the owner chose to start empty): never a silent empty database there."""
        self.db_path = db_path
        folder = db_path.parent
        try:
            data_folder.private_dir(folder)
            if data_folder.is_missing_or_empty(db_path):
                if not allow_new and data_folder.used_before(folder):
                    raise missing_database_error(db_path)
                data_folder.private_file(db_path)  # 0600 before SQLite writes; its -wal/-shm take the same mode
            else:
                for path in (db_path, *(db_path.with_name(db_path.name + s) for s in ("-wal", "-shm"))):
                    data_folder.make_private(path)
        except OSError as exc:
            if is_disk_full(exc, folder):
                raise StoreError(disk_full_message(folder)) from None
            raise StoreError(f"Cannot create the data folder {folder}: {exc.strerror}") from None
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
        # Which file this store writes to: a database deleted or replaced under us is caught at the next commit.
        self._identity = _file_identity(db_path)
        data_folder.write_marker(folder)

    def check_file(self, activity: str = "Autoposter was using it") -> None:
        """Raise DatabaseReplacedError when the database file is no longer the one this store opened (one stat)."""
        if self._identity is None:
            self._identity = _file_identity(self.db_path)
            return
        if _file_identity(self.db_path) != self._identity:
            raise DatabaseReplacedError(
                f"The database file {self.db_path} was deleted or replaced while {activity}, so what was saved "
                "since (posts just published too) is not in it; stop whatever touched the data folder, then run "
                "`autoposter queue`, and `autoposter restore --latest` if posts are missing"
            )

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
        with self._committed(session.commit, session.rollback, session.close):
            yield session

    @contextmanager
    def write_raw(self) -> Iterator[sqlite3.Connection]:
        """The lean write path for the runner's per-post writes: a transaction like :meth:`transaction`'s
        (BEGIN IMMEDIATE, committed on success, rolled back on error, the file checked after the commit) on a
        connection of the engine's pool (the same pragmas), where the caller runs plain SQL: without the ORM's
        per-statement, flush and session cost, Python code that holds the GIL the GUI thread shares."""
        pooled = self.engine.raw_connection()
        conn = pooled.driver_connection
        assert isinstance(conn, sqlite3.Connection)
        with self._committed(conn.commit, conn.rollback, pooled.close):
            conn.execute("BEGIN IMMEDIATE")  # as _on_begin does for a session: the write lock up front
            yield conn

    @contextmanager
    def _committed(
        self, commit: Callable[[], None], rollback: Callable[[], None], close: Callable[[], None]
    ) -> Iterator[None]:
        """Commit what the block wrote, or roll it back and explain a database error; then check the file."""
        try:
            yield
            commit()
        except (DatabaseError, OperationalError, sqlite3.DatabaseError) as exc:
            rollback()
            raise explain_db_error(exc, self.db_path) from None
        except BaseException:
            rollback()
            raise
        finally:
            close()
        self.check_file()

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


def _file_identity(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino
