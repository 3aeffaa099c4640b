"""Waiting in tests for something to happen, rather than for a fixed time: poll a condition
often until it holds, and fail with a clear message when it has not by the deadline; or let
threads wait at a latch until the others have got somewhere."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_until(
    condition: Callable[[], T],
    *,
    timeout: float = 10,
    interval: float = 0.02,
    what: str = "the condition",
    ignore: tuple[type[BaseException], ...] = (),
) -> T:
    """Call `condition` every `interval` seconds until it returns something true, and return
    that. Exceptions of the types in `ignore` count as not yet. After `timeout` seconds fail,
    naming `what` was waited for."""
    deadline = time.monotonic() + timeout
    last: BaseException | None = None
    while True:
        try:
            result = condition()
        except ignore as exc:
            result, last = None, exc
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout:g} s for {what}, in vain") from last
        time.sleep(interval)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Latch:
    """Opens once `count_down` has been called `count` times; `wait` blocks until then."""

    def __init__(self, count: int):
        self._left = count
        self._changed = threading.Condition()

    def count_down(self) -> None:
        with self._changed:
            self._left -= 1
            if self._left <= 0:
                self._changed.notify_all()

    def wait(self, timeout: float = 10) -> bool:
        """True once open; False if it did not open within `timeout` seconds."""
        with self._changed:
            return self._changed.wait_for(lambda: self._left <= 0, timeout)
