package toz_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	toz "github.com/toz-dev/toz/bindings/go"
)

const unknownID = "3d1f8f0e-6e7e-4d55-9d43-6a3a3f0c0a11"

func TestRegisterFailures(t *testing.T) {
	e := live(t)
	_, err := toz.Register(e.apiURL, "not-a-token", "x", false, nil)
	te := wantKind(t, err, toz.ErrUnauthorized, toz.ErrForbidden, toz.ErrNotFound, toz.ErrHTTP)
	if te.HTTPStatus < 400 || te.HTTPStatus > 499 || strings.Contains(te.Message, "not-a-token") {
		t.Fatalf("wrong token: %+v", te)
	}

	once := e.oneTimeToken(t)
	first := must(toz.Register(e.apiURL, once, "first", false, nil))(t)
	first.Close()
	_, err = toz.Register(e.apiURL, once, "second", false, nil)
	if te := wantKind(t, err, toz.ErrUnauthorized, toz.ErrForbidden, toz.ErrNotFound, toz.ErrHTTP); te.HTTPStatus < 400 || te.HTTPStatus > 499 {
		t.Fatalf("used-up token: %+v", te)
	}

	_, err = toz.Register("http://192.0.2.1:8000", e.token, "x", false, nil)
	wantKind(t, err, toz.ErrInsecureTransport)
	noRetries := uint32(0)
	_, err = toz.Register("http://127.0.0.1:1", e.token, "x", false, &toz.Options{TimeoutMS: 3000, Retries: &noRetries})
	wantKind(t, err, toz.ErrNetwork)
	_, err = toz.Register(e.apiURL, e.token, "x", false, &toz.Options{CABundle: writeFile(t, "no certificates")})
	wantKind(t, err, toz.ErrInvalidArgument)
}

