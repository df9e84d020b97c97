package audit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"unicode/utf8"
)

// Every recorded call encodes its record on the request path, so Marshal writes the
// JSON by hand rather than through encoding/json's reflection, which also re-scans
// (compacts) requestParameters and responseElements although params.go already wrote
// them compact. The output is byte for byte what encoding/json gives for the same
// Record with HTML escaping off (the field order and omitempty rules of the struct
// tags); encode_test.go checks that against encoding/json on generated records.

// Marshal encodes a record as CloudTrail's compact JSON, without HTML escaping.
func Marshal(r *Record) ([]byte, error) {
	b := make([]byte, 0, 1024+len(r.RequestParameters)+len(r.ResponseElements))
	b = append(b, `{"eventVersion":`...)
	b = appendString(b, r.EventVersion)
	b = append(b, `,"userIdentity":`...)
	b = r.UserIdentity.appendJSON(b)
	b = appendField(b, "eventTime", r.EventTime)
	b = appendField(b, "eventSource", r.EventSource)
	b = appendField(b, "eventName", r.EventName)
	b = appendField(b, "awsRegion", r.AWSRegion)
	b = appendField(b, "sourceIPAddress", r.SourceIPAddress)
	b = appendField(b, "userAgent", r.UserAgent)
	b = appendOptional(b, "errorCode", r.ErrorCode)
	b = appendOptional(b, "errorMessage", r.ErrorMessage)
	var err error
	b = append(b, `,"requestParameters":`...)
	if b, err = appendRaw(b, r.RequestParameters); err != nil {
		return nil, fmt.Errorf("audit: requestParameters: %w", err)
	}
	b = append(b, `,"responseElements":`...)
	if b, err = appendRaw(b, r.ResponseElements); err != nil {
		return nil, fmt.Errorf("audit: responseElements: %w", err)
	}
	if len(r.AdditionalEventData) > 0 {
		extra, err := MarshalJSON(r.AdditionalEventData)
		if err != nil {
			return nil, fmt.Errorf("audit: additionalEventData: %w", err)
		}
		b = append(b, `,"additionalEventData":`...)
		b = append(b, extra...)
	}
	b = appendField(b, "requestID", r.RequestID)
	b = appendField(b, "eventID", r.EventID)
	b = append(b, `,"readOnly":`...)
	b = appendBool(b, r.ReadOnly)
	if len(r.Resources) > 0 {
		b = append(b, `,"resources":[`...)
		for i, res := range r.Resources {
			if i > 0 {
				b = append(b, ',')
			}
			b = res.appendJSON(b)
		}
		b = append(b, ']')
	}
	b = appendField(b, "eventType", r.EventType)
	b = appendOptional(b, "apiVersion", r.APIVersion)
	b = append(b, `,"managementEvent":`...)
	b = appendBool(b, r.ManagementEvent)
	b = appendField(b, "recipientAccountId", r.RecipientAccountID)
	b = appendOptional(b, "sharedEventID", r.SharedEventID)
	if len(r.ServiceEventDetails) > 0 {
		details, err := MarshalJSON(r.ServiceEventDetails)
		if err != nil {
			return nil, fmt.Errorf("audit: serviceEventDetails: %w", err)
		}
		b = append(b, `,"serviceEventDetails":`...)
		b = append(b, details...)
	}
	b = appendField(b, "eventCategory", r.EventCategory)
	if t := r.TLSDetails; t != nil {
		b = append(b, `,"tlsDetails":{"tlsVersion":`...)
		b = appendString(b, t.TLSVersion)
		b = appendField(b, "cipherSuite", t.CipherSuite)
		b = appendField(b, "clientProvidedHostHeader", t.ClientProvidedHostHeader)
		b = append(b, '}')
	}
	return append(b, '}'), nil
}

