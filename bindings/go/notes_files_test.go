package toz_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	toz "github.com/toz-dev/toz/bindings/go"
)

var noteSerial atomic.Int64

// uniqueName is a note name no other test (or earlier run against the same server) uses.
func uniqueName() string {
	return fmt.Sprintf("go-note-%d-%d-%d", os.Getpid(), time.Now().UnixNano(), noteSerial.Add(1))
}

// recipient is the note address of a party.
func (p party) recipient(t *testing.T) toz.NoteRecipient {
	t.Helper()
	return must(p.client.PublicInfo())(t).NoteRecipient()
}

// anonymousLive is an anonymous client of the live server.
func (e liveEnv) anonymous(t *testing.T) *toz.Client {
	t.Helper()
	creds := must(toz.GenerateCredentials(e.apiURL))(t)
	defer creds.Close()
	c := must(toz.NewClient(creds, nil))(t)
	t.Cleanup(func() { c.Close() })
	return c
}

func TestNoteRoundTripBetweenRegisteredClients(t *testing.T) {
	e := live(t)
	alice, bob := e.register(t, "alice", false), e.register(t, "bob", false)
	data := map[string]string{"message": "meet at noon", "pin": "1234"}
	written := must(alice.client.WriteNote(data, bob.recipient(t), &toz.NoteOptions{Type: "greeting", Plain: map[string]string{"lang": "en"}}))(t)
	aliceInfo := must(alice.creds.PublicInfo())(t)
	if written.NoteID == "" || written.ClientID != alice.id || written.RecipientSigningKey != bob.recipient(t).PublicSigningKey ||
		written.WriterSigningKey != aliceInfo.PublicSigningKey || written.WriterEncryptionKey != aliceInfo.PublicKey {
		t.Fatalf("written note = %+v", written)
	}
	if len(written.Data) != len(data) {
		t.Fatalf("written data %v", written.Data)
	}
	for k, v := range written.Data {
		if v == data[k] || strings.Contains(v, "noon") {
			t.Fatalf("field %s stored in the clear: %q", k, v)
		}
	}

	read := must(bob.client.ReadNote(written.NoteID))(t)
	if !reflect.DeepEqual(read.Data, data) || read.NoteID != written.NoteID || read.Type != "greeting" ||
		!reflect.DeepEqual(read.Plain, map[string]string{"lang": "en"}) || read.ClientID != alice.id || read.MaxViews != -1 {
		t.Fatalf("read note = %+v", read)
	}

	// Only the writer may delete it; then it is gone for everyone.
	if te := wantKind(t, bob.client.DeleteNote(written.NoteID), toz.ErrForbidden); te.HTTPStatus != 403 {
		t.Fatalf("recipient's delete: %+v", te)
	}
	must(bob.client.ReadNote(written.NoteID))(t)
	if err := alice.client.DeleteNote(written.NoteID); err != nil {
		t.Fatal(err)
	}
	_, err := bob.client.ReadNote(written.NoteID)
	wantKind(t, err, toz.ErrNotFound)
	wantKind(t, alice.client.DeleteNote(written.NoteID), toz.ErrNotFound)
	_, err = bob.client.ReadNote("not-a-note-id") // spec: 400 for a malformed id
	if te := wantKind(t, err, toz.ErrHTTP); te.HTTPStatus != 400 {
		t.Fatalf("malformed id: %+v", te)
	}
}

func TestNoteNamesConflictsAndReplace(t *testing.T) {
	e := live(t)
	alice, bob := e.register(t, "alice", false), e.register(t, "bob", false)
	name := uniqueName()
	first := must(alice.client.WriteNote(map[string]string{"v": "1"}, bob.recipient(t), &toz.NoteOptions{IDString: name}))(t)
	if first.IDString != name {
		t.Fatalf("IDString = %q", first.IDString)
	}
	if got := must(bob.client.ReadNoteByName(name))(t); got.Data["v"] != "1" {
		t.Fatalf("by name: %v", got.Data)
	}
	_, err := alice.client.WriteNote(map[string]string{"v": "2"}, bob.recipient(t), &toz.NoteOptions{IDString: name})
	if te := wantKind(t, err, toz.ErrConflict); te.HTTPStatus != 409 {
		t.Fatalf("duplicate name: %+v", te)
	}
	if got := must(bob.client.ReadNoteByName(name))(t); got.Data["v"] != "1" {
		t.Fatalf("after the refused duplicate: %v", got.Data)
	}
	replaced := must(alice.client.ReplaceNote(map[string]string{"v": "3"}, bob.recipient(t), &toz.NoteOptions{IDString: name}))(t)
	if replaced.IDString != name {
		t.Fatalf("replaced IDString = %q", replaced.IDString)
	}
	if got := must(bob.client.ReadNoteByName(name))(t); got.Data["v"] != "3" {
		t.Fatalf("after replace: %v", got.Data)
	}
	fresh := uniqueName()
	must(alice.client.ReplaceNote(map[string]string{"v": "new"}, bob.recipient(t), &toz.NoteOptions{IDString: fresh}))(t)
	if got := must(bob.client.ReadNoteByName(fresh))(t); got.Data["v"] != "new" {
		t.Fatalf("replace creating %s: %v", fresh, got.Data)
	}
	_, err = bob.client.ReadNoteByName(uniqueName())
	wantKind(t, err, toz.ErrNotFound)
}

