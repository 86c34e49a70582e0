package toz

import (
	"encoding/json"
	"reflect"
	"testing"
	"unicode/utf8"
)

var codecSamples = []string{
	"", "plain", `"`, `\`, `\"`, "\x00", "\x1f", "\x7f", "\n\r\t\b\f", "é", "✓", "😀", "\u2028\u2029",
	"</script>&<>", "a\"b\\c\nd", "\\u0041", "/",
}

// What appendStringMap writes, encoding/json reads back unchanged, and so does parseStringMap.
func TestStringMapEncoding(t *testing.T) {
	m := map[string]string{}
	for i, s := range codecSamples {
		m[s] = codecSamples[(i+1)%len(codecSamples)]
		one := map[string]string{s: s}
		checkEncoding(t, one)
	}
	checkEncoding(t, m)
	checkEncoding(t, map[string]string{})
	// Invalid UTF-8 is kept for the library to refuse, not replaced.
	if got := string(appendStringMap(nil, map[string]string{"k": "\xff"})); got != "{\"k\":\"\xff\"}" {
		t.Fatalf("invalid UTF-8 encoded as %q", got)
	}
}

func checkEncoding(t *testing.T, m map[string]string) {
	t.Helper()
	text := appendStringMap(nil, m)
	var viaStd map[string]string
	if err := json.Unmarshal(text, &viaStd); err != nil || !reflect.DeepEqual(viaStd, m) {
		t.Fatalf("encoding/json read %s as %q (%v), want %q", text, viaStd, err, m)
	}
	if got, ok := parseStringMap(text); !ok || !reflect.DeepEqual(got, m) {
		t.Fatalf("parseStringMap(%s) = %q, %v", text, got, ok)
	}
	std, _ := json.Marshal(m) // escapes <, >, & and U+2028 as \u: still the fast path
	if got, ok := parseStringMap(std); !ok || !reflect.DeepEqual(got, m) {
		t.Fatalf("parseStringMap(%s) = %q, %v", std, got, ok)
	}
}

// parseStringMap agrees with encoding/json whenever it accepts its input.
func FuzzParseStringMap(f *testing.F) {
	for _, s := range codecSamples {
		f.Add(appendStringMap(nil, map[string]string{s: s, "k": s}))
	}
	for _, s := range []string{`{}`, `{"a":"b"}`, `{ "a": "b" }`, `{"a":"b",}`, `{"a":"b","a":"c"}`, `{"a":1}`,
		`{"a":"\ud83d\ude00"}`, `{"a":"\u00e9"}`, `{"a":"\q"}`, `{"a":"b"}x`, `{"a"}`, `{"a":"b"`, `["a"]`, `null`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got, ok := parseStringMap(b)
		if !ok {
			return
		}
		var want map[string]string
		if err := json.Unmarshal(b, &want); err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("parseStringMap(%q) = %q, encoding/json: %q, %v", b, got, want, err)
		}
	})
}

// appendStringMap writes what encoding/json reads back unchanged.
func FuzzAppendStringMap(f *testing.F) {
	for _, s := range codecSamples {
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, k, v string) {
		if !utf8.ValidString(k) || !utf8.ValidString(v) {
			return
		}
		checkEncoding(t, map[string]string{k: v, "other": k})
	})
}
