"""Registration and the TozStore client."""

from __future__ import annotations

from typing import Any, Callable, List, Mapping, Optional, Sequence, Type, TypeVar

from ._ffi import call, call_handle, call_json, enc, enc_json, lib
from ._managed import _Managed, borrow
from .credentials import Credentials
from .types import (
    AuthorizerPolicy,
    BackupEntry,
    ClientInfo,
    IncomingShare,
    OptionsLike,
    OutgoingShare,
    QueryLike,
    QueryPage,
    QueryRequest,
    Record,
    RecordLike,
    SearchLike,
    SearchPage,
    SearchRequest,
    wire,
)

_T = TypeVar("_T")


def _options(options: OptionsLike) -> Optional[bytes]:
    return None if options is None else enc_json(wire(options), "options")


def _request(request: Any, fields: Mapping[str, Any], cls: Type[Any], what: str) -> bytes:
    if request is not None and fields:
        raise TypeError(f"pass either a {cls.__name__} / dict or keyword fields, not both")
    return enc_json(wire(cls(**fields) if request is None else request), what)


def register(
    api_url: str,
    token: str,
    name: str,
    backup: bool = False,
    options: OptionsLike = None,
) -> Credentials:
    """Registers a new client with a registration token; the keys are generated locally.

    With ``backup`` the credentials are also stored as a ``tozny.key_backup`` record shared with
    the account's backup client, which can recover them (:meth:`Client.recover_credentials`).
    """
    return Credentials(
        call_handle(
            lib.toz_register,
            enc(api_url, "api_url"),
            enc(token, "token"),
            enc(name, "name"),
            backup,
            _options(options),
        )
    )


