package wire_test

import (
	"testing"

	"github.com/palisade/palisade/internal/wire"
)

// An access point's host is read as the access point's ARN, never as the bucket its
// first label would name (User Guide, "Using access points").
func TestS3AccessPointHost(t *testing.T) {
	for host, want := range map[string]string{
		"my-ap-123456789012.s3-accesspoint.us-east-1.amazonaws.com":           "arn:aws:s3:us-east-1:123456789012:accesspoint/my-ap",
		"my-ap-123456789012.s3-accesspoint.dualstack.eu-west-1.amazonaws.com": "arn:aws:s3:eu-west-1:123456789012:accesspoint/my-ap",
		"My-Ap-123456789012.S3-Accesspoint.us-east-1.amazonaws.com:443":       "arn:aws:s3:us-east-1:123456789012:accesspoint/my-ap",
		"bucket.s3.us-east-1.amazonaws.com":                                   "bucket",
	} {
		if got, ok := wire.S3BucketFromHost(host); !ok || got != want {
			t.Errorf("%s: %q %v, want %q", host, got, ok, want)
		}
	}
	// Without an account ID the first label is no access point's.
	if got, ok := wire.S3BucketFromHost("my-ap.s3-accesspoint.us-east-1.amazonaws.com"); ok && got != "my-ap" {
		t.Errorf("no account: %q", got)
	}
}
