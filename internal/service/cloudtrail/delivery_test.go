package cloudtrail_test

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	ct "github.com/palisade/palisade/internal/service/cloudtrail"
	"github.com/palisade/palisade/internal/service/cloudtrail/cttest"
)

var (
	logKeyRE    = regexp.MustCompile(`^AWSLogs/(\d{12})/CloudTrail/([a-z0-9-]+)/(\d{4})/(\d{2})/(\d{2})/(\d{12})_CloudTrail_([a-z0-9-]+)_(\d{8}T\d{4}Z)_[A-Za-z0-9]{16}\.json\.gz$`)
	digestKeyRE = regexp.MustCompile(`^AWSLogs/(\d{12})/CloudTrail-Digest/([a-z0-9-]+)/\d{4}/\d{2}/\d{2}/(\d{12})_CloudTrail-Digest_([a-z0-9-]+)_main_([a-z0-9-]+)_(\d{8}T\d{6}Z)\.json\.gz$`)
)

// The whole delivery path, read back through S3: a trail with validation logs the calls made
// while it logs, in gzipped files with AWS's names, each record exactly once; hourly
// digests chain and verify, offline with Palisade's validator and with the aws CLI's
// own verification code; tampering is caught.
func TestDeliveryAndDigests(t *testing.T) {
	e := newEnv(t)
	e.bucket("trail-bucket")
	must(e.ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("main"), S3BucketName: aws.String("trail-bucket"), EnableLogFileValidation: aws.Bool(true)}))
	must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("before")})) // not logging yet
	must(e.ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("main")}))
	for _, u := range []string{"u1", "u2", "u3"} {
		must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(u)}))
		e.advance(15 * time.Minute)
	}
	e.advance(2 * time.Hour)

	files := e.files()
	recs := records(t, files)
	if len(recs) < 3 {
		t.Fatalf("%d log files, want one per 15-minute step at least", len(recs))
	}
	for key, rs := range recs {
		m := logKeyRE.FindStringSubmatch(key)
		if m == nil || m[1] != account || m[2] != "us-east-1" || m[6] != account || m[7] != "us-east-1" || m[3]+m[4]+m[5] != m[8][:8] {
			t.Errorf("log file key %s is not AWS's", key)
			continue
		}
		// Delivered within five minutes of its newest record, though the clock moved
		// by fifteen minutes and two hours at a time.
		at := must(time.Parse("20060102T1504Z", m[8]))
		for _, r := range rs {
			et := must(time.Parse(time.RFC3339, r["eventTime"].(string))).Truncate(time.Minute)
			if at.Before(et) || at.Sub(et) > ct.DeliveryInterval {
				t.Errorf("%s holds a record of %s", key, r["eventTime"])
			}
		}
	}
	for _, u := range []string{"u1", "u2", "u3"} {
		n := 0
		for _, rs := range recs {
			for _, r := range rs {
				if r["eventName"] == "CreateUser" && r["requestParameters"].(map[string]any)["userName"] == u {
					n++
				}
			}
		}
		if n != 1 {
			t.Errorf("CreateUser %s delivered %d times", u, n)
		}
	}
	if countName(recs, "StartLogging") != 1 || countName(recs, "CreateTrail") != 0 || countName(recs, "CreateUser") != 3 {
		t.Errorf("StartLogging %d, CreateTrail %d, CreateUser %d times", countName(recs, "StartLogging"), countName(recs, "CreateTrail"), countName(recs, "CreateUser"))
	}

	var digests []ct.File
	for _, f := range files {
		if f.Kind == "digest" {
			digests = append(digests, f)
			if m := digestKeyRE.FindStringSubmatch(f.Key); m == nil || m[1] != account || m[4] != "us-east-1" || m[5] != "us-east-1" {
				t.Errorf("digest key %s is not AWS's", f.Key)
			}
			if f.Metadata["signature-algorithm"] != "SHA256withRSA" || len(f.Metadata["signature"]) != 512 {
				t.Errorf("digest metadata %v", f.Metadata)
			}
		}
	}
	if len(digests) < 2 {
		t.Fatalf("%d digests after more than two hours", len(digests))
	}
	var first ct.Digest
	json.Unmarshal(cttest.Gunzip(t, digests[0].Body), &first)
	if first.PreviousDigestSignature != nil || first.PreviousDigestS3Object != nil || first.DigestS3Bucket != "trail-bucket" || first.DigestS3Object != digests[0].Key {
		t.Errorf("starting digest %+v", first)
	}
	var second ct.Digest
	json.Unmarshal(cttest.Gunzip(t, digests[1].Body), &second)
	if second.PreviousDigestS3Object == nil || *second.PreviousDigestS3Object != digests[0].Key || *second.PreviousDigestSignature != digests[0].Metadata["signature"] ||
		second.DigestStartTime != first.DigestEndTime || *second.PreviousDigestHashAlgorithm != "SHA-256" {
		t.Errorf("second digest does not chain to the first: %+v", second)
	}
	listed := 0
	for _, d := range digests {
		var dg ct.Digest
		json.Unmarshal(cttest.Gunzip(t, d.Body), &dg)
		listed += len(dg.LogFiles)
	}
	if listed != len(recs) {
		t.Errorf("%d log files listed in digests, %d delivered", listed, len(recs))
	}

	keys := must(e.ct.ListPublicKeys(ctx, &cloudtrail.ListPublicKeysInput{StartTime: aws.Time(e.p.Clock.Now().Add(-24 * time.Hour)), EndTime: aws.Time(e.p.Clock.Now().Add(time.Hour))}))
	if len(keys.PublicKeyList) != 1 || *keys.PublicKeyList[0].Fingerprint != first.DigestPublicKeyFingerprint {
		t.Fatalf("public keys %+v, digest fingerprint %s", keys.PublicKeyList, first.DigestPublicKeyFingerprint)
	}
	pubJSON := publicKeysJSON(keys)
	pub := must(ct.ParsePublicKeys(pubJSON))

	dir := t.TempDir()
	cttest.WriteDir(t, dir, files)
	rep := must(ct.Validate(os.DirFS(dir), pub))
	if !rep.OK() {
		t.Fatalf("untouched files invalid: %+v", rep.Results)
	}
	if inv, total := rep.Invalid("log"); total != listed || inv != 0 {
		t.Errorf("%d/%d log files invalid, %d listed", inv, total, listed)
	}
	awsCLIVerifies(t, dir, digests, pubJSON)

	// Tamper: alter a listed log file, delete another, forge a digest.
	var listedKeys []string
	for _, d := range digests {
		var dg ct.Digest
		json.Unmarshal(cttest.Gunzip(t, d.Body), &dg)
		for _, lf := range dg.LogFiles {
			listedKeys = append(listedKeys, lf.S3Object)
		}
	}
	if len(listedKeys) < 2 {
		t.Fatalf("need two listed log files to tamper with, have %d", len(listedKeys))
	}
	altered := filepath.Join(dir, listedKeys[0])
	raw := strings.Replace(string(cttest.Gunzip(t, must(os.ReadFile(altered)))), "CreateUser", "DeleteUser", 1)
	writeGzip(t, altered, []byte(raw))
	os.Remove(filepath.Join(dir, listedKeys[1]))
	rep = must(ct.Validate(os.DirFS(dir), pub))
	reasons := map[string]string{}
	for _, r := range rep.Results {
		if !r.Valid {
			reasons[r.Key] = r.Reason
		}
	}
	if reasons[listedKeys[0]] != "hash value doesn't match" || reasons[listedKeys[1]] != "not found" || len(reasons) != 2 {
		t.Errorf("after tampering: %v", reasons)
	}
	forged := filepath.Join(dir, digests[0].Key)
	var d0 ct.Digest
	json.Unmarshal(cttest.Gunzip(t, must(os.ReadFile(forged))), &d0)
	d0.LogFiles = nil
	writeGzip(t, forged, must(json.Marshal(d0)))
	rep = must(ct.Validate(os.DirFS(dir), pub))
	bad := 0
	for _, r := range rep.Results {
		if r.Kind == "digest" && !r.Valid {
			bad++
		}
	}
	if bad != 2 { // the forged digest fails its signature, the next one its hash link
		t.Errorf("%d digests invalid after forging one: %+v", bad, rep.Results)
	}
}

