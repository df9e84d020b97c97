package iam

import (
	"crypto/rand"
	"encoding/hex"
	"time"

	api "github.com/palisade/palisade/internal/api/iam"
	"github.com/palisade/palisade/internal/server"
	"github.com/palisade/palisade/internal/store"
)

// slrService is what a service's service-linked role looks like: the role name after
// AWSServiceRoleFor and the AWS managed policy (under /aws-service-role/) attached to it.
type slrService struct {
	role, policy string
}

// slrServices are the services Palisade knows the service-linked roles of: the ones
// it serves or emulates and a few common others, with the names AWS gives them.
var slrServices = map[string]slrService{
	"access-analyzer.amazonaws.com":      {"AccessAnalyzer", "AccessAnalyzerServiceRolePolicy"},
	"autoscaling.amazonaws.com":          {"AutoScaling", "AutoScalingServiceRolePolicy"},
	"cloudtrail.amazonaws.com":           {"CloudTrail", "CloudTrailServiceRolePolicy"},
	"config.amazonaws.com":               {"Config", "AWSConfigServiceRolePolicy"},
	"ecs.amazonaws.com":                  {"ECS", "AmazonECSServiceRolePolicy"},
	"elasticloadbalancing.amazonaws.com": {"ElasticLoadBalancing", "AWSElasticLoadBalancingServiceRolePolicy"},
	"guardduty.amazonaws.com":            {"AmazonGuardDuty", "AmazonGuardDutyServiceRolePolicy"},
	"inspector2.amazonaws.com":           {"AmazonInspector2", "AmazonInspector2ServiceRolePolicy"},
	"macie.amazonaws.com":                {"AmazonMacie", "AmazonMacieServiceRolePolicy"},
	"organizations.amazonaws.com":        {"Organizations", "AWSOrganizationsServiceTrustPolicy"},
	"rds.amazonaws.com":                  {"RDS", "AmazonRDSServiceRolePolicy"},
	"securityhub.amazonaws.com":          {"SecurityHub", "AWSSecurityHubServiceRolePolicy"},
	"sso.amazonaws.com":                  {"SSO", "AWSSSOServiceRolePolicy"},
	"support.amazonaws.com":              {"Support", "AWSSupportServiceRolePolicy"},
	"trustedadvisor.amazonaws.com":       {"TrustedAdvisor", "AWSTrustedAdvisorServiceRolePolicy"},
}

// deletionTask is the record of a DeleteServiceLinkedRole call.
type deletionTask struct {
	Status  string    `json:"status"`
	Created time.Time `json:"created"`
}

func (s *svc) createServiceLinkedRole(c *server.Call, in *api.CreateServiceLinkedRoleRequest) (*api.CreateServiceLinkedRoleResponse, error) {
	svc, ok := slrServices[in.AWSServiceName]
	if !ok {
		// IAM's wording for a service without service-linked roles is not documented.
		return nil, invalidInput("Service " + in.AWSServiceName + " does not support service-linked roles.")
	}
	name := "AWSServiceRoleFor" + svc.role
	if in.CustomSuffix != nil && *in.CustomSuffix != "" {
		name += "_" + *in.CustomSuffix
	}
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":["` + in.AWSServiceName + `"]},"Action":["sts:AssumeRole"]}]}`
	r := &roleRec{
		entity: entity{Name: name, Path: "/aws-service-role/" + in.AWSServiceName + "/", ID: newID("AROA"), Created: timeUTC(c.Now)},
		Trust:  trust, Description: str(in.Description), MaxSession: defaultMaxSession, ServiceLinked: in.AWSServiceName,
	}
	ok, err := insertEntity(c.Tx, c.Account, tRoles, &r.entity, r)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, invalidInput("Service role name " + name + " has been taken in this account, please try a different suffix.")
	}
	if p := awsManaged("arn:aws:iam::aws:policy/aws-service-role/" + svc.policy); p != nil {
		if err := attach(c.Tx, c.Account, kRole, r.ID, p.ARN); err != nil {
			return nil, err
		}
	}
	out := r.out(c.Account, true)
	return &api.CreateServiceLinkedRoleResponse{Role: &out}, nil
}

