"""Framed messages over a pair of pipes.

A frame is ``!II`` (header length, buffer count), a JSON header, then each
buffer as ``!Q`` length + bytes. The reader bounds every size it is told, so a
worker that writes garbage or a huge frame cannot exhaust the trusted side.
"""

from __future__ import annotations

import json
import os
import select
import struct
import time
from typing import Any

_HEAD = struct.Struct("!II")
_BUFFER_LENGTH = struct.Struct("!Q")
MAX_HEADER_BYTES = 256 * 1024 * 1024
MAX_MESSAGE_BYTES = 2 * 1024**3
MAX_BUFFERS = 1_000_000


class ProtocolError(Exception):
    """The other side sent something that is not a frame."""


def write_message(fd: int, header: dict[str, Any], buffers: list[bytes] = ()) -> None:
    header_bytes = json.dumps(header, separators=(",", ":")).encode()
    parts = [_HEAD.pack(len(header_bytes), len(buffers)), header_bytes]
    for buffer in buffers:
        parts += [_BUFFER_LENGTH.pack(len(buffer)), buffer]
    for part in parts:
        view = memoryview(part)
        while view:
            written = os.write(fd, view)
            view = view[written:]


class MessageReader:
    """Reads frames from ``fd``; ``deadline`` (time.monotonic) bounds each read."""

    def __init__(self, fd: int):
        self.fd = fd

    def read(self, deadline: float | None = None) -> tuple[dict[str, Any], list[bytes]]:
        header_length, buffer_count = _HEAD.unpack(self._read_exact(_HEAD.size, deadline))
        if header_length > MAX_HEADER_BYTES or buffer_count > MAX_BUFFERS:
            raise ProtocolError("frame header out of bounds")
        try:
            header = json.loads(self._read_exact(header_length, deadline))
        except (ValueError, RecursionError) as error:
            raise ProtocolError(f"frame header is not JSON: {error}") from None
        if type(header) is not dict:
            raise ProtocolError("frame header is not an object")
        buffers, total = [], header_length
        for _ in range(buffer_count):
            (length,) = _BUFFER_LENGTH.unpack(self._read_exact(_BUFFER_LENGTH.size, deadline))
            total += length
            if total > MAX_MESSAGE_BYTES:
                raise ProtocolError(f"message larger than {MAX_MESSAGE_BYTES // 1024**3} GiB")
            buffers.append(self._read_exact(length, deadline))
        return header, buffers

    def _read_exact(self, size: int, deadline: float | None) -> bytes:
        chunks, remaining = [], size
        while remaining:
            if deadline is not None:
                wait = deadline - time.monotonic()
                if wait <= 0 or not select.select([self.fd], [], [], wait)[0]:
                    raise TimeoutError
            chunk = os.read(self.fd, min(remaining, 1 << 20))
            if not chunk:
                raise EOFError
            chunks.append(chunk)
            remaining -= len(chunk)
        return b"".join(chunks)
