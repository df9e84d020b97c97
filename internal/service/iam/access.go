package iam

import (
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	api "github.com/palisade/palisade/internal/api/iam"
	"github.com/palisade/palisade/internal/authz"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/policy"
	"github.com/palisade/palisade/internal/server"
	"github.com/palisade/palisade/internal/store"
)

// accessJob is a service last-accessed report, computed when generated.
type accessJob struct {
	Type      string          `json:"type"`
	Created   time.Time       `json:"created"`
	Completed time.Time       `json:"completed"`
	Services  []serviceAccess `json:"services"`
	// Owner is the UserId of the principal that generated the report: only it may
	// read the report (empty for reports stored before owners were kept).
	Owner string `json:"owner,omitempty"`
}

type serviceAccess struct {
	Namespace string         `json:"ns"`
	Name      string         `json:"name"`
	Last      *time.Time     `json:"last,omitempty"`
	Entity    string         `json:"entity,omitempty"`
	Region    string         `json:"region,omitempty"`
	Entities  []entityAccess `json:"entities,omitempty"`
}

type entityAccess struct {
	ARN  string     `json:"arn"`
	Name string     `json:"name"`
	Type string     `json:"type"`
	ID   string     `json:"id"`
	Path string     `json:"path"`
	Last *time.Time `json:"last,omitempty"`
}

// accessTarget is what a last-accessed report covers: the policies that grant access
// and the principals whose use counts.
type accessTarget struct {
	docs     []string
	entities []entityAccess
	// usageKeys[i] names entities[i] in the usage records ("user/ID", "role/ID").
	usageKeys []string
}

// addEntity adds a user or role once, however many ways the policy reaches it (a
// user it is attached to that is also in a group it is attached to; recorded, 2026:
// last_access.json, entities_policy_s3).
func (t *accessTarget) addEntity(account, kind string, e *entity) {
	if slices.Contains(t.usageKeys, kind+"/"+e.ID) {
		return
	}
	typ := map[string]string{kUser: "USER", kRole: "ROLE"}[kind]
	t.entities = append(t.entities, entityAccess{ARN: iamARN(account, kind, e.Path, e.Name), Name: e.Name, Type: typ, ID: e.ID, Path: e.Path})
	t.usageKeys = append(t.usageKeys, kind+"/"+e.ID)
}

// addPolicies adds the documents of an entity's inline and attached policies.
func (t *accessTarget) addPolicies(tx *store.Tx, account, kind, id string) error {
	inline, err := inlinePolicies(tx, account, kind, id)
	if err != nil {
		return err
	}
	for _, p := range inline {
		t.docs = append(t.docs, p.Doc)
	}
	arns, err := attachedARNs(tx, account, kind, id)
	if err != nil {
		return err
	}
	for _, arn := range arns {
		r, err := resolvePolicy(tx, account, arn)
		if err != nil {
			return err
		}
		if r != nil {
			t.docs = append(t.docs, r.defaultDoc())
		}
	}
	return nil
}

// accessARNFault is IAM's answer to an ARN the last-accessed operations cannot take
// (recorded, 2026: last_access.json, *_arn_bad_partition, *_arn_bad_service,
// *_arn_cross_account, *_arn_root), or nil. listing is ListPoliciesGrantingServiceAccess,
// which words a root ARN its own way.
func accessARNFault(c *server.Call, arn string, listing bool) error {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" {
		return nil // left to the callers' "Invalid ARN"
	}
	switch {
	case parts[1] != "aws":
		return errValidation("Invalid ARN partition")
	case parts[2] != "iam":
		return errValidation("Invalid service in ARN")
	case parts[4] == "aws" && !listing && strings.HasPrefix(parts[5], "policy/"):
		return nil // an AWS managed policy
	case parts[4] != c.Account:
		return model.NewError(403, "AccessDenied", "User: %s is not authorized to perform the operation on %s", c.Principal.ARN, arn)
	case parts[5] == "root" && listing:
		return invalidInput("Could not extract entity from ARN : " + arn)
	case parts[5] == "root":
		return invalidInput("Invalid Entity Arn: " + arn + " is not supported.")
	}
	return nil
}

