package iam

import (
	"slices"
	"strconv"
	"strings"
	"time"

	api "github.com/palisade/palisade/internal/api/iam"
	"github.com/palisade/palisade/internal/authz"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/server"
	"github.com/palisade/palisade/internal/svckit"
)

// OrgScope is what an Organizations access report covers (GenerateOrganizationsAccessReport):
// app wires it to Organizations.
type OrgScope struct {
	// PathFound is false when the entity path names no root, OU or account of the
	// organization, each under the one before it.
	PathFound bool
	// PolicyFound is false when a policy ID was given and names no SCP.
	PolicyFound bool
	// Policy is the given SCP's document.
	Policy string
	// Levels are the SCP documents attached at each level from the root down to the
	// entity; nil when SCPs are not enabled.
	Levels [][]string
	// Accounts are the member accounts under the entity, with their paths.
	Accounts []OrgAccount
}

// OrgAccount is a member account and its path (o-…/r-…/ou-…/ACCOUNT).
type OrgAccount struct{ ID, Path string }

// orgReportReads are the Organizations reads the report makes as its requester; a
// requester without them gets a FAILED job (recorded, 2026: organizations_access.json,
// get_observer_iam_only_poll_1). Which reads AWS checks is inferred from IAM's User
// Guide ("Generating access reports for AWS Organizations").
var orgReportReads = []string{
	"organizations:DescribePolicy", "organizations:ListChildren", "organizations:ListParents",
	"organizations:ListPoliciesForTarget", "organizations:ListRoots", "organizations:ListTargetsForPolicy",
}

// orgJob is an Organizations access report, computed when generated.
type orgJob struct {
	// Owner is the principal that generated it: only it reads the job (another user,
	// even of the same account, is told the job does not exist; the same user with
	// another key reads it — recorded, 2026: organizations_access.json, ownership_*).
	Owner     string          `json:"owner"`
	Created   time.Time       `json:"created"`
	Completed time.Time       `json:"completed"`
	ErrCode   string          `json:"errCode,omitempty"`
	ErrMsg    string          `json:"errMsg,omitempty"`
	Services  []orgServiceUse `json:"services,omitempty"`
}

type orgServiceUse struct {
	Namespace string     `json:"ns"`
	Name      string     `json:"name"`
	Last      *time.Time `json:"last,omitempty"`
	Path      string     `json:"path,omitempty"`
	Region    string     `json:"region,omitempty"`
	Accounts  int32      `json:"accounts"`
}

const tOrgJobs = "org-access-jobs" // job ID → orgJob

// jobOwner names the caller as the owner of a report it generates: its unique ID, the
// same for every access key of a user and distinct for each session of a role —
// another session of the same role, like another user, is told the job does not exist
// (recorded, 2026: last_access.json, ownership_*; organizations_access.json's
// ownership_* cases, users only, agree).
// Service last accessed and Organizations access reports share it.
func jobOwner(c *server.Call) string { return c.Principal.UserID }

// generateOrganizationsAccessReport computes the report at once from the recorded
// use, as GenerateServiceLastAccessedDetails does: the job reads COMPLETED or
// FAILED from the start, where AWS answers IN_PROGRESS for a few seconds. The
// report's problems (an entity or policy that does not exist, a requester who may not
// read the organization) fail the job, not the call, as AWS answers.
func (s *svc) generateOrganizationsAccessReport(c *server.Call, in *api.GenerateOrganizationsAccessReportRequest) (*api.GenerateOrganizationsAccessReportResponse, error) {
	wrongOrg := model.NewError(403, "AccessDenied", "%s", "The organization ID in the specified entity path is different than your organization ID.")
	if s.orgs == nil {
		return nil, wrongOrg
	}
	org, inOrg, err := s.orgs.Organization(c.Tx, c.Account)
	if err != nil {
		return nil, err
	}
	orgID, _, _ := strings.Cut(in.EntityPath, "/")
	if !inOrg || orgID != org.ID {
		return nil, wrongOrg
	}
	job := orgJob{Owner: jobOwner(c), Created: timeUTC(c.Now), Completed: timeUTC(c.Now)}
	if err := s.fillOrgJob(c, org, in, &job); err != nil {
		return nil, err
	}
	id := newJobID()
	if err := c.Tx.PutJSON(ns(c.Account, tOrgJobs), id, job); err != nil {
		return nil, err
	}
	return &api.GenerateOrganizationsAccessReportResponse{JobId: ptr(id)}, nil
}

