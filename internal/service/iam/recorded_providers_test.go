package iam_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/palisade/palisade/internal/app/apptest"
	"github.com/palisade/palisade/internal/service/sts/ststest"
)

// rawIAM sends an IAM query request signed by the root key and returns the body: for
// elements the SDK reads the same whether empty or absent.
func rawIAM(t *testing.T, e *env, form url.Values) string {
	t.Helper()
	form.Set("Version", "2010-05-08")
	status, b := postIAM(t, e, form.Encode())
	if status != 200 {
		t.Fatalf("%s: %d %s", form.Get("Action"), status, b)
	}
	return string(b)
}

func wantElements(t *testing.T, what, body string, elems ...string) {
	t.Helper()
	for _, el := range elems {
		if !strings.Contains(body, el) {
			t.Fatalf("%s: no %s in %s", what, el, body)
		}
	}
}

// test_iam_oidc.py: a missing provider on delete, the tag quota, and the empty Tags
// list of GetOpenIDConnectProvider.
func TestRecordedOIDCProviders(t *testing.T) {
	e := newEnv(t)
	a := strings.Repeat("a", 40)
	// test_get_open_id_connect_provider, get-response: "Tags": [].
	arn := *must(e.iam.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://oidc-get.example.com"),
		ThumbprintList: []string{strings.Repeat("b", 40)}, ClientIDList: []string{"client-id-1"}})).OpenIDConnectProviderArn
	wantElements(t, "GetOpenIDConnectProvider", rawIAM(t, e, url.Values{"Action": {"GetOpenIDConnectProvider"}, "OpenIDConnectProviderArn": {arn}}), "<Tags></Tags>")
	// test_delete_open_id_connect_provider, get-not-found-error and
	// deletion-not-found-error: two wordings.
	must(e.iam.DeleteOpenIDConnectProvider(ctx, &iam.DeleteOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn)}))
	_, err := e.iam.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn)})
	wantErr(t, err, "NoSuchEntity", 404, "OpenIDConnect Provider not found for arn "+arn)
	_, err = e.iam.DeleteOpenIDConnectProvider(ctx, &iam.DeleteOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn)})
	wantErr(t, err, "NoSuchEntity", 404, "OpenId connect Provider "+arn+" cannot be found.")
	// test_open_id_connect_provider_tags_limit, tags-limit-error.
	var tags []types.Tag
	for i := range 50 {
		tags = append(tags, types.Tag{Key: aws.String(fmt.Sprintf("k%02d", i)), Value: aws.String(fmt.Sprint("v", i))})
	}
	full := *must(e.iam.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://oidc-tagsmax.example.com"),
		ThumbprintList: []string{a}, Tags: tags})).OpenIDConnectProviderArn
	_, err = e.iam.TagOpenIDConnectProvider(ctx, &iam.TagOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(full),
		Tags: []types.Tag{{Key: aws.String("string"), Value: aws.String("string")}}})
	wantErr(t, err, "LimitExceeded", 409, "The number of tags has reached the maximum limit.")
}

// test_iam_saml_providers.py test_get_saml_provider, get-response: a provider created
// without encryption settings reports AssertionEncryptionMode Allowed and empty
// PrivateKeyList and Tags lists.
func TestRecordedSAMLProvider(t *testing.T) {
	e := newEnv(t)
	p := ststest.NewIdP(t)
	arn := *must(e.iam.CreateSAMLProvider(ctx, &iam.CreateSAMLProviderInput{Name: aws.String("TestSAMLProvider"), SAMLMetadataDocument: aws.String(p.Metadata())})).SAMLProviderArn
	got := must(e.iam.GetSAMLProvider(ctx, &iam.GetSAMLProviderInput{SAMLProviderArn: aws.String(arn)}))
	if got.AssertionEncryptionMode != types.AssertionEncryptionModeTypeAllowed {
		t.Fatalf("AssertionEncryptionMode %q, want Allowed", got.AssertionEncryptionMode)
	}
	wantElements(t, "GetSAMLProvider", rawIAM(t, e, url.Values{"Action": {"GetSAMLProvider"}, "SAMLProviderArn": {arn}}),
		"<AssertionEncryptionMode>Allowed</AssertionEncryptionMode>", "<PrivateKeyList></PrivateKeyList>", "<Tags></Tags>")
}

// postIAM posts a form-encoded IAM query body, signed by the root key, and returns the
// status and body of the answer.
func postIAM(t *testing.T, e *env, body string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest("POST", e.p.URL+"/", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	sum := sha256.Sum256([]byte(body))
	apptest.SignAsRoot(t, req, "iam", hex.EncodeToString(sum[:]))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}
