package toz

import (
	"unicode/utf16"
	"unicode/utf8"
)

// A fast path for the hot conversion of the ABI, a JSON object of strings to and from
// map[string]string (record data, encrypted data, plain metadata), on which encoding/json takes
// about as long as the library's whole encrypt + decrypt of a small record. Anything outside the
// compact form the library writes falls back to encoding/json, so the result is always what
// encoding/json would give.

// appendStringMap appends m as a JSON object of strings. Unlike encoding/json it keeps invalid
// UTF-8 as it is, so the library reports it (ErrInvalidUTF8) instead of it being replaced.
func appendStringMap(b []byte, m map[string]string) []byte {
	b = append(b, '{')
	first := true
	for k, v := range m {
		if !first {
			b = append(b, ',')
		}
		first = false
		b = appendJSONString(b, k)
		b = append(b, ':')
		b = appendJSONString(b, v)
	}
	return append(b, '}')
}

const hexDigits = "0123456789abcdef"

func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// parseStringMap parses a compact JSON object of strings (no whitespace, valid UTF-8, no
// duplicate keys). ok is false for anything else, and the caller then uses encoding/json.
func parseStringMap(b []byte) (m map[string]string, ok bool) {
	if len(b) < 2 || b[0] != '{' || !utf8.Valid(b) {
		return nil, false
	}
	m = make(map[string]string)
	i := 1
	if b[i] == '}' {
		return m, i+1 == len(b)
	}
	for {
		k, next, ok := parseJSONString(b, i)
		if !ok || next >= len(b) || b[next] != ':' {
			return nil, false
		}
		v, next, ok := parseJSONString(b, next+1)
		if !ok || next >= len(b) {
			return nil, false
		}
		if _, dup := m[k]; dup {
			return nil, false
		}
		m[k] = v
		switch b[next] {
		case ',':
			i = next + 1
		case '}':
			return m, next+1 == len(b)
		default:
			return nil, false
		}
	}
}

// parseJSONString parses the string starting at b[i] (a '"') and returns it and the index after
// its closing quote.
func parseJSONString(b []byte, i int) (s string, next int, ok bool) {
	if i >= len(b) || b[i] != '"' {
		return "", 0, false
	}
	i++
	start := i
	for i < len(b) && b[i] != '"' && b[i] != '\\' && b[i] >= 0x20 {
		i++
	}
	if i < len(b) && b[i] == '"' { // no escapes: the common case
		return string(b[start:i]), i + 1, true
	}
	out := append([]byte(nil), b[start:i]...)
	for i < len(b) {
		c := b[i]
		switch {
		case c == '"':
			return string(out), i + 1, true
		case c < 0x20:
			return "", 0, false
		case c != '\\':
			out = append(out, c)
			i++
			continue
		}
		if i+1 >= len(b) {
			return "", 0, false
		}
		switch e := b[i+1]; e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, ok := parseHex4(b, i+2)
			if !ok || utf16.IsSurrogate(r) {
				return "", 0, false // surrogate pairs are left to encoding/json
			}
			out = utf8.AppendRune(out, r)
			i += 4
		default:
			return "", 0, false
		}
		i += 2
	}
	return "", 0, false
}

func parseHex4(b []byte, i int) (rune, bool) {
	if i+4 > len(b) {
		return 0, false
	}
	var r rune
	for _, c := range b[i : i+4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}