func TestNoteViewLimitAndExpiry(t *testing.T) {
	e := live(t)
	alice, bob := e.register(t, "alice", false), e.register(t, "bob", false)
	note := must(alice.client.WriteNote(map[string]string{"once": "or twice"}, bob.recipient(t), &toz.NoteOptions{MaxViews: 2}))(t)
	if note.MaxViews != 2 || note.Views != 0 {
		t.Fatalf("MaxViews = %d, Views = %d", note.MaxViews, note.Views)
	}
	for i := 1; i <= 2; i++ {
		if got := must(bob.client.ReadNote(note.NoteID))(t); got.Data["once"] != "or twice" || got.Views != int64(i) {
			t.Fatalf("read %d: %v, views %d", i, got.Data, got.Views)
		}
	}
	_, err := bob.client.ReadNote(note.NoteID)
	wantKind(t, err, toz.ErrNotFound)

	expiry := time.Now().UTC().Add(2 * time.Second).Truncate(time.Second)
	short := must(alice.client.WriteNote(map[string]string{"soon": "gone"}, bob.recipient(t), &toz.NoteOptions{Expiration: expiry.Format(time.RFC3339)}))(t)
	if !short.Expires || short.Expiration == "" {
		t.Fatalf("expiring note = %+v", short)
	}
	must(bob.client.ReadNote(short.NoteID))(t)
	time.Sleep(time.Until(expiry) + 1500*time.Millisecond)
	_, err = bob.client.ReadNote(short.NoteID)
	wantKind(t, err, toz.ErrNotFound)
}

func TestAnonymousNotesBothWays(t *testing.T) {
	e := live(t)
	bob := e.register(t, "bob", false)
	anon := e.anonymous(t)
	anonInfo := must(anon.PublicInfo())(t)
	sent := must(anon.WriteNote(map[string]string{"tip": "anonymous"}, bob.recipient(t), nil))(t)
	if sent.NoteID == "" || sent.ClientID != "" {
		t.Fatalf("anonymous note = %+v", sent)
	}
	read := must(bob.client.ReadNote(sent.NoteID))(t)
	if read.Data["tip"] != "anonymous" || read.ClientID != "" || read.WriterSigningKey != anonInfo.PublicSigningKey {
		t.Fatalf("bob read %+v", read)
	}
	reply := must(bob.client.WriteNote(map[string]string{"thanks": "received"}, anonInfo.NoteRecipient(), nil))(t)
	if reply.ClientID != bob.id {
		t.Fatalf("reply ClientID = %q", reply.ClientID)
	}
	if got := must(anon.ReadNote(reply.NoteID))(t); got.Data["thanks"] != "received" {
		t.Fatalf("anonymous read %v", got.Data)
	}
	_, err := anon.WriteRecord("anonymous", map[string]string{"a": "b"}, nil)
	wantKind(t, err, toz.ErrInvalidArgument)
}

func TestNoteForSomeoneElseIsRefused(t *testing.T) {
	e := live(t)
	alice, bob, carol := e.register(t, "alice", false), e.register(t, "bob", false), e.register(t, "carol", false)
	note := must(alice.client.WriteNote(map[string]string{"for": "bob only"}, bob.recipient(t), nil))(t)
	anon := e.anonymous(t)
	for name, intruder := range map[string]*toz.Client{"carol": carol.client, "alice (the writer)": alice.client, "anonymous": anon} {
		got, err := intruder.ReadNote(note.NoteID)
		if err == nil {
			t.Fatalf("%s read bob's note: %v", name, got.Data)
		}
		if te := wantKind(t, err, toz.ErrForbidden); te.HTTPStatus != 403 {
			t.Fatalf("%s: %+v", name, te)
		}
	}
	wantKind(t, carol.client.DeleteNote(note.NoteID), toz.ErrForbidden)
	wantKind(t, anon.DeleteNote(note.NoteID), toz.ErrForbidden)
	if got := must(bob.client.ReadNote(note.NoteID))(t); got.Data["for"] != "bob only" {
		t.Fatalf("bob read %v", got.Data)
	}
}

// A note whose signing key names bob but whose access key is boxed to carol's key: the server
// hands it to bob, and the library refuses it instead of returning anything.
func TestNoteEncryptedToOtherKeysFailsToDecrypt(t *testing.T) {
	e := live(t)
	alice, bob, carol := e.register(t, "alice", false), e.register(t, "bob", false), e.register(t, "carol", false)
	to := toz.NoteRecipient{PublicKey: carol.recipient(t).PublicKey, PublicSigningKey: bob.recipient(t).PublicSigningKey}
	note := must(alice.client.WriteNote(map[string]string{"secret": "s"}, to, nil))(t)
	got, err := bob.client.ReadNote(note.NoteID)
	if got != nil {
		t.Fatalf("returned a note: %+v", got)
	}
	wantKind(t, err, toz.ErrCrypto)
}

// --- note access policies (eacp) -------------------------------------------------------------

