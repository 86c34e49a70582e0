package toz_test

import (
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"

	toz "github.com/toz-dev/toz/bindings/go"
)

// nowhere is a loopback port nobody listens on.
const nowhere = "http://127.0.0.1:1"

// anonymousClient is a client of fresh unregistered credentials at nowhere.
func anonymousClient(t *testing.T) (*toz.Client, *toz.PublicInfo) {
	t.Helper()
	creds := must(toz.GenerateCredentials(nowhere))(t)
	defer creds.Close()
	noRetries := uint32(0)
	c := must(toz.NewClient(creds, &toz.Options{Retries: &noRetries, TimeoutMS: 3000}))(t)
	t.Cleanup(func() { c.Close() })
	return c, must(creds.PublicInfo())(t)
}

func someRecipient(t *testing.T) toz.NoteRecipient {
	t.Helper()
	creds := must(toz.GenerateCredentials(""))(t)
	defer creds.Close()
	return must(creds.PublicInfo())(t).NoteRecipient()
}

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}

// An anonymous client is refused everything but notes, before any request is made (a request
// to nowhere would fail with ErrNetwork instead).
func TestAnonymousClientWithoutServer(t *testing.T) {
	c, info := anonymousClient(t)
	if got := must(c.PublicInfo())(t); *got != *info || got.ClientID != "" {
		t.Fatalf("PublicInfo = %+v, want %+v", got, info)
	}
	_, err := c.WriteRecord("t", map[string]string{"a": "b"}, nil)
	if te := wantKind(t, err, toz.ErrInvalidArgument); !strings.Contains(te.Message, "unregistered") {
		t.Fatalf("WriteRecord: %v", te)
	}
	wantKind(t, c.Share("t", unknownID), toz.ErrInvalidArgument)

	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	os.WriteFile(src, []byte("hello"), 0o600)
	calls := 0
	count := func(toz.ProgressStage, uint64, uint64) error { calls++; return nil }
	_, err = c.WriteFile("t", src, nil, count)
	wantKind(t, err, toz.ErrInvalidArgument)
	_, err = c.ReadFile(unknownID, filepath.Join(dir, "dst"), count)
	wantKind(t, err, toz.ErrInvalidArgument)
	if calls != 0 || !reflect.DeepEqual(dirNames(t, dir), []string{"src"}) {
		t.Fatalf("progress called %d times, directory %v", calls, dirNames(t, dir))
	}

	// Notes are attempted: the request reaches the network.
	_, err = c.WriteNote(map[string]string{"a": "b"}, someRecipient(t), nil)
	wantKind(t, err, toz.ErrNetwork)
	_, err = c.ReadNote(unknownID)
	wantKind(t, err, toz.ErrNetwork)
}

func TestNoteArgumentsWithoutServer(t *testing.T) {
	c, _ := anonymousClient(t)
	to := someRecipient(t)
	data := map[string]string{"a": "b"}
	_, err := c.WriteNote(data, to, &toz.NoteOptions{MaxViews: 2, Type: "t", Plain: map[string]string{"p": "q"}})
	wantKind(t, err, toz.ErrNetwork)
	_, err = c.WriteNote(data, toz.NoteRecipient{PublicKey: to.PublicKey}, nil)
	wantKind(t, err, toz.ErrInvalidArgument) // an empty signing key is not a key
	_, err = c.WriteNote(data, toz.NoteRecipient{PublicKey: "not-a-key", PublicSigningKey: to.PublicSigningKey}, nil)
	if te := wantKind(t, err, toz.ErrInvalidArgument); !strings.Contains(te.Message, "public_key") {
		t.Fatalf("bad public key: %v", te)
	}
	_, err = c.WriteNote(nil, to, nil)
	wantKind(t, err, toz.ErrJSON)
	_, err = c.WriteNote(map[string]string{"a": "\xff"}, to, nil)
	wantKind(t, err, toz.ErrInvalidUTF8)
	_, err = c.ReplaceNote(data, to, nil)
	if te := wantKind(t, err, toz.ErrInvalidArgument); !strings.Contains(te.Message, "id_string") {
		t.Fatalf("unnamed replace: %v", te)
	}
	_, err = c.ReplaceNote(data, to, &toz.NoteOptions{MaxViews: 1})
	wantKind(t, err, toz.ErrInvalidArgument)
	_, err = c.ReplaceNote(data, to, &toz.NoteOptions{IDString: "go-name"})
	wantKind(t, err, toz.ErrNetwork)
	_, err = c.ReadNote("a\x00b")
	wantKind(t, err, toz.ErrInvalidArgument)
	_, err = c.ReadNoteByName("\xff")
	wantKind(t, err, toz.ErrInvalidUTF8)
	wantKind(t, c.DeleteNote("\xff"), toz.ErrInvalidUTF8)
	wantKind(t, c.DeleteNote(unknownID), toz.ErrNetwork)
}

