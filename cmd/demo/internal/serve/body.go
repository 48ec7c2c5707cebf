package serve

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"unicode/utf8"
)

// decodeBody reads one JSON value of at most limit bytes into v and returns
// a message fit for a 400 when it cannot.
//
// The raw body is checked before decoding: encoding/json turns invalid
// UTF-8 and lone surrogate escapes into U+FFFD, so two different byte
// strings would decode to the same Go string (two passwords would collide).
// Such bodies are refused instead.
func decodeBody(w http.ResponseWriter, r *http.Request, limit int64, v any) (msg string, ok bool) {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return fmt.Sprintf("body too large: limit is %d bytes", limit), false
		}
		return "reading the body: " + err.Error(), false
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return "empty body, want a JSON object", false
	}
	if msg := checkRawStrings(b); msg != "" {
		return msg, false
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(v); err != nil {
		var typ *json.UnmarshalTypeError
		if errors.As(err, &typ) {
			return fmt.Sprintf("field %q must be %s", typ.Field, typ.Type), false
		}
		return "body is not JSON: " + err.Error(), false
	}
	if dec.More() {
		return "body holds more than one JSON value", false
	}
	return "", true
}

// checkRawStrings returns a message if b is not valid UTF-8 or holds a
// \u escape of a lone UTF-16 surrogate (a high one not followed by a low
// one, or a low one alone), and "" otherwise. A backslash outside a string
// is a syntax error the decoder reports, so escapes are found by scanning
// for backslashes without tracking strings.
func checkRawStrings(b []byte) string {
	if !utf8.Valid(b) {
		return "body is not valid UTF-8"
	}
	for i := 0; i < len(b); i++ {
		if b[i] != '\\' {
			continue
		}
		if i+1 >= len(b) {
			return "" // truncated: the decoder reports it
		}
		if b[i+1] != 'u' {
			i++ // a two-character escape such as \\ or \"
			continue
		}
		u, ok := hex4(b, i+2)
		if !ok {
			return "" // malformed: the decoder reports it
		}
		switch {
		case u >= 0xDC00 && u <= 0xDFFF:
			return fmt.Sprintf(`body holds a lone surrogate escape \u%04X`, u)
		case u >= 0xD800 && u <= 0xDBFF:
			lo, ok := uint16(0), false
			if i+7 < len(b) && b[i+6] == '\\' && b[i+7] == 'u' {
				lo, ok = hex4(b, i+8)
			}
			if !ok || lo < 0xDC00 || lo > 0xDFFF {
				return fmt.Sprintf(`body holds a lone surrogate escape \u%04X`, u)
			}
			i += 11
		default:
			i += 5
		}
	}
	return ""
}

// hex4 reads the four hex digits at b[i:i+4].
func hex4(b []byte, i int) (uint16, bool) {
	if i+4 > len(b) {
		return 0, false
	}
	var u uint16
	for _, c := range b[i : i+4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		u = u<<4 | uint16(c)
	}
	return u, true
}
