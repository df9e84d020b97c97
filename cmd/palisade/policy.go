package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/palisade/palisade/internal/policy"
	"github.com/spf13/cobra"
)

func init() { addCommand(newPolicyCmd()) }

func newPolicyCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "policy",
		Short: "Evaluate and validate IAM policies offline",
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "eval FILE",
		Short: "Decide requests against policies; FILE (or - for stdin) holds one request object or an array",
		Long: `Reads one request object, or a JSON array of them, and prints the decision for each:
{"decision": "allowed"|"explicitDeny"|"implicitDeny", "blockedBy": [...], "matchedStatements": [...]}.
A request whose policies are malformed gets {"error": "<IAM's message>"}; the exit status is
non-zero only when the input cannot be read. See docs/POLICY.md for the request fields.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			data, err := readInput(cmd, args[0])
			if err != nil {
				return err
			}
			out, err := evalInput(data)
			if err != nil {
				return err
			}
			_, err = cmd.OutOrStdout().Write(out)
			return err
		},
	})
	var kind string
	validate := &cobra.Command{
		Use:   "validate FILE",
		Short: "Check one policy document as IAM would; FILE may be - for stdin",
		Long: `Prints the findings for one policy document: the MalformedPolicyDocument (or LimitExceeded)
error IAM would return, or warnings about documented pitfalls. Exits 1 when the document
would be rejected.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			k, ok := policy.ParseKind(kind)
			if !ok {
				return fmt.Errorf("unknown --kind %q", kind)
			}
			data, err := readInput(cmd, args[0])
			if err != nil {
				return err
			}
			findings := policy.Validate(k, data)
			if findings == nil {
				findings = []policy.Finding{}
			}
			valid := true
			for _, f := range findings {
				valid = valid && f.Severity != "error"
			}
			out, _ := json.MarshalIndent(map[string]any{"valid": valid, "kind": k.String(), "size": policy.Size(data, k),
				"maxSize": k.MaxSize(), "findings": findings}, "", "  ")
			fmt.Fprintln(cmd.OutOrStdout(), string(out))
			if !valid {
				return errInvalidPolicy
			}
			return nil
		},
	}
	validate.Flags().StringVar(&kind, "kind", "managed",
		"where the policy is attached: managed, user-inline, group-inline, role-inline, boundary, session, trust, resource, scp, rcp, vpc-endpoint")
	cmd.AddCommand(validate)
	return cmd
}

var errInvalidPolicy = errors.New("the policy would be rejected")

func readInput(cmd *cobra.Command, name string) ([]byte, error) {
	if name == "-" {
		return io.ReadAll(cmd.InOrStdin())
	}
	return os.ReadFile(name)
}

// evalRequest is one request of `policy eval`. Policies are kept raw so the
// engine parses the author's exact text (IAM's checks, statement positions).
type evalRequest struct {
	Principal                    string                     `json:"principal"`
	IssuerARN                    string                     `json:"issuerArn"`
	Action                       string                     `json:"action"`
	Resource                     string                     `json:"resource"`
	ResourceAccount              string                     `json:"resourceAccount"`
	Context                      map[string]json.RawMessage `json:"context"`
	IdentityPolicies             []json.RawMessage          `json:"identityPolicies"`
	ResourcePolicy               json.RawMessage            `json:"resourcePolicy"`
	ResourcePolicyKind           string                     `json:"resourcePolicyKind"`
	ResourcePolicyMustAllow      *bool                      `json:"resourcePolicyMustAllow"`
	PermissionsBoundary          json.RawMessage            `json:"permissionsBoundary"`
	SessionPolicy                json.RawMessage            `json:"sessionPolicy"`
	VPCEndpointPolicy            json.RawMessage            `json:"vpcEndpointPolicy"`
	ServiceControlPolicies       [][]json.RawMessage        `json:"serviceControlPolicies"`
	ResourceControlPolicies      [][]json.RawMessage        `json:"resourceControlPolicies"`
	PrincipalInManagementAccount bool                       `json:"principalInManagementAccount"`
	ResourceInManagementAccount  bool                       `json:"resourceInManagementAccount"`
}

