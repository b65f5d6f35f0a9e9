"""A connection's bytes until a deadline: what keeps a client that trickles its request a byte at a time, or
never finishes it, from holding a thread of `serve` past the deadline. Standard library only."""

from __future__ import annotations

import contextlib
import io
import socket
import time
from typing import Any


class TooSlow(TimeoutError):
    """A request that did not arrive whole in time, or a connection dropped to make room: the message says which."""


class Deadline(io.RawIOBase):
    """A connection's bytes until a deadline (`until`, on the monotonic clock): each read waits at most until
    then, so a client that sends a byte at a time cannot stretch its request past it. `drop` ends the wait at
    once, from another thread."""

    def __init__(self, sock: socket.socket) -> None:
        super().__init__()
        self.sock = sock
        self.until = 0.0
        self.why = "no whole request in time"
        self.dropped = False
        self.received = 0  # bytes of the request so far (none: an idle connection, closed without a word)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        left = self.until - time.monotonic()
        if left <= 0 or self.dropped:
            raise TooSlow(self.why)
        self.sock.settimeout(left)
        try:
            count = self.sock.recv_into(buffer)
        except TimeoutError:
            raise TooSlow(self.why) from None
        if self.dropped:
            raise TooSlow(self.why)
        self.received += count
        return count

    def drop(self, why: str) -> None:
        self.why, self.dropped = why, True
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)  # wakes the thread waiting in recv