// noSuchARN words a missing user, group or role as the last-accessed operations do
// (recorded, 2026: last_access.json, grants_arn_missing, generate_arn_missing).
func noSuchARN(arn string, err error) error {
	var me *model.Error
	if errors.As(err, &me) && me.Code == "NoSuchEntity" {
		return api.NewNoSuchEntityException("ARN " + arn + " does not exist.")
	}
	return err
}

// resolveAccessTarget reads what GenerateServiceLastAccessedDetails reports on: a
// user (its policies, its groups' policies), a group (its policies, its members), a
// role, or a managed policy (its document, the users and roles it reaches).
func resolveAccessTarget(tx *store.Tx, account, arn string) (*accessTarget, error) {
	t := &accessTarget{}
	if r, err := resolvePolicy(tx, account, arn); err != nil || r != nil {
		if r == nil {
			return nil, err
		}
		t.docs = []string{r.defaultDoc()}
		keys, err := suffixes(tx, ns(account, tPolicyEnt), r.arn+"|")
		if err != nil {
			return nil, err
		}
		for _, k := range keys {
			kind, id, _ := strings.Cut(k, "/")
			if err := t.addPrincipals(tx, account, kind, id); err != nil {
				return nil, err
			}
		}
		return t, nil
	}
	rest, ok := strings.CutPrefix(arn, "arn:aws:iam::"+account+":")
	kind, pathName, _ := strings.Cut(rest, "/")
	name := pathName[strings.LastIndexByte(pathName, '/')+1:]
	if !ok || name == "" {
		return nil, invalidInput("Invalid ARN " + arn + ".")
	}
	switch kind {
	case kUser, kGroup, kRole:
	case "policy":
		return nil, noSuchPolicy(arn)
	default:
		return nil, invalidInput("Invalid ARN " + arn + ".")
	}
	e, err := entityByName(tx, account, kind, name)
	if err != nil {
		return nil, noSuchARN(arn, err)
	}
	if err := t.addPrincipals(tx, account, kind, e.ID); err != nil {
		return nil, err
	}
	if err := t.addPolicies(tx, account, kind, e.ID); err != nil {
		return nil, err
	}
	if kind == kUser {
		// A user's groups grant it their policies.
		groups, err := userGroups(tx, account, e.ID)
		if err != nil {
			return nil, err
		}
		for _, g := range groups {
			if err := t.addPolicies(tx, account, kGroup, g.ID); err != nil {
				return nil, err
			}
		}
	}
	return t, nil
}

// addPrincipals adds a user or role, or a group's members.
func (t *accessTarget) addPrincipals(tx *store.Tx, account, kind, id string) error {
	if kind == kGroup {
		members, err := groupMembers(tx, account, id)
		for _, u := range members {
			t.addEntity(account, kUser, &u.entity)
		}
		return err
	}
	e, err := entityByID(tx, account, kind, id)
	if e != nil {
		t.addEntity(account, kind, e)
	}
	return err
}