func writeGzip(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, cttest.Gzip(t, b), 0o644); err != nil {
		t.Fatal(err)
	}
}

func publicKeysJSON(out *cloudtrail.ListPublicKeysOutput) []byte {
	type key struct {
		Value       string
		Fingerprint string
	}
	var doc struct{ PublicKeyList []key }
	for _, k := range out.PublicKeyList {
		doc.PublicKeyList = append(doc.PublicKeyList, key{Value: base64.StdEncoding.EncodeToString(k.Value), Fingerprint: *k.Fingerprint})
	}
	b, _ := json.Marshal(doc)
	return b
}

// awsCLIVerifies runs the aws CLI's own digest verification
// (awscli.customizations.cloudtrail.validation.Sha256RSADigestValidator) on every
// digest, with the public key ListPublicKeys returned.
func awsCLIVerifies(t *testing.T, dir string, digests []ct.File, pubJSON []byte) {
	t.Helper()
	script := `
import gzip, json, os, sys
from awscli.customizations.cloudtrail.validation import Sha256RSADigestValidator
keys = {k['Fingerprint']: k['Value'] for k in json.load(open(sys.argv[1]))['PublicKeyList']}
for key in sys.argv[3:]:
    raw = gzip.open(os.path.join(sys.argv[2], key)).read()
    data = json.loads(raw)
    data['_signature'] = open(os.path.join(sys.argv[2], key) + '.sig').read()
    data['_signature_algorithm'] = 'SHA256withRSA'
    Sha256RSADigestValidator().validate('trail-bucket', key, keys[data['digestPublicKeyFingerprint']], data, raw)
    print('valid', key)
`
	keysFile := filepath.Join(t.TempDir(), "keys.json")
	os.WriteFile(keysFile, pubJSON, 0o644)
	args := []string{"-c", script, keysFile, dir}
	for _, d := range digests {
		args = append(args, d.Key)
	}
	out, err := exec.Command("python3", args...).CombinedOutput()
	if err != nil || strings.Count(string(out), "valid ") != len(digests) {
		t.Fatalf("the aws CLI's validator rejects the digests: %v\n%s", err, out)
	}
}
