"""Registration and the TozStore client."""

from __future__ import annotations

from typing import Any, Callable, List, Mapping, Optional, Sequence, Type, TypeVar, Union

from ._ffi import (
    ProgressTrampoline,
    call,
    call_handle,
    call_json,
    call_string,
    enc,
    enc_int32,
    enc_json,
    lib,
)
from ._managed import _Managed, borrow
from .credentials import Credentials, PathLike, _path
from .types import (
    AuthorizerPolicy,
    BackupEntry,
    ClientInfo,
    IncomingShare,
    Note,
    NoteChallenge,
    NoteOptions,
    NoteOptionsLike,
    NoteRecipient,
    OptionsLike,
    OutgoingShare,
    ProgressStage,
    PublicInfo,
    QueryLike,
    QueryPage,
    QueryRequest,
    Record,
    RecordLike,
    RecipientLike,
    SearchLike,
    SearchPage,
    SearchRequest,
    wire,
)

_T = TypeVar("_T")

#: ``progress(stage, done, total)``: called during a file transfer, on the calling thread, with a
#: :class:`ProgressStage` (an ``int``: a stage newer than this binding arrives as a plain int).
#: Its return value is ignored; raising an exception cancels the transfer (see
#: :meth:`Client.write_file`).
Progress = Callable[[ProgressStage, int, int], None]


def _options(options: OptionsLike) -> Optional[bytes]:
    return None if options is None else enc_json(wire(options), "options")


def _request(request: Any, fields: Mapping[str, Any], cls: Type[Any], what: str) -> bytes:
    if request is not None and fields:
        raise TypeError(f"pass either a {cls.__name__} / dict or keyword fields, not both")
    return enc_json(wire(cls(**fields) if request is None else request), what)


def _recipient(recipient: RecipientLike) -> bytes:
    if isinstance(recipient, PublicInfo):
        recipient = NoteRecipient.from_public_info(recipient)
    return enc_json(wire(recipient), "recipient")


def _note_request(address: str, value: str, what: str, fields: Mapping[str, Any]) -> bytes:
    """The request object of the gated-note calls: the note's address and the fields given."""
    request = {address: value, **{k: v for k, v in fields.items() if v is not None}}
    for key, v in request.items():
        kind = int if key == "expiry_minutes" else str
        if not isinstance(v, kind):
            raise TypeError(f"{key} must be {kind.__name__}, not {type(v).__name__}")
    return enc_json(request, what)


