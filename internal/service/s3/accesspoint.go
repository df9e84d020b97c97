package s3

// S3 access points for general purpose buckets: S3 Control's CreateAccessPoint and
// the calls that read, list and delete them and their policies, and object requests
// made through one (by its ARN, whose requests the SDKs send to
// NAME-ACCOUNT.s3-accesspoint.REGION.amazonaws.com, which wire.S3BucketFromHost hands
// over as the ARN, or by its alias used as a bucket name). Such a request is allowed
// only when both the access point (its policy, the caller's identity policies on the
// access point ARN) and the bucket (its policy, which may delegate to access points,
// and the identity policies on the bucket ARN) allow it (recorded, 2026:
// access_point_authority_replay.json).

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	ctl "github.com/palisade/palisade/internal/api/s3control"
	"github.com/palisade/palisade/internal/audit"
	"github.com/palisade/palisade/internal/auth"
	"github.com/palisade/palisade/internal/authz"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/policy"
	"github.com/palisade/palisade/internal/server"
	"github.com/palisade/palisade/internal/store"
)

// apRec is an access point.
type apRec struct {
	Name          string    `json:"name"`
	Account       string    `json:"account"`
	Region        string    `json:"region"`
	Bucket        string    `json:"bucket"`
	BucketAccount string    `json:"bucketAccount"`
	Alias         string    `json:"alias"`
	VpcID         string    `json:"vpcId,omitempty"`
	PAB           pab       `json:"pab"`
	Policy        string    `json:"policy,omitempty"`
	Created       time.Time `json:"created"`
	// Tags are the access point's, S3 Control's TagResource and ListTagsForResource
	// on its ARN (accesspoint_tags.go).
	Tags []ctl.Tag `json:"tags,omitempty"`
}

func (a *apRec) arn() string {
	return "arn:aws:s3:" + a.Region + ":" + a.Account + ":accesspoint/" + a.Name
}

func (a *apRec) networkOrigin() string {
	if a.VpcID != "" {
		return "VPC"
	}
	return "Internet"
}

// nsAP holds an account's access points in a Region by name; nsAPAlias maps aliases,
// which are global like bucket names, to "account/region/name"; nsAPBucket lists a
// bucket's access points, which keep DeleteBucket from deleting it.
func nsAP(account, region string) string { return store.NS("s3", account, region, "ap") }

var nsAPAlias = store.NS("s3", "", "", "ap-alias")

func nsAPBucket(bucket string) string { return store.NS("s3", "", "", "ap-bucket", bucket) }

// apOps are the S3 Control operations on access points, with their IAM actions.
var apOps = map[string]string{
	"CreateAccessPoint":          "s3:CreateAccessPoint",
	"GetAccessPoint":             "s3:GetAccessPoint",
	"ListAccessPoints":           "s3:ListAccessPoints",
	"DeleteAccessPoint":          "s3:DeleteAccessPoint",
	"PutAccessPointPolicy":       "s3:PutAccessPointPolicy",
	"GetAccessPointPolicy":       "s3:GetAccessPointPolicy",
	"DeleteAccessPointPolicy":    "s3:DeleteAccessPointPolicy",
	"GetAccessPointPolicyStatus": "s3:GetAccessPointPolicyStatus",
}

// withAPActions adds the access point operations' actions to S3 Control's.
func withAPActions(m map[string]string) map[string]string {
	for op, action := range apOps {
		m[op] = action
	}
	return m
}

func (s *Service) apHandlers() []server.Handler {
	return []server.Handler{
		server.Write("CreateAccessPoint", s.createAccessPoint),
		server.Read("GetAccessPoint", s.getAccessPoint),
		server.Read("ListAccessPoints", s.listAccessPoints),
		server.Write("DeleteAccessPoint", s.deleteAccessPoint),
		server.Write("PutAccessPointPolicy", s.putAccessPointPolicy),
		server.Read("GetAccessPointPolicy", s.getAccessPointPolicy),
		server.Write("DeleteAccessPointPolicy", s.deleteAccessPointPolicy),
		server.Read("GetAccessPointPolicyStatus", s.getAccessPointPolicyStatus),
	}
}

func errNoSuchAccessPoint() *model.Error {
	return model.NewError(404, "NoSuchAccessPoint", "The specified accesspoint does not exist")
}

