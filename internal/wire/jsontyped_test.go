package wire_test

import (
	"fmt"
	"math"
	"net/http/httptest"
	"reflect"
	"sort"
	"strings"
	"testing"

	athenaapi "github.com/palisade/palisade/internal/api/athena"
	budgetsapi "github.com/palisade/palisade/internal/api/budgets"
	ceapi "github.com/palisade/palisade/internal/api/ce"
	ctapi "github.com/palisade/palisade/internal/api/cloudtrail"
	configapi "github.com/palisade/palisade/internal/api/config"
	kmsapi "github.com/palisade/palisade/internal/api/kms"
	logsapi "github.com/palisade/palisade/internal/api/logs"
	orgsapi "github.com/palisade/palisade/internal/api/organizations"
	sqsapi "github.com/palisade/palisade/internal/api/sqs"
	supportapi "github.com/palisade/palisade/internal/api/support"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/wire"
)

// The typed path must be the generic path (Decode, ValidateInput, Unmarshal) or
// nothing: whatever DecodeTyped accepts, the generic path accepts too, with the same
// struct and, through model.Marshal, the same value tree.

type typedCase struct {
	svc *model.Service
	op  string
}

var typedOps = []typedCase{
	{logsapi.Service, "PutLogEvents"},
	{logsapi.Service, "CreateLogGroup"},
	{logsapi.Service, "DescribeLogGroups"},
	{logsapi.Service, "PutRetentionPolicy"},
	{sqsapi.Service, "SendMessage"},
	{kmsapi.Service, "Encrypt"},
	{kmsapi.Service, "ListAliases"},
}

// compareTyped runs both paths on body and fails t if the typed one accepted what the
// generic one did not, or decoded it differently. It reports whether the typed path
// accepted.
func compareTyped(t testing.TB, c typedCase, body []byte) bool {
	t.Helper()
	proto, _ := wire.Lookup("json")
	op := c.svc.Operations[c.op]
	hr := httptest.NewRequest("POST", "/", nil)
	r := &wire.Request{HTTP: hr, Service: c.svc, Op: op, Body: body}
	typed := reflect.New(op.InputType)
	ok := proto.(wire.TypedDecoder).DecodeTyped(r, typed)

	tree, derr := proto.Decode(r)
	if derr == nil {
		derr = wire.ValidateInput(r, tree)
	}
	generic := reflect.New(op.InputType)
	if derr == nil {
		if err := model.Unmarshal(tree, generic.Interface()); err != nil {
			derr = model.NewError(400, "SerializationException", "%s", err)
		}
	}
	if !ok {
		return false
	}
	if derr != nil {
		t.Fatalf("%s %.200q: typed path accepted what the generic path refuses: %v", c.op, body, derr)
	}
	if !reflect.DeepEqual(typed.Interface(), generic.Interface()) {
		t.Fatalf("%s %.200q: typed %+v, generic %+v", c.op, body, typed.Elem().Interface(), generic.Elem().Interface())
	}
	if m := model.Marshal(typed.Interface()); !reflect.DeepEqual(m, tree) {
		t.Fatalf("%s %.200q: typed tree %v, generic tree %v", c.op, body, m, tree)
	}
	return true
}

