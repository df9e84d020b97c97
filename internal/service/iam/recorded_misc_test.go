package iam_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/palisade/palisade/internal/app/apptest"
)

// The tests in this file replay answers AWS gave in 2026 to IAM query requests as
// their parameters were spelled on the wire (radkawar/stackd testdata/aws/iam/, each
// case naming its file); the SDK would not send these spellings.

// queryAnswer is the outcome of one raw query request.
type queryAnswer struct {
	Status int
	Code   string // "Success" for a 200
	Msg    string
	Body   string
}

// rawQuery sends IAM's query parameters form-encoded, signed by the root key, in the
// order given (pairs of name and value).
func rawQuery(t *testing.T, e *env, action string, params ...string) queryAnswer {
	t.Helper()
	var b strings.Builder
	b.WriteString("Action=" + action + "&Version=2010-05-08")
	for i := 0; i+1 < len(params); i += 2 {
		b.WriteString("&" + url.QueryEscape(params[i]) + "=" + url.QueryEscape(params[i+1]))
	}
	body := b.String()
	req, _ := http.NewRequest("POST", e.p.URL+"/", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	sum := sha256.Sum256([]byte(body))
	apptest.SignAsRoot(t, req, "iam", hex.EncodeToString(sum[:]))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	a := queryAnswer{Status: resp.StatusCode, Code: "Success", Body: string(raw)}
	if resp.StatusCode != 200 {
		var er struct {
			Error struct{ Code, Message string }
		}
		if err := xml.Unmarshal(raw, &er); err != nil {
			t.Fatalf("%s: unparseable error %q", action, raw)
		}
		a.Code, a.Msg = er.Error.Code, er.Error.Message
	}
	return a
}

// TestRecordedQueryNumbers replays pagination_inputs.json: MaxItems as the query
// string spells it. Leading zeros and a plus sign are an integer; spaces, a fraction,
// an exponent or a value past 2^31-1 are MalformedInput; 0 and 1001 are in integer
// form but out of range, ValidationError. (credential_inputs.json recorded the same
// answers for CreateServiceSpecificCredential's CredentialAgeDays.)
func TestRecordedQueryNumbers(t *testing.T) {
	e := newEnv(t)
	for _, n := range []string{"pa", "pb", "pc"} {
		must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(n), Path: aws.String("/pages/")}))
	}
	for _, c := range []struct{ value, code string }{
		{"1", "Success"}, {"01", "Success"}, {"+1", "Success"},
		{" 1 ", "MalformedInput"}, {"\t1\n", "MalformedInput"}, {"1.0", "MalformedInput"}, {"1e0", "MalformedInput"},
		{"2147483648", "MalformedInput"}, {"", "MalformedInput"},
		{"0", "ValidationError"}, {"1001", "ValidationError"}, {"-1", "ValidationError"},
	} {
		a := rawQuery(t, e, "ListUsers", "PathPrefix", "/pages/", "MaxItems", c.value)
		if a.Code != c.code || (a.Code != "Success" && a.Status != 400) {
			t.Errorf("MaxItems=%q: %d %s %q, want %s", c.value, a.Status, a.Code, a.Msg, c.code)
		}
		if a.Code == "Success" && (strings.Count(a.Body, "<UserName>") != 1 || !strings.Contains(a.Body, "<IsTruncated>true</IsTruncated>")) {
			t.Errorf("MaxItems=%q: want one user and truncated, got %s", c.value, a.Body)
		}
	}
	// The marker of a first page continues under any spelling of MaxItems.
	first := must(e.iam.ListUsers(ctx, &iam.ListUsersInput{PathPrefix: aws.String("/pages/"), MaxItems: aws.Int32(1)}))
	a := rawQuery(t, e, "ListUsers", "PathPrefix", "/pages/", "MaxItems", "+1", "Marker", aws.ToString(first.Marker))
	if a.Code != "Success" || strings.Contains(a.Body, "<UserName>"+aws.ToString(first.Users[0].UserName)+"<") {
		t.Errorf("next page: %s", a.Body)
	}
}

