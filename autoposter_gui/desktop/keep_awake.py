"""OS sleep inhibitors: logind over D-Bus (Linux), caffeinate (macOS), SetThreadExecutionState (Windows)."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from typing import Any

log = logging.getLogger(__name__)
APP = "Autoposter"
LOGIN1 = ("org.freedesktop.login1", "/org/freedesktop/login1", "org.freedesktop.login1.Manager")


class LogindInhibitor:
    """A logind "sleep" block lock: ``Inhibit`` returns a file descriptor, and the lock lasts while it is open.

    ``address`` is a D-Bus address (tests run a private bus); None is the system bus. When logind or the bus is
    missing, that is logged once and the app carries on without keeping the computer awake.
    """

    def __init__(self, address: str | None = None) -> None:
        self.address = address
        self._lock = threading.Lock()
        self._fd: int | None = None
        self._why: str | None = None
        self._warned = False

    @property
    def held(self) -> bool:
        return self._fd is not None

    def hold(self, why: str) -> None:
        """Take the lock (again, with the new reason, when ``why`` changed); a no-op when it is held for ``why``."""
        with self._lock:
            if self._fd is not None and why == self._why:
                return
            fd = self._inhibit(why)
            if fd is None:
                return
            old, self._fd, self._why = self._fd, fd, why  # the new lock first, then the old one goes
            if old is not None:
                os.close(old)

    def release(self) -> None:
        with self._lock:
            fd, self._fd, self._why = self._fd, None, None
            if fd is not None:
                os.close(fd)
                log.info("released the sleep inhibitor")

    def _inhibit(self, why: str) -> int | None:
        try:
            from jeepney import DBusAddress, new_method_call
            from jeepney.io.blocking import open_dbus_connection
            from jeepney.wrappers import unwrap_msg
        except ImportError:
            self._warn("jeepney is not installed")
            return None
        name, path, interface = LOGIN1
        try:
            conn = open_dbus_connection(bus=self.address or "SYSTEM", enable_fds=True)
        except Exception as exc:  # no bus socket, refused, authentication: all mean "no logind here"
            self._warn(f"the system D-Bus is not reachable ({type(exc).__name__})")
            return None
        try:
            call = new_method_call(
                DBusAddress(path, bus_name=name, interface=interface),
                "Inhibit",
                "ssss",
                ("sleep", APP, why, "block"),
            )
            fd: Any = unwrap_msg(conn.send_and_get_reply(call, timeout=5))[0]  # an error reply raises
            raw = int(fd.to_raw_fd())
        except Exception as exc:  # logind missing (ServiceUnknown), refused (AccessDenied), no fd: carry on
            self._warn(f"logind did not take the sleep inhibitor ({_dbus_reason(exc)})")
            return None
        finally:
            conn.close()
        log.info("holding a sleep inhibitor: %s", why)
        return raw

    def _warn(self, reason: str) -> None:
        if not self._warned:
            self._warned = True
            log.warning("cannot keep this computer awake: %s; scheduled posts go out only while it is awake", reason)


def _dbus_reason(exc: Exception) -> str:
    name = getattr(exc, "name", None)
    return str(name) if name else type(exc).__name__


class CaffeinateInhibitor:
    """macOS: ``caffeinate -i -w <our pid>`` prevents idle sleep while it runs (and ends with us)."""

    def __init__(self) -> None:
        self._proc: subprocess.Popen[bytes] | None = None
        self._warned = False

    @property
    def held(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def hold(self, why: str) -> None:
        if self.held:
            return
        try:
            self._proc = subprocess.Popen(
                ["caffeinate", "-i", "-w", str(os.getpid())], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL
            )
        except OSError as exc:
            if not self._warned:
                self._warned = True
                log.warning("cannot keep this computer awake: caffeinate failed (%s)", exc.strerror)
            return
        log.info("holding a sleep inhibitor: %s", why)

    def release(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=5)


class WindowsInhibitor:
    """Windows: ``SetThreadExecutionState(ES_CONTINUOUS | ES_SYSTEM_REQUIRED)`` on a thread of its own (the state
    belongs to the thread that set it), which clears it and ends on release."""

    ES_CONTINUOUS, ES_SYSTEM_REQUIRED = 0x80000000, 0x00000001

    def __init__(self) -> None:
        self._stop: threading.Event | None = None

    @property
    def held(self) -> bool:
        return self._stop is not None

    def hold(self, why: str) -> None:
        if self._stop is not None:
            return
        stop = threading.Event()
        self._stop = stop
        threading.Thread(target=self._run, args=(stop,), name="keep-awake", daemon=True).start()
        log.info("holding a sleep inhibitor: %s", why)

    def _run(self, stop: threading.Event) -> None:
        import ctypes

        kernel32: Any = ctypes.windll.kernel32  # type: ignore[attr-defined,unused-ignore]
        kernel32.SetThreadExecutionState(self.ES_CONTINUOUS | self.ES_SYSTEM_REQUIRED)
        stop.wait()
        kernel32.SetThreadExecutionState(self.ES_CONTINUOUS)

    def release(self) -> None:
        stop, self._stop = self._stop, None
        if stop is not None:
            stop.set()


class NoInhibitor:
    """Elsewhere: nothing to hold."""

    held = False

    def hold(self, why: str) -> None:
        return None

    def release(self) -> None:
        return None


def for_this_platform() -> LogindInhibitor | CaffeinateInhibitor | WindowsInhibitor | NoInhibitor:
    if sys.platform.startswith("linux"):
        return LogindInhibitor()
    if sys.platform == "darwin":
        return CaffeinateInhibitor()
    if sys.platform == "win32":
        return WindowsInhibitor()
    return NoInhibitor()
