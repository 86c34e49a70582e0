"""The one base class of every libtoz handle wrapper."""

from __future__ import annotations

import threading
from types import TracebackType
from typing import Callable, ClassVar, Optional, Type, TypeVar

from .errors import ClosedError, ErrorKind

_M = TypeVar("_M", bound="_Managed")


class _Managed:
    """Owns one libtoz handle.

    ``close()`` frees it (a second ``close()`` does nothing), ``with`` closes it on exit and
    ``__del__`` is the fallback. A call that is running in another thread when ``close()`` is
    called finishes first: the handle is freed when the last such call returns, because the
    library forbids freeing a handle that is still in use. Any use after ``close()`` raises
    :class:`~toz.ClosedError`.
    """

    _free: ClassVar[Callable[[int], None]]

    def __init__(self, ptr: int) -> None:
        self._ptr: Optional[int] = ptr
        self._closed = False
        self._users = 0
        self._lock = threading.Lock()

    def _acquire(self) -> int:
        with self._lock:
            if self._closed or self._ptr is None:
                raise ClosedError(ErrorKind.CLOSED, f"{type(self).__name__} is closed")
            self._users += 1
            return self._ptr

    def _release(self) -> None:
        with self._lock:
            self._users -= 1
            ptr = self._take_if_done()
        if ptr:
            type(self)._free(ptr)

    def _take_if_done(self) -> Optional[int]:
        if self._closed and self._users == 0:
            ptr, self._ptr = self._ptr, None
            return ptr
        return None

    def _borrow(self) -> "_Borrow":
        """``with h._borrow() as ptr:`` keeps the handle alive for the block."""
        return _Borrow(self)

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        """Frees the handle (after calls still running in other threads). Idempotent."""
        lock = getattr(self, "_lock", None)
        if lock is None:  # __init__ did not finish
            return
        with lock:
            self._closed = True
            ptr = self._take_if_done()
        if ptr:
            type(self)._free(ptr)

    def __enter__(self: _M) -> _M:
        return self

    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # interpreter shutdown may already have torn down the library
            pass

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open"
        return f"<{type(self).__module__}.{type(self).__name__} ({state})>"


class _Borrow:
    __slots__ = ("_owner",)

    def __init__(self, owner: _Managed) -> None:
        self._owner = owner

    def __enter__(self) -> int:
        return self._owner._acquire()

    def __exit__(self, *exc: object) -> None:
        self._owner._release()


def borrow(obj: object, cls: Type[_Managed], what: str) -> _Borrow:
    """Borrows a handle passed as an argument, refusing anything but a ``cls``."""
    if not isinstance(obj, cls):
        raise TypeError(f"{what} must be a toz.{cls.__name__}, not {type(obj).__name__}")
    return _Borrow(obj)
