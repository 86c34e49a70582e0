package toz_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"strings"
	"testing"

	toz "github.com/toz-dev/toz/bindings/go"
)

func TestVersionAndABI(t *testing.T) {
	if got := toz.ABIVersion(); got != 2 || toz.SupportedABIVersion != 2 {
		t.Fatalf("ABIVersion() = %d, want %d", got, toz.SupportedABIVersion)
	}
	if err := toz.CheckABI(); err != nil {
		t.Fatalf("CheckABI() = %v", err)
	}
	if v := toz.Version(); !regexp.MustCompile(`^\d+\.\d+\.\d+`).MatchString(v) {
		t.Fatalf("Version() = %q, not a semantic version", v)
	}
}

// The kinds are part of the ABI: their numbers and names must never change.
func TestErrorKindsMatchTheABI(t *testing.T) {
	kinds := []struct {
		kind toz.ErrorKind
		num  uint32
		name string
	}{
		{toz.ErrInvalidArgument, 1, "INVALID_ARGUMENT"}, {toz.ErrNullArgument, 2, "NULL_ARGUMENT"},
		{toz.ErrInvalidUTF8, 3, "INVALID_UTF8"}, {toz.ErrJSON, 4, "JSON"}, {toz.ErrCrypto, 5, "CRYPTO"},
		{toz.ErrNetwork, 6, "NETWORK"}, {toz.ErrHTTP, 7, "HTTP"}, {toz.ErrUnauthorized, 8, "UNAUTHORIZED"},
		{toz.ErrNotFound, 9, "NOT_FOUND"}, {toz.ErrConflict, 10, "CONFLICT"}, {toz.ErrForbidden, 11, "FORBIDDEN"},
		{toz.ErrRateLimited, 12, "RATE_LIMITED"}, {toz.ErrServer, 13, "SERVER"}, {toz.ErrTimeout, 14, "TIMEOUT"},
		{toz.ErrTLS, 15, "TLS"}, {toz.ErrIO, 16, "IO"}, {toz.ErrWrongPassphrase, 17, "WRONG_PASSPHRASE"},
		{toz.ErrAlreadyExists, 18, "ALREADY_EXISTS"}, {toz.ErrSignature, 19, "SIGNATURE"},
		{toz.ErrInsecureTransport, 20, "INSECURE_TRANSPORT"}, {toz.ErrClosed, 21, "CLOSED"},
		{toz.ErrCancelled, 22, "CANCELLED"}, {toz.ErrPanic, 255, "PANIC"},
	}
	for _, k := range kinds {
		if uint32(k.kind) != k.num || k.kind.String() != k.name {
			t.Errorf("kind %s = %d, want %s = %d", k.kind, uint32(k.kind), k.name, k.num)
		}
		err := error(&toz.Error{Kind: k.kind, HTTPStatus: 400, Message: "m"})
		for _, other := range kinds {
			if errors.Is(err, other.kind) != (other.kind == k.kind) {
				t.Errorf("errors.Is(%s error, %s) = %v", k.name, other.name, !(other.kind == k.kind))
			}
		}
	}
	if got := toz.ErrorKind(99).String(); got != "UNKNOWN(99)" {
		t.Errorf("unknown kind String() = %q", got)
	}
	msg := (&toz.Error{Kind: toz.ErrConflict, HTTPStatus: 409, Message: "stale"}).Error()
	if msg != "toz: CONFLICT (HTTP 409): stale" {
		t.Errorf("Error() = %q", msg)
	}
}