class Client(_Managed):
    """A TozStore client bound to one set of credentials (copied: ``credentials`` may be closed
    afterwards). Safe to share between threads; every call blocks on the network with the GIL
    released."""

    _free = lib.toz_free_client

    def __init__(self, credentials: Credentials, options: OptionsLike = None) -> None:
        opts = _options(options)
        with borrow(credentials, Credentials, "credentials") as cptr:
            ptr = call_handle(lib.toz_client_new, cptr, opts)
        super().__init__(ptr)

    def _json(self, fn: Callable[..., Optional[int]], *args: Any) -> Any:
        with self._borrow() as ptr:
            return call_json(fn, ptr, *args)

    def _do(self, fn: Callable[..., Optional[int]], *args: Any) -> None:
        with self._borrow() as ptr:
            call(fn, ptr, *args)

    def _list(self, fn: Callable[..., Optional[int]], parse: Callable[[Any], _T]) -> List[_T]:
        return [parse(item) for item in self._json(fn)]

    # --- records ------------------------------------------------------------------------------

    def write_record(
        self,
        record_type: str,
        data: Mapping[str, str],
        plain: Optional[Mapping[str, str]] = None,
    ) -> Record:
        """Encrypts and writes a new record; ``plain`` is stored as searchable plaintext."""
        return Record.from_json(
            self._json(
                lib.toz_client_write_record,
                enc(record_type, "record_type"),
                enc_json(data, "data"),
                None if plain is None else enc_json(plain, "plain"),
            )
        )

    def read_record(self, record_id: str, fields: Optional[Sequence[str]] = None) -> Record:
        """Reads and decrypts a record, all fields or only ``fields``."""
        if isinstance(fields, str):
            raise TypeError("fields must be a sequence of field names, not a str")
        return Record.from_json(
            self._json(
                lib.toz_client_read_record,
                enc(record_id, "record_id"),
                None if fields is None else enc_json(list(fields), "fields"),
            )
        )

    def update_record(self, record: RecordLike) -> Record:
        """Writes changed ``data`` / ``meta.plain`` of a record read earlier; raises
        :class:`~toz.ConflictError` if it changed since ``meta.version``."""
        body = record.to_json() if isinstance(record, Record) else record
        return Record.from_json(
            self._json(lib.toz_client_update_record, enc_json(body, "record"))
        )

    def delete_record(self, record_id: str, version: Optional[str] = None) -> None:
        """Deletes a record; with ``version`` only if it has not changed since."""
        self._do(lib.toz_client_delete_record, enc(record_id, "record_id"), enc(version, "version"))

    def query(self, request: Optional[QueryLike] = None, **fields: Any) -> QueryPage:
        """Runs a v1 query given as a :class:`QueryRequest`, a dict of wire fields, or keyword
        fields (``client.query(content_types=["note"], include_data=True)``)."""
        text = _request(request, fields, QueryRequest, "query")
        return QueryPage.from_json(self._json(lib.toz_client_query, text))

    def search(self, request: Optional[SearchLike] = None, **fields: Any) -> SearchPage:
        """Runs a v2 search, given as for :meth:`query` (:class:`SearchRequest` fields)."""
        text = _request(request, fields, SearchRequest, "search")
        return SearchPage.from_json(self._json(lib.toz_client_search, text))

    # --- sharing ------------------------------------------------------------------------------

    def share(self, record_type: str, reader_id: str) -> None:
        self._do(lib.toz_client_share, enc(record_type, "record_type"), enc(reader_id, "reader_id"))

    def revoke(self, record_type: str, reader_id: str) -> None:
        self._do(
            lib.toz_client_revoke, enc(record_type, "record_type"), enc(reader_id, "reader_id")
        )

    def add_authorizer(self, record_type: str, authorizer_id: str) -> None:
        self._do(
            lib.toz_client_add_authorizer,
            enc(record_type, "record_type"),
            enc(authorizer_id, "authorizer_id"),
        )

    def remove_authorizer(self, record_type: str, authorizer_id: str) -> None:
        self._do(
            lib.toz_client_remove_authorizer,
            enc(record_type, "record_type"),
            enc(authorizer_id, "authorizer_id"),
        )

    def share_on_behalf_of(self, writer_id: str, record_type: str, reader_id: str) -> None:
        self._do(
            lib.toz_client_share_on_behalf_of,
            enc(writer_id, "writer_id"),
            enc(record_type, "record_type"),
            enc(reader_id, "reader_id"),
        )

    def revoke_on_behalf_of(self, writer_id: str, record_type: str, reader_id: str) -> None:
        self._do(
            lib.toz_client_revoke_on_behalf_of,
            enc(writer_id, "writer_id"),
            enc(record_type, "record_type"),
            enc(reader_id, "reader_id"),
        )

    def outgoing_shares(self) -> List[OutgoingShare]:
        return self._list(lib.toz_client_outgoing_shares, OutgoingShare.from_json)

    def incoming_shares(self) -> List[IncomingShare]:
        return self._list(lib.toz_client_incoming_shares, IncomingShare.from_json)

    def authorizers(self) -> List[AuthorizerPolicy]:
        """Authorizers this client appointed."""
        return self._list(lib.toz_client_authorizers, AuthorizerPolicy.from_json)

    def granted_authorizations(self) -> List[AuthorizerPolicy]:
        """Writers that appointed this client as their authorizer."""
        return self._list(lib.toz_client_granted_authorizations, AuthorizerPolicy.from_json)

    # --- clients and backups ------------------------------------------------------------------

    def client_info(self, client_id: str) -> ClientInfo:
        return ClientInfo.from_json(self._json(lib.toz_client_info, enc(client_id, "client_id")))

    def list_backups(self) -> List[BackupEntry]:
        """For the account's backup client: the clients backed up to it."""
        return self._list(lib.toz_client_list_backups, BackupEntry.from_json)

    def recover_credentials(self, client_id: str) -> Credentials:
        """For the account's backup client: the full credentials of a backed-up client."""
        with self._borrow() as ptr:
            return Credentials(
                call_handle(lib.toz_client_recover_credentials, ptr, enc(client_id, "client_id"))
            )


__all__ = ["Client", "register"]