// mailedCode is the one-time code toz-server mailed for a note: in the newest message in
// TOZ_TEST_MAIL_DIR (where scripts/with-server.sh has the server's --mail-command write each one)
// with the header line "X-Toz-Note-Id: <noteID>", the text after "One-time code: ". It waits
// for a code not in used, should the mail arrive after the challenge returned.
func mailedCode(t *testing.T, noteID string, used ...string) string {
	t.Helper()
	dir := os.Getenv("TOZ_TEST_MAIL_DIR")
	if dir == "" {
		t.Fatal("TOZ_TEST_MAIL_DIR not set: run the Go tests through scripts/with-server.sh (bindings/go/test.sh does so)")
	}
	header, prefix := "X-Toz-Note-Id: "+noteID, "One-time code: "
	deadline := time.Now().Add(10 * time.Second)
	for {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		var newest []string
		var newestTime time.Time
		var newestName string
		for _, entry := range entries {
			info, err := entry.Info()
			if err != nil || !info.Mode().IsRegular() || strings.HasPrefix(entry.Name(), ".") { // ".incoming.*": being written
				continue
			}
			text, err := os.ReadFile(filepath.Join(dir, entry.Name()))
			if err != nil {
				continue
			}
			lines := strings.Split(string(text), "\n")
			for i := range lines {
				lines[i] = strings.TrimSpace(lines[i])
			}
			later := info.ModTime().After(newestTime) || (info.ModTime().Equal(newestTime) && entry.Name() > newestName)
			if slices.Contains(lines, header) && (newest == nil || later) {
				newest, newestTime, newestName = lines, info.ModTime(), entry.Name()
			}
		}
		var codes []string
		for _, line := range newest {
			if strings.HasPrefix(line, prefix) {
				codes = append(codes, strings.TrimSpace(line[len(prefix):]))
			}
		}
		if len(codes) == 1 && codes[0] != "" && !slices.Contains(used, codes[0]) {
			return codes[0]
		}
		if time.Now().After(deadline) {
			t.Fatalf("no new code mailed for note %s in %s; newest mail: %q", noteID, dir, newest)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestToznyOTPNoteIsReadWithAPasswordItsWriterPrimed(t *testing.T) {
	e := live(t)
	alice, bob, carol := e.register(t, "alice", false), e.register(t, "bob", false), e.register(t, "carol", false)
	name := uniqueName()
	data := map[string]string{"door": "4711"}
	policy := &toz.EACP{ToznyOTPEACP: &toz.ToznyOTPEACP{Include: true}}
	note := must(alice.client.WriteNote(data, bob.recipient(t), &toz.NoteOptions{IDString: name, EACP: policy}))(t)
	if !reflect.DeepEqual(note.EACP, policy) {
		t.Fatalf("written EACP = %+v", note.EACP)
	}

	_, err := bob.client.ReadNote(note.NoteID) // no password
	if te := wantKind(t, err, toz.ErrForbidden); te.HTTPStatus != 403 {
		t.Fatalf("read without a password: %+v", te)
	}
	_, err = bob.client.ReadNoteWithEACP(toz.NoteReadRequest{NoteID: note.NoteID})
	wantKind(t, err, toz.ErrForbidden)
	_, err = bob.client.ReadNoteWithEACP(toz.NoteReadRequest{NoteID: note.NoteID, ToznyOTP: "not-the-password"})
	wantKind(t, err, toz.ErrForbidden)
	// Only the writer may prime: not the recipient, nor anyone else.
	for who, intruder := range map[string]*toz.Client{"bob (the recipient)": bob.client, "carol": carol.client, "anonymous": e.anonymous(t)} {
		otp, err := intruder.PrimeNote(note.NoteID, 0)
		if err == nil {
			t.Fatalf("%s primed alice's note: %q", who, otp)
		}
		wantKind(t, err, toz.ErrForbidden)
	}

	otp := must(alice.client.PrimeNote(note.NoteID, 5))(t)
	if otp == "" {
		t.Fatal("PrimeNote returned an empty password")
	}
	read := must(bob.client.ReadNoteWithEACP(toz.NoteReadRequest{NoteID: note.NoteID, ToznyOTP: otp}))(t)
	if !reflect.DeepEqual(read.Data, data) || !reflect.DeepEqual(read.EACP, policy) {
		t.Fatalf("read with the password: %+v", read)
	}
	_, err = bob.client.ReadNoteWithEACP(toz.NoteReadRequest{NoteID: note.NoteID, ToznyOTP: otp}) // single use
	wantKind(t, err, toz.ErrForbidden)

	// A new prime replaces the password before it; by name too, with the default expiry.
	replaced := must(alice.client.PrimeNote(note.NoteID, 0))(t)
	otp = must(alice.client.PrimeNote(note.NoteID, 0))(t)
	if replaced == otp {
		t.Fatalf("two primes gave the same password %q", otp)
	}
	_, err = bob.client.ReadNoteWithEACP(toz.NoteReadRequest{IDString: name, ToznyOTP: replaced})
	wantKind(t, err, toz.ErrForbidden)
	if got := must(bob.client.ReadNoteWithEACP(toz.NoteReadRequest{IDString: name, ToznyOTP: otp}))(t); !reflect.DeepEqual(got.Data, data) {
		t.Fatalf("read by name: %v", got.Data)
	}

	// Not an email challenge; no password for a note without the policy.
	_, err = bob.client.ChallengeNote(toz.NoteChallengeRequest{NoteID: note.NoteID})
	if te := wantKind(t, err, toz.ErrHTTP); te.HTTPStatus != 400 {
		t.Fatalf("challenge without email_eacp: %+v", te)
	}
	plain := must(alice.client.WriteNote(map[string]string{"no": "policy"}, bob.recipient(t), nil))(t)
	if plain.EACP != nil {
		t.Fatalf("a note without policies has EACP %+v", plain.EACP)
	}
	_, err = alice.client.PrimeNote(plain.NoteID, 0)
	if te := wantKind(t, err, toz.ErrHTTP); te.HTTPStatus != 400 {
		t.Fatalf("prime without tozny_otp_eacp: %+v", te)
	}
	if got := must(bob.client.ReadNoteWithEACP(toz.NoteReadRequest{NoteID: plain.NoteID}))(t); got.EACP != nil || got.Data["no"] != "policy" {
		t.Fatalf("a note without policies read with ReadNoteWithEACP: %+v", got)
	}
}

func TestEmailNoteIsReadWithTheCodeAChallengeMailed(t *testing.T) {
	e := live(t)
	alice, bob, carol := e.register(t, "alice", false), e.register(t, "bob", false), e.register(t, "carol", false)
	name := uniqueName()
	data := map[string]string{"pin": "2468"}
	policy := &toz.EACP{EmailEACP: &toz.EmailEACP{EmailAddress: "bob@example.com", TemplateFields: map[string]string{"name": "Bob"}, DefaultExpirationMinutes: 30}}
	note := must(alice.client.WriteNote(data, bob.recipient(t), &toz.NoteOptions{IDString: name, EACP: policy}))(t)
	if !reflect.DeepEqual(note.EACP, policy) {
		t.Fatalf("written EACP = %+v", note.EACP)
	}

	_, err := bob.client.ReadNote(note.NoteID) // no code
	wantKind(t, err, toz.ErrForbidden)
	before := time.Now()
	challenge := must(bob.client.ChallengeNote(toz.NoteChallengeRequest{NoteID: note.NoteID}))(t)
	if challenge.EmailEACP == nil {
		t.Fatalf("challenge = %+v", challenge)
	}
	if expires, err := time.Parse(time.RFC3339, challenge.EmailEACP.ExpiresAt); err != nil || !expires.After(before) {
		t.Fatalf("ExpiresAt %q: %v", challenge.EmailEACP.ExpiresAt, err)
	}
	code := mailedCode(t, note.NoteID)

	_, err = bob.client.ReadNoteWithEACP(toz.NoteReadRequest{NoteID: note.NoteID, EmailOTP: code + "0"}) // a wrong code
	wantKind(t, err, toz.ErrForbidden)
	read := must(bob.client.ReadNoteWithEACP(toz.NoteReadRequest{NoteID: note.NoteID, EmailOTP: code}))(t)
	if !reflect.DeepEqual(read.Data, data) || !reflect.DeepEqual(read.EACP, policy) {
		t.Fatalf("read with the code: %+v", read)
	}
	_, err = bob.client.ReadNoteWithEACP(toz.NoteReadRequest{NoteID: note.NoteID, EmailOTP: code}) // single use
	wantKind(t, err, toz.ErrForbidden)

	// The writer may challenge too, by name, with its own expiry; not someone else.
	_, err = carol.client.ChallengeNote(toz.NoteChallengeRequest{NoteID: note.NoteID})
	wantKind(t, err, toz.ErrForbidden)
	before = time.Now()
	again := must(alice.client.ChallengeNote(toz.NoteChallengeRequest{IDString: name, TemplateName: "go-template", ExpiryMinutes: 5}))(t)
	if again.EmailEACP == nil || again.EmailEACP.TemplateName != "go-template" {
		t.Fatalf("challenge by name = %+v", again.EmailEACP)
	}
	expires, err := time.Parse(time.RFC3339, again.EmailEACP.ExpiresAt)
	if err != nil || expires.Before(before.Add(4*time.Minute)) || expires.After(time.Now().Add(6*time.Minute)) {
		t.Fatalf("ExpiresAt %q for 5 minutes from %v: %v", again.EmailEACP.ExpiresAt, before, err)
	}
	second := mailedCode(t, note.NoteID, code)
	if got := must(bob.client.ReadNoteWithEACP(toz.NoteReadRequest{IDString: name, EmailOTP: second}))(t); !reflect.DeepEqual(got.Data, data) {
		t.Fatalf("read by name: %v", got.Data)
	}

	// A note without an email policy cannot be challenged.
	plain := must(alice.client.WriteNote(map[string]string{"no": "policy"}, bob.recipient(t), nil))(t)
	_, err = bob.client.ChallengeNote(toz.NoteChallengeRequest{NoteID: plain.NoteID})
	if te := wantKind(t, err, toz.ErrHTTP); te.HTTPStatus != 400 {
		t.Fatalf("challenge without email_eacp: %+v", te)
	}
	// Nor is an email policy without an address written.
	_, err = alice.client.WriteNote(data, bob.recipient(t), &toz.NoteOptions{EACP: &toz.EACP{EmailEACP: &toz.EmailEACP{Template: "t"}}})
	if te := wantKind(t, err, toz.ErrHTTP); te.HTTPStatus != 400 {
		t.Fatalf("email policy without an address: %+v", te)
	}
}

// --- files ----------------------------------------------------------------------------------

type progressEvent struct {
	stage       toz.ProgressStage
	done, total uint64
}

// recorder collects progress reports (they arrive on the calling goroutine: no lock needed).
type recorder struct{ events []progressEvent }

func (r *recorder) report(stage toz.ProgressStage, done, total uint64) error {
	r.events = append(r.events, progressEvent{stage, done, total})
	return nil
}

// check verifies that the reports come stage after stage in order, that each stage's done never
// goes down and ends at its total, and that a multi-block transfer reports more than once.
func (r *recorder) check(stages []toz.ProgressStage, totals []uint64) error {
	var seen []toz.ProgressStage
	for _, ev := range r.events {
		if len(seen) == 0 || seen[len(seen)-1] != ev.stage {
			seen = append(seen, ev.stage)
		}
	}
	if !reflect.DeepEqual(seen, stages) {
		return fmt.Errorf("stages %v, want %v", seen, stages)
	}
	for i, stage := range stages {
		var dones []uint64
		for _, ev := range r.events {
			if ev.stage != stage {
				continue
			}
			if ev.total != totals[i] {
				return fmt.Errorf("%v total %d, want %d", stage, ev.total, totals[i])
			}
			if len(dones) > 0 && ev.done < dones[len(dones)-1] {
				return fmt.Errorf("%v done went down: %v then %d", stage, dones, ev.done)
			}
			dones = append(dones, ev.done)
		}
		if len(dones) < 2 || dones[0] >= totals[i] || dones[len(dones)-1] != totals[i] {
			return fmt.Errorf("%v reports %v for a total of %d", stage, dones, totals[i])
		}
	}
	return nil
}

func writeRandom(t *testing.T, path string, size int) []byte {
	t.Helper()
	b := make([]byte, size)
	rand.Read(b)
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return b
}

func sameFile(t *testing.T, path string, want []byte) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s: %d bytes differ from the %d written", path, len(got), len(want))
	}
}

func TestFileRoundTripWithProgress(t *testing.T) {
	e := live(t)
	alice := e.register(t, "alice", false)
	dir := t.TempDir()
	src := filepath.Join(dir, "photo.bin")
	original := writeRandom(t, src, 200*1024)

	var up recorder
	rec := must(alice.client.WriteFile("go-files", src, map[string]string{"album": "summer"}, up.report))(t)
	m := rec.Meta
	if m.RecordID == "" || m.Type != "go-files" || m.WriterID != alice.id || m.Plain["album"] != "summer" || m.FileMeta == nil {
		t.Fatalf("file record = %+v", rec)
	}
	fm := *m.FileMeta
	if fm.FileName != "photo.bin" || fm.Compression != "raw" || fm.Checksum == "" || fm.Size <= uint64(len(original)) {
		t.Fatalf("file_meta = %+v", fm)
	}
	// toz-server takes the upload in one pass: encrypted as it is sent.
	if err := up.check([]toz.ProgressStage{toz.StageUploading}, []uint64{fm.Size}); err != nil {
		t.Fatal(err)
	}

	var down recorder
	out := filepath.Join(dir, "copy")
	os.Mkdir(out, 0o700)
	dest := filepath.Join(out, "photo.bin")
	back := must(alice.client.ReadFile(m.RecordID, dest, down.report))(t)
	sameFile(t, dest, original)
	if back.Meta.RecordID != m.RecordID || back.Meta.FileMeta == nil || back.Meta.FileMeta.Size != fm.Size {
		t.Fatalf("read back %+v", back.Meta)
	}
	if err := down.check([]toz.ProgressStage{toz.StageDownloading}, []uint64{fm.Size}); err != nil {
		t.Fatal(err)
	}
	if names := dirNames(t, out); !reflect.DeepEqual(names, []string{"photo.bin"}) {
		t.Fatalf("left beside the file: %v", names)
	}

	// Without a callback, and an empty file.
	must(alice.client.ReadFile(m.RecordID, filepath.Join(dir, "again.bin"), nil))(t)
	sameFile(t, filepath.Join(dir, "again.bin"), original)
	empty := writeRandom(t, filepath.Join(dir, "empty.bin"), 0)
	erec := must(alice.client.WriteFile("go-files", filepath.Join(dir, "empty.bin"), nil, nil))(t)
	must(alice.client.ReadFile(erec.Meta.RecordID, filepath.Join(dir, "empty.out"), nil))(t)
	sameFile(t, filepath.Join(dir, "empty.out"), empty)
}

func TestFileSharingAndRevocation(t *testing.T) {
	e := live(t)
	alice, bob := e.register(t, "alice", false), e.register(t, "bob", false)
	dir := t.TempDir()
	original := writeRandom(t, filepath.Join(dir, "report.pdf"), 70*1024)
	rid := must(alice.client.WriteFile("go-shared-files", filepath.Join(dir, "report.pdf"), nil, nil))(t).Meta.RecordID
	out := t.TempDir()
	dest := filepath.Join(out, "report.pdf")

	_, err := bob.client.ReadFile(rid, dest, nil)
	wantKind(t, err, toz.ErrForbidden, toz.ErrNotFound)
	if names := dirNames(t, out); len(names) != 0 {
		t.Fatalf("a refused read left %v", names)
	}
	if err := alice.client.Share("go-shared-files", bob.id); err != nil {
		t.Fatal(err)
	}
	must(bob.client.ReadFile(rid, dest, nil))(t)
	sameFile(t, dest, original)

	if err := alice.client.Revoke("go-shared-files", bob.id); err != nil {
		t.Fatal(err)
	}
	os.Remove(dest)
	_, err = bob.client.ReadFile(rid, dest, nil)
	wantKind(t, err, toz.ErrForbidden, toz.ErrNotFound)
	fresh := must(toz.NewClient(bob.creds, nil))(t) // no cached access key either
	defer fresh.Close()
	_, err = fresh.ReadFile(rid, dest, nil)
	wantKind(t, err, toz.ErrForbidden, toz.ErrNotFound)
	if names := dirNames(t, out); len(names) != 0 {
		t.Fatalf("a revoked read left %v", names)
	}
}

// storedBlob finds the file the server keeps the encrypted bytes in: the only file of exactly
// that size beside the SQLite database (the default blob store).
func (e liveEnv) storedBlob(t *testing.T, size uint64) string {
	t.Helper()
	db := strings.TrimPrefix(e.database, "sqlite://")
	root := os.Getenv("TOZ_TEST_BLOB_DIR") // set by scripts/with-server.sh
	if root == "" {
		root = filepath.Dir(db)
	}
	var found []string
	filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() && !strings.HasPrefix(d.Name(), filepath.Base(db)) {
			if info, err := d.Info(); err == nil && uint64(info.Size()) == size {
				found = append(found, path)
			}
		}
		return nil
	})
	if len(found) != 1 {
		t.Fatalf("expected one stored blob of %d bytes under %s, found %v", size, root, found)
	}
	return found[0]
}

