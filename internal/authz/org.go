package authz

import (
	"fmt"
	"strings"

	"github.com/palisade/palisade/internal/auth"
	"github.com/palisade/palisade/internal/policy"
	"github.com/palisade/palisade/internal/store"
)

// OrgInfo is an account's place in its organization, as Organizations holds it.
type OrgInfo struct {
	// ID is the organization's ID (o-…), aws:PrincipalOrgID / aws:ResourceOrgID.
	ID string
	// ManagementAccount is not restricted by SCPs (its principals) nor RCPs (its
	// resources).
	ManagementAccount string
	// Path is the account's organization path, aws:PrincipalOrgPaths /
	// aws:ResourceOrgPaths: "o-…/r-…/ou-…/…/", the root and OUs above the account.
	Path string
	// SCPs and RCPs list, per level from the root down to the account itself, the
	// policies attached there; nil when that policy type is not enabled.
	SCPs, RCPs [][]PolicyDoc
}

// OrgSource reads, in the call's transaction, where an account sits in an
// organization; nil OrgInfo for an account in none. Organizations implements it;
// app wires it with SetOrganizations.
type OrgSource interface {
	AccountOrg(tx *store.Tx, account string) (*OrgInfo, error)
}

// SetOrganizations makes the authorizer apply SCPs and RCPs and answer the
// organization condition keys from src.
func (a *Authorizer) SetOrganizations(src OrgSource) { a.orgs = src }

// OrgChanged drops what is cached about organizations: an organization, its
// accounts, OUs or policies changed. Unlike IAM changes, these touch many accounts.
func (a *Authorizer) OrgChanged() { a.orgGen.Add(1) }

// orgSet is an account's OrgInfo with its policies compiled.
type orgSet struct {
	gen        uint64
	info       OrgInfo
	scps, rcps [][]*policy.Policy
}

func (a *Authorizer) orgSet(tx *store.Tx, account string) (*orgSet, error) {
	if a.orgs == nil || account == "" {
		return nil, nil
	}
	gen := a.orgGen.Load()
	a.orgMu.RLock()
	oset, ok := a.orgSets[account]
	busy := a.orgLoading[account]
	a.orgMu.RUnlock()
	if !ok || oset.gen != gen {
		var err error
		if oset, err = a.buildOrgSet(tx, account, gen); err != nil {
			return nil, err
		}
		// As with principals' sets (SetStore), what the call's own transaction read
		// decides this call only; a load of its own fills the cache.
		switch {
		case a.db == nil:
			a.orgMu.Lock()
			a.orgSets[account] = oset
			a.orgMu.Unlock()
		case !busy:
			a.orgMu.Lock()
			if !a.orgLoading[account] {
				a.orgLoading[account] = true
				go a.loadOrgSet(account, gen)
			}
			a.orgMu.Unlock()
		}
	}
	if oset.info.ID == "" {
		return nil, nil
	}
	return oset, nil
}

// loadOrgSet caches an account's orgSet read in a transaction of its own, begun
// after gen was read.
func (a *Authorizer) loadOrgSet(account string, gen uint64) {
	oset, err := readFresh(a.db, func(tx *store.Tx) (*orgSet, error) { return a.buildOrgSet(tx, account, gen) })
	a.orgMu.Lock()
	defer a.orgMu.Unlock()
	delete(a.orgLoading, account)
	if err == nil && a.orgGen.Load() == gen {
		a.orgSets[account] = oset
	}
}

// buildOrgSet reads and compiles an account's place in its organization in tx.
func (a *Authorizer) buildOrgSet(tx *store.Tx, account string, gen uint64) (*orgSet, error) {
	info, err := a.orgs.AccountOrg(tx, account)
	if err != nil {
		return nil, fmt.Errorf("authz: organization of %s: %w", account, err)
	}
	oset := &orgSet{gen: gen}
	if info != nil {
		oset.info = *info
		if oset.scps, err = a.compileLevels(policy.KindSCP, info.SCPs); err != nil {
			return nil, err
		}
		if oset.rcps, err = a.compileLevels(policy.KindRCP, info.RCPs); err != nil {
			return nil, err
		}
	}
	return oset, nil
}

