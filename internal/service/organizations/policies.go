package organizations

import (
	"bytes"
	"encoding/json"
	"errors"
	"sort"
	"strings"

	api "github.com/palisade/palisade/internal/api/organizations"
	"github.com/palisade/palisade/internal/authz"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/policy"
	"github.com/palisade/palisade/internal/server"
	"github.com/palisade/palisade/internal/store"
)

// maxAttached is how many policies of one type a root, OU or account can have.
const maxAttached = 5

// policy loads a policy visible to the organization: its own, or AWS managed.
func (s *svc) policy(c *server.Call, o *orgRec, id string) (*policyRec, error) {
	return loadPolicy(c.Tx, o, id)
}

// mutablePolicy is the organization and a policy that UpdatePolicy or DeletePolicy
// may change: asked for by the management account, and not an AWS managed policy
// (FullAWSAccess), which answers IMMUTABLE_POLICY.
func (s *svc) mutablePolicy(c *server.Call, id string) (*orgRec, *policyRec, error) {
	o, err := s.management(c)
	if err != nil {
		return nil, nil, err
	}
	p, err := s.policy(c, o, id)
	if err != nil {
		return nil, nil, err
	}
	if p.AWS {
		return nil, nil, invalidInput("IMMUTABLE_POLICY", "You specified a policy that is managed by AWS and can't be modified.")
	}
	return o, p, nil
}

func loadPolicy(tx *store.Tx, o *orgRec, id string) (*policyRec, error) {
	if p, ok := awsPolicies[id]; ok {
		return p, nil
	}
	p, err := load[policyRec](tx, tPolicies, id)
	if err != nil {
		return nil, err
	}
	if p == nil || p.Org != o.ID {
		return nil, errPolicyNotFound()
	}
	return p, nil
}

// checkContent validates an SCP or RCP with the policy engine.
func checkContent(typ, content string) error {
	kind := policy.KindSCP
	if typ == typeRCP {
		kind = policy.KindRCP
	}
	parsed, err := policy.Parse(kind, "policy", []byte(content))
	if err != nil {
		var pe *policy.Error
		if errors.As(err, &pe) {
			if strings.Contains(pe.Message, "size") || strings.Contains(pe.Message, "exceed") {
				// AWS's wording for CreatePolicy and UpdatePolicy alike.
				return constraint("POLICY_CONTENT_LIMIT_EXCEEDED", "You have exceeded the maximum policy size.")
			}
			if typ == typeRCP {
				// AWS answers every refused RCP alike, a Principal list included
				// (recorded, 2026: resource_controls.json, syntax_principal_list).
				return api.NewMalformedPolicyDocumentException(errMalformedRCP)
			}
			return api.NewMalformedPolicyDocumentException(pe.Message)
		}
		return api.NewMalformedPolicyDocumentException(err.Error())
	}
	if typ == typeRCP {
		for _, st := range parsed.Document().Statements {
			if !rcpStatementOK(st) {
				return api.NewMalformedPolicyDocumentException(errMalformedRCP)
			}
		}
	}
	return nil
}

// rcpStatementOK applies "RCP syntax" (Organizations User Guide) as AWS enforces it
// (recorded, 2026: radkawar/stackd testdata/aws/iam/resource_controls.json, the
// syntax_* cases): Allow only in the AWS managed RCPFullAWSAccess; Principal "*" or
// {"AWS": "*"}, never NotPrincipal; no NotAction; each action of a service RCPs
// cover ("*" and iam:CreateUser are refused, an unknown action of sqs is not);
// NotResource is allowed.
func rcpStatementOK(st policy.Statement) bool {
	if st.Effect == policy.Allow || st.NotAction || st.NotPrincipal || st.Principal == nil || !st.Principal.All {
		return false
	}
	for _, a := range st.Actions {
		prefix, _, ok := strings.Cut(a, ":")
		if !ok || !authz.RCPService(prefix) {
			return false
		}
	}
	return true
}

// normalRCP is an accepted RCP as Organizations keeps it (recorded, 2026:
// radkawar/stackd testdata/aws/iam/resource_controls.json, syntax_valid and
// syntax_missing_version): compact, Version first ("2008-10-17" when the document
// has none), Statement a list; members otherwise in the document's order.
func normalRCP(content string) string {
	dec := json.NewDecoder(strings.NewReader(content))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return content
	}
	version := json.RawMessage(`"2008-10-17"`)
	var rest bytes.Buffer
	for dec.More() {
		t, err := dec.Token()
		key, ok := t.(string)
		var raw json.RawMessage
		if err != nil || !ok || dec.Decode(&raw) != nil {
			return content
		}
		var v bytes.Buffer
		if json.Compact(&v, raw) != nil {
			return content
		}
		if key == "Version" {
			version = append(json.RawMessage(nil), v.Bytes()...)
			continue
		}
		name, _ := json.Marshal(key)
		rest.WriteByte(',')
		rest.Write(name)
		rest.WriteByte(':')
		if key == "Statement" && v.Len() > 0 && v.Bytes()[0] == '{' {
			rest.WriteByte('[')
			rest.Write(v.Bytes())
			rest.WriteByte(']')
		} else {
			rest.Write(v.Bytes())
		}
	}
	return `{"Version":` + string(version) + rest.String() + "}"
}