func (u *UserIdentity) appendJSON(b []byte) []byte {
	b = append(b, '{')
	n := len(b)
	b = appendOptional(b, "type", u.Type)
	if u.PrincipalID != nil {
		b = appendField(b, "principalId", *u.PrincipalID)
	}
	b = appendOptional(b, "arn", u.ARN)
	b = appendOptional(b, "accountId", u.AccountID)
	b = appendOptional(b, "accessKeyId", u.AccessKeyID)
	b = appendOptional(b, "userName", u.UserName)
	if s := u.SessionContext; s != nil {
		b = append(b, `,"sessionContext":{"sessionIssuer":{`...)
		i := s.SessionIssuer
		n := len(b)
		b = appendOptional(b, "type", i.Type)
		b = appendOptional(b, "principalId", i.PrincipalID)
		b = appendOptional(b, "arn", i.ARN)
		b = appendOptional(b, "accountId", i.AccountID)
		b = appendOptional(b, "userName", i.UserName)
		if len(b) > n {
			// appendOptional wrote a leading comma for the object's first member.
			b = append(b[:n], b[n+1:]...)
		}
		b = append(b, `},"webIdFederationData":`...)
		w := s.WebIDFederationData
		if w.FederatedProvider == "" {
			b = append(b, "{}"...)
		} else {
			b = append(b, `{"federatedProvider":`...)
			b = appendString(b, w.FederatedProvider)
			b = append(b, `,"attributes":{`...)
			for i, k := range slices.Sorted(maps.Keys(w.Attributes)) {
				if i > 0 {
					b = append(b, ',')
				}
				b = appendString(b, k)
				b = append(b, ':')
				b = appendString(b, w.Attributes[k])
			}
			b = append(b, "}}"...)
		}
		b = append(b, `,"attributes":{"creationDate":`...)
		b = appendString(b, s.Attributes.CreationDate)
		b = appendField(b, "mfaAuthenticated", s.Attributes.MFAAuthenticated)
		b = append(b, '}')
		b = appendOptional(b, "assumedRoot", s.AssumedRoot)
		b = appendOptional(b, "sourceIdentity", s.SourceIdentity)
		b = append(b, '}')
	}
	b = appendOptional(b, "invokedBy", u.InvokedBy)
	b = appendOptional(b, "identityProvider", u.IdentityProvider)
	if len(b) > n {
		// Every member was written with a leading comma; the first takes none.
		b = append(b[:n], b[n+1:]...)
	}
	return append(b, '}')
}

// appendField writes ,"name":"value"; names are plain ASCII and need no escaping.
func appendField(b []byte, name, v string) []byte {
	b = append(b, ',', '"')
	b = append(b, name...)
	b = append(b, '"', ':')
	return appendString(b, v)
}

// appendOptional is appendField for an omitempty member.
func appendOptional(b []byte, name, v string) []byte {
	if v == "" {
		return b
	}
	return appendField(b, name, v)
}

func appendBool(b []byte, v bool) []byte {
	if v {
		return append(b, "true"...)
	}
	return append(b, "false"...)
}

// appendRaw writes an already-encoded value as encoding/json writes a RawMessage: null
// when empty, compacted otherwise. params.go writes compact JSON, so the copy is
// verbatim unless a whitespace byte appears (inside a string it is kept either way).
func appendRaw(b []byte, raw json.RawMessage) ([]byte, error) {
	if len(raw) == 0 {
		return append(b, "null"...), nil
	}
	if !bytes.ContainsAny(raw, " \t\r\n") {
		if !json.Valid(raw) {
			return nil, fmt.Errorf("invalid JSON %q", raw)
		}
		return append(b, raw...), nil
	}
	buf := bytes.NewBuffer(b)
	if err := json.Compact(buf, raw); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

const hexDigits = "0123456789abcdef"

// appendString quotes s as encoding/json does with HTML escaping off: short escapes
// for quote, backslash, \b, \f, \n, \r and \t, \u00XX for other control characters,
// U+FFFD for invalid UTF-8, and \u2028 and \u2029 escaped (JSONP-safe).
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// appendJSON writes a resources entry in the order its service writes it. The default
// form (ARN first, no prefix, no hidden owner) is what encoding/json writes for
// Resource, which the tests hold it to.
func (res *Resource) appendJSON(b []byte) []byte {
	name, arn := "ARN", res.ARN
	if res.ARNPrefix != "" {
		name, arn = "ARNPrefix", res.ARNPrefix
	}
	account := func(b []byte) []byte {
		if res.OwnerHidden {
			return appendField(b, "accountId", "")
		}
		return appendOptional(b, "accountId", res.AccountID)
	}
	// Each append writes a leading comma; the entry's first one is replaced by '{'.
	start := len(b)
	if res.AccountFirst {
		b = account(b)
		b = appendOptional(b, "type", res.Type)
		b = appendField(b, name, arn)
	} else {
		b = appendField(b, name, arn)
		b = account(b)
		b = appendOptional(b, "type", res.Type)
	}
	b[start] = '{'
	return append(b, '}')
}