// TestRecordedQueryBooleans replays credential_inputs.json's boolean_inputs and
// pagination_inputs.json: ListServiceSpecificCredentials' AllUsers takes exactly
// true, false, 1 and 0; other spellings (other cases, spaces, empty, null) are
// MalformedInput. (AWS's caller was denied AllUsers=true and =1 alike; here the root
// user may list, so 1 is seen to mean true by what it lists.)
func TestRecordedQueryBooleans(t *testing.T) {
	e := newEnv(t)
	must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("git")}))
	must(e.iam.CreateServiceSpecificCredential(ctx, &iam.CreateServiceSpecificCredentialInput{UserName: aws.String("git"), ServiceName: aws.String("codecommit.amazonaws.com")}))
	for _, c := range []struct {
		value, code string
		listed      bool
	}{
		{"true", "Success", true}, {"1", "Success", true}, {"false", "Success", false}, {"0", "Success", false},
		{" true", "MalformedInput", false}, {"true ", "MalformedInput", false}, {"\ttrue\n", "MalformedInput", false},
		{"True", "MalformedInput", false}, {"TRUE", "MalformedInput", false}, {"False", "MalformedInput", false},
		{"FALSE", "MalformedInput", false}, {"", "MalformedInput", false}, {"null", "MalformedInput", false},
		{"anything", "MalformedInput", false},
	} {
		a := rawQuery(t, e, "ListServiceSpecificCredentials", "AllUsers", c.value)
		if a.Code != c.code || (a.Code != "Success" && a.Status != 400) {
			t.Errorf("AllUsers=%q: %d %s %q, want %s", c.value, a.Status, a.Code, a.Msg, c.code)
			continue
		}
		if a.Code == "Success" && strings.Contains(a.Body, "<UserName>git</UserName>") != c.listed {
			t.Errorf("AllUsers=%q: listed git's credential %v, want %v", c.value, !c.listed, c.listed)
		}
	}
	// AllUsers=false beside UserName, with the other spellings of MaxItems, pages the
	// named user's credentials (pagination_inputs.json, credentials_*).
	must(e.iam.CreateServiceSpecificCredential(ctx, &iam.CreateServiceSpecificCredentialInput{UserName: aws.String("git"), ServiceName: aws.String("cassandra.amazonaws.com")}))
	a := rawQuery(t, e, "ListServiceSpecificCredentials", "UserName", "git", "AllUsers", "false", "MaxItems", "1")
	if a.Code != "Success" || !strings.Contains(a.Body, "<IsTruncated>true</IsTruncated>") {
		t.Fatalf("first page: %s", a.Body)
	}
	marker := a.Body[strings.Index(a.Body, "<Marker>")+len("<Marker>") : strings.Index(a.Body, "</Marker>")]
	for _, all := range []string{"false", "0"} {
		a := rawQuery(t, e, "ListServiceSpecificCredentials", "UserName", "git", "AllUsers", all, "MaxItems", "1", "Marker", marker)
		if a.Code != "Success" || strings.Count(a.Body, "<ServiceSpecificCredentialId>") != 1 || !strings.Contains(a.Body, "<IsTruncated>false</IsTruncated>") {
			t.Errorf("AllUsers=%s next page: %s", all, a.Body)
		}
	}
}

// TestRecordedQueryListIndices replays query_collections.json:
// GetContextKeysForCustomPolicy's PolicyInputList.member.N. N may have leading zeros
// but no sign or letters, is at least 1, and may not jump more than 10 past the
// previous index (or past 1 for the first), whatever order the parameters come in.
func TestRecordedQueryListIndices(t *testing.T) {
	e := newEnv(t)
	const doc = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}`
	for _, c := range []struct {
		idx       []string
		code, msg string
	}{
		{[]string{"1"}, "Success", ""},
		{[]string{"01"}, "Success", ""},
		{[]string{"+1"}, "MalformedInput", "Start of list found where not expected"},
		{[]string{"one"}, "MalformedInput", "Start of list found where not expected"},
		{[]string{"0"}, "MalformedInput", "0 is not a valid index"},
		{[]string{"-1"}, "MalformedInput", "Key -1 may not have a leading '-'"},
		{[]string{"12"}, "MalformedInput", "Excessively sparse input would skip 11 list elements"},
		{[]string{"33"}, "MalformedInput", "Excessively sparse input would skip 32 list elements"},
		{[]string{"1", "12"}, "MalformedInput", "Excessively sparse input would skip 11 list elements"},
		{[]string{"12", "1"}, "MalformedInput", "Excessively sparse input would skip 11 list elements"},
		{[]string{"1", "22", "43"}, "MalformedInput", "Excessively sparse input would skip 21 list elements"},
		{[]string{"22", "1"}, "MalformedInput", "Excessively sparse input would skip 21 list elements"},
		{[]string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "21"}, "MalformedInput", "Excessively sparse input would skip 11 list elements"},
		{[]string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "22"}, "MalformedInput", "Excessively sparse input would skip 12 list elements"},
	} {
		var params []string
		for _, i := range c.idx {
			params = append(params, "PolicyInputList.member."+i, doc)
		}
		a := rawQuery(t, e, "GetContextKeysForCustomPolicy", params...)
		if a.Code != c.code || a.Msg != c.msg || (a.Code != "Success" && a.Status != 400) {
			t.Errorf("%v: %d %s %q, want %s %q", c.idx, a.Status, a.Code, a.Msg, c.code, c.msg)
		}
	}
}