// errInvalidURI is S3's answer to an access point name it cannot take in the path:
// upper case, '_', more than 50 characters (recorded, 2026:
// access_point_control_replay.json, name-uppercase, name-underscore, name-51), and to
// an alias where only GetAccessPoint accepts one (alias-policy-*, tagged-alias-delete).
func errInvalidURI() *model.Error {
	return model.NewError(400, "InvalidURI", "Couldn't parse the specified URI.")
}

// isAPAlias: "-s3alias" ends every alias and no access point or bucket name.
func isAPAlias(name string) bool { return strings.HasSuffix(name, "-s3alias") }

// checkAPName applies the naming rules as AWS was recorded answering them (2026:
// access_point_control_replay.json, access-point-name-boundaries): characters outside
// [a-z0-9-.] and lengths over 50 are InvalidURI; a '.', a dash at either end or the
// reserved -s3alias suffix are InvalidRequest. The 3-character minimum is the User
// Guide's ("Access points naming rules"); it is not recorded.
func checkAPName(name string) error {
	if len(name) > 50 {
		return errInvalidURI()
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '.') {
			return errInvalidURI()
		}
	}
	if len(name) < 3 || strings.Contains(name, ".") || strings.HasPrefix(name, "-") || strings.HasSuffix(name, "-") || isAPAlias(name) {
		return errInvalidRequest("Your Access Point name is invalid.")
	}
	return nil
}

// loadAP returns the caller's access point named name (or, with byAlias, by its
// alias) in the call's Region, or NoSuchAccessPoint.
func loadAP(c *server.Call, account, name string, byAlias bool) (*apRec, error) {
	if isAPAlias(name) {
		if !byAlias {
			return nil, errInvalidURI()
		}
		a, err := apByAlias(c.Tx, name)
		if err != nil {
			return nil, err
		}
		if a == nil || a.Account != account || a.Region != c.Region {
			return nil, errNoSuchAccessPoint()
		}
		return a, nil
	}
	a, err := load[apRec](c.Tx, nsAP(account, c.Region), name)
	if err != nil {
		return nil, err
	}
	if a == nil {
		return nil, errNoSuchAccessPoint()
	}
	return a, nil
}

func apByAlias(tx *store.Tx, alias string) (*apRec, error) {
	raw, ok, err := tx.Get(nsAPAlias, alias)
	if err != nil || !ok {
		return nil, err
	}
	parts := strings.SplitN(string(raw), "/", 3)
	if len(parts) != 3 {
		return nil, nil
	}
	return load[apRec](tx, nsAP(parts[0], parts[1]), parts[2])
}

// apByARN returns the access point an arn:aws:s3:REGION:ACCOUNT:accesspoint/NAME
// names; ok is false when name is no access point ARN.
func apByARN(tx *store.Tx, arn string) (a *apRec, ok bool, err error) {
	rest, found := strings.CutPrefix(arn, "arn:aws:s3:")
	if !found {
		return nil, false, nil
	}
	parts := strings.SplitN(rest, ":", 3)
	if len(parts) != 3 {
		return nil, false, nil
	}
	name, found := strings.CutPrefix(parts[2], "accesspoint/")
	if !found || name == "" || strings.Contains(name, "/") {
		return nil, false, nil
	}
	a, err = load[apRec](tx, nsAP(parts[1], parts[0]), name)
	return a, true, err
}

// apFor returns the access point a bucket name in an S3 request stands for: its ARN
// (from the access point host) or its alias. A name that is neither is a bucket's
// (nil, false). An ARN no access point has is NoSuchBucket and an unknown alias
// AccessDenied, as AWS answers them once deleted (recorded, 2026:
// access_point_control_replay.json, deleted-arn, deleted-alias).
func apFor(tx *store.Tx, bucket string) (*apRec, bool, error) {
	if isAPAlias(bucket) {
		a, err := apByAlias(tx, bucket)
		if err == nil && a == nil {
			err = errAccessDenied()
		}
		return a, true, err
	}
	a, ok, err := apByARN(tx, bucket)
	if ok && err == nil && a == nil {
		err = errNoSuchBucket(bucket)
	}
	return a, ok, err
}

// loadAPBucket is loadBucket for a name that stands for an access point: its bucket.
func loadAPBucket(tx *store.Tx, name string) (*bucketRec, bool, error) {
	a, ok, err := apFor(tx, name)
	if !ok || err != nil {
		return nil, ok, err
	}
	b, err := loadBucket(tx, a.Bucket)
	return b, true, err
}

