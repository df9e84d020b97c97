package audit

import (
	"crypto/tls"
	"maps"
	"strings"

	"github.com/palisade/palisade/internal/model"
)

// AWS marks a record readOnly when the operation changes nothing, which is what a
// handler's registration says (server.Read or server.Write), and leaves responseElements
// null for those. The operations below are where AWS's records differ from that rule,
// keyed by eventSource and eventName.

// readOnlyAsAWS holds operations AWS records as readOnly whatever their handler does:
// STS hands out credentials without changing anything (AWS's AssumeRole records say
// "readOnly": true), and KMS's cryptographic operations are read events (AWS's
// GenerateDataKey records; ExcludeManagementEventSources exists to drop these
// high-volume reads).
var readOnlyAsAWS = map[string]bool{
	"sts.amazonaws.com AssumeRole":                          true,
	"sts.amazonaws.com AssumeRoleWithSAML":                  true,
	"sts.amazonaws.com AssumeRoleWithWebIdentity":           true,
	"sts.amazonaws.com AssumeRoot":                          true, // inferred, as AssumeRole
	"sts.amazonaws.com GetSessionToken":                     true,
	"sts.amazonaws.com GetFederationToken":                  true,
	"sts.amazonaws.com GetCallerIdentity":                   true,
	"sts.amazonaws.com GetAccessKeyInfo":                    true,
	"sts.amazonaws.com DecodeAuthorizationMessage":          true,
	"kms.amazonaws.com Encrypt":                             true,
	"kms.amazonaws.com Decrypt":                             true,
	"kms.amazonaws.com ReEncrypt":                           true,
	"kms.amazonaws.com GenerateDataKey":                     true,
	"kms.amazonaws.com GenerateDataKeyWithoutPlaintext":     true,
	"kms.amazonaws.com GenerateDataKeyPair":                 true,
	"kms.amazonaws.com GenerateDataKeyPairWithoutPlaintext": true,
	"kms.amazonaws.com GenerateRandom":                      true,
	"kms.amazonaws.com GenerateMac":                         true,
	"kms.amazonaws.com VerifyMac":                           true,
	"kms.amazonaws.com Sign":                                true,
	"kms.amazonaws.com Verify":                              true,
	"kms.amazonaws.com DeriveSharedSecret":                  true,
	// IAM's report generators are reads in the Service Authorization Reference.
	"iam.amazonaws.com GenerateCredentialReport":           true,
	"iam.amazonaws.com GenerateServiceLastAccessedDetails": true,
}

// responseAlways holds read-only operations whose records still carry
// responseElements: STS's credential-issuing calls (the session token, access key ID,
// expiration and assumed-role user; never the secret).
var responseAlways = map[string]bool{
	"sts.amazonaws.com AssumeRole":                true,
	"sts.amazonaws.com AssumeRoleWithSAML":        true,
	"sts.amazonaws.com AssumeRoleWithWebIdentity": true,
	"sts.amazonaws.com AssumeRoot":                true,
	"sts.amazonaws.com GetSessionToken":           true,
	"sts.amazonaws.com GetFederationToken":        true,
}

// IsReadOnly is the readOnly flag of a record for an operation whose handler is
// registered as handlerReadOnly.
func IsReadOnly(eventSource, eventName string, handlerReadOnly bool) bool {
	if readOnlyAsAWS[eventSource+" "+eventName] {
		return true
	}
	return handlerReadOnly
}

// HasResponse reports whether a successful call's record carries responseElements.
func HasResponse(eventSource, eventName string, handlerReadOnly bool) bool {
	if responseAlways[eventSource+" "+eventName] {
		return true
	}
	return !IsReadOnly(eventSource, eventName, handlerReadOnly)
}

// Size limits of a record's fields. AWS documents requestParameters and
// responseElements at most 100 KB each; the others are inferred from AWS's records
// (user agents and error messages are cut at 1 KB) and are not confirmed.
const (
	MaxParams         = 100 << 10
	MaxAdditionalData = 28 << 10
	MaxUserAgent      = 1 << 10
	MaxErrorMessage   = 1 << 10
)