func events(n int, msg func(i int) string) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"timestamp":%d,"message":%q}`, 1700000000000+i, msg(i))
	}
	return b.String()
}

func put(evs string) string {
	return `{"logGroupName":"g","logStreamName":"s","logEvents":[` + evs + `]}`
}

func TestTypedDecodeAccepts(t *testing.T) {
	plain := func(i int) string { return fmt.Sprintf("event %d", i) }
	accepted := []struct {
		c    typedCase
		body string
	}{
		{typedOps[0], put(events(3, plain))},
		{typedOps[0], put(events(10000, plain))},
		{typedOps[0], " \n" + put(events(2, plain)) + "\t\r\n"},
		{typedOps[0], `{"logEvents":[{"message":"a","timestamp":0}],"logStreamName":"s.x","logGroupName":"a/b_c.d-#9","sequenceToken":"t"}`},
		{typedOps[0], `{ "logGroupName" : "g" , "logStreamName" : "s" , "logEvents" : [ { "timestamp" : 9223372036854775807 , "message" : "m" } ] }`},
		// Escapes, non-ASCII, invalid UTF-8 and lone surrogates, as the generic
		// parser decodes them; the message length counts characters.
		{typedOps[0], put(`{"timestamp":1,"message":"tab\there \"q\" \\ \/ \u00e9 \ud83d\ude00 é \ud800 x"}`)},
		{typedOps[0], put("{\"timestamp\":1,\"message\":\"\xff\xfe\"}")},
		{typedOps[0], put(`{"timestamp":1,"message":"é"}`)},
		// Unknown members, at any depth, and nulls are dropped.
		{typedOps[0], `{"logGroupName":"g","logStreamName":"s","x":{"y":[1,2,{"z":null}]},"sequenceToken":null,"logEvents":[{"timestamp":1,"message":"m","extra":[true]}]}`},
		{typedOps[0], `{"logGroupName":"g","logStreamName":"s","logEvents":[{"timestamp":1,"message":"m"}],"entity":{"keyAttributes":{"Type":"Service","Name":"n"},"attributes":{"a":"b"}}}`},
		{typedOps[0], `{"logGroupName":"g","logStreamName":"s","logEvents":[{"timestamp":1,"message":"m"}],"entity":{}}`},
		// An escaped key names its member.
		{typedOps[0], `{"logGroup\u004eame":"g","logStreamName":"s","logEvents":[{"timestamp":1,"message":"m"}]}`},
		{typedOps[1], `{"logGroupName":"g","tags":{"k":"v","k2":""},"logGroupClass":"STANDARD","deletionProtectionEnabled":false}`},
		{typedOps[1], `{"logGroupName":"g","tags":{"k":"a","k":"b"}}`},
		{typedOps[2], `{}`},
		{typedOps[2], `{"limit":50,"includeLinkedAccounts":true,"logGroupIdentifiers":["a","b"],"accountIdentifiers":[]}`},
		{typedOps[3], `{"logGroupName":"g","retentionInDays":-2147483648}`},
		{typedOps[3], `{"logGroupName":"g","retentionInDays":-0}`},
		{typedOps[4], `{"QueueUrl":"u","MessageBody":"b","DelaySeconds":5}`},
		{typedOps[6], `{"KeyId":"k","Limit":10,"Marker":null}`},
	}
	for _, a := range accepted {
		if !compareTyped(t, a.c, []byte(a.body)) {
			t.Errorf("%s %.120q: the typed path declined", a.c.op, a.body)
		}
	}
}

func TestTypedDecodeDeclines(t *testing.T) {
	ok := `{"timestamp":1,"message":"m"}`
	long := strings.Repeat("x", 513)
	declined := []struct {
		c    typedCase
		body string
	}{
		// Malformed JSON.
		{typedOps[0], ``},
		{typedOps[0], `   `},
		{typedOps[0], `[]`},
		{typedOps[0], `null`},
		{typedOps[0], put(ok)[:40]},
		{typedOps[0], put(ok) + `x`},
		{typedOps[0], put(ok) + `{}`},
		{typedOps[0], put(ok + `,`)},
		{typedOps[0], `{"logGroupName":"g",}`},
		{typedOps[0], `{"logGroupName":"g" "logStreamName":"s"}`},
		{typedOps[0], `{"logGroupName":"g\x01","logStreamName":"s","logEvents":[` + ok + `]}`},
		{typedOps[0], put(`{"timestamp":01,"message":"m"}`)},
		{typedOps[0], put(`{"timestamp":1,"message":"m\q"}`)},
		{typedOps[0], put(`{"timestamp":1,"message":"m\u12"}`)},
		{typedOps[0], `{"logGroupName":"g","logStreamName":"s","x":[1,],"logEvents":[` + ok + `]}`},
		{typedOps[0], `{"logGroupName":"g","logStreamName":"s","x":nul,"logEvents":[` + ok + `]}`},
		{typedOps[0], `{"logGroupName":"g","logStreamName":"s","x":` + strings.Repeat("[", 10001) + strings.Repeat("]", 10001) + `,"logEvents":[` + ok + `]}`},
		// Wrong types.
		{typedOps[0], `{"logGroupName":1,"logStreamName":"s","logEvents":[` + ok + `]}`},
		{typedOps[0], `{"logGroupName":"g","logStreamName":"s","logEvents":{}}`},
		{typedOps[0], put(`{"timestamp":"1","message":"m"}`)},
		{typedOps[0], put(`{"timestamp":1,"message":2}`)},
		{typedOps[0], put(`[1]`)},
		{typedOps[0], put(`"x"`)},
		{typedOps[0], put(`null`)},
		{typedOps[0], put(`{"timestamp":1.5,"message":"m"}`)},
		{typedOps[0], put(`{"timestamp":1e3,"message":"m"}`)},
		{typedOps[0], put(`{"timestamp":1.0,"message":"m"}`)},
		{typedOps[0], put(`{"timestamp":9223372036854775808,"message":"m"}`)},
		{typedOps[0], put(`{"timestamp":-9223372036854775809,"message":"m"}`)},
		{typedOps[0], put(`{"timestamp":true,"message":"m"}`)},
		// Constraints.
		{typedOps[0], put(``)},
		{typedOps[0], put(events(10001, func(int) string { return "m" }))},
		{typedOps[0], put(`{"timestamp":1,"message":""}`)},
		{typedOps[0], put(`{"timestamp":-1,"message":"m"}`)},
		{typedOps[0], put(`{"message":"m"}`)},
		{typedOps[0], put(`{"timestamp":1}`)},
		{typedOps[0], put(`{"timestamp":1,"message":null}`)},
		{typedOps[0], `{"logStreamName":"s","logEvents":[` + ok + `]}`},
		{typedOps[0], `{"logGroupName":null,"logStreamName":"s","logEvents":[` + ok + `]}`},
		{typedOps[0], `{"logGroupName":"","logStreamName":"s","logEvents":[` + ok + `]}`},
		{typedOps[0], `{"logGroupName":"` + long + `","logStreamName":"s","logEvents":[` + ok + `]}`},
		{typedOps[0], `{"logGroupName":"a b","logStreamName":"s","logEvents":[` + ok + `]}`},
		{typedOps[0], `{"logGroupName":"g","logStreamName":"s*","logEvents":[` + ok + `]}`},
		{typedOps[0], `{"logGroupName":"g","logStreamName":"s","sequenceToken":"","logEvents":[` + ok + `]}`},
		{typedOps[0], `{"logGroupName":"g","logStreamName":"s","logEvents":[` + ok + `],"entity":{"keyAttributes":{"a":"b"}}}`},
		{typedOps[0], `{"logGroupName":"g","logStreamName":"s","logEvents":[` + ok + `],"entity":{"attributes":{"a":null}}}`},
		{typedOps[0], `{"logGroupName":"g","logStreamName":"s","logEvents":[` + ok + `],"entity":[]}`},
		// Duplicate keys: the generic path keeps the last; the typed one leaves it.
		{typedOps[0], `{"logGroupName":"x","logGroupName":"g","logStreamName":"s","logEvents":[` + ok + `]}`},
		{typedOps[0], put(`{"timestamp":1,"message":"a","message":"b"}`)},
		{typedOps[1], `{"logGroupName":"g","logGroupClass":"standard"}`},
		{typedOps[1], `{"logGroupName":"g","tags":{}}`},
		{typedOps[1], `{"logGroupName":"g","tags":{"":"v"}}`},
		{typedOps[1], `{"logGroupName":"g","deletionProtectionEnabled":"true"}`},
		{typedOps[1], `{"logGroupName":"g","deletionProtectionEnabled":tru}`},
		{typedOps[2], `{"limit":0}`},
		{typedOps[2], `{"limit":51}`},
		{typedOps[2], `{"logGroupIdentifiers":["a",null]}`},
		{typedOps[3], `{"logGroupName":"g","retentionInDays":2147483648}`},
		// Shapes the typed path does not handle.
		{typedOps[4], `{"QueueUrl":"u","MessageBody":"b","MessageAttributes":{"a":{"DataType":"Binary","BinaryValue":"AA=="}}}`},
		{typedOps[5], `{"KeyId":"k","Plaintext":"AA=="}`},
		{typedOps[5], `{"KeyId":"k","Plaintext":null}`},
	}
	for _, d := range declined {
		if compareTyped(t, d.c, []byte(d.body)) {
			t.Errorf("%s %.120q: the typed path accepted", d.c.op, d.body)
		}
	}
}

// TestTypedDecodeEdges checks numbers at the edges of their types and long messages
// against the generic path, accepted or not.
func TestTypedDecodeEdges(t *testing.T) {
	for _, n := range []string{"0", "-0", "1", "9223372036854775807", "-9223372036854775808", "9223372036854775806", "18446744073709551616", "1E2", "0.0", "-", "--1", "+1", "00", "1.", ".5"} {
		compareTyped(t, typedOps[0], []byte(put(`{"timestamp":`+n+`,"message":"m"}`)))
	}
	for _, n := range []int64{math.MaxInt32, math.MaxInt32 + 1, math.MinInt32, math.MinInt32 - 1} {
		compareTyped(t, typedOps[3], fmt.Appendf(nil, `{"logGroupName":"g","retentionInDays":%d}`, n))
	}
	if !compareTyped(t, typedOps[0], []byte(put(`{"timestamp":1,"message":"`+strings.Repeat("é", 300000)+`"}`))) {
		t.Error("a long non-ASCII message was declined")
	}
}

// FuzzTypedDecode compares the two paths on arbitrary bodies.
func FuzzTypedDecode(f *testing.F) {
	f.Add(uint8(0), []byte(put(`{"timestamp":1,"message":"m"}`)))
	f.Add(uint8(0), []byte(`{"logGroupName":"g","logStreamName":"s","logEvents":[{"timestamp":1,"message":"\u00e9\ud83d"}],"entity":{"keyAttributes":{"Type":"a","Name":"n"}}}`))
	f.Add(uint8(1), []byte(`{"logGroupName":"g","tags":{"k":"v"},"logGroupClass":"STANDARD","deletionProtectionEnabled":true}`))
	f.Add(uint8(2), []byte(`{"limit":5,"logGroupIdentifiers":["a"]}`))
	f.Add(uint8(3), []byte(`{"logGroupName":"g","retentionInDays":7}`))
	f.Add(uint8(4), []byte(`{"QueueUrl":"u","MessageBody":"b","DelaySeconds":5}`))
	f.Add(uint8(5), []byte(`{"KeyId":"k","EncryptionContext":{"a":"b"}}`))
	f.Fuzz(func(t *testing.T, op uint8, body []byte) {
		compareTyped(t, typedOps[int(op)%len(typedOps)], body)
	})
}

// BenchmarkDecodePutLogEvents decodes an 8,000-event batch (about 1 MB) both ways.
func BenchmarkDecodePutLogEvents(b *testing.B) {
	body := []byte(put(events(8000, func(i int) string {
		return fmt.Sprintf("2026-11-27T10:00:00.%03dZ INFO request id=%08d path=/api/v1/items/%d status=200 latency=%dms", i%1000, i, i%5000, i%97)
	})))
	proto, _ := wire.Lookup("json")
	op := logsapi.Service.Operations["PutLogEvents"]
	r := &wire.Request{HTTP: httptest.NewRequest("POST", "/", nil), Service: logsapi.Service, Op: op, Body: body}
	b.Run("typed", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		for range b.N {
			if !proto.(wire.TypedDecoder).DecodeTyped(r, reflect.New(op.InputType)) {
				b.Fatal("declined")
			}
		}
	})
	b.Run("generic", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		for range b.N {
			tree, derr := proto.Decode(r)
			if derr == nil {
				derr = wire.ValidateInput(r, tree)
			}
			if derr != nil || model.Unmarshal(tree, reflect.New(op.InputType).Interface()) != nil {
				b.Fatal(derr)
			}
		}
	})
}

// sampleJSON writes a value of shape s that fits its constraints where it easily can:
// every member present, one item per list and map, the first enum value, the least
// length and value allowed.
func sampleJSON(b *strings.Builder, s *model.Shape, depth int) {
	if s.Document {
		b.WriteString(`{"d":[1,"x",null]}`)
		return
	}
	switch s.Type {
	case model.Structure:
		b.WriteByte('{')
		if depth < 4 {
			for i, m := range s.Members {
				if i > 0 {
					b.WriteByte(',')
				}
				fmt.Fprintf(b, "%q:", m.WireName())
				sampleJSON(b, m.Shape, depth+1)
			}
		}
		b.WriteByte('}')
	case model.List:
		b.WriteByte('[')
		sampleJSON(b, s.Member.Shape, depth+1)
		b.WriteByte(']')
	case model.Map:
		b.WriteByte('{')
		sampleJSON(b, s.Key.Shape, depth+1)
		b.WriteByte(':')
		sampleJSON(b, s.Value.Shape, depth+1)
		b.WriteByte('}')
	case model.String:
		v := "a"
		if len(s.Enum) > 0 {
			v = s.Enum[0]
		} else if s.Min != nil && *s.Min > 1 {
			v = strings.Repeat("a", int(*s.Min))
		}
		fmt.Fprintf(b, "%q", v)
	case model.Integer, model.Long:
		n := 1.0
		if s.Min != nil {
			n = *s.Min
		}
		fmt.Fprintf(b, "%d", int64(n))
	case model.Float, model.Double:
		b.WriteString("1.5")
	case model.Boolean:
		b.WriteString("true")
	case model.Timestamp:
		b.WriteString("1700000000")
	case model.Blob:
		b.WriteString(`"AA=="`)
	}
}

// TestTypedDecodeEveryOperation compares the two paths on a sample input, on an empty
// object and on the sample without its first member, for every operation of the json
// protocol services: the plans must hold for every shape the models have.
func TestTypedDecodeEveryOperation(t *testing.T) {
	accepted, total := 0, 0
	for _, svc := range []*model.Service{athenaapi.Service, budgetsapi.Service, ceapi.Service, ctapi.Service, configapi.Service,
		kmsapi.Service, logsapi.Service, orgsapi.Service, sqsapi.Service, supportapi.Service} {
		var names []string
		for name, op := range svc.Operations {
			if op.Input != nil {
				names = append(names, name)
			}
		}
		sort.Strings(names)
		for _, name := range names {
			c := typedCase{svc, name}
			var b strings.Builder
			sampleJSON(&b, svc.Operations[name].Input, 0)
			sample := b.String()
			total++
			if compareTyped(t, c, []byte(sample)) {
				accepted++
			}
			compareTyped(t, c, []byte(`{}`))
			if i := strings.IndexByte(sample, ','); i > 0 {
				compareTyped(t, c, []byte("{"+sample[i+1:]))
			}
		}
	}
	// Most samples hold a pattern they do not match, a timestamp or a blob; enough
	// remain to show the typed path is taken.
	if accepted < total/10 {
		t.Fatalf("the typed path accepted %d samples of %d", accepted, total)
	}
	t.Logf("the typed path accepted %d samples of %d", accepted, total)
}
