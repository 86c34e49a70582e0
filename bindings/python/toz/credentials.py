"""Credentials: a client's ids, API key and key pairs, kept inside a libtoz handle."""

from __future__ import annotations

import os
from typing import Any, Mapping, Optional, Union

from ._ffi import call, call_handle, call_json, call_string, enc, enc_json, lib
from ._managed import _Managed
from .types import PublicInfo, SealOptions, wire

PathLike = Union[str, "os.PathLike[str]"]
SealOptionsLike = Union[SealOptions, Mapping[str, Any], None]


def _path(path: PathLike, what: str = "path") -> Optional[bytes]:
    return enc(os.fspath(path), what)


class Credentials(_Managed):
    """A client's credentials. The secrets stay in the library; they become text only through
    the sensitive :meth:`to_json` and :meth:`seal` (Python strings cannot be wiped)."""

    _free = lib.toz_free_credentials

    @classmethod
    def generate(cls, api_url: Optional[str] = None) -> "Credentials":
        """Fresh, unregistered key pairs (``api_url`` None for https://api.e3db.com)."""
        return cls(call_handle(lib.toz_credentials_generate, enc(api_url, "api_url")))

    @classmethod
    def from_json(cls, text: str) -> "Credentials":
        """Parses e3db.json text and checks every public key against its private key."""
        return cls(call_handle(lib.toz_credentials_from_json, enc(text, "json")))

    @classmethod
    def load_file(cls, path: PathLike) -> "Credentials":
        return cls(call_handle(lib.toz_credentials_load_file, _path(path)))

    @classmethod
    def load_profile(cls, profile: Optional[str] = None) -> "Credentials":
        """Loads ``~/.tozny/<profile>/e3db.json`` (``~/.tozny/e3db.json`` for None)."""
        return cls(call_handle(lib.toz_credentials_load_profile, enc(profile, "profile")))

    @classmethod
    def unseal(cls, sealed: str, passphrase: str) -> "Credentials":
        """Opens credentials sealed by :meth:`seal`; a wrong passphrase raises
        :class:`~toz.WrongPassphraseError`."""
        return cls(
            call_handle(
                lib.toz_credentials_unseal, enc(sealed, "sealed"), enc(passphrase, "passphrase")
            )
        )

    def to_json(self) -> str:
        """**Sensitive**: e3db.json text with the private keys and the API secret."""
        with self._borrow() as ptr:
            return call_string(lib.toz_credentials_to_json, ptr)

    def public_info(self) -> PublicInfo:
        with self._borrow() as ptr:
            return PublicInfo.from_json(call_json(lib.toz_credentials_public_info, ptr))

    def save_file(self, path: PathLike, overwrite: bool = False) -> None:
        """Writes e3db.json (mode 0600); an existing file raises
        :class:`~toz.AlreadyExistsError` unless ``overwrite``."""
        with self._borrow() as ptr:
            call(lib.toz_credentials_save_file, ptr, _path(path), overwrite)

    def save_profile(self, profile: Optional[str] = None, overwrite: bool = False) -> None:
        with self._borrow() as ptr:
            call(lib.toz_credentials_save_profile, ptr, enc(profile, "profile"), overwrite)

    def seal(self, passphrase: str, options: SealOptionsLike = None) -> str:
        """The credentials encrypted under ``passphrase`` (Argon2id + XChaCha20-Poly1305)."""
        opts = None if options is None else enc_json(wire(options), "options")
        with self._borrow() as ptr:
            return call_string(lib.toz_credentials_seal, ptr, enc(passphrase, "passphrase"), opts)


__all__ = ["Credentials"]
