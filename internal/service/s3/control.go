package s3

import (
	"net/http"
	"strings"

	ctl "github.com/palisade/palisade/internal/api/s3control"
	"github.com/palisade/palisade/internal/authz"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/server"
)

// ControlAPI returns the part of S3 Control Palisade serves: the account's public
// access block (Get/Put/DeletePublicAccessBlock), which S3 combines with every
// bucket's own, and the tags of general purpose buckets (control_tags.go). S3 Control
// signs as "s3", so its requests are told apart by the x-amz-account-id header every
// one of them carries, with its /v20180820/ path. It is regional: its records carry
// the Region called (recorded, 2026: abac_audit_replay.json, route-wrong-region).
func (s *Service) ControlAPI() server.Service {
	return server.Service{
		Model: ctl.Service,
		Handlers: append([]server.Handler{
			server.Read("GetPublicAccessBlock", s.getAccountPAB),
			server.Write("PutPublicAccessBlock", s.putAccountPAB),
			server.Write("DeletePublicAccessBlock", s.deleteAccountPAB),
			server.Write("TagResource", s.tagResource),
			server.Write("UntagResource", s.untagResource),
			server.Read("ListTagsForResource", s.listTagsForResource),
		}, s.apHandlers()...),
		Actions: withAPActions(map[string]string{
			"GetPublicAccessBlock":    "s3:GetAccountPublicAccessBlock",
			"PutPublicAccessBlock":    "s3:PutAccountPublicAccessBlock",
			"DeletePublicAccessBlock": "s3:PutAccountPublicAccessBlock",
			"TagResource":             "s3:TagResource",
			"UntagResource":           "s3:UntagResource",
			"ListTagsForResource":     "s3:ListTagsForResource",
		}),
		Checks: s.controlChecks,
		Record: s.controlRecord,
		EventNames: map[string]string{"GetPublicAccessBlock": "GetAccountPublicAccessBlock", "PutPublicAccessBlock": "PutAccountPublicAccessBlock",
			"DeletePublicAccessBlock": "DeleteAccountPublicAccessBlock"},
		Claims: func(r *http.Request) bool {
			return r.Header.Get("X-Amz-Account-Id") != "" && strings.HasPrefix(r.URL.Path, "/v20180820/")
		},
	}
}

// controlChecks authorizes the account-level actions (resource "*") with S3's request
// keys; an account ID other than the caller's is refused outright.
func (s *Service) controlChecks(c *server.Call, op string, in map[string]any) ([]authz.Check, error) {
	if tagOps[op] {
		return s.tagChecks(c, op, in)
	}
	if apOps[op] != "" {
		return s.apControlChecks(c, op, in)
	}
	id, _ := in["AccountId"].(string)
	if id != c.Principal.Account {
		return nil, model.NewError(403, "AccessDenied", "Access Denied")
	}
	chks, err := c.DefaultChecks(in)
	for i := range chks {
		chks[i].Context = s.requestKeys(c, nil)
		chks[i].Context["s3:resourceaccount"] = []string{id}
	}
	return chks, err
}

func (s *Service) getAccountPAB(c *server.Call, in *ctl.GetPublicAccessBlockRequest) (*ctl.GetPublicAccessBlockOutput, error) {
	a, err := load[accountRec](c.Tx, nsAccount, in.AccountId)
	if err != nil {
		return nil, err
	}
	if a == nil || a.PAB == nil {
		return nil, ctl.NewNoSuchPublicAccessBlockConfiguration("The public access block configuration was not found").With("AccountId", in.AccountId)
	}
	p := a.PAB.api()
	return &ctl.GetPublicAccessBlockOutput{PublicAccessBlockConfiguration: &ctl.PublicAccessBlockConfiguration{
		BlockPublicAcls: p.BlockPublicAcls, IgnorePublicAcls: p.IgnorePublicAcls, BlockPublicPolicy: p.BlockPublicPolicy, RestrictPublicBuckets: p.RestrictPublicBuckets}}, nil
}

func (s *Service) putAccountPAB(c *server.Call, in *ctl.PutPublicAccessBlockRequest) (*model.Empty, error) {
	cfg := in.PublicAccessBlockConfiguration
	if cfg == nil {
		return nil, errMalformedXML()
	}
	b := func(p *bool) bool { return p != nil && *p }
	return &model.Empty{}, s.setAccountPAB(c, in.AccountId, &pab{b(cfg.BlockPublicAcls), b(cfg.IgnorePublicAcls), b(cfg.BlockPublicPolicy), b(cfg.RestrictPublicBuckets)})
}

func (s *Service) deleteAccountPAB(c *server.Call, in *ctl.DeletePublicAccessBlockRequest) (*model.Empty, error) {
	return &model.Empty{}, s.setAccountPAB(c, in.AccountId, nil)
}

func (s *Service) setAccountPAB(c *server.Call, account string, p *pab) error {
	a, err := load[accountRec](c.Tx, nsAccount, account)
	if err != nil {
		return err
	}
	if a == nil {
		a = &accountRec{}
	}
	a.PAB = p
	if err := putJSON(c.Tx, nsAccount, account, a); err != nil {
		return err
	}
	rc := &ResourceChange{EventName: c.Operation.Name, ChangeType: changeUpdate, ConfigurationItem: itemAccountPAB, ResourceType: resourceAccount,
		ResourceID: account, ResourceName: account, AccountID: account, Region: c.Region, RequestID: c.RequestID, Principal: c.Principal.ARN,
		Time: c.Now.UTC().Format("2006-01-02T15:04:05Z")}
	if p != nil {
		rc.AccountPublicAccessBlock = &PublicAccess{p.BlockPublicAcls, p.IgnorePublicAcls, p.BlockPublicPolicy, p.RestrictPublicBuckets}
	}
	return appendChange(c.Tx, c.Now.UnixMilli(), rc)
}
