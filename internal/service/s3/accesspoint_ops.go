package s3

// Object operations served through access points whose handlers need more than the
// bucket the request's name stands for: the uploads a prepare step reads outside the
// call's transaction, and the Location a completed upload is named by.

import (
	"strings"

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