func writeFile(t *testing.T, content string) string {
	path := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestNewClientOptionsAndFailures(t *testing.T) {
	e := live(t)
	alice := e.register(t, "alice", false)
	one := uint32(1)
	opts := &toz.Options{TimeoutMS: 5000, Retries: &one, UserAgent: "toz-go-test/1", AllowInsecureHTTP: true}
	c := must(toz.NewClient(alice.creds, opts))(t)
	defer c.Close()
	if _, err := c.WriteRecord("opts", map[string]string{"a": "b"}, nil); err != nil {
		t.Fatalf("client with every option: %v", err)
	}

	// Unregistered credentials give an anonymous client: notes only; the rest is refused before
	// any request, even with a live server.
	unregistered := must(toz.GenerateCredentials(e.apiURL))(t)
	defer unregistered.Close()
	anonymous := must(toz.NewClient(unregistered, nil))(t)
	defer anonymous.Close()
	if info := must(anonymous.PublicInfo())(t); *info != *must(unregistered.PublicInfo())(t) || info.ClientID != "" {
		t.Fatalf("anonymous PublicInfo = %+v", info)
	}
	_, err := anonymous.WriteRecord("anonymous", map[string]string{"a": "b"}, nil)
	if te := wantKind(t, err, toz.ErrInvalidArgument); !strings.Contains(te.Message, "unregistered") {
		t.Fatalf("anonymous WriteRecord: %v", te)
	}
	_, err = anonymous.Query(&toz.QueryRequest{ContentTypes: []string{"anonymous"}})
	wantKind(t, err, toz.ErrInvalidArgument)
	_, err = toz.NewClient(nil, nil)
	wantKind(t, err, toz.ErrNullArgument)

	// The same credentials pointed at a port nobody listens on.
	var fields map[string]any
	json.Unmarshal([]byte(must(alice.creds.ToJSON())(t)), &fields)
	fields["api_url"] = "http://127.0.0.1:1"
	moved, _ := json.Marshal(fields)
	away := must(toz.CredentialsFromJSON(string(moved)))(t)
	defer away.Close()
	noRetries := uint32(0)
	dead := must(toz.NewClient(away, &toz.Options{Retries: &noRetries, TimeoutMS: 3000}))(t)
	defer dead.Close()
	_, err = dead.WriteRecord("t", map[string]string{"a": "b"}, nil)
	wantKind(t, err, toz.ErrNetwork)
}

func TestRecordsAndVersions(t *testing.T) {
	e := live(t)
	alice := e.register(t, "alice", false)
	data := map[string]string{"name": "Alice", "ssn": "123-45-6789"}
	written := must(alice.client.WriteRecord("contact", data, map[string]string{"team": "blue"}))(t)
	m := written.Meta
	if m.RecordID == "" || m.Version == "" || m.Created == "" || m.WriterID != alice.id || m.UserID != alice.id ||
		m.Type != "contact" || m.Plain["team"] != "blue" || !reflect.DeepEqual(written.Data, data) {
		t.Fatalf("written record = %+v", written)
	}

	read := must(alice.client.ReadRecord(m.RecordID))(t)
	if !reflect.DeepEqual(read.Data, data) || read.Meta.Version != m.Version {
		t.Fatalf("read = %+v", read)
	}
	only := must(alice.client.ReadRecord(m.RecordID, "name"))(t)
	if !reflect.DeepEqual(only.Data, map[string]string{"name": "Alice"}) {
		t.Fatalf("ReadRecord with a field = %v", only.Data)
	}

	changed := *read
	changed.Data = map[string]string{"name": "Alice B."}
	changed.Meta.Plain = map[string]string{"team": "red"}
	updated := must(alice.client.UpdateRecord(&changed))(t)
	if updated.Meta.Version == read.Meta.Version {
		t.Fatal("update kept the version")
	}
	again := must(alice.client.ReadRecord(m.RecordID))(t)
	if !reflect.DeepEqual(again.Data, changed.Data) || again.Meta.Plain["team"] != "red" {
		t.Fatalf("after update = %+v", again)
	}

	// The old version is stale: update and delete conflict.
	_, err := alice.client.UpdateRecord(&changed)
	if te := wantKind(t, err, toz.ErrConflict); te.HTTPStatus != 409 {
		t.Fatalf("stale update: %+v", te)
	}
	if !errors.Is(err, toz.ErrConflict) || errors.Is(err, toz.ErrNotFound) {
		t.Fatal("errors.Is does not tell kinds apart")
	}
	wantKind(t, alice.client.DeleteRecord(m.RecordID, read.Meta.Version), toz.ErrConflict)

	if err := alice.client.DeleteRecord(m.RecordID, updated.Meta.Version); err != nil {
		t.Fatal(err)
	}
	_, err = alice.client.ReadRecord(m.RecordID)
	wantKind(t, err, toz.ErrNotFound)
	_, err = alice.client.ReadRecord(unknownID)
	wantKind(t, err, toz.ErrNotFound)

	// An unconditional delete (no version).
	gone := must(alice.client.WriteRecord("contact", map[string]string{"a": "b"}, nil))(t)
	if err := alice.client.DeleteRecord(gone.Meta.RecordID, ""); err != nil {
		t.Fatal(err)
	}
	_, err = alice.client.ReadRecord(gone.Meta.RecordID)
	wantKind(t, err, toz.ErrNotFound)

	// Malformed input reaches the library and comes back as its error.
	_, err = alice.client.WriteRecord("", map[string]string{"a": "b"}, nil)
	wantKind(t, err, toz.ErrInvalidArgument)
	_, err = alice.client.WriteRecord("contact", nil, nil)
	wantKind(t, err, toz.ErrJSON)
	_, err = alice.client.UpdateRecord(&toz.Record{Data: map[string]string{"a": "b"}})
	wantKind(t, err, toz.ErrInvalidArgument)
	_, err = alice.client.UpdateRecord(nil)
	wantKind(t, err, toz.ErrJSON)
	_, err = alice.client.Query(&toz.QueryRequest{Plain: func() {}})
	wantKind(t, err, toz.ErrJSON)
}

func TestQueryAndSearch(t *testing.T) {
	e := live(t)
	alice := e.register(t, "alice", false)
	for i := 0; i < 6; i++ {
		color := map[bool]string{true: "red", false: "green"}[i%2 == 0]
		must(alice.client.WriteRecord("paint", map[string]string{"n": fmt.Sprint(i)}, map[string]string{"color": color}))(t)
	}
	must(alice.client.WriteRecord("other", map[string]string{"n": "x"}, nil))(t)

	for _, plain := range []any{
		&toz.PlainFilter{Eq: &toz.PlainEq{Name: "color", Value: "red"}},
		map[string]string{"color": "red"},
		&toz.PlainFilter{Not: &toz.PlainFilter{Eq: &toz.PlainEq{Name: "color", Value: "green"}}},
	} {
		page := must(alice.client.Query(&toz.QueryRequest{ContentTypes: []string{"paint"}, IncludeData: true, Plain: plain}))(t)
		if len(page.Results) != 3 {
			t.Fatalf("query %#v: %d results", plain, len(page.Results))
		}
		for _, r := range page.Results {
			if r.Meta.Plain["color"] != "red" || r.Data["n"] == "" || r.Meta.Type != "paint" {
				t.Fatalf("query result %+v", r)
			}
		}
	}

	first := must(alice.client.Query(&toz.QueryRequest{Count: 5, ContentTypes: []string{"paint"}}))(t)
	if len(first.Results) != 5 || len(first.Results[0].Data) != 0 {
		t.Fatalf("first page: %d results, data %v", len(first.Results), first.Results[0].Data)
	}
	second := must(alice.client.Query(&toz.QueryRequest{Count: 5, ContentTypes: []string{"paint"}, AfterIndex: first.LastIndex}))(t)
	if len(second.Results) != 1 {
		t.Fatalf("second page: %d results", len(second.Results))
	}

	search := &toz.SearchRequest{
		Limit:       2,
		IncludeData: true,
		Match:       []toz.SearchParams{{Terms: toz.SearchTerms{ContentTypes: []string{"paint"}}}},
		Order:       &toz.SearchOrder{SortOrder: "ASCENDING"},
	}
	page := must(alice.client.Search(search))(t)
	if page.TotalResults != 6 || len(page.Results) != 2 || page.LastIndex != 2 || page.Results[0].Data["n"] == "" {
		t.Fatalf("search page = %+v", page)
	}
	search.NextToken = page.LastIndex
	next := must(alice.client.Search(search))(t)
	if len(next.Results) != 2 || next.Results[0].Meta.RecordID == page.Results[0].Meta.RecordID {
		t.Fatalf("next search page = %+v", next)
	}
	tagged := must(alice.client.Search(&toz.SearchRequest{
		Match:   []toz.SearchParams{{Condition: "AND", Terms: toz.SearchTerms{ContentTypes: []string{"paint"}, Tags: map[string]string{"color": "green"}}}},
		Exclude: []toz.SearchParams{{Terms: toz.SearchTerms{Values: []string{"red"}}}},
	}))(t)
	if tagged.TotalResults != 3 {
		t.Fatalf("tag search: %d results", tagged.TotalResults)
	}
	_, err := alice.client.Query(nil)
	wantKind(t, err, toz.ErrJSON)
}

func TestShareRevokeAndRecover(t *testing.T) {
	e := live(t)
	alice := e.register(t, "alice", true)
	bob := e.register(t, "bob", false)
	rec := must(alice.client.WriteRecord("medical", map[string]string{"note": "allergic to penicillin"}, nil))(t)
	id := rec.Meta.RecordID

	_, err := bob.client.ReadRecord(id)
	wantKind(t, err, toz.ErrForbidden, toz.ErrNotFound)
	if err := alice.client.Share("medical", bob.id); err != nil {
		t.Fatal(err)
	}
	if got := must(bob.client.ReadRecord(id))(t); !reflect.DeepEqual(got.Data, rec.Data) {
		t.Fatalf("bob read %v", got.Data)
	}
	out := must(alice.client.OutgoingShares())(t)
	if !containsShare(out, toz.OutgoingShare{ReaderID: bob.id, ReaderName: "bob", RecordType: "medical"}) {
		t.Fatalf("outgoing = %+v", out)
	}
	in := must(bob.client.IncomingShares())(t)
	if !containsShare(in, toz.IncomingShare{WriterID: alice.id, WriterName: "alice", RecordType: "medical"}) {
		t.Fatalf("incoming = %+v", in)
	}
	shared := must(bob.client.Query(&toz.QueryRequest{IncludeAllWriters: true, IncludeData: true, WriterIDs: []string{alice.id}}))(t)
	if len(shared.Results) != 1 || shared.Results[0].Data["note"] != rec.Data["note"] {
		t.Fatalf("bob's query of alice's records = %+v", shared)
	}

	if err := alice.client.Revoke("medical", bob.id); err != nil {
		t.Fatal(err)
	}
	_, err = bob.client.ReadRecord(id)
	wantKind(t, err, toz.ErrForbidden, toz.ErrNotFound)
	for _, o := range must(alice.client.OutgoingShares())(t) {
		if o.RecordType == "medical" {
			t.Fatalf("outgoing after revoke: %+v", o)
		}
	}
	if err := alice.client.Share("medical", unknownID); err == nil {
		t.Fatal("sharing with an unknown client succeeded")
	}

	// The account owner's backup client recovers alice (registered with backup), not bob.
	backupCreds := must(toz.LoadCredentialsFile(e.backupCredentials))(t)
	defer backupCreds.Close()
	queen := must(toz.NewClient(backupCreds, nil))(t)
	defer queen.Close()
	backups := must(queen.ListBackups())(t)
	var found bool
	for _, b := range backups {
		found = found || (b.ClientID == alice.id && b.RecordID != "" && b.Created != "")
		if b.ClientID == bob.id {
			t.Fatal("bob registered without backup but is listed")
		}
	}
	if !found {
		t.Fatalf("alice not in backups %+v", backups)
	}
	recovered := must(queen.RecoverCredentials(alice.id))(t)
	defer recovered.Close()
	if a, b := jsonMap(t, must(recovered.ToJSON())(t)), jsonMap(t, must(alice.creds.ToJSON())(t)); !reflect.DeepEqual(a, b) {
		t.Fatalf("recovered credentials differ:\n%v\n%v", a, b)
	}
	asAlice := must(toz.NewClient(recovered, nil))(t)
	defer asAlice.Close()
	if got := must(asAlice.ReadRecord(id))(t); got.Data["note"] != rec.Data["note"] {
		t.Fatalf("recovered alice read %v", got.Data)
	}
	_, err = queen.RecoverCredentials(bob.id)
	wantKind(t, err, toz.ErrNotFound)
	_, err = alice.client.RecoverCredentials(bob.id)
	wantKind(t, err, toz.ErrNotFound)
}

func containsShare[S comparable](list []S, want S) bool {
	for _, s := range list {
		if s == want {
			return true
		}
	}
	return false
}

func jsonMap(t *testing.T, text string) map[string]any {
	var m map[string]any
	if err := json.Unmarshal([]byte(text), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestAuthorizers(t *testing.T) {
	e := live(t)
	writer := e.register(t, "writer", false)
	authorizer := e.register(t, "authorizer", false)
	reader := e.register(t, "reader", false)
	rec := must(writer.client.WriteRecord("invoice", map[string]string{"amount": "42"}, nil))(t)

	wantKind(t, authorizer.client.ShareOnBehalfOf(writer.id, "invoice", reader.id), toz.ErrForbidden)
	if err := writer.client.AddAuthorizer("invoice", authorizer.id); err != nil {
		t.Fatal(err)
	}
	want := toz.Authorization{AuthorizerID: authorizer.id, WriterID: writer.id, UserID: writer.id, RecordType: "invoice", AuthorizedBy: writer.id}
	if got := must(writer.client.Authorizers())(t); !containsShare(got, want) {
		t.Fatalf("authorizers = %+v, want %+v", got, want)
	}
	if got := must(authorizer.client.GrantedAuthorizations())(t); !containsShare(got, want) {
		t.Fatalf("granted = %+v", got)
	}
	if err := authorizer.client.ShareOnBehalfOf(writer.id, "invoice", reader.id); err != nil {
		t.Fatal(err)
	}
	if got := must(reader.client.ReadRecord(rec.Meta.RecordID))(t); got.Data["amount"] != "42" {
		t.Fatalf("reader got %v", got.Data)
	}
	if err := authorizer.client.RevokeOnBehalfOf(writer.id, "invoice", reader.id); err != nil {
		t.Fatal(err)
	}
	_, err := reader.client.ReadRecord(rec.Meta.RecordID)
	wantKind(t, err, toz.ErrForbidden, toz.ErrNotFound)

	if err := writer.client.RemoveAuthorizer("invoice", authorizer.id); err != nil {
		t.Fatal(err)
	}
	if got := must(writer.client.Authorizers())(t); len(got) != 0 {
		t.Fatalf("authorizers after removal = %+v", got)
	}
	fresh := must(toz.NewClient(authorizer.creds, nil))(t)
	defer fresh.Close()
	if err := fresh.ShareOnBehalfOf(writer.id, "invoice", reader.id); err == nil {
		t.Fatal("a removed authorizer could still share")
	}
}

func TestClientInfo(t *testing.T) {
	e := live(t)
	alice := e.register(t, "alice", false)
	bob := e.register(t, "bob", false)
	info := must(alice.client.ClientInfo(bob.id))(t)
	pub := must(bob.creds.PublicInfo())(t)
	if info.ClientID != bob.id || info.PublicKey.Curve25519 != pub.PublicKey || info.SigningKey == nil || info.SigningKey.Ed25519 != pub.PublicSigningKey {
		t.Fatalf("info = %+v, want keys of %+v", info, pub)
	}
	_, err := alice.client.ClientInfo("doesnt exist")
	wantKind(t, err, toz.ErrNotFound)
	_, err = alice.client.ClientInfo(unknownID)
	wantKind(t, err, toz.ErrNotFound)
}

func TestClientUseAfterClose(t *testing.T) {
	e := live(t)
	alice := e.register(t, "alice", false)
	rec := must(alice.client.WriteRecord("t", map[string]string{"a": "b"}, nil))(t)
	alice.client.Close()
	alice.client.Close()
	calls := map[string]func() error{
		"WriteRecord":  func() error { _, err := alice.client.WriteRecord("t", map[string]string{"a": "b"}, nil); return err },
		"ReadRecord":   func() error { _, err := alice.client.ReadRecord(rec.Meta.RecordID); return err },
		"UpdateRecord": func() error { _, err := alice.client.UpdateRecord(rec); return err },
		"DeleteRecord": func() error { return alice.client.DeleteRecord(rec.Meta.RecordID, "") },
		"Query":        func() error { _, err := alice.client.Query(&toz.QueryRequest{}); return err },
		"Search":       func() error { _, err := alice.client.Search(&toz.SearchRequest{}); return err },
		"Share":        func() error { return alice.client.Share("t", unknownID) },
		"ListBackups":  func() error { _, err := alice.client.ListBackups(); return err },
		"Recover":      func() error { _, err := alice.client.RecoverCredentials(alice.id); return err },
		"ClientInfo":   func() error { _, err := alice.client.ClientInfo(alice.id); return err },
	}
	for name, call := range calls {
		if err := call(); !errors.Is(err, toz.ErrClosed) {
			t.Errorf("%s after Close: %v", name, err)
		}
	}
	// The credentials the client was made from are still usable.
	again := must(toz.NewClient(alice.creds, nil))(t)
	defer again.Close()
	if got := must(again.ReadRecord(rec.Meta.RecordID))(t); got.Data["a"] != "b" {
		t.Fatalf("read %v", got.Data)
	}
}

func TestOneClientManyGoroutines(t *testing.T) {
	e := live(t)
	alice := e.register(t, "alice", false)
	var wg sync.WaitGroup
	errs := make(chan error, 16*5)
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 5; i++ {
				value := fmt.Sprintf("%d-%d", g, i)
				rec, err := alice.client.WriteRecord("concurrent", map[string]string{"v": value}, nil)
				if err != nil {
					errs <- err
					return
				}
				back, err := alice.client.ReadRecord(rec.Meta.RecordID)
				if err != nil {
					errs <- err
					return
				}
				if back.Data["v"] != value {
					errs <- fmt.Errorf("read %q, wrote %q", back.Data["v"], value)
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	all := must(alice.client.Query(&toz.QueryRequest{Count: 1000, ContentTypes: []string{"concurrent"}}))(t)
	if len(all.Results) != 80 {
		t.Fatalf("%d records, want 80", len(all.Results))
	}
}

// Close racing with calls in flight on other goroutines: the calls finish or get ErrClosed,
// never a crash.
func TestCloseWhileInUse(t *testing.T) {
	e := live(t)
	alice := e.register(t, "alice", false)
	var wg sync.WaitGroup
	started := make(chan struct{}, 16)
	errs := make(chan error, 16)
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				_, err := alice.client.ClientInfo(alice.id)
				if i == 0 {
					started <- struct{}{}
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	for g := 0; g < 16; g++ {
		<-started
	}
	alice.client.Close()
	wg.Wait()
	close(errs)
	for err := range errs {
		if !errors.Is(err, toz.ErrClosed) {
			t.Errorf("call racing with Close: %v", err)
		}
	}
}