func TestCredentialsJSONRoundTrip(t *testing.T) {
	c := must(toz.GenerateCredentials("http://127.0.0.1:9"))(t)
	defer c.Close()
	info := must(c.PublicInfo())(t)
	if info.Version != 2 || info.ClientID != "" || info.APIURL != "http://127.0.0.1:9" || len(info.PublicKey) != 43 || len(info.PublicSigningKey) != 43 {
		t.Fatalf("PublicInfo of fresh credentials = %+v", info)
	}
	text := must(c.ToJSON())(t)
	var fields map[string]any
	if err := json.Unmarshal([]byte(text), &fields); err != nil {
		t.Fatalf("ToJSON is not JSON: %v", err)
	}
	if fields["private_key"] == "" || fields["public_key"] != info.PublicKey {
		t.Fatalf("ToJSON lacks the keys: %v", fields)
	}
	back := must(toz.CredentialsFromJSON(text))(t)
	defer back.Close()
	if got := must(back.PublicInfo())(t); *got != *info {
		t.Fatalf("round trip changed the credentials: %+v != %+v", got, info)
	}
	defaultURL := must(toz.GenerateCredentials(""))(t)
	defer defaultURL.Close()
	if got := must(defaultURL.PublicInfo())(t).APIURL; got != "https://api.e3db.com" {
		t.Fatalf("default api_url = %q", got)
	}

	// Malformed input.
	_, err := toz.CredentialsFromJSON("{not json")
	wantKind(t, err, toz.ErrJSON)
	other := must(toz.GenerateCredentials(""))(t)
	defer other.Close()
	fields["public_key"] = must(other.PublicInfo())(t).PublicKey
	swapped, _ := json.Marshal(fields)
	_, err = toz.CredentialsFromJSON(string(swapped))
	wantKind(t, err, toz.ErrInvalidArgument)
	_, err = toz.CredentialsFromJSON("{\"api_url\": \"\xff\"}")
	wantKind(t, err, toz.ErrInvalidUTF8)
	_, err = toz.CredentialsFromJSON(text[:10] + "\x00" + text[10:])
	if te := wantKind(t, err, toz.ErrInvalidArgument); !strings.Contains(te.Message, "NUL") {
		t.Fatalf("NUL message = %q", te.Message)
	}
}

func TestCredentialsFiles(t *testing.T) {
	c := must(toz.GenerateCredentials(""))(t)
	defer c.Close()
	path := filepath.Join(t.TempDir(), "sub", "e3db.json")
	if err := c.SaveFile(path, false); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("saved file: %v, mode %v", err, st.Mode())
	}
	wantKind(t, c.SaveFile(path, false), toz.ErrAlreadyExists)
	other := must(toz.GenerateCredentials(""))(t)
	defer other.Close()
	if err := other.SaveFile(path, true); err != nil {
		t.Fatalf("overwrite: %v", err)
	}
	loaded := must(toz.LoadCredentialsFile(path))(t)
	defer loaded.Close()
	if a, b := must(loaded.PublicInfo())(t), must(other.PublicInfo())(t); *a != *b {
		t.Fatalf("loaded %+v, want the overwriting credentials %+v", a, b)
	}
	_, err = toz.LoadCredentialsFile(filepath.Join(t.TempDir(), "missing.json"))
	wantKind(t, err, toz.ErrNotFound)
	bad := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(bad, []byte("[]"), 0o600)
	_, err = toz.LoadCredentialsFile(bad)
	wantKind(t, err, toz.ErrJSON)
	_, err = toz.LoadCredentialsFile("\xff\xfe")
	wantKind(t, err, toz.ErrInvalidUTF8)
}

func TestProfiles(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	c := must(toz.GenerateCredentials("http://127.0.0.1:9"))(t)
	defer c.Close()
	other := must(toz.GenerateCredentials(""))(t)
	defer other.Close()
	want := must(c.PublicInfo())(t)

	if err := c.SaveProfile("work", false); err != nil {
		t.Fatal(err)
	}
	if err := other.SaveProfile("", false); err != nil {
		t.Fatal(err)
	}
	fromFile := must(toz.LoadCredentialsFile(filepath.Join(home, ".tozny", "work", "e3db.json")))(t)
	defer fromFile.Close()
	work := must(toz.LoadProfile("work"))(t)
	defer work.Close()
	def := must(toz.LoadProfile(""))(t)
	defer def.Close()
	for _, got := range []*toz.Credentials{fromFile, work} {
		if info := must(got.PublicInfo())(t); *info != *want {
			t.Fatalf("profile work = %+v, want %+v", info, want)
		}
	}
	if info := must(def.PublicInfo())(t); *info != *must(other.PublicInfo())(t) {
		t.Fatalf("default profile = %+v", info)
	}
	if _, err := os.Stat(filepath.Join(home, ".tozny", "e3db.json")); err != nil {
		t.Fatalf("default profile file: %v", err)
	}

	wantKind(t, c.SaveProfile("work", false), toz.ErrAlreadyExists)
	if err := other.SaveProfile("work", true); err != nil {
		t.Fatalf("overwrite: %v", err)
	}
	wantKind(t, c.SaveProfile("../escape", false), toz.ErrInvalidArgument)
	_, err := toz.LoadProfile("missing")
	wantKind(t, err, toz.ErrNotFound)
	t.Setenv("HOME", "")
	_, err = toz.LoadProfile("work")
	wantKind(t, err, toz.ErrIO)
}

