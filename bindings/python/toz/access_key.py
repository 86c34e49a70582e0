"""Access keys and offline record encryption."""

from __future__ import annotations

import json
from typing import Dict, Mapping

from ._ffi import call_handle, call_string, enc, enc_json, lib
from ._managed import _Managed, borrow
from .credentials import Credentials


class AccessKey(_Managed):
    """A record type's 32-byte access key, kept inside a libtoz handle."""

    _free = lib.toz_free_access_key

    @classmethod
    def generate(cls) -> "AccessKey":
        return cls(call_handle(lib.toz_access_key_generate))

    @classmethod
    def from_string(cls, text: str) -> "AccessKey":
        """Parses base64url text (as written by :meth:`to_string`)."""
        return cls(call_handle(lib.toz_access_key_from_string, enc(text, "text")))

    @classmethod
    def unwrap(cls, eak: str, authorizer_public_key: str, reader: Credentials) -> "AccessKey":
        """Opens an EAK with the authorizer's public key and the reader's private key."""
        with borrow(reader, Credentials, "reader") as rptr:
            return cls(
                call_handle(
                    lib.toz_access_key_unwrap,
                    enc(eak, "eak"),
                    enc(authorizer_public_key, "authorizer_public_key"),
                    rptr,
                )
            )

    def to_string(self) -> str:
        """**Sensitive**: the key as base64url text."""
        with self._borrow() as ptr:
            return call_string(lib.toz_access_key_to_string, ptr)

    def wrap(self, reader_public_key: str, authorizer: Credentials) -> str:
        """The EAK of this key for ``reader_public_key``, boxed by ``authorizer``'s key."""
        with self._borrow() as ptr, borrow(authorizer, Credentials, "authorizer") as aptr:
            return call_string(
                lib.toz_access_key_wrap, ptr, enc(reader_public_key, "reader_public_key"), aptr
            )


def encrypt_record(access_key: AccessKey, data: Mapping[str, str]) -> Dict[str, str]:
    """Encrypts a record's fields (offline): the same keys, ``EDK.EDKN.EF.EFN`` values."""
    text = enc_json(data, "data")
    with borrow(access_key, AccessKey, "access_key") as ptr:
        return json.loads(call_string(lib.toz_record_encrypt, ptr, text))  # type: ignore[no-any-return]


def decrypt_record(access_key: AccessKey, encrypted: Mapping[str, str]) -> Dict[str, str]:
    """Decrypts what :func:`encrypt_record` (or any TozStore SDK) encrypted."""
    text = enc_json(encrypted, "encrypted")
    with borrow(access_key, AccessKey, "access_key") as ptr:
        return json.loads(call_string(lib.toz_record_decrypt, ptr, text))  # type: ignore[no-any-return]
