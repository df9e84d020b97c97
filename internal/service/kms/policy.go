package kms

import (
	"errors"

	api "github.com/palisade/palisade/internal/api/kms"
	"github.com/palisade/palisade/internal/authz"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/policy"
	"github.com/palisade/palisade/internal/server"
)

// maxPolicyBytes is the key policy size quota (Developer Guide, "Quotas": 32 KB).
const maxPolicyBytes = 32768

func (k *KMS) policyHandlers() []server.Handler {
	return []server.Handler{
		server.Read("GetKeyPolicy", k.getKeyPolicy),
		server.Write("PutKeyPolicy", k.putKeyPolicy),
		server.Read("ListKeyPolicies", k.listKeyPolicies),
	}
}

// policyName checks a PolicyName: a key has one policy, "default".
func policyName(p *string) error {
	if p != nil && *p != "default" {
		return api.NewNotFoundException("No such policy exists")
	}
	return nil
}

func (k *KMS) getKeyPolicy(c *server.Call, in *api.GetKeyPolicyRequest) (*api.GetKeyPolicyResponse, error) {
	if err := policyName(in.PolicyName); err != nil {
		return nil, err
	}
	r := keyFrom(c, ctxKey)
	return &api.GetKeyPolicyResponse{Policy: ptr(r.Policy), PolicyName: ptr("default")}, nil
}

func (k *KMS) listKeyPolicies(c *server.Call, in *api.ListKeyPoliciesRequest) (*api.ListKeyPoliciesResponse, error) {
	return &api.ListKeyPoliciesResponse{PolicyNames: []string{"default"}, Truncated: ptr(false)}, nil
}

func (k *KMS) putKeyPolicy(c *server.Call, in *api.PutKeyPolicyRequest) (*model.Empty, error) {
	if err := policyName(in.PolicyName); err != nil {
		return nil, err
	}
	r := keyFrom(c, ctxKey)
	// A key pending deletion still takes a new policy: the Developer Guide's key
	// state table marks PutKeyPolicy as succeeding in every key state.
	if err := customerKey(r); err != nil {
		return nil, err
	}
	if err := k.checkPolicy(c, r, in.Policy, in.BypassPolicyLockoutSafetyCheck); err != nil {
		return nil, err
	}
	r.Policy = in.Policy
	k.resources(c, r)
	return &model.Empty{}, k.putKey(c.Tx, r)
}

// checkPolicy validates a key policy and, unless the caller bypasses it, makes the
// lockout safety check: the caller must still be allowed kms:PutKeyPolicy under the
// new policy (with its IAM policies, as KMS would evaluate them).
func (k *KMS) checkPolicy(c *server.Call, r *keyRec, doc string, bypass *bool) error {
	if len(doc) > maxPolicyBytes {
		return api.NewLimitExceededException("The key policy exceeds the maximum size of 32768 bytes.")
	}
	p, err := policy.Parse(policy.KindResource, r.arn(), []byte(doc))
	if err != nil {
		var pe *policy.Error
		if errors.As(err, &pe) {
			return api.NewMalformedPolicyDocumentException(pe.Message)
		}
		return api.NewMalformedPolicyDocumentException(err.Error())
	}
	if bypass != nil && *bypass || k.az == nil {
		return nil
	}
	chk := authz.Check{Action: "kms:PutKeyPolicy", Resource: r.arn(), ResourceAccount: r.Account, ResourcePolicy: p, ResourceMustAllow: true,
		Context: opContext(c, "PutKeyPolicy", nil, r)}
	d, err := k.az.Decide(c.Tx, callerOf(c), &chk)
	if err != nil {
		return err
	}
	if !d.Allowed() {
		// The message KMS gives (Developer Guide, "Default key policy": the
		// lockout safety check).
		return api.NewMalformedPolicyDocumentException("The new key policy will not allow you to update the key policy in the future.")
	}
	return nil
}
