"""Native types for the JSON that crosses the libtoz ABI. Field names follow the wire format."""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Type, TypeVar, Union

_F = TypeVar("_F", bound="_Flat")


def wire(value: Any) -> Any:
    """A request dataclass (or a mapping) as wire JSON: fields left at None are omitted."""
    if isinstance(value, Mapping):
        return dict(value)
    return {
        f.name: _wire_value(getattr(value, f.name))
        for f in dataclasses.fields(value)
        if getattr(value, f.name) is not None
    }


def _wire_value(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return wire(value)
    if isinstance(value, list):
        return [_wire_value(v) for v in value]
    return value


class _Flat:
    """A dataclass whose JSON object has exactly its fields, all plain values."""

    @classmethod
    def from_json(cls: Type[_F], d: Mapping[str, Any]) -> _F:
        return cls(**{f.name: d[f.name] for f in dataclasses.fields(cls)})  # type: ignore[arg-type]


# --- credentials ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicInfo(_Flat):
    """The non-secret fields of credentials (``toz_credentials_public_info``)."""

    version: int
    client_id: str
    api_key_id: str
    client_email: str
    public_key: str
    public_signing_key: str
    api_url: str


@dataclass
class ClientOptions:
    """Client options of ``toz_register`` / ``toz_client_new``; None means the default."""

    timeout_ms: Optional[int] = None
    retries: Optional[int] = None
    ca_bundle: Optional[str] = None
    user_agent: Optional[str] = None
    allow_insecure_http: Optional[bool] = None
    #: Upload files in one pass where the server offers it (toz-server); False always
    #: encrypts to a temporary file first, for the checksum Tozny's protocol announces.
    single_pass_uploads: Optional[bool] = None


@dataclass
class SealOptions:
    """Argon2id limits of ``toz_credentials_seal`` (opslimit >= 1, memlimit >= 8 MiB)."""

    opslimit: int
    memlimit: int


# --- records ----------------------------------------------------------------------------------


@dataclass
class FileMeta:
    """``meta.file_meta`` of a file record (:meth:`Client.write_file`)."""

    checksum: str = ""
    """Standard padded base64 of the MD5 of the encrypted file."""
    compression: str = ""
    size: int = 0
    """Encrypted size in bytes."""
    file_name: Optional[str] = None
    """The name of the file given at upload."""
    file_url: Optional[str] = None
    """Where the server serves the encrypted bytes (only on records read back)."""

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> "FileMeta":
        return cls(
            checksum=d.get("checksum", ""),
            compression=d.get("compression", ""),
            size=d.get("size", 0),
            file_name=d.get("file_name"),
            file_url=d.get("file_url"),
        )


@dataclass
class RecordMeta:
    """A record's server metadata."""

    type: str = ""
    record_id: Optional[str] = None
    writer_id: str = ""
    user_id: str = ""
    plain: Dict[str, str] = field(default_factory=dict)
    created: Optional[str] = None
    last_modified: Optional[str] = None
    version: Optional[str] = None
    file_meta: Optional[FileMeta] = None
    """Only for file records."""

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> "RecordMeta":
        file_meta = d.get("file_meta")
        return cls(
            type=d.get("type", ""),
            record_id=d.get("record_id"),
            writer_id=d.get("writer_id", ""),
            user_id=d.get("user_id", ""),
            plain=dict(d.get("plain") or {}),
            created=d.get("created"),
            last_modified=d.get("last_modified"),
            version=d.get("version"),
            file_meta=None if file_meta is None else FileMeta.from_json(file_meta),
        )


@dataclass
class Record:
    """A record: metadata and plaintext data (``{"meta":{...},"data":{...}}`` in the ABI)."""

    meta: RecordMeta
    data: Dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> "Record":
        return cls(meta=RecordMeta.from_json(d.get("meta") or {}), data=dict(d.get("data") or {}))

    def to_json(self) -> Dict[str, Any]:
        return {"meta": wire(self.meta), "data": dict(self.data)}


@dataclass
class QueryPage:
    """One page of ``query`` results; pass ``last_index`` as ``after_index`` for the next."""

    results: List[Record]
    last_index: int

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> "QueryPage":
        return cls(results=[Record.from_json(r) for r in d["results"]], last_index=d["last_index"])


@dataclass
class SearchPage:
    """One page of ``search`` results; ``last_index`` 0 means no more pages, otherwise send it
    as ``next_token``."""

    results: List[Record]
    last_index: int
    total_results: int

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> "SearchPage":
        return cls(
            results=[Record.from_json(r) for r in d["results"]],
            last_index=d["last_index"],
            total_results=d["total_results"],
        )


@dataclass
class QueryRequest:
    """A v1 query (``toz_client_query``); ``plain`` is an eq/and/or/not filter or flat object."""

    count: Optional[int] = None
    include_data: Optional[bool] = None
    writer_ids: Optional[List[str]] = None
    user_ids: Optional[List[str]] = None
    record_ids: Optional[List[str]] = None
    content_types: Optional[List[str]] = None
    plain: Optional[Any] = None
    after_index: Optional[int] = None
    include_all_writers: Optional[bool] = None


@dataclass
class SearchTerms:
    writer_ids: Optional[List[str]] = None
    user_ids: Optional[List[str]] = None
    record_ids: Optional[List[str]] = None
    content_types: Optional[List[str]] = None
    keys: Optional[List[str]] = None
    values: Optional[List[str]] = None
    tags: Optional[Dict[str, str]] = None
    shared_with: Optional[List[str]] = None


@dataclass
class SearchParams:
    """A ``match`` or ``exclude`` block: condition ("AND"/"OR"), strategy ("EXACT", "FUZZY",
    "WILDCARD", "REGEXP") and terms."""

    terms: SearchTerms = field(default_factory=SearchTerms)
    condition: Optional[str] = None
    strategy: Optional[str] = None


@dataclass
class SearchRange:
    range_key: Optional[str] = None
    after: Optional[str] = None
    before: Optional[str] = None


@dataclass
class SearchOrder:
    sort_order: Optional[str] = None


@dataclass
class SearchRequest:
    """A v2 search (``toz_client_search``)."""

    limit: Optional[int] = None
    next_token: Optional[Any] = None
    include_all_writers: Optional[bool] = None
    include_data: Optional[bool] = None
    match: Optional[List[SearchParams]] = None
    exclude: Optional[List[SearchParams]] = None
    range: Optional[SearchRange] = None
    order: Optional[SearchOrder] = None


# --- clients and sharing ----------------------------------------------------------------------


@dataclass(frozen=True)
class PublicKey:
    curve25519: str


@dataclass(frozen=True)
class SigningKey:
    ed25519: Optional[str]


@dataclass(frozen=True)
class ClientInfo:
    """Public information about a client (``toz_client_info``)."""

    client_id: str
    public_key: PublicKey
    signing_key: Optional[SigningKey]
    validated: bool

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> "ClientInfo":
        signing = d.get("signing_key")
        return cls(
            client_id=d["client_id"],
            public_key=PublicKey(d["public_key"]["curve25519"]),
            signing_key=None if signing is None else SigningKey(signing.get("ed25519")),
            validated=d["validated"],
        )


@dataclass(frozen=True)
class OutgoingShare(_Flat):
    reader_id: str
    reader_name: str
    record_type: str


@dataclass(frozen=True)
class IncomingShare(_Flat):
    writer_id: str
    writer_name: str
    record_type: str


@dataclass(frozen=True)
class AuthorizerPolicy(_Flat):
    authorizer_id: str
    writer_id: str
    user_id: str
    record_type: str
    authorized_by: str


@dataclass(frozen=True)
class BackupEntry(_Flat):
    """A client whose credentials are backed up to the account's backup client."""

    client_id: str
    record_id: str
    created: str


# --- notes and files -------------------------------------------------------------------------


@dataclass(frozen=True)
class NoteRecipient:
    """Who a note is for: the recipient's public keys (``public_key`` and ``public_signing_key``
    of its :class:`PublicInfo`, which :meth:`Client.write_note` also takes directly)."""

    public_key: str
    """Curve25519 public key (base64url); the note is encrypted to it."""
    public_signing_key: str
    """Ed25519 public key (base64url); only its holder may read the note."""

    @classmethod
    def from_public_info(cls, info: PublicInfo) -> "NoteRecipient":
        return cls(public_key=info.public_key, public_signing_key=info.public_signing_key)


@dataclass
class ToznyOtpEacp:
    """``tozny_otp_eacp``: the note's writer gets a one-time password from the server
    (:meth:`Client.prime_note`) and hands it to the reader, who must present it to read."""

    include: bool = True


@dataclass
class EmailEacp:
    """``email_eacp``: the server mails a one-time code to ``email_address`` when the recipient
    (or writer) asks for it (:meth:`Client.challenge_note`); the reader must present it."""

    email_address: str
    template: Optional[str] = None
    """The mail template's name (the server's default when None)."""
    provider_link: Optional[str] = None
    """A link the mail may offer to the reader."""
    template_fields: Optional[Dict[str, str]] = None
    """Extra values for the template."""
    default_expiration_minutes: Optional[int] = None
    """How long a mailed code stays valid (the server's default when None)."""

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> "EmailEacp":
        fields = d.get("template_fields")
        return cls(
            email_address=d.get("email_address", ""),
            template=d.get("template"),
            provider_link=d.get("provider_link"),
            template_fields=None if fields is None else dict(fields),
            default_expiration_minutes=d.get("default_expiration_minutes"),
        )


@dataclass
class Eacp:
    """A note's access policies (``eacp``): proofs a reader must present beyond its keys
    (:meth:`Client.read_note` with ``tozny_otp`` / ``email_otp``). None means no such policy."""

    tozny_otp_eacp: Optional[ToznyOtpEacp] = None
    email_eacp: Optional[EmailEacp] = None

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> "Eacp":
        otp, email = d.get("tozny_otp_eacp"), d.get("email_eacp")
        return cls(
            tozny_otp_eacp=None if otp is None else ToznyOtpEacp(otp.get("include", False)),
            email_eacp=None if email is None else EmailEacp.from_json(email),
        )


@dataclass
class NoteOptions:
    """Options of :meth:`Client.write_note` / :meth:`Client.replace_note`; None means unset.

    Anonymous writers cannot name a note and get the server's default limits."""

    id_string: Optional[str] = None
    """A globally unique name to read the note by (required by ``replace_note``)."""
    max_views: Optional[int] = None
    """How many reads are allowed (None or -1: unlimited)."""
    expiration: Optional[str] = None
    """RFC 3339 time after which the note is gone."""
    type: Optional[str] = None
    plain: Optional[Dict[str, str]] = None
    """Plaintext metadata."""
    eacp: Optional[Eacp] = None
    """Access policies: proofs the reader must present (one-time password, mailed code)."""


@dataclass
class Note:
    """A note as the server stores it (``toz_client_write_note``: ``data`` encrypted) or as read
    (``toz_client_read_note``: ``data`` decrypted and every signature verified)."""

    recipient_signing_key: str
    writer_signing_key: str
    writer_encryption_key: str
    encrypted_access_key: str
    note_id: Optional[str] = None
    id_string: str = ""
    client_id: Optional[str] = None
    """The writer's client id; "" or None for an anonymous writer."""
    mode: str = ""
    type: str = ""
    data: Dict[str, str] = field(default_factory=dict)
    plain: Dict[str, str] = field(default_factory=dict)
    file_meta: Optional[Any] = None
    signature: str = ""
    max_views: int = -1
    views: int = 0
    expiration: Optional[str] = None
    expires: bool = False
    eacp: Optional[Eacp] = None
    """The note's access policies; None when it has none."""
    created_at: Optional[str] = None

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> "Note":
        return cls(
            recipient_signing_key=d["recipient_signing_key"],
            writer_signing_key=d["writer_signing_key"],
            writer_encryption_key=d["writer_encryption_key"],
            encrypted_access_key=d["encrypted_access_key"],
            note_id=d.get("note_id"),
            id_string=d.get("id_string") or "",
            client_id=d.get("client_id"),
            mode=d.get("mode") or "",
            type=d.get("type") or "",
            data=dict(d.get("data") or {}),
            plain=dict(d.get("plain") or {}),
            file_meta=d.get("file_meta"),
            signature=d.get("signature") or "",
            max_views=d.get("max_views", -1),
            views=d.get("views", 0),
            expiration=d.get("expiration"),
            expires=d.get("expires", False),
            eacp=None if d.get("eacp") is None else Eacp.from_json(d["eacp"]),
            created_at=d.get("created_at"),
        )


@dataclass(frozen=True)
class EmailChallenge:
    """The ``email_eacp`` part of a :class:`NoteChallenge`."""

    expires_at: str
    """RFC 3339 time after which the mailed code no longer works."""
    template_name: str = ""
    """The template the mail was made from."""


@dataclass(frozen=True)
class NoteChallenge:
    """What :meth:`Client.challenge_note` started: a code mailed to the note's ``email_eacp``
    address."""

    email_eacp: Optional[EmailChallenge] = None

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> "NoteChallenge":
        email = d.get("email_eacp")
        if email is None:
            return cls()
        return cls(
            EmailChallenge(
                expires_at=email.get("expires_at", ""),
                template_name=email.get("template_name") or "",
            )
        )


class ProgressStage(enum.IntEnum):
    """What a file-transfer progress report is about (the ``stage`` of ``toz_progress_fn``).

    The progress callable may raise any exception to cancel the transfer: it stops at once,
    stores nothing, and the exception is raised by the transfer call (see
    :meth:`toz.Client.write_file`)."""

    ENCRYPTING = 1
    """Encrypting the local file before a checksum-first upload; ``done`` / ``total`` are
    plaintext bytes. A single-pass upload (toz-server) reports UPLOADING only."""
    UPLOADING = 2
    """Uploading the encrypted file; ``done`` / ``total`` are encrypted bytes."""
    DOWNLOADING = 3
    """Downloading and decrypting; ``done`` / ``total`` are encrypted bytes."""


OptionsLike = Union[ClientOptions, Mapping[str, Any], None]
QueryLike = Union[QueryRequest, Mapping[str, Any]]
SearchLike = Union[SearchRequest, Mapping[str, Any]]
RecordLike = Union[Record, Mapping[str, Any]]
RecipientLike = Union[NoteRecipient, PublicInfo, Mapping[str, str]]
NoteOptionsLike = Union[NoteOptions, Mapping[str, Any]]
