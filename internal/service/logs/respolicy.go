package logs

import (
	"context"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	api "github.com/palisade/palisade/internal/api/logs"
	"github.com/palisade/palisade/internal/audit"
	"github.com/palisade/palisade/internal/auth"
	"github.com/palisade/palisade/internal/authz"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/policy"
	"github.com/palisade/palisade/internal/server"
	"github.com/palisade/palisade/internal/store"
	"github.com/palisade/palisade/internal/svckit"
	"github.com/palisade/palisade/internal/wire"
)

// Resource policies (PutResourcePolicy, DescribeResourcePolicies,
// DeleteResourcePolicy). An account-level policy has a name and applies to every log
// group its statements' resources match; a log group's own policy has no name, is
// kept with a revision number for optimistic concurrency and goes with the group. As
// the API reference says, they grant AWS service principals only ("Policy only
// applies when operations are invoked by Amazon Web Services service principals (not
// IAM users, roles, or cross-account principals)"): Palisade weighs them in
// PutEventsFromService, never in the checks of a signed request.

const (
	tAccountPolicies = "apolicies" // policy name → resPolicyRec
	tGroupPolicies   = "gpolicies" // group name → resPolicyRec

	// "An account can have a maximum of 10 policies without resourceARN" (API
	// reference; CloudWatch Logs quotas: "This quota can't be changed").
	maxAccountPolicies = 10
	// The size of an account-level policy document, in characters (below).
	maxAccountPolicyChars = 5120

	scopeAccount  = "ACCOUNT"
	scopeResource = "RESOURCE"
)

// resPolicyRec is a stored resource policy.
type resPolicyRec struct {
	Name     string `json:"name,omitempty"`
	Doc      string `json:"doc"`
	Updated  int64  `json:"updated"`
	Revision int64  `json:"revision,omitempty"` // log group policies only
}

func (l *Logs) resourcePolicyHandlers() []server.Handler {
	return []server.Handler{
		server.Write("PutResourcePolicy", l.putResourcePolicy),
		server.Read("DescribeResourcePolicies", l.describeResourcePolicies),
		server.Write("DeleteResourcePolicy", l.deleteResourcePolicy),
	}
}

// policyGroup resolves a resourceArn to a log group of the caller's account and
// Region: "Currently only supports LogGroup ARN" (API reference).
func policyGroup(c *server.Call, arn string) (string, error) {
	a, ok := svckit.ParseARN(arn)
	name, found := strings.CutPrefix(a.Resource, "log-group:")
	name = strings.TrimSuffix(name, ":*")
	if !ok || a.Service != "logs" || !found || name == "" || strings.Contains(name, ":") {
		// Wording inferred, as Logs words a bad log group identifier.
		return "", errParam("Invalid resource ARN: " + arn)
	}
	if a.Account != c.Account || a.Region != c.Region {
		return "", errNoGroup()
	}
	return name, nil
}

// checkPolicyDocument validates a document as IAM validates a resource-based policy.
// AWS's answer to a document it cannot take is "Could not convert to persistable
// policy." (InvalidParameterException, as reported for a Principal of type AWS naming
// delivery.logs.amazonaws.com: hashicorp/terraform-provider-aws#32260); the same
// answer is given for every invalid document (inferred).
func checkPolicyDocument(name, doc string) error {
	p, err := policy.Parse(policy.KindResource, name, []byte(doc))
	if err != nil {
		return errParam("Could not convert to persistable policy.")
	}
	for _, st := range p.Document().Statements {
		if st.Principal == nil {
			continue
		}
		for _, a := range st.Principal.AWS {
			if !awsPrincipal.MatchString(a) {
				return errParam("Could not convert to persistable policy.")
			}
		}
	}
	return nil
}

// awsPrincipal is what an AWS principal may be: everyone, an account, an ARN or a
// unique ID (AIDA…, AROA…).
var awsPrincipal = regexp.MustCompile(`^(\*|[0-9]{12}|arn:.+|A[A-Z0-9]{15,127})$`)

// errRevision is the answer to an expectedRevisionId that is not the policy's: the
// model's conflict error ("Multiple concurrent requests to update the same resource
// were in conflict"); the wording is inferred.
func errRevision() error {
	return api.NewOperationAbortedException("The expected revision ID does not match the resource policy's current revision ID.")
}