// errMalformedRCP words the refusal of an RCP that Organizations' own rules reject
// (recorded, 2026: radkawar/stackd testdata/aws/iam/resource_controls.json, every
// syntax_* refusal; the API reference's description says "doesn't").
const errMalformedRCP = "The provided policy document does not meet the requirements of the specified policy type."

func (s *svc) createPolicy(c *server.Call, in *api.CreatePolicyRequest) (*api.CreatePolicyResponse, error) {
	o, err := s.management(c)
	if err != nil {
		return nil, err
	}
	if err := servedType(o, in.Type); err != nil {
		return nil, err
	}
	if err := checkContent(in.Type, in.Content); err != nil {
		return nil, err
	}
	all, err := scan[policyRec](c.Tx, tPolicies, "")
	if err != nil {
		return nil, err
	}
	for _, p := range all {
		if p.Org == o.ID && p.Type == in.Type && p.Name == in.Name {
			return nil, api.NewDuplicatePolicyException("A policy with the same name already exists.")
		}
	}
	content := in.Content
	if in.Type == typeRCP {
		content = normalRCP(content)
	}
	p := &policyRec{ID: newID("p-", 8), Org: o.ID, Name: in.Name, Description: in.Description, Type: in.Type, Content: content}
	if err := c.Tx.PutJSON(ns(tPolicies), p.ID, p); err != nil {
		return nil, err
	}
	return &api.CreatePolicyResponse{Policy: &api.Policy{PolicySummary: p.summary(o), Content: ptr(p.Content)}}, nil
}

func (s *svc) describePolicy(c *server.Call, in *api.DescribePolicyRequest) (*api.DescribePolicyResponse, error) {
	o, err := s.management(c)
	if err != nil {
		return nil, err
	}
	p, err := s.policy(c, o, in.PolicyId)
	if err != nil {
		return nil, err
	}
	return &api.DescribePolicyResponse{Policy: &api.Policy{PolicySummary: p.summary(o), Content: ptr(p.Content)}}, nil
}

func (s *svc) updatePolicy(c *server.Call, in *api.UpdatePolicyRequest) (*api.UpdatePolicyResponse, error) {
	o, p, err := s.mutablePolicy(c, in.PolicyId)
	if err != nil {
		return nil, err
	}
	if in.Content != nil {
		if err := checkContent(p.Type, *in.Content); err != nil {
			return nil, err
		}
		p.Content = *in.Content
		if p.Type == typeRCP {
			p.Content = normalRCP(p.Content)
		}
	}
	if in.Name != nil && *in.Name != p.Name {
		// A name is unique among the organization's policies of a type, as CreatePolicy
		// keeps it.
		all, err := scan[policyRec](c.Tx, tPolicies, "")
		if err != nil {
			return nil, err
		}
		for _, x := range all {
			if x.Org == o.ID && x.Type == p.Type && x.Name == *in.Name {
				return nil, api.NewDuplicatePolicyException("A policy with the same name already exists.")
			}
		}
		p.Name = *in.Name
	}
	if in.Description != nil {
		p.Description = *in.Description
	}
	if err := c.Tx.PutJSON(ns(tPolicies), p.ID, p); err != nil {
		return nil, err
	}
	s.changed(c)
	// AWS's answer names and describes the policy only when the request renamed or
	// redescribed it; the content is always there (recorded, 2026:
	// organizations_delegation_writes.json, a rename; organizations_policy_limits.json,
	// content-only updates).
	sum := p.summary(o)
	if in.Name == nil {
		sum.Name = nil
	}
	if in.Description == nil {
		sum.Description = nil
	}
	return &api.UpdatePolicyResponse{Policy: &api.Policy{PolicySummary: sum, Content: ptr(p.Content)}}, nil
}

func (s *svc) deletePolicy(c *server.Call, in *api.DeletePolicyRequest) (*model.Empty, error) {
	o, p, err := s.mutablePolicy(c, in.PolicyId)
	if err != nil {
		return nil, err
	}
	targets, err := keys(c.Tx, tTargets, o.ID+"/"+p.ID+"/")
	if err != nil {
		return nil, err
	}
	if len(targets) > 0 {
		// AWS's wording (recorded, 2026: organizations_delegation_writes.json).
		return nil, api.NewPolicyInUseException("The specified policy is in use and cannot be deleted.")
	}
	if _, err := c.Tx.Delete(ns(tPolicies), p.ID); err != nil {
		return nil, err
	}
	return &model.Empty{}, nil
}