func TestTamperedOrTruncatedFileLeavesNothing(t *testing.T) {
	e := live(t)
	alice := e.register(t, "alice", false)
	dir := t.TempDir()
	writeRandom(t, filepath.Join(dir, "src.bin"), 150*1024+11) // a size no other test uses
	rec := must(alice.client.WriteFile("go-tamper", filepath.Join(dir, "src.bin"), nil, nil))(t)
	if rec.Meta.FileMeta == nil {
		t.Fatalf("no file_meta in %+v", rec.Meta)
	}
	blob := e.storedBlob(t, rec.Meta.FileMeta.Size)
	out := t.TempDir()
	dest := filepath.Join(out, "dst.bin")

	stored, err := os.ReadFile(blob)
	if err != nil {
		t.Fatal(err)
	}
	stored[len(stored)/2] ^= 1
	os.WriteFile(blob, stored, 0o600)
	_, err = alice.client.ReadFile(rec.Meta.RecordID, dest, nil)
	wantKind(t, err, toz.ErrCrypto)
	if names := dirNames(t, out); len(names) != 0 {
		t.Fatalf("a tampered file left %v", names)
	}
	os.WriteFile(blob, stored[:len(stored)/3], 0o600)
	_, err = alice.client.ReadFile(rec.Meta.RecordID, dest, nil)
	wantKind(t, err, toz.ErrCrypto)
	if names := dirNames(t, out); len(names) != 0 {
		t.Fatalf("a truncated file left %v", names)
	}
}