// newAlias is an access point alias: a prefix of the name, 34 random characters and
// the -s3alias suffix, at most 63 characters so that it is a valid bucket name (the
// exact prefix length is inferred from the User Guide's examples, "Using a
// bucket-style alias for your access point").
func newAlias(name string) string {
	prefix := name
	if len(prefix) > 20 {
		prefix = strings.TrimRight(prefix[:20], "-")
	}
	return prefix + "-" + strings.ToLower(randomChars(34)) + "-s3alias"
}

func (s *Service) createAccessPoint(c *server.Call, in *ctl.CreateAccessPointRequest) (*ctl.CreateAccessPointResult, error) {
	if err := checkAPName(in.Name); err != nil {
		return nil, err
	}
	if len(in.Tags) > 0 {
		if err := checkAPTags(in.Tags); err != nil {
			return nil, err
		}
	}
	owner := in.AccountId
	if in.BucketAccountId != nil {
		owner = *in.BucketAccountId
		if !isAccountID(owner) {
			return nil, errInvalidRequest("Invalid bucket account id.")
		}
	}
	existing, err := load[apRec](c.Tx, nsAP(in.AccountId, c.Region), in.Name)
	if err != nil {
		return nil, err
	}
	if existing != nil {
		if existing.Bucket == in.Bucket {
			return nil, model.NewError(409, "AccessPointAlreadyOwnedByYou", "Your previous request to create the named accesspoint succeeded and you already own it.")
		}
		// recorded, 2026: access_point_control_replay.json, duplicate-different-bucket.
		return nil, errInvalidRequest("Access point name already in use.")
	}
	// The bucket must be the named account's (the caller's by default) and in the
	// Region called (recorded, 2026: access_point_control_replay.json,
	// nonexistent-bucket, foreign-owner-own-bucket, east-bucket-west-ap).
	b, err := buckets(c.Tx).get(c.Tx, in.Bucket)
	if err != nil {
		return nil, err
	}
	if b == nil || b.Owner != owner || b.Region != c.Region {
		return nil, errInvalidRequest("Bucket does not exist or is not owned by the bucket account.")
	}
	a := &apRec{Name: in.Name, Account: in.AccountId, Region: c.Region, Bucket: b.Name, BucketAccount: b.Owner, Alias: newAlias(in.Name), Created: c.Now.UTC(), Tags: in.Tags}
	if v := in.VpcConfiguration; v != nil {
		if v.VpcId == "" {
			return nil, errInvalidRequest("VpcId is required.")
		}
		a.VpcID = v.VpcId
	}
	// All four settings are on unless a configuration is given: then those it leaves
	// out are off (recorded, 2026: access_point_control_replay.json, create-default,
	// create-sparse, empty-pab, sparse-true).
	a.PAB = pab{true, true, true, true}
	if p := in.PublicAccessBlockConfiguration; p != nil {
		on := func(v *bool) bool { return v != nil && *v }
		a.PAB = pab{on(p.BlockPublicAcls), on(p.IgnorePublicAcls), on(p.BlockPublicPolicy), on(p.RestrictPublicBuckets)}
	}
	if err := putJSON(c.Tx, nsAP(a.Account, a.Region), a.Name, a); err != nil {
		return nil, err
	}
	if err := c.Tx.Put(nsAPAlias, a.Alias, []byte(a.Account+"/"+a.Region+"/"+a.Name)); err != nil {
		return nil, err
	}
	if err := c.Tx.Put(nsAPBucket(a.Bucket), a.Account+"/"+a.Region+"/"+a.Name, nil); err != nil {
		return nil, err
	}
	return &ctl.CreateAccessPointResult{AccessPointArn: ptr(a.arn()), Alias: ptr(a.Alias)}, nil
}