type evalMatch struct {
	PolicyType string          `json:"policyType"`
	Policy     string          `json:"policy"`
	Statement  int             `json:"statement"`
	Sid        string          `json:"sid,omitempty"`
	Effect     string          `json:"effect"`
	Start      policy.Position `json:"start"`
	End        policy.Position `json:"end"`
}

type evalResult struct {
	Decision           string      `json:"decision,omitempty"`
	BlockedBy          []string    `json:"blockedBy,omitempty"`
	Reason             string      `json:"reason,omitempty"`
	MatchedStatements  []evalMatch `json:"matchedStatements,omitempty"`
	MissingContextKeys []string    `json:"missingContextKeys,omitempty"`
	Error              string      `json:"error,omitempty"`
	ErrorPolicy        string      `json:"errorPolicy,omitempty"`
}

// evalInput decides every request in data. It fails only when data is not a
// request object or an array of them.
func evalInput(data []byte) ([]byte, error) {
	trimmed := bytes.TrimSpace(data)
	var raws []json.RawMessage
	single := len(trimmed) > 0 && trimmed[0] == '{'
	if single {
		raws = []json.RawMessage{trimmed}
	} else if err := json.Unmarshal(trimmed, &raws); err != nil {
		return nil, fmt.Errorf("input is neither a request object nor an array of them: %w", err)
	}
	results := make([]evalResult, len(raws))
	for i, raw := range raws {
		var r evalRequest
		if err := json.Unmarshal(raw, &r); err != nil {
			if single {
				return nil, fmt.Errorf("request: %w", err)
			}
			results[i] = evalResult{Error: "request " + strconv.Itoa(i) + ": " + err.Error()}
			continue
		}
		results[i] = evalOne(&r)
	}
	var out []byte
	var err error
	if single {
		out, err = json.MarshalIndent(results[0], "", "  ")
	} else {
		out, err = json.MarshalIndent(results, "", "  ")
	}
	return append(out, '\n'), err
}

// policyError carries which policy of the request was rejected.
type policyError struct {
	name string
	err  error
}

func (e *policyError) Error() string { return e.name + ": " + e.err.Error() }

func parsePolicy(kind policy.Kind, name string, raw json.RawMessage) (*policy.Policy, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	// AWS APIs pass documents as JSON strings; accept that form too.
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, &policyError{name, err}
		}
		raw = []byte(s)
	}
	p, err := policy.Parse(kind, name, raw)
	if err != nil {
		return nil, &policyError{name, err}
	}
	return p, nil
}

func contextValues(raw json.RawMessage) ([]string, error) {
	var one any
	if err := json.Unmarshal(raw, &one); err != nil {
		return nil, err
	}
	str := func(v any) (string, error) {
		switch x := v.(type) {
		case string:
			return x, nil
		case bool:
			return strconv.FormatBool(x), nil
		case float64:
			return strconv.FormatFloat(x, 'f', -1, 64), nil
		}
		return "", fmt.Errorf("context values are strings, numbers, booleans or arrays of them")
	}
	if list, ok := one.([]any); ok {
		out := make([]string, 0, len(list))
		for _, v := range list {
			s, err := str(v)
			if err != nil {
				return nil, err
			}
			out = append(out, s)
		}
		return out, nil
	}
	s, err := str(one)
	if err != nil {
		return nil, err
	}
	return []string{s}, nil
}

