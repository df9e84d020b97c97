package cloudtrail

import (
	"bytes"
	"compress/gzip"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"
)

// Offline validation of downloaded CloudTrail files (`palisade trail validate DIR`),
// the checks `aws cloudtrail validate-logs` makes online: each digest's signature
// with the public key of its fingerprint, the chain of digests (each names the
// previous one with its hash and signature), and every log file a digest lists,
// present with the same SHA-256. DIR is a copy of the bucket (aws s3 cp --recursive
// s3://BUCKET DIR): keys are paths under it.
//
// A digest's signature is object metadata, which a download does not keep. The chain
// carries every digest's signature in the next digest; the newest digest of a chain
// is checked against KEY.sig next to it when present (the hex of x-amz-meta-signature,
// e.g. from aws s3api head-object), and reported unchecked otherwise.

var digestKeyRE = regexp.MustCompile(`^(?:(.+)/)?AWSLogs/(?:(o-[a-z0-9]+)/)?(\d{12})/CloudTrail-Digest/([a-z0-9-]+)/\d{4}/\d{2}/\d{2}/(\d{12})_CloudTrail-Digest_([a-z0-9-]+)_(.+)_([a-z0-9-]+)_(\d{8}T\d{6}Z)\.json\.gz$`)

// ValidationResult is one file's verdict.
type ValidationResult struct {
	Kind   string // "digest" or "log"
	Key    string
	Valid  bool
	Reason string // for invalid files: "not found", "hash value doesn't match"…
}

// ValidationReport is the outcome of Validate.
type ValidationReport struct {
	Results []ValidationResult
	// Notes are things Validate could not check, which do not make files invalid.
	Notes []string
}

// Invalid counts the invalid files of a kind.
func (r *ValidationReport) Invalid(kind string) (invalid, total int) {
	for _, x := range r.Results {
		if x.Kind == kind {
			total++
			if !x.Valid {
				invalid++
			}
		}
	}
	return invalid, total
}

// OK reports whether every checked file is valid.
func (r *ValidationReport) OK() bool {
	for _, x := range r.Results {
		if !x.Valid {
			return false
		}
	}
	return true
}

// ParsePublicKeys reads the output of `aws cloudtrail list-public-keys` (JSON with a
// PublicKeyList of {Value: base64 DER, Fingerprint}), keyed by fingerprint.
func ParsePublicKeys(b []byte) (map[string]*rsa.PublicKey, error) {
	var doc struct {
		PublicKeyList []struct {
			Value       string
			Fingerprint string
		}
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("public keys: %w", err)
	}
	out := map[string]*rsa.PublicKey{}
	for _, k := range doc.PublicKeyList {
		der, err := base64.StdEncoding.DecodeString(k.Value)
		if err != nil {
			return nil, fmt.Errorf("public key %s: %w", k.Fingerprint, err)
		}
		pub, err := x509.ParsePKCS1PublicKey(der)
		if err != nil {
			return nil, fmt.Errorf("public key %s: %w", k.Fingerprint, err)
		}
		out[k.Fingerprint] = pub
	}
	return out, nil
}

type digestFile struct {
	key   string
	chain string
	d     *Digest
	raw   []byte
	err   string
}