func TestSealAndUnseal(t *testing.T) {
	c := must(toz.GenerateCredentials(""))(t)
	defer c.Close()
	fast := &toz.SealOptions{Opslimit: 1, Memlimit: 8 << 20}
	sealed := must(c.Seal("correct horse", fast))(t)
	if strings.Contains(sealed, must(c.ToJSON())(t)[20:40]) {
		t.Fatal("sealed text contains the plain credentials")
	}
	opened := must(toz.UnsealCredentials(sealed, "correct horse"))(t)
	defer opened.Close()
	if a, b := must(opened.PublicInfo())(t), must(c.PublicInfo())(t); *a != *b {
		t.Fatalf("unsealed %+v, want %+v", a, b)
	}
	_, err := toz.UnsealCredentials(sealed, "wrong horse")
	wantKind(t, err, toz.ErrWrongPassphrase)
	_, err = toz.UnsealCredentials("not sealed", "x")
	wantKind(t, err, toz.ErrJSON, toz.ErrInvalidArgument)
	_, err = c.Seal("p", &toz.SealOptions{Opslimit: 1, Memlimit: 1024})
	wantKind(t, err, toz.ErrInvalidArgument)
	// A NUL would silently shorten the passphrase if it crossed as a C string.
	_, err = c.Seal("correct\x00horse", fast)
	wantKind(t, err, toz.ErrInvalidArgument)

	slow := must(c.Seal("default limits", nil))(t)
	reopened := must(toz.UnsealCredentials(slow, "default limits"))(t)
	reopened.Close()
}

func TestAccessKeysAndOfflineRecords(t *testing.T) {
	key := must(toz.GenerateAccessKey())(t)
	defer key.Close()
	text := must(key.Text())(t)
	if len(text) != 43 {
		t.Fatalf("key text %q is not 32 bytes of unpadded base64url", text)
	}
	same := must(toz.AccessKeyFromString(text + "="))(t)
	defer same.Close()
	if must(same.Text())(t) != text {
		t.Fatal("AccessKeyFromString did not keep the key")
	}
	data := fields(10)
	data["empty"] = ""
	data["unicode"] = "grüße ✓"
	enc := must(toz.EncryptRecord(key, data))(t)
	if len(enc) != len(data) || enc["f0"] == data["f0"] || strings.Count(enc["f0"], ".") != 3 {
		t.Fatalf("encrypted = %v", enc)
	}
	if dec := must(toz.DecryptRecord(same, enc))(t); !reflect.DeepEqual(dec, data) {
		t.Fatalf("decrypted %v, want %v", dec, data)
	}

	wrong := must(toz.GenerateAccessKey())(t)
	defer wrong.Close()
	_, err := toz.DecryptRecord(wrong, enc)
	wantKind(t, err, toz.ErrCrypto)
	tampered := map[string]string{"f0": enc["f1"]}
	parts := strings.Split(enc["f0"], ".")
	parts[2] = parts[2][:len(parts[2])-2] + "AA"
	tampered["f0"] = strings.Join(parts, ".")
	_, err = toz.DecryptRecord(key, tampered)
	wantKind(t, err, toz.ErrCrypto)
	_, err = toz.DecryptRecord(key, map[string]string{"f": "not-encrypted"})
	wantKind(t, err, toz.ErrInvalidArgument)
	_, err = toz.AccessKeyFromString("too-short")
	wantKind(t, err, toz.ErrInvalidArgument)
	_, err = toz.EncryptRecord(key, nil)
	wantKind(t, err, toz.ErrJSON)
	_, err = toz.EncryptRecord(key, map[string]string{"bad": "\xff"})
	wantKind(t, err, toz.ErrInvalidUTF8)
	_, err = toz.EncryptRecord(nil, data)
	wantKind(t, err, toz.ErrNullArgument)
}

