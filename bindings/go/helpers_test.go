package toz_test

import (
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"

	toz "github.com/toz-dev/toz/bindings/go"
)

// liveEnv is what scripts/with-server.sh exports for a test run against a real toz-server.
type liveEnv struct {
	apiURL, token, backupCredentials, email, database, serverBin string
}

// live returns the server environment, failing (never skipping) the test when it is missing.
func live(t *testing.T) liveEnv {
	t.Helper()
	var missing []string
	get := func(name string) string {
		v := os.Getenv(name)
		if v == "" {
			missing = append(missing, name)
		}
		return v
	}
	e := liveEnv{
		apiURL:            get("TOZ_TEST_API_URL"),
		token:             get("TOZ_TEST_REGISTRATION_TOKEN"),
		backupCredentials: get("TOZ_TEST_BACKUP_CREDENTIALS"),
		email:             get("TOZ_TEST_ACCOUNT_EMAIL"),
		database:          get("TOZ_TEST_DATABASE"),
		serverBin:         get("TOZ_SERVER_BIN"),
	}
	if len(missing) > 0 {
		t.Fatalf("%s not set: run the Go tests through scripts/with-server.sh (bindings/go/test.sh does so)", strings.Join(missing, ", "))
	}
	return e
}

// oneTimeToken makes a registration token that can be used once.
func (e liveEnv) oneTimeToken(t *testing.T) string {
	t.Helper()
	out, err := exec.Command(e.serverBin, "token", "create", "--database", e.database, "--email", e.email, "--uses", "1").Output()
	if err != nil {
		t.Fatalf("toz-server token create: %v", err)
	}
	return strings.TrimSpace(string(out))
}

// party is a registered client with its credentials and id.
type party struct {
	client *toz.Client
	creds  *toz.Credentials
	id     string
}

// register registers a new client and closes its handles when the test ends.
func (e liveEnv) register(t *testing.T, name string, backup bool) party {
	t.Helper()
	creds, err := toz.Register(e.apiURL, e.token, name, backup, nil)
	if err != nil {
		t.Fatalf("Register(%s): %v", name, err)
	}
	t.Cleanup(func() { creds.Close() })
	info := must(creds.PublicInfo())(t)
	client := must(toz.NewClient(creds, nil))(t)
	t.Cleanup(func() { client.Close() })
	return party{client: client, creds: creds, id: info.ClientID}
}

// must turns (value, error) into the value, failing the test on an error.
func must[T any](v T, err error) func(t *testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return v
	}
}

// wantKind checks that err is a *toz.Error of one of the kinds, through errors.Is and errors.As.
func wantKind(t *testing.T, err error, kinds ...toz.ErrorKind) *toz.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %v", kinds)
	}
	var te *toz.Error
	if !errors.As(err, &te) {
		t.Fatalf("error %v (%T) is not a *toz.Error", err, err)
	}
	for _, k := range kinds {
		if errors.Is(err, k) {
			if te.Kind != k {
				t.Fatalf("errors.Is matched %v but Kind is %v", k, te.Kind)
			}
			return te
		}
	}
	t.Fatalf("got %v, want kind %v", err, kinds)
	return nil
}

func fields(n int) map[string]string {
	m := make(map[string]string, n)
	for i := 0; i < n; i++ {
		m["f"+string(rune('0'+i))] = strings.Repeat("x", 100)
	}
	return m
}