// TLS names CloudTrail's tlsDetails uses: "TLSv1.2" and OpenSSL's cipher suite names
// ("ECDHE-RSA-AES128-GCM-SHA256"); TLS 1.3 suites keep their IANA names.
var (
	tlsVersions = map[uint16]string{tls.VersionTLS10: "TLSv1", tls.VersionTLS11: "TLSv1.1", tls.VersionTLS12: "TLSv1.2", tls.VersionTLS13: "TLSv1.3"}
	tlsSuites   = map[uint16]string{
		tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256:         "ECDHE-RSA-AES128-GCM-SHA256",
		tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384:         "ECDHE-RSA-AES256-GCM-SHA384",
		tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256:       "ECDHE-ECDSA-AES128-GCM-SHA256",
		tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384:       "ECDHE-ECDSA-AES256-GCM-SHA384",
		tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256:   "ECDHE-RSA-CHACHA20-POLY1305",
		tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: "ECDHE-ECDSA-CHACHA20-POLY1305",
		tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA:            "ECDHE-RSA-AES128-SHA",
		tls.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA:            "ECDHE-RSA-AES256-SHA",
		tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA:          "ECDHE-ECDSA-AES128-SHA",
		tls.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA:          "ECDHE-ECDSA-AES256-SHA",
		tls.TLS_RSA_WITH_AES_128_GCM_SHA256:               "AES128-GCM-SHA256",
		tls.TLS_RSA_WITH_AES_256_GCM_SHA384:               "AES256-GCM-SHA384",
		tls.TLS_RSA_WITH_AES_128_CBC_SHA:                  "AES128-SHA",
		tls.TLS_RSA_WITH_AES_256_CBC_SHA:                  "AES256-SHA",
	}
)

// TLS describes a connection's TLS as CloudTrail's tlsDetails; nil without TLS.
func TLS(cs *tls.ConnectionState, host string) *TLSDetails {
	if cs == nil {
		return nil
	}
	suite, ok := tlsSuites[cs.CipherSuite]
	if !ok {
		suite = tls.CipherSuiteName(cs.CipherSuite)
	}
	v, ok := tlsVersions[cs.Version]
	if !ok {
		v = tls.VersionName(cs.Version)
	}
	return &TLSDetails{TLSVersion: v, CipherSuite: suite, ClientProvidedHostHeader: host}
}

// CloudWatch Logs' records (recorded 2026, stackd
// testdata/aws/cloudtrail/logs_controls.json) differ from the rules above in these:
//
//   - a call refused by authorization is recorded with errorCode AccessDenied (the
//     API answers AccessDeniedException) and requestParameters null, and without
//     apiVersion ("federated-describe-denied", "federated-tags-denied");
//   - TestMetricFilter's requestParameters are null, allowed or refused ("metric-test",
//     "metric-test-invalid"): its sample messages are log data, kept out of the trail;
//   - every other record carries apiVersion, the API's version without dashes
//     ("20140328");
//   - members the caller left out are written with their defaults: GetLogEvents' and
//     FilterLogEvents' "unmask": false, PutMetricFilter's "applyOnTransformedLogs":
//     false;
//   - reads name what they read in resources: DescribeLogGroups the group its prefix
//     names, DescribeLogStreams and FilterLogEvents the group, GetLogEvents the stream;
//     writes name none.
var (
	deniedBare     = map[string]bool{"logs.amazonaws.com": true}
	paramsHidden   = map[string]bool{"logs.amazonaws.com TestMetricFilter": true}
	withAPIVersion = map[string]bool{"logs.amazonaws.com": true}
	paramDefaults  = map[string]map[string]any{
		"logs.amazonaws.com GetLogEvents":    {"unmask": false},
		"logs.amazonaws.com FilterLogEvents": {"unmask": false},
		"logs.amazonaws.com PutMetricFilter": {"applyOnTransformedLogs": false},
	}
)

// paramsOmitted are input members an operation's records leave out of
// requestParameters: KMS's RetireGrant records show requestParameters null for a
// grant retired by its grant token, the grant's ID in additionalEventData instead
// (KMS Developer Guide, ct-retire-grant). The token is left out whatever the call's
// outcome (inferred for failed and refused calls).
var paramsOmitted = map[string][]string{
	"kms.amazonaws.com RetireGrant": {"GrantToken"},
}

// withoutOmitted returns the input without the members paramsOmitted names for the
// operation.
func withoutOmitted(source, op string, in map[string]any) map[string]any {
	drop := paramsOmitted[source+" "+op]
	if len(drop) == 0 || in == nil {
		return in
	}
	out := maps.Clone(in)
	for _, k := range drop {
		delete(out, k)
	}
	return out
}