// policiesOf lists the organization's policies of a type: AWS managed first.
func (s *svc) policiesOf(c *server.Call, o *orgRec, typ string) ([]*policyRec, error) {
	var out []*policyRec
	for _, id := range []string{"p-FullAWSAccess", "p-RCPFullAWSAccess"} {
		if awsPolicies[id].Type == typ {
			out = append(out, awsPolicies[id])
		}
	}
	all, err := scan[policyRec](c.Tx, tPolicies, "")
	if err != nil {
		return nil, err
	}
	var own []*policyRec
	for _, p := range all {
		if p.Org == o.ID && p.Type == typ {
			own = append(own, p)
		}
	}
	sort.Slice(own, func(i, j int) bool { return own[i].Name < own[j].Name })
	return append(out, own...), nil
}

func (s *svc) listPolicies(c *server.Call, in *api.ListPoliciesRequest) (*api.ListPoliciesResponse, error) {
	o, err := s.management(c)
	if err != nil {
		return nil, err
	}
	ps, err := s.policiesOf(c, o, in.Filter)
	if err != nil {
		return nil, err
	}
	out := []api.PolicySummary{}
	for _, p := range ps {
		out = append(out, *p.summary(o))
	}
	sortByKey(out, policyKey)
	items, next, err := page(out, policyKey, in.NextToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	return &api.ListPoliciesResponse{Policies: items, NextToken: next}, nil
}

// policyKey orders ListPolicies: the AWS managed policies first, then the
// organization's by name.
func policyKey(p api.PolicySummary) string {
	if *p.AwsManaged {
		return "0" + *p.Id
	}
	return "1" + *p.Name + "\x00" + *p.Id
}

// target checks a root, OU or account ID of the organization and returns its name
// and type, as ListTargetsForPolicy describes targets.
func target(c *server.Call, o *orgRec, id string) (name, typ string, err error) {
	switch {
	case id == o.RootID:
		return "Root", "ROOT", nil
	case strings.HasPrefix(id, "ou-"):
		u, err := load[ouRec](c.Tx, tOUs, id)
		if err != nil {
			return "", "", err
		}
		if u != nil && u.Org == o.ID {
			return u.Name, "ORGANIZATIONAL_UNIT", nil
		}
	case len(id) == 12:
		m, err := load[memberRec](c.Tx, tMembers, id)
		if err != nil {
			return "", "", err
		}
		if m != nil && m.Org == o.ID {
			return m.Name, "ACCOUNT", nil
		}
	}
	return "", "", errTargetNotFound()
}

func (o *orgRec) targetARN(id, typ string) string {
	switch typ {
	case "ROOT":
		return o.rootARN()
	case "ORGANIZATIONAL_UNIT":
		return o.ouARN(id)
	}
	return o.accountARN(id)
}

func (s *svc) listPoliciesForTarget(c *server.Call, in *api.ListPoliciesForTargetRequest) (*api.ListPoliciesForTargetResponse, error) {
	o, err := s.management(c)
	if err != nil {
		return nil, err
	}
	if _, _, err := target(c, o, in.TargetId); err != nil {
		return nil, err
	}
	ids, err := keys(c.Tx, tAttached, o.ID+"/"+in.TargetId+"/")
	if err != nil {
		return nil, err
	}
	out := []api.PolicySummary{}
	for _, id := range ids {
		p, err := s.policy(c, o, id)
		if err != nil {
			return nil, err
		}
		if p.Type == in.Filter {
			out = append(out, *p.summary(o))
		}
	}
	items, next, err := page(out, func(p api.PolicySummary) string { return *p.Id }, in.NextToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	return &api.ListPoliciesForTargetResponse{Policies: items, NextToken: next}, nil
}

func (s *svc) listTargetsForPolicy(c *server.Call, in *api.ListTargetsForPolicyRequest) (*api.ListTargetsForPolicyResponse, error) {
	o, err := s.management(c)
	if err != nil {
		return nil, err
	}
	if _, err := s.policy(c, o, in.PolicyId); err != nil {
		return nil, err
	}
	ids, err := keys(c.Tx, tTargets, o.ID+"/"+in.PolicyId+"/")
	if err != nil {
		return nil, err
	}
	out := []api.PolicyTargetSummary{}
	for _, id := range ids {
		name, typ, err := target(c, o, id)
		if err != nil {
			continue
		}
		out = append(out, api.PolicyTargetSummary{TargetId: ptr(id), Arn: ptr(o.targetARN(id, typ)), Name: ptr(name), Type: ptr(typ)})
	}
	items, next, err := page(out, func(t api.PolicyTargetSummary) string { return *t.TargetId }, in.NextToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	return &api.ListTargetsForPolicyResponse{Targets: items, NextToken: next}, nil
}

// attach records a policy on a target, both ways.
func attach(c *server.Call, o *orgRec, pid, target string) error {
	if err := c.Tx.Put(ns(tAttached), o.ID+"/"+target+"/"+pid, nil); err != nil {
		return err
	}
	return c.Tx.Put(ns(tTargets), o.ID+"/"+pid+"/"+target, nil)
}

func detach(c *server.Call, o *orgRec, pid, target string) error {
	if _, err := c.Tx.Delete(ns(tAttached), o.ID+"/"+target+"/"+pid); err != nil {
		return err
	}
	_, err := c.Tx.Delete(ns(tTargets), o.ID+"/"+pid+"/"+target)
	return err
}

// detachAll removes every policy of a target that goes away.
func detachAll(c *server.Call, o *orgRec, target string) error {
	ids, err := keys(c.Tx, tAttached, o.ID+"/"+target+"/")
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := detach(c, o, id, target); err != nil {
			return err
		}
	}
	return nil
}

// cut2 splits "target/policy".
func cut2(k string) (string, string, bool) { return strings.Cut(k, "/") }

// attachedOfType counts a target's policies of a type.
func (s *svc) attachedOfType(c *server.Call, o *orgRec, target, typ string) (int, error) {
	ids, err := keys(c.Tx, tAttached, o.ID+"/"+target+"/")
	if err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		p, err := s.policy(c, o, id)
		if err != nil {
			return 0, err
		}
		if p.Type == typ {
			n++
		}
	}
	return n, nil
}

func (s *svc) attachPolicy(c *server.Call, in *api.AttachPolicyRequest) (*model.Empty, error) {
	o, err := s.management(c)
	if err != nil {
		return nil, err
	}
	p, err := s.policy(c, o, in.PolicyId)
	if err != nil {
		return nil, err
	}
	if _, _, err := target(c, o, in.TargetId); err != nil {
		return nil, err
	}
	if !o.enabled(p.Type) {
		return nil, api.NewPolicyTypeNotEnabledException("This operation can be performed only for enabled policy types.")
	}
	if _, found, err := c.Tx.Get(ns(tAttached), o.ID+"/"+in.TargetId+"/"+p.ID); err != nil {
		return nil, err
	} else if found {
		return nil, api.NewDuplicatePolicyAttachmentException("A similar policy is already attached to the target.")
	}
	n, err := s.attachedOfType(c, o, in.TargetId, p.Type)
	if err != nil {
		return nil, err
	}
	if n >= maxAttached {
		// AWS's message, not the reason's description in the API reference.
		return nil, constraint("MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED", "You have attached the maximum number of policies to the specified target.")
	}
	if err := attach(c, o, p.ID, in.TargetId); err != nil {
		return nil, err
	}
	s.changed(c)
	return &model.Empty{}, nil
}

func (s *svc) detachPolicy(c *server.Call, in *api.DetachPolicyRequest) (*model.Empty, error) {
	o, err := s.management(c)
	if err != nil {
		return nil, err
	}
	p, err := s.policy(c, o, in.PolicyId)
	if err != nil {
		return nil, err
	}
	if _, _, err := target(c, o, in.TargetId); err != nil {
		return nil, err
	}
	if _, found, err := c.Tx.Get(ns(tAttached), o.ID+"/"+in.TargetId+"/"+p.ID); err != nil {
		return nil, err
	} else if !found {
		return nil, api.NewPolicyNotAttachedException("The policy isn't attached to the specified target in the specified root.")
	}
	n, err := s.attachedOfType(c, o, in.TargetId, p.Type)
	if err != nil {
		return nil, err
	}
	// A root, OU or account must keep one SCP: without any, the level would allow
	// nothing. RCPFullAWSAccess is never detached ("RCP syntax": "You cannot detach
	// this policy"), so every level keeps allowing and only RCPs' denies count.
	if n <= 1 || p.ID == defaultPolicy[typeRCP] {
		// AWS's message for the last SCP of a target (an answer recorded in
		// ScaleSec/terraform_aws_scp's README); for RCPFullAWSAccess the error is
		// inferred.
		return nil, constraint("MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED", "You cannot remove the last policy attached to the specified target. You must have at least one attached at all times.")
	}
	if err := detach(c, o, p.ID, in.TargetId); err != nil {
		return nil, err
	}
	s.changed(c)
	return &model.Empty{}, nil
}