func (l *Logs) putResourcePolicy(c *server.Call, in *api.PutResourcePolicyRequest) (*api.PutResourcePolicyResponse, error) {
	doc := svckit.Str(in.PolicyDocument)
	if doc == "" {
		// "This parameter is required" (API reference); wording inferred.
		return nil, errParam("Policy document is required.")
	}
	now := ms(c.Now)
	if arn := svckit.Str(in.ResourceArn); arn != "" {
		group, err := policyGroup(c, arn)
		if err != nil {
			return nil, err
		}
		if _, err := loadGroup(c.Tx, c.Account, c.Region, group); err != nil {
			return nil, err
		}
		if err := checkPolicyDocument(arn, doc); err != nil {
			return nil, err
		}
		old := &resPolicyRec{}
		found, err := c.Tx.GetJSON(ns(c.Account, c.Region, tGroupPolicies), group, old)
		if err != nil {
			return nil, err
		}
		// The first policy is put without expectedRevisionId (recorded 2026,
		// logs_controls.json resource-policy-put); a later one must name the
		// revision it replaces ("Required when resourceArn is provided to prevent
		// concurrent modifications. Use null when creating a resource policy for the
		// first time.").
		want := ""
		if found {
			want = strconv.FormatInt(old.Revision, 10)
		}
		if svckit.Str(in.ExpectedRevisionId) != want {
			return nil, errRevision()
		}
		rec := &resPolicyRec{Doc: doc, Updated: now, Revision: old.Revision + 1}
		if err := c.Tx.PutJSON(ns(c.Account, c.Region, tGroupPolicies), group, rec); err != nil {
			return nil, err
		}
		c.Resources = policyResources(c, arn)
		// AWS answers the group's policy without its name or revision, and the
		// revision beside it (recorded 2026, logs_controls.json resource-policy-put).
		rev := strconv.FormatInt(rec.Revision, 10)
		return &api.PutResourcePolicyResponse{RevisionId: &rev, ResourcePolicy: &api.ResourcePolicy{
			PolicyDocument: &rec.Doc, LastUpdatedTime: &rec.Updated, PolicyScope: svckit.Ptr(scopeResource), ResourceArn: &arn}}, nil
	}
	name := svckit.Str(in.PolicyName)
	if name == "" {
		// "Name of the new policy. This parameter is required." Wording inferred.
		return nil, errParam("Either policyName or resourceArn must be specified.")
	}
	if in.ExpectedRevisionId != nil {
		// Revisions are the log group policies' ("Only returned for resource-scoped
		// policies"). Wording inferred.
		return nil, errParam("expectedRevisionId can only be specified with resourceArn.")
	}
	if n := utf8.RuneCountInString(doc); n > maxAccountPolicyChars {
		// An account-level document keeps the 5,120 characters the API reference gave
		// policyDocument before log group policies came (CloudFormation's
		// AWS::Logs::ResourcePolicy still says so); the model's 51,200 is a log group
		// policy's ("resource policies are configured at the log group level and have
		// a maximum size of 51,200 bytes", CloudWatch Logs User Guide). The answer is
		// the one the old model's constraint gave.
		return nil, wire.ValidationError(api.Service, []model.Violation{{Path: "policyDocument", Value: doc,
			Constraint: "Member must have length less than or equal to " + strconv.Itoa(maxAccountPolicyChars)}})
	}
	if err := checkPolicyDocument(name, doc); err != nil {
		return nil, err
	}
	k := ns(c.Account, c.Region, tAccountPolicies)
	_, exists, err := c.Tx.Get(k, name)
	if err != nil {
		return nil, err
	}
	if !exists {
		n, err := c.Tx.Count(k)
		if err != nil {
			return nil, err
		}
		if n >= maxAccountPolicies {
			// AWS's answer beyond the quota ("LimitExceededException: Resource limit
			// exceeded.", as reported in hashicorp/terraform-provider-aws#41503).
			return nil, api.NewLimitExceededException("Resource limit exceeded.")
		}
	}
	rec := &resPolicyRec{Name: name, Doc: doc, Updated: now}
	if err := c.Tx.PutJSON(k, name, rec); err != nil {
		return nil, err
	}
	return &api.PutResourcePolicyResponse{ResourcePolicy: rec.out("")}, nil
}

