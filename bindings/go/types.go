package toz

import "encoding/json"

// The JSON shapes that cross the ABI, with the wire format's field names.

// Options configure the HTTP side of [Register] and [NewClient]. The zero value (or nil) takes
// the library's defaults.
type Options struct {
	// TimeoutMS is the whole-request timeout in milliseconds; 0 takes the default (30000). A
	// file transfer instead fails when it makes no progress for that long.
	TimeoutMS uint64 `json:"timeout_ms,omitempty"`
	// Retries is the number of extra attempts of idempotent requests after a network error, 429
	// or 502/503/504; nil takes the default (2).
	Retries *uint32 `json:"retries,omitempty"`
	// CABundle is a PEM file of CA certificates to trust instead of the built-in web roots.
	CABundle string `json:"ca_bundle,omitempty"`
	// UserAgent is the User-Agent header.
	UserAgent string `json:"user_agent,omitempty"`
	// AllowInsecureHTTP allows plain http to hosts other than loopback.
	AllowInsecureHTTP bool `json:"allow_insecure_http,omitempty"`
	// SinglePassUploads uploads files in one pass where the server offers it (toz-server); nil
	// takes the default (true). False always encrypts to a temporary file first, for the
	// checksum Tozny's protocol announces before the upload.
	SinglePassUploads *bool `json:"single_pass_uploads,omitempty"`
}

// Meta is a record's metadata. The server assigns RecordID, Created, LastModified and Version.
type Meta struct {
	RecordID     string            `json:"record_id,omitempty"`
	WriterID     string            `json:"writer_id"`
	UserID       string            `json:"user_id"`
	Type         string            `json:"type"`
	Plain        map[string]string `json:"plain"`
	Created      string            `json:"created,omitempty"`
	LastModified string            `json:"last_modified,omitempty"`
	Version      string            `json:"version,omitempty"`
	FileMeta     *FileMeta         `json:"file_meta,omitempty"` // only for file records
}

// FileMeta is the file_meta of a file record ([Client.WriteFile]).
type FileMeta struct {
	// FileURL is where the server serves the encrypted bytes (on records read back).
	FileURL string `json:"file_url,omitempty"`
	// FileName is the name of the file given at upload.
	FileName string `json:"file_name,omitempty"`
	// Checksum is the standard padded base64 of the MD5 of the encrypted file.
	Checksum    string `json:"checksum"`
	Compression string `json:"compression"` // "raw"
	// Size is the encrypted size in bytes.
	Size uint64 `json:"size"`
}

// Record is a record with its plaintext data.
type Record struct {
	Meta Meta              `json:"meta"`
	Data map[string]string `json:"data,omitempty"`
}

// QueryRequest is a v1 query (spec §6.1). Zero fields are left out and take the server's
// defaults.
type QueryRequest struct {
	Count        int64    `json:"count,omitempty"`
	IncludeData  bool     `json:"include_data,omitempty"`
	WriterIDs    []string `json:"writer_ids,omitempty"`
	UserIDs      []string `json:"user_ids,omitempty"`
	RecordIDs    []string `json:"record_ids,omitempty"`
	ContentTypes []string `json:"content_types,omitempty"`
	// Plain filters on plain metadata: a *PlainFilter, or a map[string]string of equalities that
	// must all hold.
	Plain             any   `json:"plain,omitempty"`
	AfterIndex        int64 `json:"after_index,omitempty"`
	IncludeAllWriters bool  `json:"include_all_writers,omitempty"`
}

// PlainFilter is a structured plain-metadata filter; set exactly one field.
type PlainFilter struct {
	Eq  *PlainEq      `json:"eq,omitempty"`
	And []PlainFilter `json:"and,omitempty"`
	Or  []PlainFilter `json:"or,omitempty"`
	Not *PlainFilter  `json:"not,omitempty"`
}

// PlainEq matches records whose plain metadata Name equals Value.
type PlainEq struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// QueryPage is one page of query results; pass LastIndex as AfterIndex for the next one.
type QueryPage struct {
	Results   []Record `json:"results"`
	LastIndex int64    `json:"last_index"`
}

// SearchRequest is a v2 search (spec §6.2).
type SearchRequest struct {
	Limit             int64          `json:"limit,omitempty"`
	NextToken         int64          `json:"next_token,omitempty"`
	IncludeAllWriters bool           `json:"include_all_writers,omitempty"`
	IncludeData       bool           `json:"include_data,omitempty"`
	Match             []SearchParams `json:"match,omitempty"`
	Exclude           []SearchParams `json:"exclude,omitempty"`
	Range             *SearchRange   `json:"range,omitempty"`
	Order             *SearchOrder   `json:"order,omitempty"`
}

