"""Request bodies streamed from a file: a window of it (one upload request), or a multipart form around it."""

from __future__ import annotations

from typing import BinaryIO

READ_BLOCK = 1024 * 1024


class FileWindow:
    """``length`` bytes of a file from ``start``, read piece by piece (a request body that is never whole)."""

    def __init__(self, fh: BinaryIO, start: int, length: int) -> None:
        self._fh = fh
        self._left = length
        self._length = length
        fh.seek(start)

    def __len__(self) -> int:
        return self._length

    def read(self, size: int = -1, /) -> bytes:
        if self._left <= 0:
            return b""
        want = self._left if size is None or size < 0 else min(size, self._left)
        data = self._fh.read(want)
        self._left -= len(data)
        return data


class MultipartFile:
    """A multipart/form-data body with form fields and one file part, streamed from the file."""

    BOUNDARY = "autoposter-video-5f1d3c9a7e2b4f60"

    def __init__(self, fields: dict[str, str], name: str, filename: str, fh: BinaryIO, size: int, ctype: str) -> None:
        head = b"".join(
            f'--{self.BOUNDARY}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
            for key, value in fields.items()
        )
        head += (
            f'--{self.BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: {ctype}\r\n\r\n"
        ).encode()
        self._parts: list[bytes | FileWindow] = [head, FileWindow(fh, 0, size), f"\r\n--{self.BOUNDARY}--\r\n".encode()]
        self._length = len(head) + size + len(self._parts[2])

    @property
    def content_type(self) -> str:
        return f"multipart/form-data; boundary={self.BOUNDARY}"

    def __len__(self) -> int:
        return self._length

    def read(self, size: int = -1, /) -> bytes:
        if size is None or size < 0:  # everything left (senders read in blocks; this is for completeness)
            return b"".join(iter(lambda: self.read(READ_BLOCK), b""))
        while self._parts:
            part = self._parts[0]
            if isinstance(part, bytes):
                if not part:
                    self._parts.pop(0)
                    continue
                self._parts[0] = part[size:]
                return part[:size]
            data = part.read(size)
            if data:
                return data
            self._parts.pop(0)
        return b""