// allowedServices lists the service namespaces the documents allow actions of, among
// those IAM reports on (servicenames.go); a wildcard or NotAction allows them all. For
// a service in Palisade's catalog, an action the catalog does not know allows
// nothing. An action every
// unconditional Deny on every resource covers is not allowed: IAM left out of a
// user's report a service whose one allowed action its own inline policy denied with
// "sqs:*", and a user allowed "s3:StackdUnmodeledAction" had an empty report
// (recorded, 2026: last_access.json, get_user_first, initial_get_selection_*).
func allowedServices(docs []string) []string {
	set := map[string]bool{}
	allowAll := false
	var allows, denies []string // lower-cased "prefix:action" patterns
	for _, d := range docs {
		p, err := policy.ParseLenient(policy.KindManaged, "", []byte(d))
		if err != nil {
			continue
		}
		for _, st := range p.Document().Statements {
			if st.Effect != policy.Allow {
				if !st.NotAction && len(st.Conditions) == 0 && st.HasResource && !st.NotResource && slices.Contains(st.Resources, "*") {
					for _, a := range st.Actions {
						denies = append(denies, strings.ToLower(a))
					}
				}
				continue
			}
			for _, a := range st.Actions {
				prefix, _, found := strings.Cut(a, ":")
				if st.NotAction || !found || strings.ContainsAny(prefix, "*?") {
					allowAll = true
					continue
				}
				allows = append(allows, strings.ToLower(a))
			}
		}
	}
	// A namespace whose every action an unconditional Deny covers ("s3:*", "*").
	deniedAll := func(ns string) bool {
		return slices.ContainsFunc(denies, func(d string) bool { return actionGlob(d, ns+":*") })
	}
	if allowAll {
		for _, ns := range accessNamespaces {
			if !deniedAll(ns) {
				set[ns] = true
			}
		}
	}
	for _, a := range allows {
		prefix, name, _ := strings.Cut(a, ":")
		if set[prefix] {
			continue
		}
		info, ok := authz.LookupService(prefix)
		if !ok {
			// Outside Palisade's catalog the service's actions are unknown: any
			// action allows it, but a Deny of the whole service.
			if _, known := accessServices[prefix]; known && !deniedAll(prefix) {
				set[prefix] = true
			}
			continue
		}
		for key := range info.Actions {
			if !actionGlob(name, key) {
				continue
			}
			full := prefix + ":" + key
			if !slices.ContainsFunc(denies, func(d string) bool { return actionGlob(d, full) }) {
				set[prefix] = true
				break
			}
		}
	}
	out := make([]string, 0, len(set))
	for s := range set {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// actionGlob matches a lower-cased action name against a lower-cased pattern with
// IAM's wildcards: * for any run of characters, ? for one.
func actionGlob(pattern, s string) bool {
	for len(pattern) > 0 {
		switch pattern[0] {
		case '*':
			for i := len(s); i >= 0; i-- {
				if actionGlob(pattern[1:], s[i:]) {
					return true
				}
			}
			return false
		case '?':
			if s == "" {
				return false
			}
		default:
			if s == "" || s[0] != pattern[0] {
				return false
			}
		}
		pattern, s = pattern[1:], s[1:]
	}
	return s == ""
}

func newJobID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// generateServiceLastAccessedDetails computes the report at once from the recorded
// use (Usage) and stores it under a new job ID; the job reads COMPLETED.
func (s *svc) generateServiceLastAccessedDetails(c *server.Call, in *api.GenerateServiceLastAccessedDetailsRequest) (*api.GenerateServiceLastAccessedDetailsResponse, error) {
	if err := accessARNFault(c, in.Arn, false); err != nil {
		return nil, err
	}
	t, err := resolveAccessTarget(c.Tx, c.Account, in.Arn)
	if err != nil {
		return nil, err
	}
	job := accessJob{Type: "SERVICE_LEVEL", Created: timeUTC(c.Now), Completed: timeUTC(c.Now), Owner: jobOwner(c)}
	if in.Granularity != nil {
		job.Type = *in.Granularity
	}
	for _, ns := range allowedServices(t.docs) {
		sa := serviceAccess{Namespace: ns, Name: accessServiceName(ns)}
		for i, e := range t.entities {
			use, ok := s.usage.serviceUse(c.Tx, c.Account, t.usageKeys[i], ns)
			if ok {
				e.Last = ptr(use.At)
				if sa.Last == nil || use.At.After(*sa.Last) {
					sa.Last, sa.Entity, sa.Region = ptr(use.At), e.ARN, use.Region
				}
			}
			sa.Entities = append(sa.Entities, e)
		}
		job.Services = append(job.Services, sa)
	}
	id := newJobID()
	if err := c.Tx.PutJSON(ns(c.Account, tJobs), id, job); err != nil {
		return nil, err
	}
	return &api.GenerateServiceLastAccessedDetailsResponse{JobId: ptr(id)}, nil
}

// loadJob reads a report for its owner. Anyone else, another user of the account,
// the one that set everything up, or another session of the same role, is told the
// job does not exist; another access key of the same user reads it (recorded, 2026:
// last_access.json, ownership_*).
func loadJob(c *server.Call, id string) (*accessJob, error) {
	j, err := load[accessJob](c.Tx, ns(c.Account, tJobs), id)
	if err != nil {
		return nil, err
	}
	if j == nil || j.Type == "" || (j.Owner != "" && j.Owner != jobOwner(c)) {
		// (recorded, 2026: last_access.json, *_validation_unknown_job, *_non_uuid)
		return nil, api.NewNoSuchEntityException("Job " + id + " does not exist.")
	}
	return j, nil
}

func (s *svc) getServiceLastAccessedDetails(c *server.Call, in *api.GetServiceLastAccessedDetailsRequest) (*api.GetServiceLastAccessedDetailsResponse, error) {
	maxItems := in.MaxItems
	if maxItems == nil {
		// Not IAM's usual 100: a report asked for without MaxItems ended its first
		// page at the 200th service (recorded, 2026:
		// last_access_pending_policy_20260927.json, pending_policy_completed_poll_2).
		maxItems = ptr(int32(200))
	}
	p, err := newPager(c.Tx, in.Marker, maxItems)
	if err != nil {
		return nil, err
	}
	j, err := loadJob(c, in.JobId)
	if err != nil {
		return nil, err
	}
	all := make([]api.ServiceLastAccessed, len(j.Services))
	for i, sa := range j.Services {
		all[i] = api.ServiceLastAccessed{ServiceName: sa.Name, ServiceNamespace: sa.Namespace, LastAuthenticated: sa.Last}
		if sa.Last != nil {
			all[i].LastAuthenticatedEntity, all[i].LastAuthenticatedRegion = ptr(sa.Entity), ptr(sa.Region)
		}
		n := int32(0)
		for _, e := range sa.Entities {
			if e.Last != nil {
				n++
			}
		}
		all[i].TotalAuthenticatedEntities = ptr(n)
	}
	out, trunc, marker, err := slicePage(all, p)
	if err != nil {
		return nil, err
	}
	return &api.GetServiceLastAccessedDetailsResponse{
		JobStatus: api.JobStatusTypeCOMPLETED, JobType: ptr(j.Type), JobCreationDate: j.Created, JobCompletionDate: j.Completed,
		ServicesLastAccessed: out, IsTruncated: trunc, Marker: marker,
	}, nil
}

func (s *svc) getServiceLastAccessedDetailsWithEntities(c *server.Call, in *api.GetServiceLastAccessedDetailsWithEntitiesRequest) (*api.GetServiceLastAccessedDetailsWithEntitiesResponse, error) {
	p, err := newPager(c.Tx, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	j, err := loadJob(c, in.JobId)
	if err != nil {
		return nil, err
	}
	if !knownNamespace(in.ServiceNamespace) {
		// IAM's wording, its typo included (recorded, 2026: last_access.json,
		// entities_*_stackdunmodeled).
		return nil, invalidInput("Service namepace " + in.ServiceNamespace + " is either invalid or unsupported.")
	}
	all := []api.EntityDetails{}
	for _, sa := range j.Services {
		if sa.Namespace != strings.ToLower(in.ServiceNamespace) {
			continue
		}
		for _, e := range sa.Entities {
			all = append(all, api.EntityDetails{EntityInfo: &api.EntityInfo{Arn: e.ARN, Name: e.Name, Type: e.Type, Id: e.ID, Path: ptr(e.Path)}, LastAuthenticated: e.Last})
		}
	}
	out, trunc, marker, err := slicePage(all, p)
	if err != nil {
		return nil, err
	}
	return &api.GetServiceLastAccessedDetailsWithEntitiesResponse{
		JobStatus: api.JobStatusTypeCOMPLETED, JobCreationDate: j.Created, JobCompletionDate: j.Completed,
		EntityDetailsList: out, IsTruncated: trunc, Marker: marker,
	}, nil
}