func TestWrapAndUnwrap(t *testing.T) {
	writer := must(toz.GenerateCredentials(""))(t)
	defer writer.Close()
	reader := must(toz.GenerateCredentials(""))(t)
	defer reader.Close()
	stranger := must(toz.GenerateCredentials(""))(t)
	defer stranger.Close()
	writerPub := must(writer.PublicInfo())(t).PublicKey
	readerPub := must(reader.PublicInfo())(t).PublicKey

	key := must(toz.GenerateAccessKey())(t)
	defer key.Close()
	eak := must(key.Wrap(readerPub, writer))(t)
	got := must(toz.UnwrapAccessKey(eak, writerPub, reader))(t)
	defer got.Close()
	if must(got.Text())(t) != must(key.Text())(t) {
		t.Fatal("unwrapped another key")
	}
	_, err := toz.UnwrapAccessKey(eak, writerPub, stranger)
	wantKind(t, err, toz.ErrCrypto)
	_, err = key.Wrap("bad key", writer)
	wantKind(t, err, toz.ErrInvalidArgument)
	_, err = key.Wrap(readerPub, nil)
	wantKind(t, err, toz.ErrNullArgument)
}

func TestUseAfterClose(t *testing.T) {
	creds := must(toz.GenerateCredentials(""))(t)
	key := must(toz.GenerateAccessKey())(t)
	for i := 0; i < 2; i++ { // closing twice is harmless
		if err := creds.Close(); err != nil {
			t.Fatal(err)
		}
		if err := key.Close(); err != nil {
			t.Fatal(err)
		}
	}
	_, err := creds.ToJSON()
	if te := wantKind(t, err, toz.ErrClosed); !strings.Contains(te.Message, "Credentials") {
		t.Fatalf("closed message %q", te.Message)
	}
	_, err = creds.PublicInfo()
	wantKind(t, err, toz.ErrClosed)
	wantKind(t, creds.SaveFile(filepath.Join(t.TempDir(), "x.json"), false), toz.ErrClosed)
	_, err = creds.Seal("p", nil)
	wantKind(t, err, toz.ErrClosed)
	_, err = toz.NewClient(creds, nil)
	wantKind(t, err, toz.ErrClosed)
	_, err = key.Text()
	wantKind(t, err, toz.ErrClosed)
	_, err = toz.EncryptRecord(key, map[string]string{"a": "b"})
	wantKind(t, err, toz.ErrClosed)
	live := must(toz.GenerateCredentials(""))(t)
	defer live.Close()
	_, err = key.Wrap(must(live.PublicInfo())(t).PublicKey, live)
	wantKind(t, err, toz.ErrClosed)
	_, err = toz.UnwrapAccessKey("eak", "pub", creds)
	wantKind(t, err, toz.ErrClosed)

	// nil and zero-value handles cross as NULL, which the library refuses.
	var nilCreds *toz.Credentials
	_, err = nilCreds.ToJSON()
	wantKind(t, err, toz.ErrNullArgument)
	_, err = (&toz.Client{}).OutgoingShares()
	wantKind(t, err, toz.ErrNullArgument)
	if err := nilCreds.Close(); err != nil {
		t.Fatal(err)
	}
}

// Handles that are dropped without Close are freed by their finalizers.
func TestFinalizers(t *testing.T) {
	for i := 0; i < 200; i++ {
		k := must(toz.GenerateAccessKey())(t)
		if _, err := toz.EncryptRecord(k, map[string]string{"a": "b"}); err != nil {
			t.Fatal(err)
		}
	}
	runtime.GC()
	runtime.GC()
	k := must(toz.GenerateAccessKey())(t)
	defer k.Close()
	if _, err := k.Text(); err != nil {
		t.Fatal(err)
	}
}
