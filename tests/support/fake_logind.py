"""A D-Bus test double for logind: a private bus (dbus-daemon) with a tiny org.freedesktop.login1 service whose
Manager.Inhibit hands out a real file descriptor (a pipe's write end), so a test can see when it is closed."""

from __future__ import annotations

import os
import select
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

NAME, PATH, INTERFACE = "org.freedesktop.login1", "/org/freedesktop/login1", "org.freedesktop.login1.Manager"


@dataclass
class Inhibition:
    what: str
    who: str
    why: str
    mode: str
    read_end: int
    closed: bool = False

    def is_open(self) -> bool:
        """Whether the holder still has its end open (the pipe reads EOF once every copy is closed)."""
        if self.closed:
            return False
        ready, _, _ = select.select([self.read_end], [], [], 0)
        if ready and os.read(self.read_end, 1) == b"":
            self.closed = True
            os.close(self.read_end)
        return not self.closed


@dataclass
class FakeLogind:
    address: str
    inhibitions: list[Inhibition] = field(default_factory=list)

    def held(self) -> list[Inhibition]:
        return [i for i in self.inhibitions if i.is_open()]


@contextmanager
def private_bus() -> Iterator[str]:
    """A dbus-daemon of our own (session configuration), its address; stopped afterwards."""
    proc = subprocess.Popen(
        ["dbus-daemon", "--session", "--nofork", "--nopidfile", "--print-address=1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None
        address = proc.stdout.readline().strip()
        assert address, "dbus-daemon did not start"
        yield address
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@contextmanager
def fake_logind() -> Iterator[FakeLogind]:
    """A private bus with the fake login1 service on it."""
    from jeepney import MessageType, new_error, new_method_return
    from jeepney.bus_messages import message_bus
    from jeepney.io.blocking import open_dbus_connection

    with private_bus() as address:
        fake = FakeLogind(address)
        conn = open_dbus_connection(bus=address, enable_fds=True)
        conn.send_and_get_reply(message_bus.RequestName(NAME), timeout=5)
        stop = threading.Event()

        def serve() -> None:
            while not stop.is_set():
                try:
                    msg: Any = conn.receive(timeout=0.1)
                except TimeoutError:
                    continue
                except OSError:
                    return
                header = msg.header
                if header.message_type != MessageType.method_call:
                    continue
                member = header.fields.get(3)  # HeaderFields.member
                if member != "Inhibit" or header.fields.get(2) != INTERFACE:  # HeaderFields.interface
                    conn.send(new_error(msg, "org.freedesktop.DBus.Error.UnknownMethod", "s", ("not faked",)))
                    continue
                read_end, write_end = os.pipe()
                fake.inhibitions.append(Inhibition(*msg.body, read_end=read_end))
                conn.send(new_method_return(msg, "h", (write_end,)))
                os.close(write_end)  # now only the caller holds it

        thread = threading.Thread(target=serve, name="fake-logind", daemon=True)
        thread.start()
        try:
            yield fake
        finally:
            stop.set()
            thread.join(timeout=5)
            conn.close()
            for inhibition in fake.inhibitions:
                if not inhibition.closed:
                    os.close(inhibition.read_end)