func buildRequest(r *evalRequest) (*policy.Request, *policy.PolicySet, error) {
	p, err := policy.ParsePrincipal(r.Principal)
	if err != nil {
		return nil, nil, err
	}
	if r.IssuerARN != "" {
		p.IssuerARN = r.IssuerARN
	}
	ctx := policy.MapContext{}
	for k, raw := range r.Context {
		vals, err := contextValues(raw)
		if err != nil {
			return nil, nil, fmt.Errorf("context key %s: %w", k, err)
		}
		ctx[strings.ToLower(k)] = vals
	}
	req := &policy.Request{Principal: p, Action: r.Action, Resource: r.Resource, ResourceAccount: r.ResourceAccount, Context: ctx}
	if req.Resource == "" {
		req.Resource = "*"
	}
	set := &policy.PolicySet{PrincipalInManagementAccount: r.PrincipalInManagementAccount, ResourceInManagementAccount: r.ResourceInManagementAccount}
	var identity []*policy.Policy
	for i, raw := range r.IdentityPolicies {
		// Inline-role rules: the most lenient identity kind (no Version
		// requirement, the largest quota), since the CLI cannot know where the
		// policy is attached; `policy validate --kind` checks a specific kind.
		pol, err := parsePolicy(policy.KindRoleInline, "identityPolicies["+strconv.Itoa(i)+"]", raw)
		if err != nil {
			return nil, nil, err
		}
		identity = append(identity, pol)
	}
	set.Identity = policy.NewGroup(identity...)
	resKind := policy.KindResource
	assume := strings.HasPrefix(strings.ToLower(r.Action), "sts:assumerole")
	if assume {
		resKind = policy.KindTrust
	}
	if r.ResourcePolicyKind != "" {
		k, ok := policy.ParseKind(r.ResourcePolicyKind)
		if !ok {
			return nil, nil, fmt.Errorf("unknown resourcePolicyKind %q", r.ResourcePolicyKind)
		}
		resKind = k
	}
	// Role trust policies and KMS key policies must allow on their own.
	set.ResourceMustAllow = resKind == policy.KindTrust || strings.HasPrefix(req.Resource, "arn:aws:kms:")
	if r.ResourcePolicyMustAllow != nil {
		set.ResourceMustAllow = *r.ResourcePolicyMustAllow
	}
	if set.Resource, err = parsePolicy(resKind, "resourcePolicy", r.ResourcePolicy); err != nil {
		return nil, nil, err
	}
	if set.Boundary, err = parsePolicy(policy.KindBoundary, "permissionsBoundary", r.PermissionsBoundary); err != nil {
		return nil, nil, err
	}
	if set.Session, err = parsePolicy(policy.KindSession, "sessionPolicy", r.SessionPolicy); err != nil {
		return nil, nil, err
	}
	if set.VPCEndpoint, err = parsePolicy(policy.KindVPCEndpoint, "vpcEndpointPolicy", r.VPCEndpointPolicy); err != nil {
		return nil, nil, err
	}
	levels := func(kind policy.Kind, field string, in [][]json.RawMessage) ([][]*policy.Policy, error) {
		var out [][]*policy.Policy
		for l, list := range in {
			lvl := []*policy.Policy{}
			for i, raw := range list {
				pol, err := parsePolicy(kind, field+"["+strconv.Itoa(l)+"]["+strconv.Itoa(i)+"]", raw)
				if err != nil {
					return nil, err
				}
				if pol != nil {
					lvl = append(lvl, pol)
				}
			}
			out = append(out, lvl)
		}
		return out, nil
	}
	if set.SCPs, err = levels(policy.KindSCP, "serviceControlPolicies", r.ServiceControlPolicies); err != nil {
		return nil, nil, err
	}
	if set.RCPs, err = levels(policy.KindRCP, "resourceControlPolicies", r.ResourceControlPolicies); err != nil {
		return nil, nil, err
	}
	return req, set, nil
}

func evalOne(r *evalRequest) evalResult {
	req, set, err := buildRequest(r)
	if err != nil {
		var pe *policyError
		var me *policy.Error
		if errors.As(err, &pe) && errors.As(pe.err, &me) {
			return evalResult{Error: me.Message, ErrorPolicy: pe.name}
		}
		return evalResult{Error: err.Error()}
	}
	res := policy.Evaluate(req, set)
	out := evalResult{Decision: res.Decision.String(), Reason: res.Reason(req.Action), MissingContextKeys: res.MissingContextKeys}
	for _, t := range res.BlockedBy.List() {
		out.BlockedBy = append(out.BlockedBy, t.String())
	}
	for _, m := range res.Matched {
		out.MatchedStatements = append(out.MatchedStatements, evalMatch{PolicyType: m.Type.String(), Policy: m.Policy,
			Statement: m.Statement, Sid: m.Sid, Effect: m.Effect.String(), Start: m.Start, End: m.End})
	}
	if out.MatchedStatements == nil {
		out.MatchedStatements = []evalMatch{}
	}
	return out
}