// SearchParams is one match or exclude block.
type SearchParams struct {
	Condition string      `json:"condition,omitempty"` // "OR" (default) or "AND"
	Strategy  string      `json:"strategy,omitempty"`  // "EXACT" (default), "FUZZY", "WILDCARD", "REGEXP"
	Terms     SearchTerms `json:"terms"`
}

// SearchTerms are the terms of one search block.
type SearchTerms struct {
	WriterIDs    []string          `json:"writer_ids,omitempty"`
	UserIDs      []string          `json:"user_ids,omitempty"`
	RecordIDs    []string          `json:"record_ids,omitempty"`
	ContentTypes []string          `json:"content_types,omitempty"`
	Keys         []string          `json:"keys,omitempty"`
	Values       []string          `json:"values,omitempty"`
	Tags         map[string]string `json:"tags,omitempty"`
	SharedWith   []string          `json:"shared_with,omitempty"`
}

// SearchRange limits results to a time range.
type SearchRange struct {
	RangeKey string `json:"range_key,omitempty"` // "CREATED" (default) or "MODIFIED"
	After    string `json:"after,omitempty"`     // RFC 3339, exclusive
	Before   string `json:"before,omitempty"`    // RFC 3339, exclusive
}

// SearchOrder orders results.
type SearchOrder struct {
	SortOrder string `json:"sort_order,omitempty"` // "ASCENDING" (default) or "DESCENDING"
}

// SearchPage is one page of search results; LastIndex 0 means the last page, otherwise pass it
// as NextToken.
type SearchPage struct {
	Results      []Record `json:"results"`
	LastIndex    int64    `json:"last_index"`
	TotalResults int64    `json:"total_results"`
}

// OutgoingShare is a reader this client shares a record type with.
type OutgoingShare struct {
	ReaderID   string `json:"reader_id"`
	ReaderName string `json:"reader_name"`
	RecordType string `json:"record_type"`
}

// IncomingShare is a writer sharing a record type with this client.
type IncomingShare struct {
	WriterID   string `json:"writer_id"`
	WriterName string `json:"writer_name"`
	RecordType string `json:"record_type"`
}

// Authorization is an authorizer appointment: AuthorizerID may share WriterID's RecordType.
type Authorization struct {
	AuthorizerID string `json:"authorizer_id"`
	WriterID     string `json:"writer_id"`
	UserID       string `json:"user_id"`
	RecordType   string `json:"record_type"`
	AuthorizedBy string `json:"authorized_by"`
}

// BackupEntry is a client whose credentials are backed up to the account's backup client.
type BackupEntry struct {
	ClientID string `json:"client_id"`
	RecordID string `json:"record_id"`
	Created  string `json:"created"`
}

// ClientInfo is the public information about a client.
type ClientInfo struct {
	ClientID   string      `json:"client_id"`
	PublicKey  PublicKey   `json:"public_key"`
	SigningKey *SigningKey `json:"signing_key"` // nil when the client has none
	Validated  bool        `json:"validated"`
}

// PublicKey is a client's Curve25519 public key (base64url).
type PublicKey struct {
	Curve25519 string `json:"curve25519"`
}

// SigningKey is a client's Ed25519 public signing key (base64url).
type SigningKey struct {
	Ed25519 string `json:"ed25519,omitempty"`
}

// NoteRecipient is who a note is for: the recipient's public keys (base64url), as in its
// [PublicInfo] ([PublicInfo.NoteRecipient]).
type NoteRecipient struct {
	PublicKey        string `json:"public_key"`         // Curve25519: the note is encrypted to it
	PublicSigningKey string `json:"public_signing_key"` // Ed25519: only its holder may read the note
}

// NoteOptions are the options of a new note; zero fields are left out. An anonymous writer
// cannot name a note and gets the server's default limits.
type NoteOptions struct {
	// IDString is a globally unique name to read the note by ([Client.ReadNoteByName]); it is
	// required by [Client.ReplaceNote].
	IDString string `json:"id_string,omitempty"`
	// MaxViews is how many reads are allowed; 0 leaves it out, and that and -1 mean unlimited.
	MaxViews int64 `json:"max_views,omitempty"`
	// Expiration is the RFC 3339 time after which the note is gone.
	Expiration string            `json:"expiration,omitempty"`
	Type       string            `json:"type,omitempty"`
	Plain      map[string]string `json:"plain,omitempty"` // plaintext metadata
	// EACP are access policies: proofs the reader must present beyond its keys
	// ([Client.ReadNoteWithEACP]).
	EACP *EACP `json:"eacp,omitempty"`
}

