"""One running app per data folder: a QLockFile, plus a QLocalServer that a second launch asks to show the window."""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QLockFile, QObject, Signal, Slot

if TYPE_CHECKING:  # QtNetwork is imported when needed: the lock alone decides who is first, before the window
    from PySide6.QtNetwork import QLocalServer, QLocalSocket

log = logging.getLogger(__name__)
SHOW = b"show\n"


def server_name_for(data_dir: Path) -> str:
    """A per-user, per-data-folder socket name (sandbox and real data folders get different ones)."""
    import getpass
    import hashlib  # OpenSSL's library: loaded when a name is first needed, not before the first window

    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "user"
    digest = hashlib.sha256(f"{user}:{data_dir}".encode()).hexdigest()[:12]
    return f"autoposter-{digest}"


class SingleInstance(QObject):
    """``acquire()`` is True for the first instance; a later one tells the first to show itself and gets False."""

    activation_requested = Signal()

    def __init__(self, lock_path: Path, server_name: str | Callable[[], str], parent: QObject | None = None) -> None:
        """``server_name``: the local socket's name, or what makes it when first needed (after the lock decided)."""
        super().__init__(parent)
        self.lock_path = lock_path
        self._server_name = server_name
        self._lock = QLockFile(str(lock_path))
        self._lock.setStaleLockTime(0)  # never stale by age; a crashed owner is detected by its pid
        self._server: QLocalServer | None = None

    @property
    def server_name(self) -> str:
        if not isinstance(self._server_name, str):
            self._server_name = self._server_name()
        return self._server_name

    @property
    def primary(self) -> bool:
        return self._server is not None

    def acquire(self, timeout_ms: int = 300, *, listen: bool = True) -> bool:
        """Take the lock (True: this is the first instance) and, unless ``listen`` is False (then call
        ``listen()`` soon), start answering later launches."""
        self.lock_path.parent.mkdir(parents=True, exist_ok=True)
        if not self._lock.tryLock(timeout_ms):
            if self.notify_primary():
                log.info("another instance is running; asked it to show its window")
            else:
                log.warning("another instance holds %s but did not answer", self.lock_path)
            return False
        if os.name == "posix":
            with contextlib.suppress(OSError):  # like every file in the data folder: the owner's only
                os.chmod(self.lock_path, 0o600)
        if listen:
            self.listen()
        return True

    def listen(self) -> None:
        """Answer later launches (their "show" request becomes ``activation_requested``); needs the lock."""
        from PySide6.QtNetwork import QLocalServer

        if self._server is not None or not self._lock.isLocked():
            return
        QLocalServer.removeServer(self.server_name)  # a stale socket from a crash; we hold the lock
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(self.server_name):
            log.warning("single-instance server could not listen: %s", server.errorString())
        server.newConnection.connect(self._new_connection)
        self._server = server

    def notify_primary(self, timeout_ms: int = 2000) -> bool:
        """Ask the running instance to show its window."""
        from PySide6.QtNetwork import QLocalSocket

        socket = QLocalSocket()
        socket.connectToServer(self.server_name)
        if not socket.waitForConnected(timeout_ms):
            return False
        socket.write(SHOW)
        socket.flush()
        ok = socket.bytesToWrite() == 0 or bool(socket.waitForBytesWritten(timeout_ms))
        socket.disconnectFromServer()
        return ok

    @Slot()
    def _new_connection(self) -> None:
        assert self._server is not None
        while self._server.hasPendingConnections():
            connection = self._server.nextPendingConnection()
            connection.readyRead.connect(self._read)
            connection.disconnected.connect(connection.deleteLater)
            if connection.bytesAvailable():
                self._handle(connection)

    @Slot()
    def _read(self) -> None:
        from PySide6.QtNetwork import QLocalSocket

        connection = self.sender()
        if isinstance(connection, QLocalSocket):
            self._handle(connection)

    def _handle(self, connection: QLocalSocket) -> None:
        data = bytes(connection.readAll().data())
        if SHOW.strip() in data:
            self.activation_requested.emit()

    def release(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        if self._lock.isLocked():
            self._lock.unlock()
