package s3

// Object operations served through access points whose handlers need more than the
// bucket the request's name stands for: the uploads a prepare step reads outside the
// call's transaction, and the Location a completed upload is named by.

import (
	"strings"

	"github.com/palisade/palisade/internal/authz"
	"github.com/palisade/palisade/internal/server"
	"github.com/palisade/palisade/internal/store"
)

// bucketNamed is the bucket a request's name stands for: an access point's (by its
// ARN or alias) or the name itself.
func bucketNamed(tx *store.Tx, name string) (string, error) {
	a, ok, err := apFor(tx, name)
	if !ok {
		return name, nil
	}
	if err != nil {
		return "", err
	}
	return a.Bucket, nil
}

// apLocation is the Location of an object completed through an access point: by
// its host, that host and the key; by its alias, the alias where the bucket's name
// would be (recorded, 2026: access_point_multipart_replay.json,
// arn-completion-location "https://NAME-ACCOUNT.s3-accesspoint.REGION.amazonaws.com/KEY",
// complete-alias "https://ALIAS.s3.amazonaws.com/KEY", asked in the virtual-hosted
// style Palisade's path-style answer stands for). ok is false for other calls.
func apLocation(c *server.Call, scheme, host, key string) (loc string, ok bool) {
	a := callAP(c)
	if a == nil {
		return "", false
	}
	if strings.Contains(host, ".s3-accesspoint.") {
		return scheme + "://" + host + "/" + key, true
	}
	return scheme + "://" + host + "/" + a.Alias + "/" + key, true
}

// apCopySource splits a copy source named by access point ARN,
// arn:aws:s3:REGION:ACCOUNT:accesspoint/NAME/object/KEY, into the ARN, which stands
// for the bucket as a request's does, and the key (API Reference, CopyObject,
// x-amz-copy-source; recorded, 2026: access_point_multipart_replay.json,
// copy-part-ap-source-alias-destination).
func apCopySource(p string) (arn, key string, ok bool) {
	if !strings.HasPrefix(p, "arn:aws:s3:") {
		return "", "", false
	}
	arn, key, ok = strings.Cut(p, "/object/")
	if !ok || !strings.Contains(arn, ":accesspoint/") || key == "" {
		return "", "", false
	}
	return arn, key, true
}

// copySourceChecks are the read of a copy's source: copySourceCheck's, made through
// the access point the source is named by, if any: on the access point (its policy's
// deny holds) and on its bucket (recorded, 2026: access_point_multipart_replay.json,
// denied-copy-ap-source: AccessDenied; allowed-copy-direct-source: the same object
// named by its bucket is copied).
func (s *Service) copySourceChecks(c *server.Call, in map[string]any) ([]authz.Check, error) {
	src, err := s.copySourceCheck(c, in)
	if err != nil {
		return nil, err
	}
	raw, _ := in["CopySource"].(string)
	cs, err := parseCopySource(raw)
	if err != nil {
		return nil, err
	}
	a, ok, err := apFor(c.Tx, cs.bucket)
	if !ok {
		return []authz.Check{src}, nil
	}
	if err != nil {
		return nil, err
	}
	// As for a request through it (accessPointChecks): no VPC reaches Palisade.
	if a.VpcID != "" {
		return nil, errAccessDenied()
	}
	if err := restrictAPPublic(c, a); err != nil {
		return nil, err
	}
	return s.throughAP(c, a, []authz.Check{src})
}

// apSources keeps, while accessPointChecks builds a copy's checks through the
// destination's access point, the read of its source, which that access point does
// not weigh (recorded, 2026: access_point_multipart_replay.json,
// allowed-copy-direct-source: the destination's access point policy denying the
// source object did not refuse it named by its bucket).
type apSources struct {
	active bool
	chks   []authz.Check
}

type apSourcesKey struct{}

func apSourcesOf(c *server.Call) *apSources {
	if c.Context == nil {
		return nil
	}
	h, _ := c.Value(apSourcesKey{}).(*apSources)
	if h == nil || !h.active {
		return nil
	}
	return h
}

// requestPAB is the Block Public Access a request's new ACL meets: through an
// access point, the access point's with its bucket's (apPAB), so that its
// BlockPublicAcls refuses a public ACL there (User Guide, "Blocking public access
// to your Amazon S3 storage": an access point's settings apply to requests made
// through it; the wording of the refusal is inferred from the bucket's).
func requestPAB(c *server.Call, b *bucketRec) (pab, error) {
	if a := callAP(c); a != nil && a.Bucket == b.Name {
		return apPAB(c.Tx, a)
	}
	return effectivePAB(c.Tx, b)
}