// EACP are a note's access policies ("extended access control policies"); nil fields are
// policies the note does not have.
type EACP struct {
	ToznyOTPEACP *ToznyOTPEACP `json:"tozny_otp_eacp,omitempty"`
	EmailEACP    *EmailEACP    `json:"email_eacp,omitempty"`
}

// ToznyOTPEACP makes the reader present a one-time password that the note's writer gets from
// [Client.PrimeNote] and hands over out of band.
type ToznyOTPEACP struct {
	Include bool `json:"include"` // true to apply the policy
}

// EmailEACP makes the reader present a one-time code that the server mails to EmailAddress when
// the recipient (or writer) calls [Client.ChallengeNote]. Zero fields are left out and take the
// server's defaults.
type EmailEACP struct {
	EmailAddress   string            `json:"email_address"`
	Template       string            `json:"template,omitempty"`        // the mail template's name
	ProviderLink   string            `json:"provider_link,omitempty"`   // a link the mail may offer the reader
	TemplateFields map[string]string `json:"template_fields,omitempty"` // extra values for the template
	// DefaultExpirationMinutes is how long a mailed code stays valid.
	DefaultExpirationMinutes int64 `json:"default_expiration_minutes,omitempty"`
}

// NoteReadRequest addresses a note to [Client.ReadNoteWithEACP] by NoteID or by IDString
// (exactly one), with the proofs its access policies need. Empty fields are left out.
type NoteReadRequest struct {
	NoteID   string `json:"note_id,omitempty"`
	IDString string `json:"id_string,omitempty"`
	// ToznyOTP is the one-time password the writer got from [Client.PrimeNote].
	ToznyOTP string `json:"tozny_otp,omitempty"`
	// EmailOTP is the code [Client.ChallengeNote] had mailed.
	EmailOTP string `json:"email_otp,omitempty"`
	// TozIDLoginToken is sent as the X-TOZID-LOGIN-TOKEN header (Tozny's hosted service only).
	TozIDLoginToken string `json:"tozid_login_token,omitempty"`
}

// NoteChallengeRequest addresses a note to [Client.ChallengeNote] by NoteID or by IDString
// (exactly one). Zero fields are left out and take the defaults.
type NoteChallengeRequest struct {
	NoteID       string `json:"note_id,omitempty"`
	IDString     string `json:"id_string,omitempty"`
	TemplateName string `json:"template_name,omitempty"`
	// ExpiryMinutes is how long the mailed code stays valid.
	ExpiryMinutes int64 `json:"expiry_minutes,omitempty"`
}

// NoteChallenge is what [Client.ChallengeNote] started: a code mailed to the note's EmailEACP
// address.
type NoteChallenge struct {
	EmailEACP *EmailChallenge `json:"email_eacp,omitempty"`
}

// EmailChallenge is the mailed code's side of a [NoteChallenge].
type EmailChallenge struct {
	ExpiresAt    string `json:"expires_at"` // RFC 3339: the code no longer works after it
	TemplateName string `json:"template_name,omitempty"`
}

// Note is a note as stored ([Client.WriteNote]: Data encrypted) or as read ([Client.ReadNote]:
// Data decrypted and every signature verified).
type Note struct {
	NoteID   string `json:"note_id,omitempty"`
	IDString string `json:"id_string"`
	// ClientID is the writer's client id; "" for an anonymous writer.
	ClientID            string            `json:"client_id,omitempty"`
	Mode                string            `json:"mode"`
	RecipientSigningKey string            `json:"recipient_signing_key"`
	WriterSigningKey    string            `json:"writer_signing_key"`
	WriterEncryptionKey string            `json:"writer_encryption_key"`
	EncryptedAccessKey  string            `json:"encrypted_access_key"`
	Type                string            `json:"type"`
	Data                map[string]string `json:"data"`
	Plain               map[string]string `json:"plain"`
	FileMeta            json.RawMessage   `json:"file_meta,omitempty"`
	Signature           string            `json:"signature"`
	MaxViews            int64             `json:"max_views"` // -1: unlimited
	Views               int64             `json:"views"`
	Expiration          string            `json:"expiration,omitempty"`
	Expires             bool              `json:"expires"` // whether Expiration applies
	EACP                *EACP             `json:"eacp,omitempty"`
	CreatedAt           string            `json:"created_at,omitempty"`
}
