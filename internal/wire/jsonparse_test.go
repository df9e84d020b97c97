package wire

import (
	"bytes"
	"encoding/json"
	"io"
	"reflect"
	"strings"
	"testing"
)

// refParseJSON is encoding/json's Decoder with UseNumber, one value then nothing but
// whitespace: the reference parseJSON must agree with.
func refParseJSON(b []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, io.ErrUnexpectedEOF
	}
	return v, nil
}

var jsonParseSeeds = []string{
	`{}`, ` { } `, `[]`, `null`, `true`, `false`, `0`, `-0`, `1.5e3`, `1E+2`, `-12.25e-7`, `01`, `1.`, `.5`, `-`, `1e`, `+1`,
	`"a"`, `"\u00e9\n\t\"\\\/\b\f\r"`, `"\ud83d\ude00"`, `"\ud83d"`, `"\ud83dx"`, `"\ude00\ud83d"`, `"\ud83d\u0041"`, `"\u12"`, `"\x"`,
	"\"\xff\xfe\"", "\"caf\xc3\xa9\"", "\"\xe2\x82\"", "\"\x01\"", "\"\x7f\"", `"unterminated`, `"\`,
	`{"a":1,"a":2}`, `{"a":[1,{"b":null}],"c":{"d":"e"}}`, `{"a" 1}`, `{"a":1,}`, `[1,]`, `[1 2]`, `{,}`, `{"a":1}}`, `{"a":1} {}`,
	`{"a":1} x`, "{\"a\":1}\n\t ", `{"a":tru}`, `{"a":nul}`, `{"a":falsey}`, `{1:2}`, `nulll`, `[`, `{`, `]`, ``, ` `,
	`{"logGroupName":"g","logEvents":[{"timestamp":1700000000000,"message":"m"}]}`,
	strings.Repeat("[", 10000) + strings.Repeat("]", 10000), strings.Repeat("[", 10001) + strings.Repeat("]", 10001),
	strings.Repeat(`{"a":`, 10000) + "1" + strings.Repeat("}", 10000), strings.Repeat(`{"a":`, 10001) + "1" + strings.Repeat("}", 10001),
}

func checkParseJSON(t *testing.T, b []byte) {
	got, err := parseJSON(b)
	want, werr := refParseJSON(b)
	if (err == nil) != (werr == nil) {
		t.Fatalf("%q: parseJSON error %v, encoding/json error %v", b, err, werr)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%q: parseJSON %#v, encoding/json %#v", b, got, want)
	}
}

func TestParseJSONAgreesWithEncodingJSON(t *testing.T) {
	for _, s := range jsonParseSeeds {
		checkParseJSON(t, []byte(s))
	}
}

func FuzzParseJSON(f *testing.F) {
	for _, s := range jsonParseSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(checkParseJSON)
}

// BenchmarkParseJSON parses a PutLogEvents body of 8,000 events (about 1 MB).
func BenchmarkParseJSON(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(`{"logGroupName":"g","logStreamName":"s","logEvents":[`)
	for i := range 8000 {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(`{"message":"2026-11-27T10:00:00.123Z INFO request id=00001234 path=/api/v1/items/1234 status=200 latency=12ms","timestamp":1764237600123}`)
	}
	sb.WriteString(`]}`)
	body := []byte(sb.String())
	b.SetBytes(int64(len(body)))
	for range b.N {
		if _, err := parseJSON(body); err != nil {
			b.Fatal(err)
		}
	}
}