func (s *Service) getAccessPoint(c *server.Call, in *ctl.GetAccessPointRequest) (*ctl.GetAccessPointResult, error) {
	a, err := loadAP(c, in.AccountId, in.Name, true)
	if err != nil {
		return nil, err
	}
	out := &ctl.GetAccessPointResult{Name: ptr(a.Name), Bucket: ptr(a.Bucket), NetworkOrigin: ptr(a.networkOrigin()),
		PublicAccessBlockConfiguration: &ctl.PublicAccessBlockConfiguration{BlockPublicAcls: ptr(a.PAB.BlockPublicAcls),
			IgnorePublicAcls: ptr(a.PAB.IgnorePublicAcls), BlockPublicPolicy: ptr(a.PAB.BlockPublicPolicy), RestrictPublicBuckets: ptr(a.PAB.RestrictPublicBuckets)},
		CreationDate: ptr(a.Created), Alias: ptr(a.Alias), AccessPointArn: ptr(a.arn()), BucketAccountId: ptr(a.BucketAccount),
		Endpoints: map[string]string{
			"ipv4":           "s3-accesspoint." + a.Region + ".amazonaws.com",
			"dualstack":      "s3-accesspoint.dualstack." + a.Region + ".amazonaws.com",
			"fips":           "s3-accesspoint-fips." + a.Region + ".amazonaws.com",
			"fips_dualstack": "s3-accesspoint-fips.dualstack." + a.Region + ".amazonaws.com",
		}}
	if a.VpcID != "" {
		out.VpcConfiguration = &ctl.VpcConfiguration{VpcId: a.VpcID}
	}
	return out, nil
}

func (s *Service) listAccessPoints(c *server.Call, in *ctl.ListAccessPointsRequest) (*ctl.ListAccessPointsResult, error) {
	limit := 1000
	if in.MaxResults != nil && *in.MaxResults > 0 && *in.MaxResults < 1000 {
		limit = int(*in.MaxResults)
	}
	after := str(in.NextToken)
	out := &ctl.ListAccessPointsResult{AccessPointList: []ctl.AccessPoint{}}
	var scanErr error
	err := c.Tx.Scan(nsAP(in.AccountId, c.Region), after, 0, func(k string, v []byte) bool {
		var a apRec
		if scanErr = json.Unmarshal(v, &a); scanErr != nil {
			return false
		}
		if in.Bucket != nil && *in.Bucket != a.Bucket {
			return true
		}
		if len(out.AccessPointList) == limit {
			out.NextToken = ptr(out.AccessPointList[limit-1].Name)
			return false
		}
		e := ctl.AccessPoint{Name: a.Name, NetworkOrigin: a.networkOrigin(), Bucket: a.Bucket,
			AccessPointArn: ptr(a.arn()), Alias: ptr(a.Alias), BucketAccountId: ptr(a.BucketAccount)}
		if a.VpcID != "" {
			e.VpcConfiguration = &ctl.VpcConfiguration{VpcId: a.VpcID}
		}
		out.AccessPointList = append(out.AccessPointList, e)
		return true
	})
	if err == nil {
		err = scanErr
	}
	return out, err
}

func (s *Service) deleteAccessPoint(c *server.Call, in *ctl.DeleteAccessPointRequest) (*model.Empty, error) {
	a, err := loadAP(c, in.AccountId, in.Name, false)
	if err != nil {
		return nil, err
	}
	for _, del := range [][2]string{{nsAP(a.Account, a.Region), a.Name}, {nsAPAlias, a.Alias}, {nsAPBucket(a.Bucket), a.Account + "/" + a.Region + "/" + a.Name}} {
		if _, err := c.Tx.Delete(del[0], del[1]); err != nil {
			return nil, err
		}
	}
	return &model.Empty{}, nil
}

// validateAPPolicy checks an access point policy as S3 does a bucket's, its resources
// being the access point's ARN and its objects' (User Guide, "Configuring IAM policies
// for using access points").
func validateAPPolicy(a *apRec, doc string) error {
	if len(doc) > maxPolicySize {
		return model.NewError(400, "PolicyTooLarge", "Policy exceeds the maximum allowed document size.")
	}
	if t := strings.TrimLeft(doc, " \t\r\n"); t == "" || t[0] != '{' {
		return malformedPolicy("Policies must be valid JSON and the first byte must be '{'")
	}
	p, err := policy.Parse(policy.KindResource, "access-point-policy", []byte(doc))
	if err != nil {
		var pe *policy.Error
		if errors.As(err, &pe) {
			return malformedPolicy(s3PolicyMessage(pe.Message))
		}
		return malformedPolicy("This policy contains invalid Json")
	}
	arn := a.arn()
	for _, st := range p.Document().Statements {
		if !st.HasResource {
			return malformedPolicy("Statement is missing required element")
		}
		if err := checkPrincipal(st); err != nil {
			return err
		}
		for _, r := range st.Resources {
			if r != arn && !strings.HasPrefix(r, arn+"/object/") {
				return malformedPolicy("Policy has invalid resource")
			}
		}
		for _, act := range st.Actions {
			if act != "*" && !strings.HasPrefix(strings.ToLower(act), "s3:") {
				return malformedPolicy("Policy has invalid action")
			}
		}
		for _, cond := range st.Conditions {
			if !s3ConditionKey(cond.Key) {
				return malformedPolicy("Policy has an invalid condition key")
			}
		}
	}
	return nil
}