// With single-pass uploads off (as with servers other than toz-server) the file is encrypted to
// a temporary file first, for the MD5 that Tozny's protocol announces before the upload.
func TestChecksumFirstUploadReportsEncryptingThenUploading(t *testing.T) {
	e := live(t)
	alice := e.register(t, "alice", false)
	off := false
	client := must(toz.NewClient(alice.creds, &toz.Options{SinglePassUploads: &off}))(t)
	defer client.Close()
	dir := t.TempDir()
	src := filepath.Join(dir, "doc.bin")
	original := writeRandom(t, src, 150*1024)
	var up recorder
	rec := must(client.WriteFile("go-checksum-first", src, nil, up.report))(t)
	fm := rec.Meta.FileMeta
	if err := up.check([]toz.ProgressStage{toz.StageEncrypting, toz.StageUploading}, []uint64{uint64(len(original)), fm.Size}); err != nil {
		t.Fatal(err)
	}
	if sum, err := base64.StdEncoding.DecodeString(fm.Checksum); err != nil || len(sum) != 16 {
		t.Fatalf("checksum %q is not a base64 MD5", fm.Checksum)
	}
	dest := filepath.Join(dir, "back.bin")
	must(client.ReadFile(rec.Meta.RecordID, dest, nil))(t)
	sameFile(t, dest, original)
}

