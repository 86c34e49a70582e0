"""toz: end-to-end encrypted storage, wire-compatible with Tozny TozStore.

A thin ctypes binding of libtoz (``include/toz.h``): every operation runs in the Rust library;
this package converts types, maps errors to exceptions and owns handle lifetimes.
"""

from __future__ import annotations

from . import errors
from ._ffi import ABI_VERSION, LibraryLoadError, lib
from .access_key import AccessKey, decrypt_record, encrypt_record
from .client import Client, Progress, register
from .credentials import Credentials
from .errors import *  # noqa: F401,F403  (ErrorKind, TozError, a class per kind family)
from .types import (
    AuthorizerPolicy,
    BackupEntry,
    ClientInfo,
    ClientOptions,
    Eacp,
    EmailChallenge,
    EmailEacp,
    FileMeta,
    IncomingShare,
    Note,
    NoteChallenge,
    NoteOptions,
    NoteRecipient,
    OutgoingShare,
    ProgressStage,
    PublicInfo,
    PublicKey,
    QueryPage,
    QueryRequest,
    Record,
    RecordMeta,
    SealOptions,
    SearchOrder,
    SearchPage,
    SearchParams,
    SearchRange,
    SearchRequest,
    SearchTerms,
    SigningKey,
    ToznyOtpEacp,
)

__version__ = "0.1.0"


def version() -> str:
    """The libtoz version string (``toz_version``)."""
    return str(lib.toz_version().decode("ascii"))


def abi_version() -> int:
    """The loaded library's ABI version (``toz_abi_version``); equals :data:`ABI_VERSION`."""
    return int(lib.toz_abi_version())


__all__ = [
    "ABI_VERSION",
    "AccessKey",
    "AuthorizerPolicy",
    "BackupEntry",
    "Client",
    "ClientInfo",
    "ClientOptions",
    "Credentials",
    "Eacp",
    "EmailChallenge",
    "EmailEacp",
    "FileMeta",
    "IncomingShare",
    "LibraryLoadError",
    "Note",
    "NoteChallenge",
    "NoteOptions",
    "NoteRecipient",
    "OutgoingShare",
    "Progress",
    "ProgressStage",
    "PublicInfo",
    "PublicKey",
    "QueryPage",
    "QueryRequest",
    "Record",
    "RecordMeta",
    "SealOptions",
    "SearchOrder",
    "SearchPage",
    "SearchParams",
    "SearchRange",
    "SearchRequest",
    "SearchTerms",
    "SigningKey",
    "ToznyOtpEacp",
    "abi_version",
    "decrypt_record",
    "encrypt_record",
    "register",
    "version",
]
__all__ += errors.__all__
