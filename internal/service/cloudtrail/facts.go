package cloudtrail

import (
	"bytes"
	"encoding/json"
	"errors"
)

// The consumers read a few fields of every record: which trails log it, what event
// history indexes. Decoding whole records with encoding/json costs more than the rest
// of their work, so records are walked once, member by member, and only the fields
// needed are decoded.

var errBadJSON = errors.New("cloudtrail: malformed record")

// members calls fn with each member of the JSON object in data and its raw value,
// until fn returns false.
func members(data []byte, fn func(key, raw []byte) bool) error {
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return errBadJSON
	}
	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == '}' {
		return nil
	}
	for i < len(data) {
		if data[i] != '"' {
			return errBadJSON
		}
		kend, err := skipValue(data, i)
		if err != nil {
			return err
		}
		key := data[i+1 : kend-1]
		i = skipSpace(data, kend)
		if i >= len(data) || data[i] != ':' {
			return errBadJSON
		}
		vstart := skipSpace(data, i+1)
		vend, err := skipValue(data, vstart)
		if err != nil {
			return err
		}
		if !fn(key, data[vstart:vend]) {
			return nil
		}
		i = skipSpace(data, vend)
		if i >= len(data) {
			return errBadJSON
		}
		if data[i] == '}' {
			return nil
		}
		if data[i] != ',' {
			return errBadJSON
		}
		i = skipSpace(data, i+1)
	}
	return errBadJSON
}

func skipSpace(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\n' || data[i] == '\t' || data[i] == '\r') {
		i++
	}
	return i
}

// skipValue returns the end of the JSON value starting at i.
func skipValue(data []byte, i int) (int, error) {
	if i >= len(data) {
		return 0, errBadJSON
	}
	switch data[i] {
	case '"':
		for j := i + 1; j < len(data); j++ {
			switch data[j] {
			case '\\':
				j++
			case '"':
				return j + 1, nil
			}
		}
		return 0, errBadJSON
	case '{', '[':
		depth := 0
		for j := i; j < len(data); j++ {
			switch data[j] {
			case '"':
				end, err := skipValue(data, j)
				if err != nil {
					return 0, err
				}
				j = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1, nil
				}
			}
		}
		return 0, errBadJSON
	}
	j := i
	for j < len(data) && data[j] != ',' && data[j] != '}' && data[j] != ']' && data[j] != ' ' && data[j] != '\n' {
		j++
	}
	if j == i {
		return 0, errBadJSON
	}
	return j, nil
}

// str decodes a raw JSON string ("" for null or anything else).
func str(raw []byte) string {
	if len(raw) < 2 || raw[0] != '"' {
		return ""
	}
	if bytes.IndexByte(raw, '\\') < 0 {
		return string(raw[1 : len(raw)-1])
	}
	var s string
	json.Unmarshal(raw, &s)
	return s
}

func boolPtr(raw []byte) *bool {
	switch string(raw) {
	case "true":
		return ptr(true)
	case "false":
		return ptr(false)
	}
	return nil
}

// parseFacts reads the fields the selectors look at; with full, also what event
// history needs (event ID, identity, resources named by parameters).
func parseFacts(data []byte, f *lookupRecord, full bool) error {
	return members(data, func(k, raw []byte) bool {
		switch string(k) {
		case "eventSource":
			f.EventSource = str(raw)
		case "eventName":
			f.EventName = str(raw)
		case "eventType":
			f.EventType = str(raw)
		case "awsRegion":
			f.AWSRegion = str(raw)
		case "readOnly":
			f.ReadOnly = boolPtr(raw)
		case "managementEvent":
			f.ManagementEvent = boolPtr(raw)
		case "eventCategory":
			f.EventCategory = str(raw)
		case "errorCode":
			f.ErrorCode = str(raw)
		case "eventTime":
			f.EventTime = str(raw)
		case "recipientAccountId":
			f.Recipient = str(raw)
		case "eventID":
			f.EventID = str(raw)
		case "resources":
			json.Unmarshal(raw, &f.Resources)
		case "userIdentity":
			members(raw, func(k, v []byte) bool {
				switch string(k) {
				case "arn":
					f.UserIdentity.ARN = str(v)
				case "type":
					f.UserIdentity.Type = str(v)
				case "userName":
					f.UserIdentity.UserName = str(v)
				case "accessKeyId":
					f.UserIdentity.AccessKeyID = str(v)
				}
				return true
			})
		case "requestParameters":
			if full {
				f.requestParameters = raw
			}
		case "responseElements":
			if full {
				f.responseElements = raw
			}
		}
		return true
	})
}