// recordIDs lists the records of recordType that the client can read.
func recordIDs(t *testing.T, c *toz.Client, recordType string) []string {
	t.Helper()
	var ids []string
	for _, r := range must(c.Query(&toz.QueryRequest{ContentTypes: []string{recordType}}))(t).Results {
		ids = append(ids, r.Meta.RecordID)
	}
	return ids
}

func TestPanicInProgressCancelsTheTransfer(t *testing.T) {
	e := live(t)
	alice := e.register(t, "alice", false)
	dir := t.TempDir()
	src := filepath.Join(dir, "src.bin")
	original := writeRandom(t, src, 100*1024)
	calls := 0
	boom := func(stage toz.ProgressStage, done, total uint64) error {
		calls++
		panic(fmt.Sprintf("progress bar broke at %v", stage))
	}

	rec, err := alice.client.WriteFile("go-panic", src, nil, boom)
	var pe *toz.ProgressPanicError
	if !errors.As(err, &pe) || pe.Value != "progress bar broke at UPLOADING" || calls != 1 || rec != nil {
		t.Fatalf("WriteFile with a panicking callback: %v, record %+v (%d calls)", err, rec, calls)
	}
	// The panic cancelled the upload: nothing was stored.
	wantKind(t, pe.Err, toz.ErrCancelled)
	if ids := recordIDs(t, alice.client, "go-panic"); len(ids) != 0 {
		t.Fatalf("records after the panicking upload: %v", ids)
	}

	stored := must(alice.client.WriteFile("go-panic", src, nil, nil))(t)
	out := t.TempDir()
	calls = 0
	_, err = alice.client.ReadFile(stored.Meta.RecordID, filepath.Join(out, "dst.bin"), boom)
	if !errors.As(err, &pe) || pe.Value != "progress bar broke at DOWNLOADING" || calls != 1 {
		t.Fatalf("ReadFile with a panicking callback: %v (%d calls)", err, calls)
	}
	wantKind(t, pe.Err, toz.ErrCancelled)
	if names := dirNames(t, out); len(names) != 0 {
		t.Fatalf("the panicking download left %v", names)
	}

	// A panic with an error value unwraps to it; and the client is still fine.
	sentinel := errors.New("sentinel")
	_, err = alice.client.ReadFile(stored.Meta.RecordID, filepath.Join(out, "dst.bin"), func(toz.ProgressStage, uint64, uint64) error { panic(sentinel) })
	if !errors.Is(err, sentinel) || !errors.Is(err, toz.ErrCancelled) {
		t.Fatalf("panic(error) not unwrapped: %v", err)
	}
	var r recorder
	must(alice.client.ReadFile(stored.Meta.RecordID, filepath.Join(out, "dst.bin"), r.report))(t)
	sameFile(t, filepath.Join(out, "dst.bin"), original)
}