// apPAB is the access point's Block Public Access combined with its bucket's and
// account's, the most restrictive winning (User Guide, "Blocking public access to your
// Amazon S3 storage": "If the block public access settings for the access point,
// bucket, or account differ, then Amazon S3 applies the most restrictive
// combination").
func apPAB(tx *store.Tx, a *apRec) (pab, error) {
	eff := a.PAB
	b, err := buckets(tx).get(tx, a.Bucket)
	if err != nil || b == nil {
		return eff, err
	}
	be, err := effectivePAB(tx, b)
	if err != nil {
		return eff, err
	}
	eff.BlockPublicPolicy = eff.BlockPublicPolicy || be.BlockPublicPolicy
	eff.RestrictPublicBuckets = eff.RestrictPublicBuckets || be.RestrictPublicBuckets
	eff.BlockPublicAcls = eff.BlockPublicAcls || be.BlockPublicAcls
	eff.IgnorePublicAcls = eff.IgnorePublicAcls || be.IgnorePublicAcls
	return eff, nil
}

func (s *Service) putAccessPointPolicy(c *server.Call, in *ctl.PutAccessPointPolicyRequest) (*model.Empty, error) {
	a, err := loadAP(c, in.AccountId, in.Name, false)
	if err != nil {
		return nil, err
	}
	if err := validateAPPolicy(a, in.Policy); err != nil {
		return nil, err
	}
	// A public policy is refused while the access point's or its bucket's (or the
	// account's) BlockPublicPolicy is on (recorded, 2026:
	// access_point_control_replay.json, policy-public-default-put,
	// policy-public-sparse-bucket-blocked-put, policy-public-sparse-bucket-unblocked-put).
	if policyIsPublic(in.Policy) {
		eff, err := apPAB(c.Tx, a)
		if err != nil {
			return nil, err
		}
		if eff.BlockPublicPolicy {
			return nil, model.NewError(403, "AccessDenied", "Access Denied")
		}
	}
	a.Policy = rootPrincipals(compactPolicy(in.Policy))
	return &model.Empty{}, putJSON(c.Tx, nsAP(a.Account, a.Region), a.Name, a)
}

func errNoSuchAccessPointPolicy() *model.Error {
	return model.NewError(404, "NoSuchAccessPointPolicy", "The specified accesspoint policy does not exist")
}

func (s *Service) getAccessPointPolicy(c *server.Call, in *ctl.GetAccessPointPolicyRequest) (*ctl.GetAccessPointPolicyResult, error) {
	a, err := loadAP(c, in.AccountId, in.Name, false)
	if err != nil {
		return nil, err
	}
	if a.Policy == "" {
		return nil, errNoSuchAccessPointPolicy()
	}
	return &ctl.GetAccessPointPolicyResult{Policy: ptr(a.Policy)}, nil
}

func (s *Service) deleteAccessPointPolicy(c *server.Call, in *ctl.DeleteAccessPointPolicyRequest) (*model.Empty, error) {
	a, err := loadAP(c, in.AccountId, in.Name, false)
	if err != nil {
		return nil, err
	}
	if a.Policy == "" {
		// recorded, 2026: access_point_control_replay.json, policy-missing-delete.
		return &model.Empty{}, nil
	}
	a.Policy = ""
	return &model.Empty{}, putJSON(c.Tx, nsAP(a.Account, a.Region), a.Name, a)
}