func (a *Authorizer) compileLevels(kind policy.Kind, levels [][]PolicyDoc) ([][]*policy.Policy, error) {
	if levels == nil {
		return nil, nil
	}
	out := make([][]*policy.Policy, len(levels))
	for i, lvl := range levels {
		for _, d := range lvl {
			p, err := a.Compile(kind, d.Name, d.Doc)
			if err != nil {
				return nil, fmt.Errorf("authz: stored %s %s: %w", kind, d.Name, err)
			}
			out[i] = append(out[i], p)
		}
	}
	return out, nil
}

// rcpServices are the services whose resources RCPs restrict (Organizations User
// Guide, "Resource control policies (RCPs)", "List of AWS services that support RCPs";
// the list as of 2026: radkawar/stackd testdata/aws/iam/resource_control_current.json).
// es (the legacy OpenSearch prefix) is not one of them.
var rcpServices = map[string]bool{
	"s3": true, "sts": true, "kms": true, "sqs": true, "secretsmanager": true, "cognito-identity": true,
	"logs": true, "ecr": true, "dynamodb": true, "aoss": true,
	"appconfig": true, "appstream": true, "autoscaling": true, "autoscaling-plans": true, "budgets": true,
	"clouddirectory": true, "cloudfront": true, "cloudsearch": true, "cloudtrail-data": true, "codeartifact": true,
	"codebuild": true, "codecommit": true, "codepipeline": true, "cognito-idp": true, "comprehend": true,
	"comprehendmedical": true, "compute-optimizer": true, "cost-optimization-hub": true, "dax": true, "dsql": true,
	"ecr-public": true, "events": true, "firehose": true, "fis": true, "fms": true, "gamelift": true, "health": true,
	"inspector-scan": true, "kendra": true, "kinesisvideo": true, "memorydb": true, "networkmonitor": true,
	"notifications": true, "opensearch": true, "pca-connector-ad": true, "personalize": true, "polly": true,
	"pricing": true, "resource-groups": true, "rolesanywhere": true, "servicediscovery": true, "signin": true,
	"support": true, "swf": true, "textract": true, "timestream-influxdb": true, "transcribe": true, "transfer": true,
	"translate": true, "wafv2": true, "workspaces": true, "xray": true,
}

// RCPService reports whether RCPs cover the service of an action prefix (any case):
// Organizations refuses an RCP naming an action of any other.
func RCPService(prefix string) bool { return rcpServices[strings.ToLower(prefix)] }

// applyOrganizations adds the SCPs of the principal's account and the RCPs of the
// resource's account (for the services RCPs cover, unless noRCPs), and places both accounts in
// their organizations for the aws:PrincipalOrg* and aws:ResourceOrg* keys.
func (a *Authorizer) applyOrganizations(tx *store.Tx, p auth.Principal, resAccount, action string, noRCPs bool, set *policy.PolicySet, rc *requestContext) error {
	if a.orgs == nil {
		return nil
	}
	if p.Type != auth.WebIdentityUser && p.Type != auth.SAMLUser && p.Type != auth.Anonymous {
		po, err := a.orgSet(tx, p.Account)
		if err != nil {
			return err
		}
		if po != nil {
			rc.org = po
			set.SCPs = po.scps
			set.PrincipalInManagementAccount = po.info.ManagementAccount == p.Account
		}
	}
	ro := rc.org
	if resAccount != p.Account {
		var err error
		if ro, err = a.orgSet(tx, resAccount); err != nil {
			return err
		}
	}
	if ro != nil {
		rc.resourceOrg = ro
		prefix, _, _ := strings.Cut(action, ":")
		// RCPs never restrict kms:RetireGrant (recorded, 2026: radkawar/stackd
		// testdata/aws/iam/resource_controls.json, retire_grant_exemption, and
		// resource_control_current.json).
		if rcpServices[strings.ToLower(prefix)] && !strings.EqualFold(action, "kms:RetireGrant") && !noRCPs {
			set.RCPs = ro.rcps
			set.ResourceInManagementAccount = ro.info.ManagementAccount == resAccount
		}
	}
	return nil
}
