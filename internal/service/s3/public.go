package s3

import (
	"encoding/json"
	"errors"
	"net/netip"
	"strings"

	api "github.com/palisade/palisade/internal/api/s3"
	"github.com/palisade/palisade/internal/authz"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/policy"
	"github.com/palisade/palisade/internal/server"
	"github.com/palisade/palisade/internal/store"
)

// pab is a public access block: a bucket's, or an account's (s3control's
// PutPublicAccessBlock).
type pab struct {
	BlockPublicAcls       bool `json:"blockPublicAcls"`
	IgnorePublicAcls      bool `json:"ignorePublicAcls"`
	BlockPublicPolicy     bool `json:"blockPublicPolicy"`
	RestrictPublicBuckets bool `json:"restrictPublicBuckets"`
}

func (p *pab) api() *api.PublicAccessBlockConfiguration {
	return &api.PublicAccessBlockConfiguration{BlockPublicAcls: ptr(p.BlockPublicAcls), IgnorePublicAcls: ptr(p.IgnorePublicAcls),
		BlockPublicPolicy: ptr(p.BlockPublicPolicy), RestrictPublicBuckets: ptr(p.RestrictPublicBuckets)}
}

func pabFrom(c *api.PublicAccessBlockConfiguration) *pab {
	b := func(p *bool) bool { return p != nil && *p }
	return &pab{BlockPublicAcls: b(c.BlockPublicAcls), IgnorePublicAcls: b(c.IgnorePublicAcls), BlockPublicPolicy: b(c.BlockPublicPolicy), RestrictPublicBuckets: b(c.RestrictPublicBuckets)}
}

// effectivePAB combines the bucket's and its owner account's settings, the most
// restrictive of each winning ("If the block public access settings for the access
// point, bucket, or account differ, then Amazon S3 applies the most restrictive
// combination").
func effectivePAB(tx *store.Tx, b *bucketRec) (pab, error) {
	var eff pab
	if b.PAB != nil {
		eff = *b.PAB
	}
	acct, err := load[accountRec](tx, nsAccount, b.Owner)
	if err != nil {
		return eff, err
	}
	if acct != nil && acct.PAB != nil {
		a := acct.PAB
		eff.BlockPublicAcls = eff.BlockPublicAcls || a.BlockPublicAcls
		eff.IgnorePublicAcls = eff.IgnorePublicAcls || a.IgnorePublicAcls
		eff.BlockPublicPolicy = eff.BlockPublicPolicy || a.BlockPublicPolicy
		eff.RestrictPublicBuckets = eff.RestrictPublicBuckets || a.RestrictPublicBuckets
	}
	return eff, nil
}

// fixedKeys are the condition keys whose fixed values make an Allow statement
// non-public (User Guide, "The meaning of public"; the PublicAccessBlockConfiguration
// reference lists the same keys).
var fixedKeys = map[string]bool{
	"aws:sourcearn": true, "aws:sourcevpc": true, "aws:sourcevpce": true, "aws:sourceowner": true,
	"aws:sourceaccount": true, "s3:x-amz-server-side-encryption-aws-kms-key-id": true, "aws:userid": true,
	"aws:principalorgid": true, "aws:principalaccount": true, "aws:principalarn": true, "aws:sourceorgid": true,
	"s3:dataaccesspointarn": true, "s3:dataaccesspointaccount": true,
}

// policyIsPublic is S3's "is this policy public" evaluation: a policy is public
// when one of its Allow statements grants to a wildcard principal (or uses
// NotPrincipal) without a condition that pins it to fixed values of the keys above or
// to a set of CIDRs with aws:SourceIp. Values with wildcards or policy variables are
// not fixed; aws:userid values of the form "AROLEID:*" are not either.
func policyIsPublic(doc string) bool {
	var d struct {
		Statement json.RawMessage
	}
	if json.Unmarshal([]byte(doc), &d) != nil {
		return false
	}
	var stmts []map[string]json.RawMessage
	if json.Unmarshal(d.Statement, &stmts) != nil {
		var one map[string]json.RawMessage
		if json.Unmarshal(d.Statement, &one) != nil {
			return false
		}
		stmts = []map[string]json.RawMessage{one}
	}
	for _, st := range stmts {
		var effect string
		json.Unmarshal(st["Effect"], &effect)
		if effect != "Allow" {
			continue
		}
		if _, ok := st["NotPrincipal"]; ok {
			if !conditionFixed(st["Condition"]) {
				return true
			}
			continue
		}
		if principalWildcard(st["Principal"]) && !conditionFixed(st["Condition"]) {
			return true
		}
	}
	return false
}