func (s *svc) fillOrgJob(c *server.Call, org Org, in *api.GenerateOrganizationsAccessReportRequest, job *orgJob) error {
	allowed := c.Account == org.ManagementAccount
	for _, action := range orgReportReads {
		if !allowed {
			break
		}
		ok, err := c.Allowed(authz.Check{Action: action, Resource: "*"})
		if err != nil {
			return err
		}
		allowed = ok
	}
	if !allowed {
		// A member account is not allowed Organizations' reads either (inferred).
		job.ErrCode, job.ErrMsg = "ORGANIZATIONS_REPORT_ACCESS_DENIED", "Requester is not authorized to perform the required AWS Organizations Describe* and List* actions."
		return nil
	}
	sc, err := s.orgs.ReportScope(c.Tx, c.Account, in.EntityPath, deref(in.OrganizationsPolicyId))
	if err != nil {
		return err
	}
	if !sc.PathFound {
		// (recorded, 2026: organizations_access.json, path_missing_ou, path_wrong_root,
		// path_trailing_slash, path_missing_account_in_owned_ou)
		job.ErrCode, job.ErrMsg = "INVALID_ORGANIZATIONS_ENTITY_PATH", "The entity with the specified path does not exist in your organization."
		return nil
	}
	if !sc.PolicyFound {
		// (recorded, 2026: organizations_access.json, policy_id_missing_policy)
		job.ErrCode, job.ErrMsg = "INVALID_ORGANIZATIONS_POLICY", "The policy with the specified ID does not exist in your organization."
		return nil
	}
	var services []string
	switch {
	case in.OrganizationsPolicyId != nil:
		// The services the one SCP allows (recorded, 2026: organizations_access.json,
		// get_owned_selected_policy_poll_1).
		services = catalogOnly(allowedServices([]string{sc.Policy}))
	case sc.Levels == nil:
		services = slices.Clone(emulatedServices)
	default:
		// The services every level's SCPs allow, as SCPs combine.
		for i, docs := range sc.Levels {
			level := catalogOnly(allowedServices(docs))
			if i == 0 {
				services = level
				continue
			}
			services = slices.DeleteFunc(services, func(s string) bool { return !slices.Contains(level, s) })
		}
	}
	for _, svcNS := range services {
		su := orgServiceUse{Namespace: svcNS, Name: svcNS}
		if info, ok := authz.LookupService(svcNS); ok {
			su.Name = info.Name
		}
		if svcNS == "iam" {
			// Without the reference's "(IAM)" (recorded, 2026: organizations_access.json).
			su.Name = "AWS Identity and Access Management"
		}
		for _, a := range sc.Accounts {
			use, ok, err := s.usage.accountServiceUse(c.Tx, a.ID, svcNS)
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			su.Accounts++
			if su.Last == nil || use.At.After(*su.Last) {
				su.Last, su.Path, su.Region = ptr(timeUTC(use.At)), a.Path, use.Region
			}
		}
		job.Services = append(job.Services, su)
	}
	return nil
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// unusedTimeRank is where AWS puts a service no one used when it sorts a report by
// last access: an order of its own, neither by namespace nor by name, the same in
// reports weeks apart (recorded, 2026: organizations_access_metadata_20260927.json's
// time_sort_rank for the services Palisade serves; organizations_access.json's
// sort_last_authenticated_time_* agree).
var unusedTimeRank = map[string]int{
	"s3": 0, "guardduty": 19, "logs": 25, "trustedadvisor": 38, "organizations": 85, "cloudwatch": 91, "ce": 104,
	"config": 142, "kms": 154, "macie2": 172, "sns": 186, "sqs": 231, "inspector2": 249, "cloudtrail": 326,
	"sts": 331, "iam": 358, "route53": 381, "athena": 398, "budgets": 419, "support": 427, "ec2": 430,
}

// sortOrgServices orders a report's services by its SortKey; each descending order is
// its ascending one reversed (recorded, 2026: organizations_access.json, sort_*).
// Unused services come before used ones in ascending time order (inferred).
func sortOrgServices(list []orgServiceUse, key string) {
	byTime := strings.HasPrefix(key, "LAST_AUTHENTICATED_TIME")
	rank := func(ns string) int {
		if r, ok := unusedTimeRank[ns]; ok {
			return r
		}
		return len(unusedTimeRank) + 1000
	}
	slices.SortStableFunc(list, func(a, b orgServiceUse) int {
		if byTime {
			switch {
			case a.Last == nil && b.Last != nil:
				return -1
			case a.Last != nil && b.Last == nil:
				return 1
			case a.Last == nil:
				if ra, rb := rank(a.Namespace), rank(b.Namespace); ra != rb {
					return ra - rb
				}
			case !a.Last.Equal(*b.Last):
				return a.Last.Compare(*b.Last)
			}
		}
		return strings.Compare(a.Namespace, b.Namespace)
	})
	if strings.HasSuffix(key, "_DESCENDING") {
		slices.Reverse(list)
	}
}

func (s *svc) getOrganizationsAccessReport(c *server.Call, in *api.GetOrganizationsAccessReportRequest) (*api.GetOrganizationsAccessReportResponse, error) {
	sortKey := api.SortKeyTypeSERVICENAMESPACEASCENDING
	if in.SortKey != nil {
		sortKey = *in.SortKey
	}
	max := 100
	if in.MaxItems != nil {
		max = int(*in.MaxItems)
	}
	// The Marker names its job and order: another job's, or the same job's under
	// another SortKey, is InvalidInput (recorded, 2026: organizations_access.json,
	// pagination_changed_sort, pagination_changed_job); one Palisade did not hand out is
	// "Invalid Marker." (get_validation_invalid_marker).
	start := 0
	if in.Marker != nil && *in.Marker != "" {
		pos, ok := svckit.ParseToken(c.Tx, *in.Marker)
		if !ok {
			return nil, errMarker()
		}
		parts := strings.Split(pos, "|")
		n, err := strconv.Atoi(parts[len(parts)-1])
		if len(parts) != 3 || err != nil {
			return nil, errMarker()
		}
		if parts[0] != in.JobId || parts[1] != sortKey {
			return nil, invalidInput("The marker passed in the request was invalid.")
		}
		start = n
	}
	j, err := load[orgJob](c.Tx, ns(c.Account, tOrgJobs), in.JobId)
	if err != nil {
		return nil, err
	}
	if j == nil || j.Owner != jobOwner(c) {
		// (recorded, 2026: organizations_access.json, get_validation_missing_job,
		// ownership_different_user)
		return nil, api.NewNoSuchEntityException("Job " + in.JobId + " does not exist.")
	}
	out := &api.GetOrganizationsAccessReportResponse{JobCreationDate: j.Created, JobCompletionDate: ptr(j.Completed), IsTruncated: ptr(false)}
	if j.ErrCode != "" {
		out.JobStatus = api.JobStatusTypeFAILED
		out.ErrorDetails = &api.ErrorDetails{Code: j.ErrCode, Message: j.ErrMsg}
		return out, nil
	}
	out.JobStatus = api.JobStatusTypeCOMPLETED
	list := slices.Clone(j.Services)
	sortOrgServices(list, sortKey)
	notAccessed := int32(0)
	for _, su := range list {
		if su.Last == nil {
			notAccessed++
		}
	}
	out.NumberOfServicesAccessible, out.NumberOfServicesNotAccessed = ptr(int32(len(list))), ptr(notAccessed)
	if start > len(list) {
		return nil, errMarker()
	}
	end := min(start+max, len(list))
	for _, su := range list[start:end] {
		d := api.AccessDetail{ServiceName: su.Name, ServiceNamespace: su.Namespace, TotalAuthenticatedEntities: ptr(su.Accounts), LastAuthenticatedTime: su.Last}
		if su.Last != nil {
			d.EntityPath, d.Region = ptr(su.Path), ptr(su.Region)
		} else if su.Namespace == "iam" {
			// IAM's entry names its home Region even when unused (recorded, 2026:
			// organizations_access.json, every report; the metadata file's
			// default_region).
			d.Region = ptr("us-east-1")
		}
		out.AccessDetails = append(out.AccessDetails, d)
	}
	if end < len(list) {
		out.IsTruncated, out.Marker = ptr(true), ptr(svckit.Token(c.Tx, in.JobId+"|"+sortKey+"|"+strconv.Itoa(end)))
	}
	return out, nil
}

// emulatedServices are the service prefixes of the Service Authorization Reference
// catalog (internal/authz): what the organizations access report lists for a policy
// allowing "*". AWS lists its several hundred services there (the service last
// accessed report does, servicenames.go); this report keeps to Palisade's own.
var emulatedServices = []string{
	"athena", "budgets", "ce", "cloudtrail", "cloudwatch", "config", "ec2", "guardduty", "iam", "inspector2",
	"kms", "logs", "macie2", "organizations", "route53", "s3", "sns", "sqs", "sts", "support", "trustedadvisor",
}

// catalogOnly keeps the namespaces of Palisade's catalog.
func catalogOnly(nss []string) []string {
	return slices.DeleteFunc(nss, func(ns string) bool { return !slices.Contains(emulatedServices, ns) })
}
