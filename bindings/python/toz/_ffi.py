"""Loads libtoz, declares every function of ``include/toz.h`` and converts errors and strings.

The library is looked up in this order:

1. the path in the ``TOZ_LIBRARY`` environment variable;
2. ``libtoz.so`` / ``libtoz.dylib`` / ``toz.dll`` inside this package directory: a platform wheel
   bundles the library there (copy ``target/release/libtoz.so`` to ``toz/libtoz.so`` before
   ``python -m build --wheel``; ``pyproject.toml`` lists both names as package data and the wheel
   must then be tagged for the platform, e.g. with ``wheel tags --platform-tag``);
3. ``ctypes.util.find_library("toz")`` (the system library path).

ctypes releases the GIL for the duration of every foreign call, so a blocking libtoz call does
not stop other Python threads.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import json
import os
import signal
import sys
import threading
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any, Callable, Dict, List, Optional, Tuple, Type

from .errors import ErrorKind, InvalidArgumentError, error_for

#: The ABI version this binding was written for (``TOZ_ABI_VERSION`` in toz.h).
ABI_VERSION = 2


class LibraryLoadError(ImportError):
    """libtoz could not be found or loaded, or its ABI version is not the one expected."""


_ERR = ctypes.c_void_p  # toz_error * (owned; toz_free_error)
_H = ctypes.c_void_p  # toz_credentials * / toz_access_key * / toz_client *
_STR = ctypes.c_char_p  # const char * input, borrowed by the library for the call
_OUT = ctypes.POINTER(ctypes.c_void_p)  # char ** / handle ** out-parameter (owned by us)
_BOOL = ctypes.c_bool
_VOIDP = ctypes.c_void_p  # void *user_data, passed back to the callback unchanged
#: ``toz_progress_fn``: int (*)(void *user_data, uint32_t stage, uint64_t done, uint64_t total);
#: it returns 0 to go on, non-zero to cancel the transfer.
PROGRESS_FN = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.c_void_p, ctypes.c_uint32, ctypes.c_uint64, ctypes.c_uint64
)

#: restype and argtypes of every function in toz.h. Owned ``char *`` outputs are ``c_void_p``
#: so the pointer survives to be passed to toz_free_string; ``c_char_p`` results are borrowed.
_SIGNATURES: Dict[str, Tuple[Any, List[Any]]] = {
    "toz_abi_version": (ctypes.c_uint32, []),
    "toz_version": (ctypes.c_char_p, []),
    "toz_access_key_from_string": (_ERR, [_STR, _OUT]),
    "toz_access_key_generate": (_ERR, [_OUT]),
    "toz_access_key_to_string": (_ERR, [_H, _OUT]),
    "toz_access_key_unwrap": (_ERR, [_STR, _STR, _H, _OUT]),
    "toz_access_key_wrap": (_ERR, [_H, _STR, _H, _OUT]),
    "toz_client_add_authorizer": (_ERR, [_H, _STR, _STR]),
    "toz_client_authorizers": (_ERR, [_H, _OUT]),
    "toz_client_challenge_note": (_ERR, [_H, _STR, _OUT]),
    "toz_client_delete_note": (_ERR, [_H, _STR]),
    "toz_client_delete_record": (_ERR, [_H, _STR, _STR]),
    "toz_client_granted_authorizations": (_ERR, [_H, _OUT]),
    "toz_client_incoming_shares": (_ERR, [_H, _OUT]),
    "toz_client_info": (_ERR, [_H, _STR, _OUT]),
    "toz_client_list_backups": (_ERR, [_H, _OUT]),
    "toz_client_new": (_ERR, [_H, _STR, _OUT]),
    "toz_client_outgoing_shares": (_ERR, [_H, _OUT]),
    "toz_client_prime_note": (_ERR, [_H, _STR, ctypes.c_int32, _OUT]),
    "toz_client_public_info": (_ERR, [_H, _OUT]),
    "toz_client_query": (_ERR, [_H, _STR, _OUT]),
    "toz_client_read_file": (_ERR, [_H, _STR, _STR, PROGRESS_FN, _VOIDP, _OUT]),
    "toz_client_read_note": (_ERR, [_H, _STR, _OUT]),
    "toz_client_read_note_by_name": (_ERR, [_H, _STR, _OUT]),
    "toz_client_read_note_with_eacp": (_ERR, [_H, _STR, _OUT]),
    "toz_client_read_record": (_ERR, [_H, _STR, _STR, _OUT]),
    "toz_client_recover_credentials": (_ERR, [_H, _STR, _OUT]),
    "toz_client_remove_authorizer": (_ERR, [_H, _STR, _STR]),
    "toz_client_replace_note": (_ERR, [_H, _STR, _STR, _STR, _OUT]),
    "toz_client_revoke": (_ERR, [_H, _STR, _STR]),
    "toz_client_revoke_on_behalf_of": (_ERR, [_H, _STR, _STR, _STR]),
    "toz_client_search": (_ERR, [_H, _STR, _OUT]),
    "toz_client_share": (_ERR, [_H, _STR, _STR]),
    "toz_client_share_on_behalf_of": (_ERR, [_H, _STR, _STR, _STR]),
    "toz_client_update_record": (_ERR, [_H, _STR, _OUT]),
    "toz_client_write_file": (_ERR, [_H, _STR, _STR, _STR, PROGRESS_FN, _VOIDP, _OUT]),
    "toz_client_write_note": (_ERR, [_H, _STR, _STR, _STR, _OUT]),
    "toz_client_write_record": (_ERR, [_H, _STR, _STR, _STR, _OUT]),
    "toz_credentials_from_json": (_ERR, [_STR, _OUT]),
    "toz_credentials_generate": (_ERR, [_STR, _OUT]),
    "toz_credentials_load_file": (_ERR, [_STR, _OUT]),
    "toz_credentials_load_profile": (_ERR, [_STR, _OUT]),
    "toz_credentials_public_info": (_ERR, [_H, _OUT]),
    "toz_credentials_save_file": (_ERR, [_H, _STR, _BOOL]),
    "toz_credentials_save_profile": (_ERR, [_H, _STR, _BOOL]),
    "toz_credentials_seal": (_ERR, [_H, _STR, _STR, _OUT]),
    "toz_credentials_to_json": (_ERR, [_H, _OUT]),
    "toz_credentials_unseal": (_ERR, [_STR, _STR, _OUT]),
    "toz_error_get_http_status": (ctypes.c_uint16, [_ERR]),
    "toz_error_get_kind": (ctypes.c_uint32, [_ERR]),
    "toz_error_get_message": (ctypes.c_char_p, [_ERR]),
    "toz_free_access_key": (None, [_H]),
    "toz_free_client": (None, [_H]),
    "toz_free_credentials": (None, [_H]),
    "toz_free_error": (None, [_ERR]),
    "toz_free_string": (None, [ctypes.c_void_p]),
    "toz_record_decrypt": (_ERR, [_H, _STR, _OUT]),
    "toz_record_encrypt": (_ERR, [_H, _STR, _OUT]),
    "toz_register": (_ERR, [_STR, _STR, _STR, _BOOL, _STR, _OUT]),
}


def _candidates() -> List[str]:
    here = Path(__file__).resolve().parent
    names = {"darwin": ["libtoz.dylib"], "win32": ["toz.dll"]}.get(sys.platform, ["libtoz.so"])
    found = [str(here / n) for n in names if (here / n).is_file()]
    system = ctypes.util.find_library("toz")
    return found + ([system] if system else [])


def _load() -> ctypes.CDLL:
    override = os.environ.get("TOZ_LIBRARY")
    paths = [override] if override else _candidates()
    if not paths:
        raise LibraryLoadError(
            "libtoz not found: set TOZ_LIBRARY to the path of libtoz.so/libtoz.dylib, put the "
            "library inside the toz package directory, or install it on the system library path"
        )
    try:
        lib = ctypes.CDLL(paths[0])
    except OSError as e:
        raise LibraryLoadError(f"cannot load libtoz from {paths[0]}: {e}") from e
    try:
        abi = lib.toz_abi_version
    except AttributeError as e:
        raise LibraryLoadError(f"{paths[0]} is not libtoz (no toz_abi_version)") from e
    abi.restype, abi.argtypes = ctypes.c_uint32, []
    found = int(abi())
    if found != ABI_VERSION:
        raise LibraryLoadError(
            f"libtoz at {paths[0]} has ABI version {found}, but this toz binding needs ABI "
            f"version {ABI_VERSION}; install matching versions of libtoz and the binding"
        )
    for name, (restype, argtypes) in _SIGNATURES.items():
        try:
            fn = getattr(lib, name)
        except AttributeError as e:
            raise LibraryLoadError(f"libtoz at {paths[0]} lacks {name}") from e
        fn.restype, fn.argtypes = restype, argtypes
    return lib


lib = _load()


def check(err: Optional[int]) -> None:
    """Raises the error a toz function returned (NULL = success), freeing it first."""
    if err:
        try:
            kind = lib.toz_error_get_kind(err)
            status = lib.toz_error_get_http_status(err)
            message = (lib.toz_error_get_message(err) or b"").decode("utf-8", "replace")
        finally:
            lib.toz_free_error(err)
        raise error_for(kind, message, status)


def enc(text: Optional[str], what: str = "argument") -> Optional[bytes]:
    """A str as a NUL-terminated UTF-8 C string (None stays NULL).

    Lone surrogates are passed through as invalid UTF-8 so the library reports INVALID_UTF8;
    an embedded NUL cannot cross as a C string and is refused here.
    """
    if text is None:
        return None
    if not isinstance(text, str):
        raise TypeError(f"{what} must be str, not {type(text).__name__}")
    if "\0" in text:
        raise InvalidArgumentError(
            ErrorKind.INVALID_ARGUMENT, f"{what} contains a NUL character"
        )
    return text.encode("utf-8", "surrogatepass")


def enc_int32(value: int, what: str = "argument") -> int:
    """An int for an ``int32_t`` parameter; ctypes would wrap one out of range silently."""
    if not isinstance(value, int):
        raise TypeError(f"{what} must be int, not {type(value).__name__}")
    if not -(2**31) <= value < 2**31:
        raise InvalidArgumentError(
            ErrorKind.INVALID_ARGUMENT, f"{what} {value} does not fit in 32 bits"
        )
    return value


def enc_json(value: Any, what: str) -> bytes:
    """A value as JSON text for the library."""
    return enc(json.dumps(value, ensure_ascii=False), what) or b""


def take_string(ptr: ctypes.c_void_p) -> str:
    """Copies an owned ``char *`` out of the library and frees it with toz_free_string."""
    if not ptr.value:
        return ""
    try:
        return ctypes.string_at(ptr.value).decode("utf-8")
    finally:
        lib.toz_free_string(ptr)


def call(fn: Callable[..., Optional[int]], *args: Any) -> None:
    """Calls a fallible function that has no out-parameter."""
    check(fn(*args))


def call_string(fn: Callable[..., Optional[int]], *args: Any) -> str:
    """Calls a fallible function whose last parameter is a ``char **`` out-parameter."""
    out = ctypes.c_void_p()
    check(fn(*args, ctypes.byref(out)))
    return take_string(out)


def call_json(fn: Callable[..., Optional[int]], *args: Any) -> Any:
    """As :func:`call_string`, parsing the JSON result."""
    return json.loads(call_string(fn, *args))


def call_handle(fn: Callable[..., Optional[int]], *args: Any) -> int:
    """Calls a fallible function whose last parameter is a handle out-parameter."""
    out = ctypes.c_void_p()
    check(fn(*args, ctypes.byref(out)))
    assert out.value, "libtoz reported success without writing the handle"
    return out.value


class ProgressTrampoline:
    """Carries a Python progress callable across a libtoz file transfer; use it as ``with
    ProgressTrampoline(...) as t:`` around the C call.

    ``c_function`` is the ``toz_progress_fn`` to pass (NULL when there is no callable); it must
    stay referenced for the whole call, which holding this object does. The library calls it
    synchronously on the calling thread.

    Raising from the callable is how Python code cancels a transfer. The exception cannot
    unwind through the C frames, so the trampoline keeps it and returns non-zero: libtoz stops
    at once, stores nothing and fails with ``CANCELLED``. Leaving the ``with`` block then raises
    the kept exception in place of that :class:`~toz.CancelledError`.

    Ctrl-C is made to do the same. CPython raises KeyboardInterrupt at the first bytecode it
    runs after the signal, and during a transfer that is the entry of the C callback, before any
    ``try``: ctypes would print the exception and drop it, and the callback's result would be
    undefined. So while the block runs on the main thread under Python's default SIGINT
    handler, SIGINT is recorded as a pending KeyboardInterrupt instead, which the next report
    answers with CANCEL (and which is raised after the call even if no report came).
    """

    #: The return values of ``toz_progress_fn``.
    GO_ON, CANCEL = 0, 1

    def __init__(
        self, callback: Optional[Callable[[Any, int, int], None]], stage: Callable[[int], Any]
    ) -> None:
        self._callback = callback
        self._stage = stage
        self._error: Optional[BaseException] = None
        self._previous_sigint: Any = None  # the handler to put back, when ours is installed
        # PROGRESS_FN() is the NULL function pointer (ctypes refuses None for a CFUNCTYPE).
        self.c_function = PROGRESS_FN() if callback is None else PROGRESS_FN(self._report)

    def _report(self, _user_data: Optional[int], stage: int, done: int, total: int) -> int:
        # libtoz makes no further call once told to cancel; should one come all the same, the
        # callable that failed is not called again and the answer stays CANCEL.
        if self._error is None and self._callback is not None:
            try:
                self._callback(self._stage(stage), done, total)
            except BaseException as e:  # KeyboardInterrupt too: it cancels the transfer
                self._error = e
        return self.GO_ON if self._error is None else self.CANCEL

    def _interrupt(self, _signum: int, _frame: Optional[FrameType]) -> None:
        if self._error is None:
            self._error = KeyboardInterrupt()

    def __enter__(self) -> "ProgressTrampoline":
        # Without a callable there are no reports to cancel from; a handler the application
        # installed is its own; and only the main thread may replace a signal handler.
        if (
            self._callback is not None
            and threading.current_thread() is threading.main_thread()
            and signal.getsignal(signal.SIGINT) is signal.default_int_handler
        ):
            self._previous_sigint = signal.signal(signal.SIGINT, self._interrupt)
        return self

    def __exit__(
        self,
        _type: Optional[Type[BaseException]],
        _value: Optional[BaseException],
        _traceback: Optional[TracebackType],
    ) -> None:
        """Raises the exception the callable raised (or the Ctrl-C it was interrupted by).

        It replaces the CancelledError it caused: ``from None`` keeps that out of the traceback
        (the callable's exception is what happened; the cancellation only follows from it), and
        it stays reachable as the exception's ``__context__``.
        """
        if self._previous_sigint is not None:
            signal.signal(signal.SIGINT, self._previous_sigint)
            self._previous_sigint = None
        error, self._error = self._error, None
        if error is not None:
            raise error from None