// out is the policy as AWS answers it: an account-level one (arn "") by name, a log
// group's by the group's ARN with its revision.
func (r *resPolicyRec) out(arn string) *api.ResourcePolicy {
	p := &api.ResourcePolicy{PolicyDocument: &r.Doc, LastUpdatedTime: &r.Updated}
	if arn == "" {
		p.PolicyName, p.PolicyScope = &r.Name, svckit.Ptr(scopeAccount)
		return p
	}
	p.PolicyScope, p.ResourceArn = svckit.Ptr(scopeResource), &arn
	p.RevisionId = svckit.Ptr(strconv.FormatInt(r.Revision, 10))
	return p
}

// policyResources are the resources AWS's records of the resource-policy calls on a
// log group list: the group's ARN as an AWS::Logs::ResourcePolicy (recorded 2026,
// logs_controls.json: PutResourcePolicy, DescribeResourcePolicies,
// DeleteResourcePolicy).
func policyResources(c *server.Call, arn string) []audit.Resource {
	return []audit.Resource{{AccountID: c.Account, Type: "AWS::Logs::ResourcePolicy", ARN: arn, AccountFirst: true}}
}

func (l *Logs) describeResourcePolicies(c *server.Call, in *api.DescribeResourcePoliciesRequest) (*api.DescribeResourcePoliciesResponse, error) {
	out := &api.DescribeResourcePoliciesResponse{ResourcePolicies: []api.ResourcePolicy{}}
	limit := 50
	if in.Limit != nil {
		limit = int(*in.Limit)
	}
	if arn := svckit.Str(in.ResourceArn); arn != "" {
		if s := svckit.Str(in.PolicyScope); s == scopeAccount {
			// A group's policy is RESOURCE-scoped; wording inferred.
			return nil, errParam("policyScope must be RESOURCE when resourceArn is specified.")
		}
		group, err := policyGroup(c, arn)
		if err != nil {
			if me := (*model.Error)(nil); errors.As(err, &me) && me.Code == "ResourceNotFoundException" {
				// The model lists no ResourceNotFoundException here: a group
				// elsewhere has no policy of the caller's.
				return out, nil
			}
			return nil, err
		}
		c.Resources = policyResources(c, arn)
		r := &resPolicyRec{}
		found, err := c.Tx.GetJSON(ns(c.Account, c.Region, tGroupPolicies), group, r)
		if err != nil || !found {
			return out, err
		}
		out.ResourcePolicies = append(out.ResourcePolicies, *r.out(arn))
		return out, nil
	}
	kind := tAccountPolicies
	if svckit.Str(in.PolicyScope) == scopeResource {
		kind = tGroupPolicies
	}
	var err error
	out.NextToken, err = svckit.Page(c.Tx, ns(c.Account, c.Region, kind), "", in.NextToken, limit, errBadToken(), func(k string, v []byte, take bool) (bool, error) {
		if !take {
			return true, nil
		}
		r := &resPolicyRec{}
		if err := decode(v, r); err != nil {
			return false, err
		}
		arn := ""
		if kind == tGroupPolicies {
			arn = groupARN(c.Region, c.Account, k)
		}
		out.ResourcePolicies = append(out.ResourcePolicies, *r.out(arn))
		return true, nil
	})
	return out, err
}

func (l *Logs) deleteResourcePolicy(c *server.Call, in *api.DeleteResourcePolicyRequest) (*model.Empty, error) {
	if arn := svckit.Str(in.ResourceArn); arn != "" {
		group, err := policyGroup(c, arn)
		if err != nil {
			return nil, err
		}
		k := ns(c.Account, c.Region, tGroupPolicies)
		r := &resPolicyRec{}
		found, err := c.Tx.GetJSON(k, group, r)
		if err != nil {
			return nil, err
		}
		if !found {
			// Wording inferred.
			return nil, api.NewResourceNotFoundException("No resource policy found for resource: " + arn)
		}
		// "Required when deleting a resource-scoped policy to prevent concurrent
		// modifications" (API reference; recorded 2026, logs_controls.json
		// resource-policy-delete with expectedRevisionId "1").
		if svckit.Str(in.ExpectedRevisionId) != strconv.FormatInt(r.Revision, 10) {
			return nil, errRevision()
		}
		c.Resources = policyResources(c, arn)
		_, err = c.Tx.Delete(k, group)
		return &model.Empty{}, err
	}
	name := svckit.Str(in.PolicyName)
	if name == "" {
		return nil, errParam("Either policyName or resourceArn must be specified.")
	}
	ok, err := c.Tx.Delete(ns(c.Account, c.Region, tAccountPolicies), name)
	if err != nil {
		return nil, err
	}
	if !ok {
		// Wording inferred.
		return nil, api.NewResourceNotFoundException("Policy with name [" + name + "] does not exist")
	}
	return &model.Empty{}, nil
}