// halfway is a progress function that records its reports and returns err once half of a stage
// is done.
type halfway struct {
	recorder
	err error
}

func (h *halfway) report(stage toz.ProgressStage, done, total uint64) error {
	h.recorder.report(stage, done, total)
	if done*2 >= total {
		return h.err
	}
	return nil
}

// stoppedAt checks that the transfer stopped at once, in stage and before its end: the report
// that returned the error is the last one, and the only one past halfway.
func (h *halfway) stoppedAt(stage toz.ProgressStage) error {
	if len(h.events) == 0 {
		return errors.New("no progress reports")
	}
	for i, ev := range h.events {
		if past := ev.done*2 >= ev.total; past != (i == len(h.events)-1) {
			return fmt.Errorf("reports %v: the function was called after it returned an error, or never returned one", h.events)
		}
	}
	if last := h.events[len(h.events)-1]; last.stage != stage || last.done >= last.total {
		return fmt.Errorf("stopped at %+v, want halfway through %v", last, stage)
	}
	return nil
}

// A context that is done stops a transfer: before it starts, or halfway (cancelled here from the
// progress function itself, as another goroutine would). Nothing is stored, and the error wraps
// both the context's cause and ErrCancelled.
func TestContextCancelsTheTransfer(t *testing.T) {
	e := live(t)
	alice := e.register(t, "alice", false)
	dir := t.TempDir()
	src := filepath.Join(dir, "src.bin")
	original := writeRandom(t, src, 300*1024)

	done, cancel := context.WithCancel(context.Background())
	cancel()
	if rec, err := alice.client.WriteFileContext(done, "go-ctx", src, nil, nil); rec != nil || !errors.Is(err, context.Canceled) {
		t.Fatalf("WriteFileContext with a done context = %v, %v", rec, err)
	}

	ctx, stop := context.WithCancelCause(context.Background())
	defer stop(nil)
	why := errors.New("the request went away")
	calls := 0
	halfway := func(stage toz.ProgressStage, done, total uint64) error {
		calls++
		if done*2 >= total {
			stop(why)
		}
		return nil
	}
	rec, err := alice.client.WriteFileContext(ctx, "go-ctx", src, nil, halfway)
	if rec != nil || !errors.Is(err, why) {
		t.Fatalf("WriteFileContext cancelled halfway = %v, %v", rec, err)
	}
	wantKind(t, err, toz.ErrCancelled)
	if ids := recordIDs(t, alice.client, "go-ctx"); len(ids) != 0 {
		t.Fatalf("records after the cancelled uploads: %v", ids)
	}

	// Downloads, and a context that stays live lets both go through.
	live := context.Background()
	stored := must(alice.client.WriteFileContext(live, "go-ctx", src, nil, nil))(t)
	out := t.TempDir()
	dest := filepath.Join(out, "dst.bin")
	ctx, stopDownload := context.WithCancelCause(context.Background())
	defer stopDownload(nil)
	stop = stopDownload // halfway stops whichever transfer is running
	_, err = alice.client.ReadFileContext(ctx, stored.Meta.RecordID, dest, halfway)
	if !errors.Is(err, why) {
		t.Fatalf("ReadFileContext cancelled halfway: %v", err)
	}
	wantKind(t, err, toz.ErrCancelled)
	if names := dirNames(t, out); len(names) != 0 {
		t.Fatalf("the cancelled download left %v", names)
	}
	must(alice.client.ReadFileContext(live, stored.Meta.RecordID, dest, nil))(t)
	sameFile(t, dest, original)
	if calls == 0 {
		t.Fatal("the progress function was never called")
	}
}

