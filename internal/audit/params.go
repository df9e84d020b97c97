package audit

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/palisade/palisade/internal/model"
)

// Params renders a model value as CloudTrail's requestParameters/responseElements for
// the service named svc (a model.Service.Name):
//
//   - members in model order, named as the service's records name them (lowerCamel
//     rules differ: IAM and STS write "sAMLAssertionID", KMS keeps "AWSAccountId");
//   - secrets (members the model marks sensitive: secret access keys, passwords, web
//     identity tokens, SAML assertions) and binary payloads (KMS plaintexts and
//     ciphertexts, object bodies) left out, as AWS leaves them out;
//   - timestamps as the service's records print them ("Jul 18, 2014 4:07:39 PM" in
//     IAM and STS, with a comma after the year in KMS);
//   - null when there is nothing to report (a nil value or one with no member left),
//     as for AWS's calls without parameters.
func Params(svc string, s *model.Shape, v map[string]any) json.RawMessage {
	if s == nil || v == nil {
		return null
	}
	st := styleOf(svc)
	var buf bytes.Buffer
	if !st.value(&buf, s, v) || bytes.Equal(buf.Bytes(), []byte("{}")) {
		return null
	}
	return buf.Bytes()
}

var null = json.RawMessage("null")

// style is how one service's records render parameters.
type style struct {
	name       func(string) string
	timeLayout string
	renames    map[string]string
	// javaDoubles writes a whole double as Java does, with ".0".
	javaDoubles bool
	// hidden are members written as HIDDEN_DUE_TO_SECURITY_REASONS: content the
	// caller sent that the service keeps out of its records.
	hidden map[string]bool
	// omitEmptyLists leaves out members whose list is empty.
	omitEmptyLists bool
}

// value writes v (of shape s) and reports whether anything was written: members that
// CloudTrail leaves out write nothing.
func (st *style) value(buf *bytes.Buffer, s *model.Shape, v any) bool {
	if v == nil || s.Sensitive {
		return false
	}
	switch s.Type {
	case model.Structure:
		m, ok := v.(map[string]any)
		if !ok {
			return false
		}
		buf.WriteByte('{')
		first := true
		for _, mem := range s.Members {
			x, ok := m[mem.Name]
			if !ok || x == nil || mem.IsStreaming() || mem.Shape.Type == model.Blob || mem.Shape.Sensitive {
				continue
			}
			if l, ok := x.([]any); ok && len(l) == 0 && st.omitEmptyLists {
				continue
			}
			mark := buf.Len()
			if !first {
				buf.WriteByte(',')
			}
			name := st.renames[mem.Name]
			if name == "" {
				name = st.name(mem.Name)
			}
			writeString(buf, name)
			buf.WriteByte(':')
			if st.hidden[mem.Name] {
				writeString(buf, Hidden)
				first = false
				continue
			}
			if !st.value(buf, mem.Shape, x) {
				buf.Truncate(mark)
				continue
			}
			first = false
		}
		buf.WriteByte('}')
	case model.List:
		l, ok := v.([]any)
		if !ok {
			return false
		}
		buf.WriteByte('[')
		n := 0
		for _, e := range l {
			mark := buf.Len()
			if n > 0 {
				buf.WriteByte(',')
			}
			if !st.value(buf, s.Member.Shape, e) {
				buf.Truncate(mark)
				continue
			}
			n++
		}
		buf.WriteByte(']')
	case model.Map:
		m, ok := v.(map[string]any)
		if !ok {
			return false
		}
		buf.WriteByte('{')
		n := 0
		for _, k := range sortedKeys(m) {
			mark := buf.Len()
			if n > 0 {
				buf.WriteByte(',')
			}
			writeString(buf, k)
			buf.WriteByte(':')
			if !st.value(buf, s.Value.Shape, m[k]) {
				buf.Truncate(mark)
				continue
			}
			n++
		}
		buf.WriteByte('}')
	case model.Blob:
		return false
	case model.Double, model.Float:
		if f, ok := v.(float64); ok && st.javaDoubles && f == math.Trunc(f) && math.Abs(f) < 1e7 {
			buf.WriteString(strconv.FormatFloat(f, 'f', 1, 64))
			return true
		}
		return writeScalar(buf, v, st.timeLayout)
	default:
		return writeScalar(buf, v, st.timeLayout)
	}
	return true
}