func TestNotePolicyArgumentsWithoutServer(t *testing.T) {
	c, _ := anonymousClient(t)
	policy := &toz.EACP{ToznyOTPEACP: &toz.ToznyOTPEACP{Include: true}, EmailEACP: &toz.EmailEACP{EmailAddress: "a@b.example"}}
	_, err := c.WriteNote(map[string]string{"a": "b"}, someRecipient(t), &toz.NoteOptions{EACP: policy})
	wantKind(t, err, toz.ErrNetwork)
	// Well-formed requests are attempted: they reach the network.
	for _, req := range []toz.NoteReadRequest{
		{NoteID: unknownID, ToznyOTP: "otp", EmailOTP: "code"},
		{IDString: "go-name", EmailOTP: "code"},
		{NoteID: unknownID, TozIDLoginToken: "token"},
		{NoteID: unknownID}, // no proof: as ReadNote
	} {
		_, err = c.ReadNoteWithEACP(req)
		wantKind(t, err, toz.ErrNetwork)
	}
	_, err = c.PrimeNote(unknownID, 30)
	wantKind(t, err, toz.ErrNetwork)
	_, err = c.ChallengeNote(toz.NoteChallengeRequest{NoteID: unknownID, TemplateName: "t", ExpiryMinutes: 5})
	wantKind(t, err, toz.ErrNetwork)
	_, err = c.ChallengeNote(toz.NoteChallengeRequest{IDString: "go-name"})
	wantKind(t, err, toz.ErrNetwork)

	// The note is addressed by exactly one of NoteID and IDString.
	_, err = c.ReadNoteWithEACP(toz.NoteReadRequest{ToznyOTP: "otp"})
	wantKind(t, err, toz.ErrInvalidArgument)
	_, err = c.ReadNoteWithEACP(toz.NoteReadRequest{NoteID: unknownID, IDString: "go-name"})
	wantKind(t, err, toz.ErrInvalidArgument)
	_, err = c.ChallengeNote(toz.NoteChallengeRequest{})
	wantKind(t, err, toz.ErrInvalidArgument)
	_, err = c.ChallengeNote(toz.NoteChallengeRequest{NoteID: unknownID, IDString: "go-name"})
	wantKind(t, err, toz.ErrInvalidArgument)

	_, err = c.PrimeNote("\xff", 0)
	wantKind(t, err, toz.ErrInvalidUTF8)
	_, err = c.PrimeNote("a\x00b", 0)
	wantKind(t, err, toz.ErrInvalidArgument)
	if strconv.IntSize == 64 { // an int beyond int32_t is refused, not wrapped around
		tooMany := int64(math.MaxInt32) + 1
		_, err = c.PrimeNote(unknownID, int(tooMany))
		if te := wantKind(t, err, toz.ErrInvalidArgument); !strings.Contains(te.Message, "32 bits") {
			t.Fatalf("expiry beyond int32: %v", te)
		}
	}

	// A zero-value Client crosses as NULL.
	var zero toz.Client
	_, err = zero.ReadNoteWithEACP(toz.NoteReadRequest{NoteID: unknownID, ToznyOTP: "otp"})
	wantKind(t, err, toz.ErrNullArgument)
	_, err = zero.PrimeNote(unknownID, 0)
	wantKind(t, err, toz.ErrNullArgument)
	_, err = zero.ChallengeNote(toz.NoteChallengeRequest{NoteID: unknownID})
	wantKind(t, err, toz.ErrNullArgument)
}