func (s *Service) getAccessPointPolicyStatus(c *server.Call, in *ctl.GetAccessPointPolicyStatusRequest) (*ctl.GetAccessPointPolicyStatusResult, error) {
	a, err := loadAP(c, in.AccountId, in.Name, false)
	if err != nil {
		return nil, err
	}
	if a.Policy == "" {
		return nil, errNoSuchAccessPointPolicy()
	}
	return &ctl.GetAccessPointPolicyStatusResult{PolicyStatus: &ctl.PolicyStatus{IsPublic: ptr(policyIsPublic(a.Policy))}}, nil
}

// apControlChecks authorizes the access point calls on the access point's ARN (the
// one named, for CreateAccessPoint), ListAccessPoints and GetAccessPoint on "*", which
// the Service Authorization Reference gives no resource type. An account other than
// the caller's is refused outright, as for S3 Control's other calls (recorded, 2026:
// access_point_control_replay.json, foreign-account-*).
func (s *Service) apControlChecks(c *server.Call, op string, in map[string]any) ([]authz.Check, error) {
	id, _ := in["AccountId"].(string)
	if id != c.Principal.Account {
		return nil, model.NewError(403, "AccessDenied", "Access Denied")
	}
	ctx := s.requestKeys(c, nil)
	ctx["s3:resourceaccount"] = []string{id}
	resource := "*"
	if name, _ := in["Name"].(string); name != "" && op != "GetAccessPoint" {
		resource = (&apRec{Name: name, Account: id, Region: c.Region}).arn()
	}
	chk := authz.Check{Action: apOps[op], Resource: resource, ResourceAccount: id, Context: ctx}
	if op == "CreateAccessPoint" && addRequestTags(ctx, in["Tags"]) {
		// Tags given at creation need s3:TagResource as well, as a bucket's do
		// (inferred from CreateBucket's, recorded: abac_authorization_replay.json,
		// create-tags-missing-tagresource).
		tag := chk
		tag.Action = "s3:TagResource"
		return []authz.Check{chk, tag}, nil
	}
	return []authz.Check{chk}, nil
}

// apDataOps are the S3 operations Palisade serves through an access point: those the
// User Guide lists ("Access points compatibility").
var apDataOps = map[string]bool{
	"GetObject": true, "HeadObject": true, "PutObject": true, "DeleteObject": true, "ListObjectsV2": true, "ListObjects": true,
	"GetObjectTagging": true, "PutObjectTagging": true, "DeleteObjectTagging": true, "HeadBucket": true, "GetBucketLocation": true,
	"GetBucketAcl": true, "GetBucketPolicy": true, "GetBucketCors": true, "GetBucketNotificationConfiguration": true,
	"DeleteObjects": true, "ListObjectVersions": true, "CreateMultipartUpload": true, "UploadPart": true, "CompleteMultipartUpload": true,
	"AbortMultipartUpload": true, "ListParts": true, "ListMultipartUploads": true, "CopyObject": true, "UploadPartCopy": true,
	"GetObjectAcl": true, "PutObjectAcl": true, "GetObjectAttributes": true, "GetObjectLegalHold": true, "PutObjectLegalHold": true,
	"GetObjectRetention": true, "PutObjectRetention": true, "RestoreObject": true,
}

// apCallKey keeps, in a call's context, the access point it was made through, for
// its CloudTrail record.
type apCallKey struct{}

func callAP(c *server.Call) *apRec {
	if c.Context == nil {
		return nil
	}
	a, _ := c.Value(apCallKey{}).(*apRec)
	return a
}

// apParams is how a record made through an access point names it: the bucket's
// name as bucketName, and the access point's account and name, or the alias the
// request used (recorded, 2026: access_point_audit_replay.json, arn-get_bucket_acl,
// alias-get_bucket_acl, late-arn-get).
func apParams(c *server.Call, bucket string) (name string, afterBucket, last [][2]string) {
	a := callAP(c)
	if a == nil {
		return bucket, nil, nil
	}
	if isAPAlias(bucket) {
		return a.Bucket, nil, [][2]string{{"accessPointAlias", bucket}}
	}
	return a.Bucket, [][2]string{{"accountId", a.Account}}, [][2]string{{"accessPointName", a.Name}}
}