// principalWildcard reports whether a Principal element admits callers that are not
// named: "*", {"AWS": "*"}, or an ARN with a wildcard.
func principalWildcard(raw json.RawMessage) bool {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return strings.Contains(s, "*")
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return false
	}
	for typ, v := range m {
		var vals []string
		if json.Unmarshal(v, &vals) != nil {
			var one string
			json.Unmarshal(v, &one)
			vals = []string{one}
		}
		for _, x := range vals {
			if strings.Contains(x, "*") && typ != "CanonicalUser" {
				return true
			}
		}
	}
	return false
}

// conditionFixed reports whether a statement's conditions pin it to fixed values of
// a key that makes it non-public.
func conditionFixed(raw json.RawMessage) bool {
	if len(raw) == 0 {
		return false
	}
	var ops map[string]map[string]json.RawMessage
	if json.Unmarshal(raw, &ops) != nil {
		return false
	}
	for op, keys := range ops {
		base := strings.TrimSuffix(op, "IfExists")
		if strings.HasPrefix(base, "ForAnyValue:") || strings.HasPrefix(base, "ForAllValues:") || strings.Contains(base, "Not") {
			continue
		}
		for key, v := range keys {
			var vals []string
			if json.Unmarshal(v, &vals) != nil {
				var one string
				if json.Unmarshal(v, &one) != nil {
					continue
				}
				vals = []string{one}
			}
			k := strings.ToLower(key)
			switch {
			case k == "aws:sourceip" && base == "IpAddress":
				if cidrsBounded(vals) {
					return true
				}
			case fixedKeys[k] && (strings.HasPrefix(base, "String") || strings.HasPrefix(base, "Arn")):
				if valuesFixed(k, vals) {
					return true
				}
			}
		}
	}
	return false
}

func valuesFixed(key string, vals []string) bool {
	if len(vals) == 0 {
		return false
	}
	for _, v := range vals {
		if strings.ContainsAny(v, "*?") || strings.Contains(v, "${") {
			return false
		}
	}
	return true
}