func writeScalar(buf *bytes.Buffer, v any, layout string) bool {
	switch x := v.(type) {
	case string:
		writeString(buf, x)
	case bool:
		buf.WriteString(strconv.FormatBool(x))
	case int64:
		buf.WriteString(strconv.FormatInt(x, 10))
	case int:
		buf.WriteString(strconv.Itoa(x))
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			writeString(buf, strconv.FormatFloat(x, 'g', -1, 64))
		} else {
			buf.WriteString(strconv.FormatFloat(x, 'g', -1, 64))
		}
	case time.Time:
		writeString(buf, x.UTC().Format(layout))
	default:
		b, err := json.Marshal(x)
		if err != nil {
			return false
		}
		buf.Write(b)
	}
	return true
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && keys[j] < keys[j-1]; j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	return keys
}

// writeString writes s as a JSON string as encoding/json does with HTML escaping off
// (AWS's JSON does not escape <, > and &); invalid UTF-8 becomes U+FFFD.
func writeString(buf *bytes.Buffer, s string) {
	buf.Write(appendString(buf.AvailableBuffer(), s))
}

// lowerFirst lowers the first rune: UserName → userName, SAMLAssertionID →
// sAMLAssertionID (IAM's and STS's records).
func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError {
		return s
	}
	return string(unicode.ToLower(r)) + s[n:]
}

// decapitalize is Java's Introspector.decapitalize, which most services' records
// follow: KeyId → keyId, but AWSAccountId stays (its first two letters are capitals).
func decapitalize(s string) string {
	if len(s) > 1 && unicode.IsUpper(rune(s[0])) && unicode.IsUpper(rune(s[1])) {
		return s
	}
	return lowerFirst(s)
}

// Java's default date format, which services written in Java print timestamps in: JDK 8
// (STS: "Jul 18, 2014 4:07:39 PM") and later JDKs with CLDR data (KMS:
// "Aug 10, 2022, 10:38:27 PM").
const (
	javaDate     = "Jan 2, 2006 3:04:05 PM"
	javaDateCLDR = "Jan 2, 2006, 3:04:05 PM"
)

var (
	defaultStyle = &style{name: decapitalize, timeLayout: javaDateCLDR}
	styles       = map[string]*style{
		// IAM's records print timestamps in ISO 8601 to the second today (CreateRole's
		// createDate "2026-09-13T15:38:40Z": recorded 2026, stackd
		// testdata/aws/cloudtrail/service_management_events.json), not in the JDK 8
		// format of AWS's older examples.
		"iam": {name: lowerFirst, timeLayout: "2006-01-02T15:04:05Z"},
		"sts": {name: lowerFirst, timeLayout: javaDate},
		// CloudTrail's own records print timestamps in ISO 8601 to the second
		// (LookupEvents' startTime "2026-09-13T17:13:09Z": recorded 2026, stackd
		// testdata/aws/cloudtrail/owned_service_principal.json).
		"cloudtrail": {name: decapitalize, timeLayout: "2006-01-02T15:04:05Z"},
		// S3's requestParameters name the bucket bucketName (AWS's S3 records).
		// CloudWatch Logs' records write a whole double as Java does
		// (PutMetricFilter's "defaultValue": 0.0: recorded 2026, stackd
		// testdata/aws/cloudtrail/logs_controls.json).
		"logs": {name: decapitalize, timeLayout: javaDateCLDR, javaDoubles: true},
		// SQS's records name members as IAM's do ("mD5OfMessageBody"), hide message
		// bodies and leave out empty lists (SendMessageBatch's "failed"): recorded
		// 2026, stackd testdata/aws/cloudtrail/service_data_events.json.
		"sqs": {name: lowerFirst, timeLayout: javaDateCLDR, hidden: map[string]bool{"MessageBody": true}, omitEmptyLists: true},
		"s3":  {name: decapitalize, timeLayout: javaDateCLDR, renames: map[string]string{"Bucket": "bucketName"}},
	}
)

func styleOf(svc string) *style {
	if s, ok := styles[svc]; ok {
		return s
	}
	return defaultStyle
}
