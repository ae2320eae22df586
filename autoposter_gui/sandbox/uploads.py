"""Streamed request bodies for the sandbox's video uploads: written to a file chunk by chunk, never held whole."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from .forms import FormError, header_params, part_headers

CHUNK = 1024 * 1024
MAX_FIELD_BYTES = 1024 * 1024  # a non-file form field of a multipart body
MAX_UPLOAD_BYTES = 4 * 1024 * 1024 * 1024


class Readable(Protocol):
    """The request's input stream (``BaseHTTPRequestHandler.rfile``)."""

    def read(self, size: int = ..., /) -> bytes: ...

    def readline(self, size: int = ..., /) -> bytes: ...


@dataclass(frozen=True)
class StreamedBody:
    """A request body (or the ``source`` part of a multipart one) spooled to ``path`` (None: counted only)."""

    path: Path | None
    size: int

    def discard(self) -> None:
        if self.path is not None:
            with contextlib.suppress(OSError):
                self.path.unlink()


class _Counter:
    """A sink that only counts (the sandbox's ``keep_uploads`` off: benchmarks move hundreds of MB)."""

    def write(self, data: bytes) -> int:
        return len(data)

    def close(self) -> None:
        pass

    def __enter__(self) -> _Counter:
        return self

    def __exit__(self, *exc: object) -> None:
        pass


def _spool(directory: Path) -> tuple[BinaryIO | _Counter, Path | None]:
    fd, name = tempfile.mkstemp(prefix="body-", suffix=".part", dir=directory)
    return os.fdopen(fd, "wb"), Path(name)


def _body_reader(rfile: Readable, headers: object) -> Callable[[int], bytes]:
    """A ``read(n)`` over the body: Content-Length or chunked; b"" at its end."""
    get = getattr(headers, "get")  # noqa: B009 - an http.client.HTTPMessage or a dict
    if "chunked" in str(get("Transfer-Encoding", "")).lower():
        state = {"left": 0, "done": False}

        def read_chunked(n: int) -> bytes:
            if state["done"]:
                return b""
            if state["left"] == 0:
                line = rfile.readline(65537)
                size = int(line.split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    state["done"] = True
                    return b""
                state["left"] = size
            data = rfile.read(min(n, state["left"]))
            if not data:
                raise ValueError("the body ended early")
            state["left"] -= len(data)
            if state["left"] == 0:
                rfile.readline(65537)
            return data

        return read_chunked
    length = int(get("Content-Length") or 0)
    if length < 0 or length > MAX_UPLOAD_BYTES:
        raise ValueError("bad Content-Length")
    left = {"n": length}

    def read_sized(n: int) -> bytes:
        if left["n"] <= 0:
            return b""
        data = rfile.read(min(n, left["n"]))
        if not data:
            raise ValueError("the body ended early")
        left["n"] -= len(data)
        return data

    return read_sized


def spool_body(rfile: Readable, headers: object, directory: Path, *, keep: bool = True) -> StreamedBody:
    """Copy the whole body to a file in ``directory``, 1 MB at a time (``keep`` off: only count it)."""
    read = _body_reader(rfile, headers)
    out, path = _spool(directory) if keep else (_Counter(), None)
    size = 0
    try:
        with out:
            while chunk := read(CHUNK):
                out.write(chunk)
                size += len(chunk)
                if size > MAX_UPLOAD_BYTES:
                    raise ValueError("body too large")
    except BaseException:
        if path is not None:
            with contextlib.suppress(OSError):
                path.unlink()
        raise
    return StreamedBody(path, size)


def spool_multipart(
    rfile: Readable, headers: object, directory: Path, boundary: str, *, keep: bool = True
) -> tuple[dict[str, str], dict[str, StreamedBody]]:
    """Parse a multipart body as it arrives: form fields in memory (each ≤ 1 MB), file parts into files."""
    read = _body_reader(rfile, headers)
    first = b"--" + boundary.encode("latin-1")
    delimiter = b"\r\n" + first
    buffer = b""
    form: dict[str, str] = {}
    files: dict[str, StreamedBody] = {}
    spooled: list[Path] = []

    def fill(minimum: int) -> bool:
        nonlocal buffer
        while len(buffer) < minimum:
            chunk = read(CHUNK)
            if not chunk:
                return False
            buffer += chunk
        return True

    try:
        fill(len(first) + 2)
        if not buffer.startswith(first):
            raise FormError("multipart boundary not found")
        buffer = buffer[len(first) :]
        while True:
            fill(2)
            if buffer.startswith(b"--"):
                return form, files
            if buffer.startswith(b"\r\n"):
                buffer = buffer[2:]
            while b"\r\n\r\n" not in buffer:
                if len(buffer) > 65536 or not fill(len(buffer) + 1):
                    raise FormError("multipart part without headers")
            head, _, buffer = buffer.partition(b"\r\n\r\n")
            headers_of_part = part_headers(head)
            _disposition, dparams = header_params(headers_of_part.get("content-disposition", ""))
            field_name = dparams.get("name") or ""
            is_file = "filename" in dparams or "filename*" in dparams
            sink: BinaryIO | _Counter | None = None
            path: Path | None = None
            if is_file:
                sink, path = _spool(directory) if keep else (_Counter(), None)
            if path is not None:
                spooled.append(path)
            field_value = bytearray()
            size = 0
            try:
                while True:
                    index = buffer.find(delimiter)
                    if index >= 0:
                        data, buffer = buffer[:index], buffer[index + len(delimiter) :]
                    else:
                        cut = max(0, len(buffer) - (len(delimiter) - 1))  # a delimiter may straddle reads
                        data, buffer = buffer[:cut], buffer[cut:]
                    size += len(data)
                    if sink is not None:
                        sink.write(data)
                    else:
                        field_value += data
                        if len(field_value) > MAX_FIELD_BYTES:
                            raise FormError(f"form field {field_name!r} is too large")
                    if index >= 0:
                        break
                    if not fill(len(buffer) + 1):
                        raise FormError("multipart body ended early")
            finally:
                if sink is not None:
                    sink.close()
            if sink is not None:
                files[field_name] = StreamedBody(path, size)
            else:
                form[field_name] = bytes(field_value).decode("utf-8", "replace")
    except BaseException:
        for spooled_path in spooled:
            with contextlib.suppress(OSError):
                spooled_path.unlink()
        raise