// CreateServiceLinkedRole creates the service-linked role AWS itself makes for a
// service in an account (Organizations' AWSServiceRoleForOrganizations in the
// management account and in each account it creates), in tx; it reports false when
// the account already has it. The trust policy is written as AWS's own was recorded
// (radkawar/stackd, 2026: organizations_roles.json).
func CreateServiceLinkedRole(tx *store.Tx, account, service, description string, now time.Time) (bool, error) {
	svc, ok := slrServices[service]
	if !ok {
		return false, nil
	}
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"` + service + `"},"Action":"sts:AssumeRole"}]}`
	r := &roleRec{
		entity: entity{Name: "AWSServiceRoleFor" + svc.role, Path: "/aws-service-role/" + service + "/", ID: newID("AROA"), Created: timeUTC(now)},
		Trust:  trust, Description: description, MaxSession: defaultMaxSession, ServiceLinked: service,
	}
	ok, err := insertEntity(tx, account, tRoles, &r.entity, r)
	if err != nil || !ok {
		return ok, err
	}
	if p := awsManaged("arn:aws:iam::aws:policy/aws-service-role/" + svc.policy); p != nil {
		if err := attach(tx, account, kRole, r.ID, p.ARN); err != nil {
			return false, err
		}
	}
	return true, nil
}

// deleteServiceLinkedRole deletes the role at once (Palisade's services hold no
// resources that need it) and records a task that reads SUCCEEDED.
func (s *svc) deleteServiceLinkedRole(c *server.Call, in *api.DeleteServiceLinkedRoleRequest) (*api.DeleteServiceLinkedRoleResponse, error) {
	r, err := loadRole(c.Tx, c.Account, in.RoleName)
	if err != nil {
		return nil, err
	}
	if r.ServiceLinked == "" {
		return nil, invalidInput("Role " + r.Name + " is not a service-linked role.")
	}
	if err := detachAll(c.Tx, c.Account, kRole, r.ID); err != nil {
		return nil, err
	}
	if err := deleteInlineAll(c.Tx, c.Account, kRole, r.ID); err != nil {
		return nil, err
	}
	if err := conflicts(c.Tx, roleConflicts(c.Account, r)); err != nil {
		return nil, err
	}
	if err := removeRole(c.Tx, c.Account, r); err != nil {
		return nil, err
	}
	if err := s.usage.forgetEntity(c.Tx, c.Account, "role/"+r.ID, r.ID); err != nil {
		return nil, err
	}
	b := make([]byte, 16)
	rand.Read(b)
	id := "task/aws-service-role/" + r.ServiceLinked + "/" + r.Name + "/" + hex.EncodeToString(b)
	if err := c.Tx.PutJSON(ns(c.Account, tJobs), id, deletionTask{Status: api.DeletionTaskStatusTypeSUCCEEDED, Created: c.Now}); err != nil {
		return nil, err
	}
	return &api.DeleteServiceLinkedRoleResponse{DeletionTaskId: id}, nil
}

func (s *svc) getServiceLinkedRoleDeletionStatus(c *server.Call, in *api.GetServiceLinkedRoleDeletionStatusRequest) (*api.GetServiceLinkedRoleDeletionStatusResponse, error) {
	t, err := load[deletionTask](c.Tx, ns(c.Account, tJobs), in.DeletionTaskId)
	if err != nil {
		return nil, err
	}
	if t == nil {
		return nil, api.NewNoSuchEntityException("Deletion task " + in.DeletionTaskId + " cannot be found.")
	}
	return &api.GetServiceLinkedRoleDeletionStatusResponse{Status: t.Status}, nil
}