// accessPointChecks are a request's checks through access point a: each of the
// bucket's checks (made as for the bucket itself, with the access point's condition
// keys, so that the bucket policy may delegate to access points) preceded by the same
// action on the access point's ARN (its objects' as ARN/object/KEY), weighed against
// the access point's policy.
func (s *Service) accessPointChecks(c *server.Call, op string, in map[string]any, a *apRec) ([]authz.Check, error) {
	// GetBucketLocation through an access point's host is refused as a method its
	// resource does not take; by the alias it is served (recorded, 2026:
	// access_point_audit_replay.json, raw-arn-location, regional-alias-path). The
	// operations the User Guide does not list are inferred to be refused alike.
	if named, _ := in["Bucket"].(string); !apDataOps[op] || op == "GetBucketLocation" && !isAPAlias(named) {
		method := "GET"
		if c.HTTP != nil {
			method = c.HTTP.Method
		}
		return nil, model.NewError(405, "MethodNotAllowed", "The specified method is not allowed against this resource.").With("Method", method).With("ResourceType", "ACCESSPOINT")
	}
	c.Context = context.WithValue(c.Context, apCallKey{}, a)
	if a.Region != c.Region && c.Auth != nil {
		return nil, errInvalidRequest("The access point's Region does not match the Region the request was signed for.")
	}
	// Palisade has no VPCs: every request comes from the Internet, which a VPC access
	// point refuses (User Guide, "Creating access points restricted to a virtual
	// private cloud").
	if a.VpcID != "" {
		return nil, errAccessDenied()
	}
	inB := make(map[string]any, len(in))
	for k, v := range in {
		inB[k] = v
	}
	inB["Bucket"] = a.Bucket
	srcs := &apSources{active: true}
	c.Context = context.WithValue(c.Context, apSourcesKey{}, srcs)
	chks, err := s.checks(c, op, inB)
	srcs.active = false
	addAPResource(c)
	if err != nil {
		return nil, err
	}
	if err := restrictAPPublic(c, a); err != nil {
		return nil, err
	}
	out, err := s.throughAP(c, a, chks)
	return append(out, srcs.chks...), err
}

// restrictAPPublic applies RestrictPublicBuckets to a public access point policy:
// only AWS service principals and the access point owner's principals get in.
func restrictAPPublic(c *server.Call, a *apRec) error {
	if a.Policy == "" || !policyIsPublic(a.Policy) {
		return nil
	}
	eff, err := apPAB(c.Tx, a)
	if err != nil {
		return err
	}
	p := c.Principal
	if eff.RestrictPublicBuckets && p.Type != auth.AWSService && (p.Type == auth.Anonymous || p.Account != a.Account) {
		return errAccessDenied()
	}
	return nil
}

// throughAP turns a request's checks on the bucket into those of the same request
// through access point a: each with the access point's condition keys, preceded by
// the same action on the access point's ARN under its policy.
func (s *Service) throughAP(c *server.Call, a *apRec, chks []authz.Check) ([]authz.Check, error) {
	var apPolicy *policy.Policy
	if a.Policy != "" {
		var err error
		if apPolicy, err = s.d.Authz.Compile(policy.KindResource, "access-point-policy/"+a.arn(), a.Policy); err != nil {
			return nil, err
		}
	}
	bucketARN := "arn:aws:s3:::" + a.Bucket
	out := make([]authz.Check, 0, 2*len(chks))
	for _, chk := range chks {
		if chk.Resource != bucketARN && !strings.HasPrefix(chk.Resource, bucketARN+"/") {
			out = append(out, chk)
			continue
		}
		ctx := make(map[string][]string, len(chk.Context)+3)
		for k, v := range chk.Context {
			ctx[k] = v
		}
		ctx["s3:dataaccesspointarn"] = []string{a.arn()}
		ctx["s3:dataaccesspointaccount"] = []string{a.Account}
		ctx["s3:accesspointnetworkorigin"] = []string{a.networkOrigin()}
		for _, t := range a.Tags {
			ctx["s3:accesspointtag/"+strings.ToLower(t.Key)] = []string{t.Value}
		}
		chk.Context = ctx
		apChk := chk
		apChk.Resource = a.arn()
		if key := strings.TrimPrefix(chk.Resource, bucketARN); key != "" {
			apChk.Resource += "/object" + key
		}
		apChk.ResourceAccount = a.Account
		apChk.ResourcePolicy = apPolicy
		apChk.Context = make(map[string][]string, len(ctx))
		for k, v := range ctx {
			apChk.Context[k] = v
		}
		apChk.Context["s3:resourceaccount"] = []string{a.Account}
		// The bucket's tags are not the access point's: aws:ResourceTag on the
		// access point's check is its own (inferred: the Service Authorization
		// Reference lists aws:ResourceTag for the accesspoint resource type).
		for k := range apChk.Context {
			if strings.HasPrefix(k, "aws:resourcetag/") {
				delete(apChk.Context, k)
			}
		}
		for _, t := range a.Tags {
			apChk.Context["aws:resourcetag/"+strings.ToLower(t.Key)] = []string{t.Value}
		}
		out = append(out, apChk, chk)
	}
	return out, nil
}