// withDefaults returns the input with the defaults AWS's records show for members the
// caller left out, when the operation has any and its input shape has those members.
func withDefaults(source, op string, s *model.Shape, in map[string]any) map[string]any {
	d := paramDefaults[source+" "+op]
	if d == nil || in == nil || s == nil {
		return in
	}
	var out map[string]any
	for k, v := range d {
		if _, ok := in[k]; ok || !hasMember(s, k) {
			continue
		}
		if out == nil {
			out = maps.Clone(in)
		}
		out[k] = v
	}
	if out == nil {
		return in
	}
	return out
}

func hasMember(s *model.Shape, name string) bool {
	for _, m := range s.Members {
		if m.Name == name {
			return true
		}
	}
	return false
}

// derivedResources are the resources AWS's records name for a successful call whose
// handler named none (CloudWatch Logs' reads, above).
func derivedResources(source string, c *Call) []Resource {
	if source == "sqs.amazonaws.com" {
		return queueResources(c)
	}
	if source != "logs.amazonaws.com" || c.Input == nil || c.ErrorCode != "" {
		return nil
	}
	str := func(k string) string { s, _ := c.Input[k].(string); return s }
	group := func(name string) []Resource {
		if name == "" {
			return nil
		}
		return []Resource{{AccountID: c.Account, Type: "AWS::Logs::LogGroup", ARN: "arn:aws:logs:" + c.Region + ":" + c.Account + ":log-group:" + name, AccountFirst: true}}
	}
	switch c.Operation {
	case "DescribeLogGroups":
		return group(str("logGroupNamePrefix"))
	case "DescribeLogStreams", "FilterLogEvents":
		return group(str("logGroupName"))
	case "GetLogEvents":
		if g, s := str("logGroupName"), str("logStreamName"); g != "" && s != "" {
			return []Resource{{AccountID: c.Account, Type: "AWS::Logs::LogStream", ARN: "arn:aws:logs:" + c.Region + ":" + c.Account + ":log-group:" + g + ":log-stream:" + s, AccountFirst: true}}
		}
	}
	return nil
}

// queueResources are the queue an SQS record names, by its ARN, as AWS's records
// do, data events (recorded 2026, stackd testdata/aws/cloudtrail/service_data_events.json)
// and management events alike (recorded 2026, service_management_events.json:
// CreateQueue by its QueueName, SetQueueAttributes and DeleteQueue by QueueUrl), so
// that a trail's selectors on AWS::SQS::Queue match it: the queue of QueueUrl, of
// CreateQueue's or GetQueueUrl's QueueName (in QueueOwnerAWSAccountId's account when
// given), or the SourceArn of the message-move-task calls (inferred); ListQueues names
// all the account's queues with "*" (SQS Developer Guide, logging with CloudTrail).
// CancelMessageMoveTask names only a task handle, and its record no queue (inferred).
func queueResources(c *Call) []Resource {
	str := func(k string) string { s, _ := c.Input[k].(string); return s }
	account, name := "", ""
	switch {
	case c.Operation == "CreateQueue" && str("QueueName") != "":
		account, name = c.Account, str("QueueName")
	case (c.Operation == "StartMessageMoveTask" || c.Operation == "ListMessageMoveTasks") && strings.HasPrefix(str("SourceArn"), "arn:"):
		parts := strings.Split(str("SourceArn"), ":")
		if len(parts) != 6 || parts[2] != "sqs" || parts[4] == "" || parts[5] == "" {
			return nil
		}
		return []Resource{{AccountID: parts[4], Type: "AWS::SQS::Queue", ARN: str("SourceArn"), AccountFirst: true}}
	case str("QueueUrl") != "":
		parts := strings.Split(strings.TrimRight(str("QueueUrl"), "/"), "/")
		if len(parts) < 2 {
			return nil
		}
		account, name = parts[len(parts)-2], parts[len(parts)-1]
	case c.Operation == "GetQueueUrl" && str("QueueName") != "":
		account, name = str("QueueOwnerAWSAccountId"), str("QueueName")
		if account == "" {
			account = c.Account
		}
	case c.Operation == "ListQueues":
		account, name = c.Account, "*"
	default:
		return nil
	}
	return []Resource{{AccountID: account, Type: "AWS::SQS::Queue", ARN: "arn:aws:sqs:" + c.Region + ":" + account + ":" + name, AccountFirst: true}}
}