func TestProgressErrorCancelsTheTransfer(t *testing.T) {
	e := live(t)
	alice := e.register(t, "alice", false)
	off := false
	checksumFirst := must(toz.NewClient(alice.creds, &toz.Options{SinglePassUploads: &off}))(t)
	defer checksumFirst.Close()
	dir := t.TempDir()
	src := filepath.Join(dir, "src.bin")
	original := writeRandom(t, src, 300*1024) // several blocks, so that halfway is not the end
	errStop := errors.New("the user pressed cancel")
	wantCancelled := func(what string, err error) {
		t.Helper()
		wantKind(t, err, toz.ErrCancelled)
		if !errors.Is(err, errStop) {
			t.Fatalf("%s: %v does not wrap the progress function's error", what, err)
		}
	}

	uploads := []struct {
		name   string
		client *toz.Client
		stage  toz.ProgressStage // the stage the halfway mark falls in
	}{
		{"single-pass upload", alice.client, toz.StageUploading},
		{"checksum-first upload", checksumFirst, toz.StageEncrypting},
	}
	for _, up := range uploads {
		h := halfway{err: errStop}
		rec, err := up.client.WriteFile("go-cancel", src, nil, h.report)
		if rec != nil {
			t.Fatalf("%s: cancelled, yet returned %+v", up.name, rec)
		}
		wantCancelled(up.name, err)
		if err := h.stoppedAt(up.stage); err != nil {
			t.Fatalf("%s: %v", up.name, err)
		}
	}
	if ids := recordIDs(t, alice.client, "go-cancel"); len(ids) != 0 {
		t.Fatalf("records after the cancelled uploads: %v", ids)
	}

	stored := must(alice.client.WriteFile("go-cancel", src, nil, nil))(t)
	out := t.TempDir()
	dest := filepath.Join(out, "dst.bin")
	h := halfway{err: errStop}
	_, err := alice.client.ReadFile(stored.Meta.RecordID, dest, h.report)
	wantCancelled("download", err)
	if err := h.stoppedAt(toz.StageDownloading); err != nil {
		t.Fatalf("download: %v", err)
	}
	if names := dirNames(t, out); len(names) != 0 {
		t.Fatalf("the cancelled download left %v", names)
	}

	// The client still works: a normal upload and download go through.
	var up, down recorder
	again := must(alice.client.WriteFile("go-cancel", src, nil, up.report))(t)
	if err := up.check([]toz.ProgressStage{toz.StageUploading}, []uint64{again.Meta.FileMeta.Size}); err != nil {
		t.Fatal(err)
	}
	must(alice.client.ReadFile(again.Meta.RecordID, dest, down.report))(t)
	sameFile(t, dest, original)
	if err := down.check([]toz.ProgressStage{toz.StageDownloading}, []uint64{again.Meta.FileMeta.Size}); err != nil {
		t.Fatal(err)
	}
	if ids := recordIDs(t, alice.client, "go-cancel"); len(ids) != 2 {
		t.Fatalf("records %v, want the two stored uploads only", ids)
	}
}

// Goroutines sharing one client each get their own reports: sizes differ per goroutine, so a
// report reaching the wrong callback shows up as a wrong total.
func TestConcurrentTransfersReportToTheirOwnCallbacks(t *testing.T) {
	e := live(t)
	alice := e.register(t, "alice", false)
	dir := t.TempDir()
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			src := filepath.Join(dir, fmt.Sprintf("src%d", g))
			size := (130+10*g)*1024 + g
			original := make([]byte, size)
			rand.Read(original)
			os.WriteFile(src, original, 0o600)
			var up, down recorder
			rec, err := alice.client.WriteFile("go-concurrent-files", src, nil, up.report)
			if err != nil {
				errs <- err
				return
			}
			if err := up.check([]toz.ProgressStage{toz.StageUploading}, []uint64{rec.Meta.FileMeta.Size}); err != nil {
				errs <- fmt.Errorf("goroutine %d upload: %w", g, err)
				return
			}
			dest := filepath.Join(dir, fmt.Sprintf("dst%d", g))
			if _, err := alice.client.ReadFile(rec.Meta.RecordID, dest, down.report); err != nil {
				errs <- err
				return
			}
			if err := down.check([]toz.ProgressStage{toz.StageDownloading}, []uint64{rec.Meta.FileMeta.Size}); err != nil {
				errs <- fmt.Errorf("goroutine %d download: %w", g, err)
				return
			}
			if got, _ := os.ReadFile(dest); !bytes.Equal(got, original) {
				errs <- fmt.Errorf("goroutine %d read back different bytes", g)
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