// Validate checks the files under fsys with the given public keys (nil: signatures
// unchecked, noted in the report).
func Validate(fsys fs.FS, keys map[string]*rsa.PublicKey) (*ValidationReport, error) {
	rep := &ValidationReport{}
	var digests []*digestFile
	logs := map[string]bool{}
	err := fs.WalkDir(fsys, ".", func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		if m := digestKeyRE.FindStringSubmatch(p); m != nil {
			digests = append(digests, &digestFile{key: p, chain: strings.Join([]string{m[1], m[2], m[3], m[4], m[7], m[8]}, "|")})
		} else if strings.Contains(p, "/CloudTrail/") && strings.HasSuffix(p, ".json.gz") {
			logs[p] = false
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	byKey := map[string]*digestFile{}
	for _, df := range digests {
		byKey[df.key] = df
		raw, err := gunzipFile(fsys, df.key)
		if err != nil {
			df.err = "invalid format"
			continue
		}
		var d Digest
		if err := json.Unmarshal(raw, &d); err != nil || d.DigestS3Object == "" || d.DigestEndTime == "" {
			df.err = "invalid format"
			continue
		}
		df.d, df.raw = &d, raw
	}
	// A digest's signature: from the digest that names it as previous, or a sidecar.
	sigs := map[string]string{}
	for _, df := range digests {
		if df.d != nil && df.d.PreviousDigestS3Object != nil && df.d.PreviousDigestSignature != nil {
			sigs[*df.d.PreviousDigestS3Object] = *df.d.PreviousDigestSignature
		}
	}
	sort.Slice(digests, func(i, j int) bool { return digests[i].key > digests[j].key })
	for _, df := range digests {
		res := ValidationResult{Kind: "digest", Key: df.key, Valid: df.err == ""}
		res.Reason = df.err
		if df.d != nil {
			res.Valid, res.Reason = checkDigest(fsys, df, byKey, sigs, keys, rep)
			if res.Valid {
				for _, lf := range df.d.LogFiles {
					p, _ := localPath(df.key, df.d.DigestS3Object, lf.S3Object)
					rep.Results = append(rep.Results, checkLog(fsys, p, lf, logs))
				}
			}
		}
		rep.Results = append(rep.Results, res)
	}
	var uncovered []string
	for k, seen := range logs {
		if !seen {
			uncovered = append(uncovered, k)
		}
	}
	sort.Strings(uncovered)
	for _, k := range uncovered {
		rep.Notes = append(rep.Notes, "Log file\t"+k+"\tnot listed in any digest (delivered after the last digest, or validation was off)")
	}
	return rep, nil
}

func checkDigest(fsys fs.FS, df *digestFile, byKey map[string]*digestFile, sigs map[string]string, keys map[string]*rsa.PublicKey, rep *ValidationReport) (bool, string) {
	d := df.d
	if _, ok := localPath(df.key, d.DigestS3Object, d.DigestS3Object); !ok {
		return false, "has been moved from its original location"
	}
	if d.PreviousDigestS3Object != nil {
		p, _ := localPath(df.key, d.DigestS3Object, *d.PreviousDigestS3Object)
		prev, ok := byKey[p]
		switch {
		case !ok:
			return false, "previous digest " + *d.PreviousDigestS3Object + " not found"
		case prev.raw == nil:
			return false, "previous digest " + *d.PreviousDigestS3Object + " has an invalid format"
		case d.PreviousDigestHashValue == nil || hexSHA256(prev.raw) != *d.PreviousDigestHashValue:
			return false, "previous digest " + *d.PreviousDigestS3Object + " hash value doesn't match"
		}
	}
	sig, ok := sigs[d.DigestS3Object]
	if !ok {
		if b, err := fs.ReadFile(fsys, df.key+".sig"); err == nil {
			sig, ok = strings.TrimSpace(string(b)), true
		}
	}
	switch {
	case keys == nil:
		rep.Notes = append(rep.Notes, "Digest file\t"+df.key+"\tsignature not checked: no public keys given")
	case !ok:
		rep.Notes = append(rep.Notes, "Digest file\t"+df.key+"\tsignature not checked: newest of its chain; put its x-amz-meta-signature in "+path.Base(df.key)+".sig")
	default:
		pub, found := keys[d.DigestPublicKeyFingerprint]
		if !found {
			return false, "public key not found for fingerprint " + d.DigestPublicKeyFingerprint
		}
		raw, err := hex.DecodeString(sig)
		if err != nil {
			return false, "signature verification failed"
		}
		sum := sha256.Sum256(StringToSign(d, df.raw))
		if rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], raw) != nil {
			return false, "signature verification failed"
		}
	}
	return true, ""
}

// localPath maps an object key to its path under the directory, knowing that the
// object key obj is at path p: the directory may be the bucket, a prefix of it (aws s3
// cp s3://BUCKET/PREFIX DIR), or hold the bucket as a folder. ok is false when p and
// obj do not correspond.
func localPath(p, obj, other string) (string, bool) {
	switch {
	case p == obj:
		return other, true
	case strings.HasSuffix(obj, "/"+p):
		return strings.TrimPrefix(other, strings.TrimSuffix(obj, p)), true
	case strings.HasSuffix(p, "/"+obj):
		return strings.TrimSuffix(p, obj) + other, true
	}
	return other, false
}

func checkLog(fsys fs.FS, match string, lf DigestLogFile, logs map[string]bool) ValidationResult {
	res := ValidationResult{Kind: "log", Key: lf.S3Object}
	if _, ok := logs[match]; !ok {
		res.Reason = "not found"
		return res
	}
	logs[match] = true
	raw, err := gunzipFile(fsys, match)
	if err != nil {
		res.Reason = "invalid format"
		return res
	}
	if hexSHA256(raw) != lf.HashValue {
		res.Reason = "hash value doesn't match"
		return res
	}
	res.Valid = true
	return res
}

func hexSHA256(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func gunzipFile(fsys fs.FS, name string) ([]byte, error) {
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, err
	}
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(zr)
}