func TestFileArgumentsWithoutServer(t *testing.T) {
	c, _ := anonymousClient(t)
	dir := t.TempDir()
	_, err := c.WriteFile("t", filepath.Join(dir, "missing"), nil, nil)
	if te := wantKind(t, err, toz.ErrNotFound); !strings.Contains(te.Message, "file to upload") {
		t.Fatalf("missing file: %v", te)
	}
	src := filepath.Join(dir, "src")
	os.WriteFile(src, []byte("x"), 0o600)
	_, err = c.WriteFile("t", src+"\x00", nil, nil)
	wantKind(t, err, toz.ErrInvalidArgument)
	_, err = c.WriteFile("\xff", src, nil, nil)
	wantKind(t, err, toz.ErrInvalidUTF8)
	_, err = c.ReadFile(unknownID, filepath.Join(dir, "\xff"), nil)
	wantKind(t, err, toz.ErrInvalidUTF8)
	if names := dirNames(t, dir); !reflect.DeepEqual(names, []string{"src"}) {
		t.Fatalf("directory after failed calls: %v", names)
	}
}

func TestNotesAndFilesAfterClose(t *testing.T) {
	c, _ := anonymousClient(t)
	to := someRecipient(t)
	c.Close()
	calls := map[string]func() error{
		"PublicInfo":     func() error { _, err := c.PublicInfo(); return err },
		"WriteNote":      func() error { _, err := c.WriteNote(map[string]string{"a": "b"}, to, nil); return err },
		"ReplaceNote":    func() error { _, err := c.ReplaceNote(map[string]string{"a": "b"}, to, nil); return err },
		"ReadNote":       func() error { _, err := c.ReadNote("n"); return err },
		"ReadNoteByName": func() error { _, err := c.ReadNoteByName("n"); return err },
		"DeleteNote":     func() error { return c.DeleteNote("n") },
		"ReadNoteWithEACP": func() error {
			_, err := c.ReadNoteWithEACP(toz.NoteReadRequest{NoteID: "n", ToznyOTP: "otp"})
			return err
		},
		"PrimeNote":     func() error { _, err := c.PrimeNote("n", 0); return err },
		"ChallengeNote": func() error { _, err := c.ChallengeNote(toz.NoteChallengeRequest{NoteID: "n"}); return err },
		"WriteFile": func() error {
			_, err := c.WriteFile("t", "p", nil, func(toz.ProgressStage, uint64, uint64) error { return nil })
			return err
		},
		"ReadFile": func() error { _, err := c.ReadFile("r", "p", nil); return err },
	}
	for name, call := range calls {
		if err := call(); !errors.Is(err, toz.ErrClosed) {
			t.Errorf("%s after Close: %v", name, err)
		}
	}
}

func TestProgressStagesAndPanicError(t *testing.T) {
	for stage, name := range map[toz.ProgressStage]string{1: "ENCRYPTING", 2: "UPLOADING", 3: "DOWNLOADING", 9: "STAGE(9)"} {
		if stage.String() != name {
			t.Errorf("%d.String() = %q, want %q", uint32(stage), stage.String(), name)
		}
	}
	if toz.StageEncrypting != 1 || toz.StageUploading != 2 || toz.StageDownloading != 3 {
		t.Fatal("stage numbers differ from toz_progress_fn's")
	}
	cause := errors.New("disk full")
	callErr := &toz.Error{Kind: toz.ErrCancelled, Message: "broken"} // what a panic leads to
	e := error(&toz.ProgressPanicError{Value: cause, Err: callErr})
	if !errors.Is(e, cause) || !errors.Is(e, toz.ErrCancelled) || errors.Is(e, toz.ErrCrypto) {
		t.Fatalf("ProgressPanicError does not unwrap to its panic and call errors: %v", e)
	}
	if msg := e.Error(); !strings.Contains(msg, "disk full") || !strings.Contains(msg, "broken") {
		t.Fatalf("message %q", msg)
	}
	if msg := (&toz.ProgressPanicError{Value: "boom"}).Error(); msg != "toz: the progress function panicked: boom" {
		t.Fatalf("message %q", msg)
	}
}