// cidrsBounded reports whether every CIDR is narrower than the whole address space.
func cidrsBounded(vals []string) bool {
	if len(vals) == 0 {
		return false
	}
	for _, v := range vals {
		p, err := netip.ParsePrefix(v)
		if err != nil {
			a, aerr := netip.ParseAddr(v)
			if aerr != nil {
				return false
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		if p.Bits() == 0 {
			return false
		}
	}
	return true
}

// maxPolicySize is S3's bucket policy quota (20 KB).
const maxPolicySize = 20 * 1024

// validatePolicy checks a bucket policy as PutBucketPolicy does: the policy language,
// then S3's own rules (every resource in this bucket), with S3's MalformedPolicy
// messages.
func validatePolicy(bucket, doc string) error {
	if len(doc) > maxPolicySize {
		return model.NewError(400, "PolicyTooLarge", "Policy exceeds the maximum allowed document size.")
	}
	if t := strings.TrimLeft(doc, " \t\r\n"); t == "" || t[0] != '{' {
		return malformedPolicy("Policies must be valid JSON and the first byte must be '{'")
	}
	var top map[string]json.RawMessage
	if json.Unmarshal([]byte(doc), &top) == nil {
		if top["Statement"] == nil {
			return malformedPolicy("Missing required field Statement")
		}
		if err := checkRawStatements(top["Statement"]); err != nil {
			return err
		}
	}
	p, err := policy.Parse(policy.KindResource, "bucket-policy", []byte(doc))
	if err != nil {
		var pe *policy.Error
		if errors.As(err, &pe) {
			return malformedPolicy(s3PolicyMessage(pe.Message))
		}
		return malformedPolicy("This policy contains invalid Json")
	}
	arn := "arn:aws:s3:::" + bucket
	for _, st := range p.Document().Statements {
		if !st.HasResource {
			return malformedPolicy("Statement is missing required element")
		}
		for _, r := range st.Resources {
			if !resourceInBucket(r, arn) {
				return malformedPolicy("Policy has invalid resource")
			}
		}
		for _, a := range st.Actions {
			if a != "*" && !strings.HasPrefix(strings.ToLower(a), "s3:") {
				return malformedPolicy("Policy has invalid action")
			}
			if !strings.ContainsAny(a, "*?") {
				if _, ok := authz.LookupAction(a); !ok {
					return malformedPolicy("Policy has invalid action")
				}
			}
		}
		for _, c := range st.Conditions {
			if !s3ConditionKey(c.Key) {
				return malformedPolicy("Policy has an invalid condition key")
			}
		}
		if !st.NotAction && !st.NotResource {
			for _, a := range st.Actions {
				if !actionApplies(a, st.Resources, arn) {
					return malformedPolicy("Action does not apply to any resource(s) in statement")
				}
			}
		}
	}
	return nil
}

// checkRawStatements applies the checks S3 makes on a policy's statements before
// the policy language's own, with S3's wording: an empty Statement list ("Could not
// parse the policy: Statement is empty!") and an Effect other than Allow or Deny
// ("Invalid effect: X").
func checkRawStatements(raw json.RawMessage) error {
	var stmts []map[string]json.RawMessage
	if json.Unmarshal(raw, &stmts) != nil {
		var one map[string]json.RawMessage
		if json.Unmarshal(raw, &one) != nil {
			return nil
		}
		stmts = []map[string]json.RawMessage{one}
	}
	if len(stmts) == 0 {
		return malformedPolicy("Could not parse the policy: Statement is empty!")
	}
	for _, st := range stmts {
		var effect string
		if e, ok := st["Effect"]; ok && json.Unmarshal(e, &effect) == nil && effect != "Allow" && effect != "Deny" {
			return malformedPolicy("Invalid effect: " + effect)
		}
	}
	return nil
}

// s3ConditionKey reports whether a condition key may appear in a bucket policy: any
// key outside S3's namespace is left to the policy language, and an s3: key must be
// one of S3's (Service Authorization Reference, "Condition keys for Amazon S3"; the
// tag keys by their prefix).
func s3ConditionKey(key string) bool {
	k := strings.ToLower(key)
	if !strings.HasPrefix(k, "s3:") {
		return true
	}
	svc, ok := authz.LookupService("s3")
	if !ok {
		return true
	}
	if _, ok := svc.ConditionKeys[k]; ok {
		return true
	}
	if prefix, _, ok := strings.Cut(k, "/"); ok {
		for known := range svc.ConditionKeys {
			if p, _, ok := strings.Cut(known, "/"); ok && p == prefix {
				return true
			}
		}
	}
	return false
}

// actionApplies reports whether an action (or one of the actions a wildcard names)
// applies to one of a statement's resources: an action on objects needs an object
// resource, an action on buckets the bucket, and an action on neither (such as
// s3:ListAllMyBuckets) applies to nothing in a bucket policy. A wildcard that names
// no action is left alone.
func actionApplies(action string, resources []string, bucketARN string) bool {
	if action == "*" {
		return true
	}
	var onBucket, onObject bool
	for _, r := range resources {
		onBucket = onBucket || r == "*" || globMatch(r, bucketARN)
		onObject = onObject || r == "*" || globMatch(r, bucketARN+"/x") || strings.HasPrefix(r, bucketARN+"/")
	}
	svc, ok := authz.LookupService("s3")
	if !ok {
		return true
	}
	pattern := strings.ToLower(strings.TrimPrefix(strings.ToLower(action), "s3:"))
	matched := false
	for name, a := range svc.Actions {
		if !globMatch(pattern, name) {
			continue
		}
		matched = true
		for _, rr := range a.Resources {
			if rr.Type == "bucket" && onBucket || rr.Type == "object" && onObject {
				return true
			}
		}
	}
	return !matched
}

func malformedPolicy(msg string) *model.Error {
	return model.NewError(400, "MalformedPolicy", "%s", msg)
}

// s3PolicyMessage words the engine's IAM-style findings as S3 does (S3 reports a few
// fixed messages rather than IAM's).
func s3PolicyMessage(iam string) string {
	switch {
	case strings.HasPrefix(iam, "Syntax errors"):
		return "This policy contains invalid Json"
	case strings.Contains(iam, "Principal"):
		if strings.HasPrefix(iam, "Missing required field") {
			return iam
		}
		return "Invalid principal in policy"
	case iam == policy.MsgNoResources:
		// As S3 answered a statement without Resource (aws/aws-cdk#6708).
		return "Statement is missing required element"
	case strings.Contains(iam, "esource"):
		return "Policy has invalid resource"
	case strings.Contains(iam, "ction"), strings.Contains(iam, "Vendor"):
		return "Policy has invalid action"
	}
	return iam
}

// resourceInBucket reports whether a policy's resource pattern can name the bucket or
// an object in it.
func resourceInBucket(pattern, bucketARN string) bool {
	if !strings.HasPrefix(pattern, "arn:") && pattern != "*" {
		return false
	}
	return globMatch(pattern, bucketARN) || globMatch(pattern, bucketARN+"/x") || strings.HasPrefix(pattern, bucketARN+"/")
}

// globMatch matches s against a pattern with * and ? wildcards.
func globMatch(pattern, s string) bool {
	px, sx := 0, 0
	nextPx, nextSx := -1, -1
	for px < len(pattern) || sx < len(s) {
		if px < len(pattern) {
			switch c := pattern[px]; c {
			case '*':
				nextPx, nextSx = px, sx+1
				px++
				continue
			case '?':
				if sx < len(s) {
					px++
					sx++
					continue
				}
			default:
				if sx < len(s) && s[sx] == c {
					px++
					sx++
					continue
				}
			}
		}
		if nextSx > 0 && nextSx <= len(s) {
			px, sx = nextPx, nextSx
			continue
		}
		return false
	}
	return true
}

func (s *Service) policyHandlers() []server.Handler {
	return []server.Handler{
		server.Write("PutBucketPolicy", func(c *server.Call, in *api.PutBucketPolicyRequest) (*model.Empty, error) {
			b, err := loadBucket(c.Tx, in.Bucket)
			if err != nil {
				return nil, err
			}
			if err := ownerAccountOnly(c, b); err != nil {
				return nil, err
			}
			if err := validatePolicy(b.Name, in.Policy); err != nil {
				return nil, err
			}
			if policyIsPublic(in.Policy) {
				eff, err := effectivePAB(c.Tx, b)
				if err != nil {
					return nil, err
				}
				if eff.BlockPublicPolicy {
					return nil, enhancedDenied(c, b, "s3:PutBucketPolicy", b.arn(), "because public policies are blocked by the BlockPublicPolicy block public access setting.")
				}
			}
			change := changeUpdate
			b.Policy = in.Policy
			if err := saveBucket(c.Tx, b); err != nil {
				return nil, err
			}
			return &model.Empty{}, changed(c, b, itemPolicy, change)
		}),
		server.Read("GetBucketPolicy", func(c *server.Call, in *api.GetBucketPolicyRequest) (*api.GetBucketPolicyOutput, error) {
			b, err := loadBucket(c.Tx, in.Bucket)
			if err != nil {
				return nil, err
			}
			if err := ownerAccountOnly(c, b); err != nil {
				return nil, err
			}
			if b.Policy == "" {
				return nil, errNoSuchBucketPolicy(b.Name)
			}
			return &api.GetBucketPolicyOutput{Policy: ptr(b.Policy)}, nil
		}),
		server.Write("DeleteBucketPolicy", func(c *server.Call, in *api.DeleteBucketPolicyRequest) (*model.Empty, error) {
			b, err := loadBucket(c.Tx, in.Bucket)
			if err != nil {
				return nil, err
			}
			if err := ownerAccountOnly(c, b); err != nil {
				return nil, err
			}
			if b.Policy == "" {
				// Deleting a policy that is not there succeeds, as on S3.
				return &model.Empty{}, nil
			}
			b.Policy = ""
			if err := saveBucket(c.Tx, b); err != nil {
				return nil, err
			}
			return &model.Empty{}, changed(c, b, itemPolicy, changeUpdate)
		}),
		server.Read("GetBucketPolicyStatus", func(c *server.Call, in *api.GetBucketPolicyStatusRequest) (*api.GetBucketPolicyStatusOutput, error) {
			b, err := loadBucket(c.Tx, in.Bucket)
			if err != nil {
				return nil, err
			}
			if b.Policy == "" {
				return nil, errNoSuchBucketPolicy(b.Name)
			}
			return &api.GetBucketPolicyStatusOutput{PolicyStatus: &api.PolicyStatus{IsPublic: ptr(policyIsPublic(b.Policy))}}, nil
		}),
		server.Write("PutPublicAccessBlock", func(c *server.Call, in *api.PutPublicAccessBlockRequest) (*model.Empty, error) {
			b, err := loadBucket(c.Tx, in.Bucket)
			if err != nil {
				return nil, err
			}
			if in.PublicAccessBlockConfiguration == nil {
				return nil, errMalformedXML()
			}
			b.PAB = pabFrom(in.PublicAccessBlockConfiguration)
			if err := saveBucket(c.Tx, b); err != nil {
				return nil, err
			}
			return &model.Empty{}, changed(c, b, itemPAB, changeUpdate)
		}),
		server.Read("GetPublicAccessBlock", func(c *server.Call, in *api.GetPublicAccessBlockRequest) (*api.GetPublicAccessBlockOutput, error) {
			b, err := loadBucket(c.Tx, in.Bucket)
			if err != nil {
				return nil, err
			}
			if b.PAB == nil {
				return nil, model.NewError(404, "NoSuchPublicAccessBlockConfiguration", "The public access block configuration was not found").With("BucketName", b.Name)
			}
			return &api.GetPublicAccessBlockOutput{PublicAccessBlockConfiguration: b.PAB.api()}, nil
		}),
		server.Write("DeletePublicAccessBlock", func(c *server.Call, in *api.DeletePublicAccessBlockRequest) (*model.Empty, error) {
			b, err := loadBucket(c.Tx, in.Bucket)
			if err != nil {
				return nil, err
			}
			b.PAB = nil
			if err := saveBucket(c.Tx, b); err != nil {
				return nil, err
			}
			return &model.Empty{}, changed(c, b, itemPAB, changeUpdate)
		}),
	}
}

// ownerAccountOnly refuses the bucket policy operations to callers outside the
// bucket owner's account whom the policy allows them: "If you have the correct
// permissions, but you're not using an identity that belongs to the bucket owner's
// account, Amazon S3 returns a 405 Method Not Allowed error" (API Reference,
// PutBucketPolicy, GetBucketPolicy, DeleteBucketPolicy). Callers without the
// permission were refused before (403).
func ownerAccountOnly(c *server.Call, b *bucketRec) error {
	if c.Principal.Account == b.Owner {
		return nil
	}
	e := model.NewError(405, "MethodNotAllowed", "The specified method is not allowed against this resource.")
	if c.HTTP != nil { // a call another service makes in-process has no request
		e = e.With("Method", c.HTTP.Method)
	}
	return e
}

func errNoSuchBucketPolicy(bucket string) *model.Error {
	return model.NewError(404, "NoSuchBucketPolicy", "The bucket policy does not exist").With("BucketName", bucket)
}