// authorize makes a check a handler weighs itself (a conditional delete's
// s3:GetObject), through the access point the call came by, if any.
func (s *Service) authorize(c *server.Call, chk authz.Check) error {
	a := callAP(c)
	if a == nil {
		return c.Authorize(chk)
	}
	chks, err := s.throughAP(c, a, []authz.Check{chk})
	if err != nil {
		return err
	}
	return c.AuthorizeAll(chks)
}

// allowed is authorize's question without its refusal: whether chk passes, through
// the access point the call came by, if any (each of the two checks must).
func (s *Service) allowed(c *server.Call, chk authz.Check) (bool, error) {
	a := callAP(c)
	if a == nil {
		return c.Allowed(chk)
	}
	chks, err := s.throughAP(c, a, []authz.Check{chk})
	if err != nil {
		return false, err
	}
	for _, x := range chks {
		if ok, err := c.Allowed(x); err != nil || !ok {
			return false, err
		}
	}
	return true, nil
}

// bucketHasAccessPoints refuses DeleteBucket while access points use the bucket
// (recorded, 2026: access_point_control_replay.json, bucket-live-ap-delete).
func bucketHasAccessPoints(tx *store.Tx, bucket string) error {
	var names []string
	if err := tx.Scan(nsAPBucket(bucket), "", 1, func(k string, _ []byte) bool {
		names = append(names, k)
		return false
	}); err != nil {
		return err
	}
	if len(names) > 0 {
		return model.NewError(400, "BucketHasAccessPointsAttached", "The bucket you tried to delete has access points attached")
	}
	return nil
}

// CreateAccessPoint's BucketAccountId is checked by the handler: a malformed one is
// S3's InvalidRequest (recorded, 2026: access_point_control_replay.json,
// malformed-bucket-owner), not the generic validation's pattern error. The shape is
// copied: the x-amz-account-id header shares it.
func init() {
	m := ctl.Service.Operations["CreateAccessPoint"].Input.ByName["BucketAccountId"]
	sh := cloneShape(m.Shape)
	sh.Pattern = ""
	sh.Max = nil
	m.Shape = sh
	// ListAccessPoints takes a MaxResults over the model's 1000, as it does 0
	// (recorded, 2026: access_point_control_replay.json, notes: "Native MaxResults=0
	// and 1001 succeeded on small collections").
	m = ctl.Service.Operations["ListAccessPoints"].Input.ByName["MaxResults"]
	sh = cloneShape(m.Shape)
	sh.Max = nil
	m.Shape = sh
}

// apRecord words an access point call's CloudTrail record as AWS does: the Host and
// the XML body as requestParameters, without the bucket the body names as bucketName
// or the name in the path, which goes to additionalEventData's accessPointName
// (recorded, 2026: access_point_audit_replay.json, create-stackd-ap-audit-*).
func apRecord(c *server.Call, in map[string]any) {
	var p jsonObject
	p.add("Host", c.Host)
	if len(c.Body) > 0 {
		if name, v, ok := xmlJSON(c.Body); ok {
			p.addRaw(name, v)
		}
	}
	c.RequestParameters = p.bytes()
	if name, _ := in["Name"].(string); name != "" && c.AdditionalEventData != nil {
		c.AdditionalEventData["accessPointName"] = name
	}
}

// addAPResource names the access point a call was made through after its bucket and
// objects in its CloudTrail record (User Guide, "Monitoring and logging access
// points"; recorded, 2026: access_point_audit_replay.json, arn-head_bucket).
func addAPResource(c *server.Call) {
	if a := callAP(c); a != nil && len(c.Resources) > 0 {
		c.Resources = append(c.Resources, audit.Resource{AccountID: a.Account, Type: "AWS::S3::AccessPoint", ARN: a.arn(), AccountFirst: true})
	}
}