def _stage(code: int) -> Union[ProgressStage, int]:
    try:
        return ProgressStage(code)
    except ValueError:
        return code


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

    def _transfer(
        self, fn: Callable[..., Optional[int]], progress: Optional[Progress], *args: Any
    ) -> Record:
        """A file call: ``fn(client, *args, progress_fn, user_data, record_json_out)``."""
        # If the callable raised, the transfer was cancelled: leaving the block raises its
        # exception rather than the CancelledError that libtoz reported.
        with ProgressTrampoline(progress, _stage) as trampoline:
            return Record.from_json(self._json(fn, *args, trampoline.c_function, None))

    def public_info(self) -> PublicInfo:
        """The non-secret fields of this client's credentials (no request is made); the
        ``client_id`` is "" for an anonymous client. Pass it to another client's
        :meth:`write_note` to address a note to this one."""
        return PublicInfo.from_json(self._json(lib.toz_client_public_info))

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

    # --- notes --------------------------------------------------------------------------------

    def _write_note(
        self,
        fn: Callable[..., Optional[int]],
        data: Mapping[str, str],
        recipient: RecipientLike,
        options: Optional[NoteOptionsLike],
        fields: Mapping[str, Any],
    ) -> Note:
        opts = None
        if options is not None or fields:
            opts = _request(options, fields, NoteOptions, "options")
        return Note.from_json(self._json(fn, enc_json(data, "data"), _recipient(recipient), opts))

    def write_note(
        self,
        data: Mapping[str, str],
        recipient: RecipientLike,
        options: Optional[NoteOptionsLike] = None,
        **fields: Any,
    ) -> Note:
        """Encrypts ``data`` to ``recipient`` (a :class:`NoteRecipient`, the recipient's
        :class:`PublicInfo`, or a dict of the two keys), signs every field and stores the note.
        Options as a :class:`NoteOptions`, a dict, or keywords
        (``write_note(data, bob, id_string="hello", max_views=2)``). Returns the stored note, its
        ``data`` encrypted. A name already taken raises :class:`~toz.ConflictError`."""
        return self._write_note(lib.toz_client_write_note, data, recipient, options, fields)

    def replace_note(
        self,
        data: Mapping[str, str],
        recipient: RecipientLike,
        options: Optional[NoteOptionsLike] = None,
        **fields: Any,
    ) -> Note:
        """Replaces (or creates) this writer's note named ``id_string``, atomically; arguments as
        :meth:`write_note`, which must name the note."""
        return self._write_note(lib.toz_client_replace_note, data, recipient, options, fields)

    def _read_note(
        self, fn: Callable[..., Optional[int]], address: str, value: str, proofs: Mapping[str, Any]
    ) -> Note:
        if all(v is None for v in proofs.values()):
            return Note.from_json(self._json(fn, enc(value, address)))
        # The proofs travel with the note's address in one request object.
        request = _note_request(address, value, "request", proofs)
        return Note.from_json(self._json(lib.toz_client_read_note_with_eacp, request))

    def read_note(
        self,
        note_id: str,
        *,
        tozny_otp: Optional[str] = None,
        email_otp: Optional[str] = None,
        tozid_login_token: Optional[str] = None,
    ) -> Note:
        """Reads a note addressed to this client's keys: ``data`` decrypted, every signature
        verified (:class:`~toz.SignatureError` otherwise). Each read counts against the note's
        views; :class:`~toz.NotFoundError` once they or its time ran out.

        A note with access policies (:attr:`Note.eacp`) also needs their proofs: ``tozny_otp``,
        the one-time password its writer got from :meth:`prime_note`; ``email_otp``, the code
        :meth:`challenge_note` had mailed; ``tozid_login_token`` (Tozny's hosted service only).
        Each works for one read. :class:`~toz.ForbiddenError` when one is missing, wrong,
        expired or used."""
        proofs = {
            "tozny_otp": tozny_otp,
            "email_otp": email_otp,
            "tozid_login_token": tozid_login_token,
        }
        return self._read_note(lib.toz_client_read_note, "note_id", note_id, proofs)

    def read_note_by_name(
        self,
        id_string: str,
        *,
        tozny_otp: Optional[str] = None,
        email_otp: Optional[str] = None,
        tozid_login_token: Optional[str] = None,
    ) -> Note:
        """Reads a note by its name (``id_string``), as :meth:`read_note`."""
        proofs = {
            "tozny_otp": tozny_otp,
            "email_otp": email_otp,
            "tozid_login_token": tozid_login_token,
        }
        return self._read_note(lib.toz_client_read_note_by_name, "id_string", id_string, proofs)

    def prime_note(self, note_id: str, expiry_minutes: int = 0) -> str:
        """For the writer of a note with a ``tozny_otp_eacp``: a new one-time password to hand
        to its reader out of band, who passes it to :meth:`read_note` as ``tozny_otp``. It works
        for one read, for ``expiry_minutes`` (0: the server's default, 60), and replaces any
        earlier one. :class:`~toz.ForbiddenError` for anyone but the writer; an
        :class:`~toz.HttpError` (400) for a note without that policy."""
        with self._borrow() as ptr:
            return call_string(
                lib.toz_client_prime_note,
                ptr,
                enc(note_id, "note_id"),
                enc_int32(expiry_minutes, "expiry_minutes"),
            )

    def challenge_note(
        self,
        note_id: str,
        *,
        template_name: Optional[str] = None,
        expiry_minutes: Optional[int] = None,
    ) -> NoteChallenge:
        """For the recipient (or writer) of a note with an ``email_eacp``: has the server mail a
        one-time code to the policy's address, for :meth:`read_note`'s ``email_otp``. The code is
        valid until ``email_eacp.expires_at`` of the result (``expiry_minutes`` from now, or the
        policy's default), and a new challenge replaces it. An :class:`~toz.HttpError` (400) for
        a note without that policy, :class:`~toz.ForbiddenError` for anyone but its recipient
        and writer, :class:`~toz.ServerError` (502) when the server could not send the mail."""
        fields = {"template_name": template_name, "expiry_minutes": expiry_minutes}
        request = _note_request("note_id", note_id, "request", fields)
        return NoteChallenge.from_json(self._json(lib.toz_client_challenge_note, request))

    def challenge_note_by_name(
        self,
        id_string: str,
        *,
        template_name: Optional[str] = None,
        expiry_minutes: Optional[int] = None,
    ) -> NoteChallenge:
        """As :meth:`challenge_note`, for a note named ``id_string``."""
        fields = {"template_name": template_name, "expiry_minutes": expiry_minutes}
        request = _note_request("id_string", id_string, "request", fields)
        return NoteChallenge.from_json(self._json(lib.toz_client_challenge_note, request))

    def delete_note(self, note_id: str) -> None:
        """Deletes a note this client wrote."""
        self._do(lib.toz_client_delete_note, enc(note_id, "note_id"))

    # --- files --------------------------------------------------------------------------------

    def write_file(
        self,
        record_type: str,
        path: PathLike,
        plain: Optional[Mapping[str, str]] = None,
        progress: Optional[Progress] = None,
    ) -> Record:
        """Encrypts the file at ``path`` (streamed, in constant memory) and stores it as a record
        of ``record_type``; returns the record, with ``meta.file_meta``.

        ``progress(stage, done, total)`` is called on this thread as the work advances: stage
        :attr:`ProgressStage.UPLOADING` (encrypted bytes), preceded by
        :attr:`ProgressStage.ENCRYPTING` (plaintext bytes) unless the upload runs in a single
        pass (toz-server, with ``single_pass_uploads`` on).

        Raising any exception from ``progress`` cancels the upload at once (this is how to
        cancel one): no record is stored and that same exception is raised here, with the
        library's :class:`~toz.CancelledError` as its (suppressed) ``__context__``. Ctrl-C on
        the main thread cancels it the same way, as a KeyboardInterrupt, when there is a
        ``progress`` and Python's default SIGINT handler is in place."""
        return self._transfer(
            lib.toz_client_write_file,
            progress,
            enc(record_type, "record_type"),
            _path(path),
            None if plain is None else enc_json(plain, "plain"),
        )

    def read_file(
        self, record_id: str, destination: PathLike, progress: Optional[Progress] = None
    ) -> Record:
        """Downloads the file record ``record_id`` and decrypts it to ``destination``, which
        appears only once the whole file decrypted and verified: on any failure nothing is left
        there (:class:`~toz.CryptoError` for a tampered or truncated file). ``progress`` as for
        :meth:`write_file`, with stage :attr:`ProgressStage.DOWNLOADING` (encrypted bytes); an
        exception it raises cancels the download the same way, leaving nothing at
        ``destination`` (an existing file there is left as it was)."""
        return self._transfer(
            lib.toz_client_read_file,
            progress,
            enc(record_id, "record_id"),
            _path(destination, "destination"),
        )

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


__all__ = ["Client", "Progress", "register"]
