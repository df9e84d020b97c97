package wire

import (
	"net"
	"net/http"
	"strings"

	"github.com/palisade/palisade/internal/model"
)

// isS3 reports whether svc is S3, whose rest-xml dialect has its own error document,
// request-id headers and virtual-hosted addressing.
func isS3(svc *model.Service) bool { return svc != nil && svc.Name == "s3" }

// S3BucketFromHost returns the bucket a virtual-hosted-style S3 request names in its
// Host header. Accepted forms (case-insensitive, any port):
//
//	<bucket>.s3.<anything>          bucket.s3.localhost, bucket.s3.us-east-1.amazonaws.com,
//	                                my.dotted.bucket.s3.amazonaws.com
//	<bucket>.s3-<region>.<anything> bucket.s3-us-west-2.amazonaws.com (legacy dash form)
//	<bucket>.localhost              bucket.localhost:4566
//	<ap>-<account>.s3-accesspoint.<region>.<anything>
//	                                an access point, returned as its ARN
//
// Anything else (an IP address, "localhost", "s3.localhost", "s3.amazonaws.com", a
// bare host name) is path-style: ok is false and the bucket is in the path. The first
// "s3" label wins, so a bucket whose own name contains an "s3" label cannot be
// addressed virtually; such clients use path style, as they must with real S3 for
// dotted names over TLS anyway.
func S3BucketFromHost(host string) (bucket string, ok bool) {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if host == "" || net.ParseIP(strings.Trim(host, "[]")) != nil {
		return "", false
	}
	labels := strings.Split(host, ".")
	if ap, ok := s3AccessPointFromHost(labels); ok {
		return ap, true
	}
	for i, l := range labels {
		if l == "s3" || strings.HasPrefix(l, "s3-") {
			if i == 0 {
				return "", false
			}
			return s3Bucket(labels[:i])
		}
	}
	if len(labels) >= 2 && labels[len(labels)-1] == "localhost" {
		return s3Bucket(labels[:len(labels)-1])
	}
	return "", false
}

// s3AccessPointFromHost reads the host the SDKs send an access point's requests to,
// NAME-ACCOUNT.s3-accesspoint[.dualstack].REGION.amazonaws.com (User Guide, "Using
// access points"), as the access point's ARN: NAME-ACCOUNT is also a valid bucket name,
// which must not be taken for the bucket of that name, and no bucket name contains
// ':' or '/', so the S3 service tells the two apart by the name alone.
func s3AccessPointFromHost(labels []string) (string, bool) {
	if len(labels) < 3 || labels[1] != "s3-accesspoint" {
		return "", false
	}
	region := labels[2]
	if region == "dualstack" && len(labels) > 3 {
		region = labels[3]
	}
	i := strings.LastIndexByte(labels[0], '-')
	if i <= 0 || region == "" {
		return "", false
	}
	name, account := labels[0][:i], labels[0][i+1:]
	if len(account) != 12 || strings.Trim(account, "0123456789") != "" {
		return "", false
	}
	return "arn:aws:s3:" + region + ":" + account + ":accesspoint/" + name, true
}

func s3Bucket(labels []string) (string, bool) {
	b := strings.Join(labels, ".")
	for _, l := range labels {
		if l == "" {
			return "", false
		}
	}
	return b, true
}

// s3MethodNotAllowed is S3's answer to a method no operation takes on the addressed
// resource, with the Method and ResourceType fields S3 adds.
func s3MethodNotAllowed(r *Request, path string) *model.Error {
	kind := "SERVICE"
	switch strings.Count(strings.Trim(path, "/"), "/") {
	case 0:
		if strings.Trim(path, "/") != "" {
			kind = "BUCKET"
		}
	default:
		kind = "OBJECT"
	}
	e := model.NewError(http.StatusMethodNotAllowed, "MethodNotAllowed", "The specified method is not allowed against this resource.")
	return e.With("Method", r.HTTP.Method).With("ResourceType", kind)
}

func s3MalformedXML() *model.Error {
	return model.NewError(400, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema")
}

// s3OutputRoots names the root element S3 answers each operation with when the output
// has body members but no payload. botocore's model does not carry these (clients skip
// the root), so they follow S3's API reference.
var s3OutputRoots = map[string]string{
	"CompleteMultipartUpload":                    "CompleteMultipartUploadResult",
	"CreateMultipartUpload":                      "InitiateMultipartUploadResult",
	"CreateSession":                              "CreateSessionResult",
	"DeleteObjects":                              "DeleteResult",
	"GetBucketAccelerateConfiguration":           "AccelerateConfiguration",
	"GetBucketAcl":                               "AccessControlPolicy",
	"GetBucketCors":                              "CORSConfiguration",
	"GetBucketLifecycle":                         "LifecycleConfiguration",
	"GetBucketLifecycleConfiguration":            "LifecycleConfiguration",
	"GetBucketLogging":                           "BucketLoggingStatus",
	"GetBucketNotification":                      "NotificationConfiguration",
	"GetBucketNotificationConfiguration":         "NotificationConfiguration",
	"GetBucketRequestPayment":                    "RequestPaymentConfiguration",
	"GetBucketTagging":                           "Tagging",
	"GetBucketVersioning":                        "VersioningConfiguration",
	"GetBucketWebsite":                           "WebsiteConfiguration",
	"GetObjectAcl":                               "AccessControlPolicy",
	"GetObjectAttributes":                        "GetObjectAttributesResponse",
	"GetObjectTagging":                           "Tagging",
	"ListBucketAnalyticsConfigurations":          "ListBucketAnalyticsConfigurationResult",
	"ListBucketIntelligentTieringConfigurations": "ListBucketIntelligentTieringConfigurationsOutput",
	"ListBucketInventoryConfigurations":          "ListInventoryConfigurationsResult",
	"ListBucketMetricsConfigurations":            "ListMetricsConfigurationsResult",
	"ListBuckets":                                "ListAllMyBucketsResult",
	"ListDirectoryBuckets":                       "ListAllMyDirectoryBucketsResult",
	"ListMultipartUploads":                       "ListMultipartUploadsResult",
	"ListObjectVersions":                         "ListVersionsResult",
	"ListObjects":                                "ListBucketResult",
	"ListObjectsV2":                              "ListBucketResult",
	"ListParts":                                  "ListPartsResult",
}

// s3LocationXML renders GetBucketLocation, whose document is the bare
// <LocationConstraint> element holding the region (empty for us-east-1); the SDKs
// special-case it the same way.
func s3LocationXML(svc *model.Service, out map[string]any) []byte {
	x := &xmlWriter{selfClose: true}
	x.b.WriteString(xmlDeclaration)
	x.open("LocationConstraint", "xmlns", namespace(svc))
	start := x.b.Len()
	if s, ok := out["LocationConstraint"].(string); ok {
		x.text(s)
	}
	x.closeEmpty("LocationConstraint", start)
	return x.b.Bytes()
}