func TestFileMetaAndNoteJSON(t *testing.T) {
	var rec toz.Record
	text := `{"meta":{"record_id":"r","writer_id":"w","user_id":"w","type":"t","plain":{},"file_meta":{"file_url":"http://x/f","file_name":"a.bin","checksum":"c==","compression":"raw","size":42}},"data":{}}`
	if err := json.Unmarshal([]byte(text), &rec); err != nil {
		t.Fatal(err)
	}
	want := toz.FileMeta{FileURL: "http://x/f", FileName: "a.bin", Checksum: "c==", Compression: "raw", Size: 42}
	if rec.Meta.FileMeta == nil || *rec.Meta.FileMeta != want {
		t.Fatalf("file_meta = %+v", rec.Meta.FileMeta)
	}
	var plain toz.Record
	json.Unmarshal([]byte(`{"meta":{"type":"t"},"data":{"a":"b"}}`), &plain)
	if plain.Meta.FileMeta != nil || strings.Contains(jsonMarshal(t, plain), "file_meta") {
		t.Fatalf("an ordinary record got file_meta: %+v", plain.Meta)
	}
	opts := jsonMarshal(t, toz.NoteOptions{IDString: "n", MaxViews: 2})
	if opts != `{"id_string":"n","max_views":2}` {
		t.Fatalf("NoteOptions JSON = %s", opts)
	}
	if got := jsonMarshal(t, toz.NoteRecipient{PublicKey: "p", PublicSigningKey: "s"}); got != `{"public_key":"p","public_signing_key":"s"}` {
		t.Fatalf("NoteRecipient JSON = %s", got)
	}
}

func TestNotePolicyJSON(t *testing.T) {
	opts := toz.NoteOptions{IDString: "n", EACP: &toz.EACP{
		ToznyOTPEACP: &toz.ToznyOTPEACP{Include: true},
		EmailEACP:    &toz.EmailEACP{EmailAddress: "a@b.example", ProviderLink: "https://b.example/read", DefaultExpirationMinutes: 15},
	}}
	want := `{"id_string":"n","eacp":{"tozny_otp_eacp":{"include":true},"email_eacp":{"email_address":"a@b.example","provider_link":"https://b.example/read","default_expiration_minutes":15}}}`
	if got := jsonMarshal(t, opts); got != want {
		t.Fatalf("NoteOptions JSON = %s\nwant %s", got, want)
	}
	var note toz.Note
	stored := `{"recipient_signing_key":"r","eacp":{"email_eacp":{"email_address":"a@b.example","template":"t","template_fields":{"x":"y"}}}}`
	if err := json.Unmarshal([]byte(stored), &note); err != nil {
		t.Fatal(err)
	}
	wantPolicy := &toz.EACP{EmailEACP: &toz.EmailEACP{EmailAddress: "a@b.example", Template: "t", TemplateFields: map[string]string{"x": "y"}}}
	if !reflect.DeepEqual(note.EACP, wantPolicy) {
		t.Fatalf("Note.EACP = %+v", note.EACP)
	}
	var plain toz.Note
	if err := json.Unmarshal([]byte(`{"recipient_signing_key":"r"}`), &plain); err != nil || plain.EACP != nil {
		t.Fatalf("a note without eacp: %+v, %v", plain.EACP, err)
	}
	if got := jsonMarshal(t, toz.NoteReadRequest{IDString: "n", EmailOTP: "123456"}); got != `{"id_string":"n","email_otp":"123456"}` {
		t.Fatalf("NoteReadRequest JSON = %s", got)
	}
	if got := jsonMarshal(t, toz.NoteChallengeRequest{NoteID: "i", ExpiryMinutes: 5}); got != `{"note_id":"i","expiry_minutes":5}` {
		t.Fatalf("NoteChallengeRequest JSON = %s", got)
	}
	var challenge toz.NoteChallenge
	if err := json.Unmarshal([]byte(`{"email_eacp":{"expires_at":"2030-01-02T03:04:05Z","template_name":"otp"}}`), &challenge); err != nil ||
		challenge.EmailEACP == nil || *challenge.EmailEACP != (toz.EmailChallenge{ExpiresAt: "2030-01-02T03:04:05Z", TemplateName: "otp"}) {
		t.Fatalf("NoteChallenge = %+v, %v", challenge.EmailEACP, err)
	}
}

func jsonMarshal(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