// ServiceSource is an AWS service acting for one of its resources, as it calls
// CloudWatch Logs: its service principal (events.amazonaws.com,
// delivery.logs.amazonaws.com) and the resource it delivers for, which resource
// policies test with aws:SourceArn and aws:SourceAccount.
type ServiceSource struct {
	Service       string
	SourceArn     string
	SourceAccount string
}

// PutEventsFromService puts events into a log stream of account's group for an AWS
// service principal, as PutEventsAsService does, when CloudWatch Logs' resource
// policies let it: the group's own policy and the account's policies, weighed
// together as one resource-based policy — an explicit deny in any refuses, else an
// allow in any allows — for logs:CreateLogStream (when the stream is new) and
// logs:PutLogEvents on the stream. A refusal is AccessDeniedException with AWS's
// message; nothing is written.
func (l *Logs) PutEventsFromService(ctx context.Context, src ServiceSource, account, region, group, stream string, events []Event) error {
	return l.putEvents(ctx, putter{source: &src}, account, region, group, stream, events)
}

// authorizeService decides a service principal's action on a stream of a group by the
// group's and the account's resource policies.
func (l *Logs) authorizeService(tx *store.Tx, src *ServiceSource, account, region, group, action, resource string, now time.Time) error {
	if l.d.Authz == nil {
		return nil
	}
	pols, err := l.resourcePolicies(tx, account, region, group)
	if err != nil {
		return err
	}
	caller := &authz.Caller{Principal: auth.Principal{Type: auth.AWSService, ARN: src.Service, UserID: src.Service}, Region: region, Now: now}
	keys := map[string][]string{"aws:PrincipalServiceName": {src.Service}}
	if src.SourceArn != "" {
		keys["aws:SourceArn"] = []string{src.SourceArn}
	}
	if src.SourceAccount != "" {
		keys["aws:SourceAccount"] = []string{src.SourceAccount}
	}
	if len(pols) == 0 {
		pols = []*policy.Policy{nil}
	}
	var refusal *authz.Decision
	allowed := false
	for _, p := range pols {
		d, err := l.d.Authz.Decide(tx, caller, &authz.Check{Action: action, Resource: resource, ResourceAccount: account, ResourcePolicy: p, Context: keys})
		if err != nil {
			return err
		}
		switch {
		case d.Result.Decision == policy.ExplicitDeny:
			return api.NewAccessDeniedException(d.Message())
		case d.Allowed():
			allowed = true
		case refusal == nil:
			refusal = d
		}
	}
	if !allowed {
		return api.NewAccessDeniedException(refusal.Message())
	}
	return nil
}

// resourcePolicies are the compiled policies that may grant on a group: its own and
// the account's, in name order.
func (l *Logs) resourcePolicies(tx *store.Tx, account, region, group string) ([]*policy.Policy, error) {
	var docs []resPolicyRec
	r := resPolicyRec{}
	found, err := tx.GetJSON(ns(account, region, tGroupPolicies), group, &r)
	if err != nil {
		return nil, err
	}
	if found {
		docs = append(docs, r)
	}
	err = svckit.ScanPrefix(tx, ns(account, region, tAccountPolicies), "", "", func(k string, v []byte) (bool, error) {
		var r resPolicyRec
		if err := decode(v, &r); err != nil {
			return false, err
		}
		docs = append(docs, r)
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]*policy.Policy, 0, len(docs))
	for _, d := range docs {
		p, err := l.d.Authz.Compile(policy.KindResource, groupARN(region, account, group), d.Doc)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}
