package logs

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	api "github.com/palisade/palisade/internal/api/logs"
	"github.com/palisade/palisade/internal/auth"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/server"
	"github.com/palisade/palisade/internal/svckit"
)

func (l *Logs) groupHandlers() []server.Handler {
	return []server.Handler{
		server.Write("CreateLogGroup", l.createLogGroup),
		server.Write("DeleteLogGroup", l.deleteLogGroup),
		server.Read("DescribeLogGroups", l.describeLogGroups),
		server.Read("ListLogGroups", l.listLogGroups),
		server.Write("PutRetentionPolicy", l.putRetentionPolicy),
		server.Write("DeleteRetentionPolicy", l.deleteRetentionPolicy),
		server.Write("AssociateKmsKey", l.associateKmsKey),
		server.Write("DisassociateKmsKey", l.disassociateKmsKey),
		server.Write("PutLogGroupDeletionProtection", l.putDeletionProtection),
		server.Write("TagLogGroup", l.tagLogGroup),
		server.Write("UntagLogGroup", l.untagLogGroup),
		server.Read("ListTagsLogGroup", l.listTagsLogGroup),
		server.Write("TagResource", l.tagResource),
		server.Write("UntagResource", l.untagResource),
		server.Read("ListTagsForResource", l.listTagsForResource),
	}
}

// retentionDays are the values PutRetentionPolicy accepts.
var retentionDays = []int32{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

const maxTags = 50

// checkKey: CloudWatch Logs may use the key for the group, as its service principal
// logs.REGION.amazonaws.com with the encryption context aws:logs:arn (CloudWatch Logs
// User Guide, "Encrypt log data in CloudWatch Logs using AWS KMS"). The caller needs
// no KMS permission of its own.
func (l *Logs) checkKey(c *server.Call, key, group string) error {
	if !svckit.IsKMSKeyARN(key) {
		// AWS: CreateLogGroup and AssociateKmsKey take a key ARN; the wording for one
		// that is not an ARN is inferred.
		return errParam("Specified KMS key ARN is not valid: " + key)
	}
	if l.d.KMS == nil || l.d.NewCall == nil {
		return nil
	}
	arn := groupARN(c.Region, c.Account, group)
	call, err := l.d.NewCall(c.Context, "logs", c.Operation.Name, svckit.ServicePrincipal("logs."+c.Region+".amazonaws.com"), c.Account, c.Region)
	if err != nil {
		return err
	}
	call.Tx, call.Now = c.Tx, c.Now
	if _, _, _, err := l.d.KMS.GenerateDataKey(call, key, map[string]string{"aws:logs:arn": arn}); err != nil {
		if _, _, ok := svckit.KMSError(err, false); !ok {
			return err
		}
		// AWS's answer for a missing key and for a key policy that does not let
		// CloudWatch Logs use it alike.
		return api.NewAccessDeniedException("The specified KMS key does not exist or is not allowed to be used with Arn '" + arn + "'")
	}
	return nil
}

// newGroupRec is a new log group as CreateLogGroup makes one without options (and as
// a service creates one through a role): the STANDARD class, a fresh generation.
func newGroupRec(name string, now time.Time) *groupRec {
	return &groupRec{Name: name, Created: ms(now), Class: "STANDARD", Gen: auth.NewUUID()}
}

func (l *Logs) createLogGroup(c *server.Call, in *api.CreateLogGroupRequest) (*model.Empty, error) {
	if len(in.LogGroupName) >= 4 && strings.EqualFold(in.LogGroupName[:4], "aws/") {
		// AWS: "Log group names can't start with the string aws/". Its answer, recorded
		// for aws/cwagent and aws/batch/job (aws-solutions/application-monitoring-with-
		// amazon-cloudwatch#11, Netflix/metaflow#1776), names the prefix "AWS/": any case.
		return nil, errParam("Log groups starting with AWS/ are reserved for AWS.")
	}
	g := newGroupRec(in.LogGroupName, c.Now)
	g.Tags = in.Tags
	if in.LogGroupClass != nil {
		g.Class = *in.LogGroupClass
	}
	if in.KmsKeyId != nil {
		if err := l.checkKey(c, *in.KmsKeyId, in.LogGroupName); err != nil {
			return nil, err
		}
		g.KmsKeyID = *in.KmsKeyId
	}
	if len(in.Tags) > maxTags {
		return nil, api.NewTooManyTagsException("A resource can have no more than 50 tags.")
	}
	if in.DeletionProtectionEnabled != nil {
		g.Protected = *in.DeletionProtectionEnabled
	}
	ok, err := c.Tx.Insert(ns(c.Account, c.Region, tGroups), g.Name, svckit.MustJSON(g))
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, api.NewResourceAlreadyExistsException("The specified log group already exists")
	}
	return &model.Empty{}, nil
}

func (l *Logs) deleteLogGroup(c *server.Call, in *api.DeleteLogGroupRequest) (*model.Empty, error) {
	g, err := loadGroup(c.Tx, c.Account, c.Region, in.LogGroupName)
	if err != nil {
		return nil, err
	}
	if g.Protected {
		// Wording inferred from the deletion-protection announcement.
		return nil, api.NewOperationAbortedException("Log group " + g.Name + " has deletion protection enabled.")
	}
	prefix := g.Name + sep
	for _, kind := range []string{tStreams, tChunks, tFilters} {
		if _, err := svckit.DeletePrefix(c.Tx, ns(c.Account, c.Region, kind), prefix); err != nil {
			return nil, err
		}
	}
	if _, err := c.Tx.DeleteBlobs(ns(c.Account, c.Region, tData), prefix); err != nil {
		return nil, err
	}
	if l.files != nil {
		if err := l.files.removeGroup(c.Tx, g.Gen); err != nil {
			return nil, err
		}
	}
	// The group's resource policy goes with it.
	if _, err := c.Tx.Delete(ns(c.Account, c.Region, tGroupPolicies), g.Name); err != nil {
		return nil, err
	}
	_, err = c.Tx.Delete(ns(c.Account, c.Region, tGroups), g.Name)
	return &model.Empty{}, err
}

func (g *groupRec) out(region, account string) api.LogGroup {
	arn := groupARN(region, account, g.Name)
	out := api.LogGroup{
		LogGroupName: &g.Name, CreationTime: &g.Created, MetricFilterCount: &g.Filters,
		Arn: svckit.Ptr(arn + ":*"), LogGroupArn: &arn, StoredBytes: &g.Stored, LogGroupClass: &g.Class,
		// Palisade has no bearer-token ingestion: false, as AWS answers a group
		// without it.
		DeletionProtectionEnabled: &g.Protected, BearerTokenAuthenticationEnabled: svckit.Ptr(false),
	}
	if g.Retention > 0 {
		out.RetentionInDays = &g.Retention
	}
	if g.KmsKeyID != "" {
		out.KmsKeyId = &g.KmsKeyID
	}
	return out
}

const defaultGroupLimit = 50

func (l *Logs) describeLogGroups(c *server.Call, in *api.DescribeLogGroupsRequest) (*api.DescribeLogGroupsResponse, error) {
	prefix, pattern := svckit.Str(in.LogGroupNamePrefix), svckit.Str(in.LogGroupNamePattern)
	if prefix != "" && pattern != "" {
		return nil, errParam("LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.")
	}
	limit := defaultGroupLimit
	if in.Limit != nil {
		limit = int(*in.Limit)
	}
	idents := map[string]bool{}
	for _, id := range in.LogGroupIdentifiers {
		if a, ok := svckit.ParseARN(id); ok {
			id = strings.TrimSuffix(strings.TrimPrefix(a.Resource, "log-group:"), ":*")
		}
		idents[id] = true
	}
	out := &api.DescribeLogGroupsResponse{LogGroups: []api.LogGroup{}}
	var err error
	out.NextToken, err = svckit.Page(c.Tx, ns(c.Account, c.Region, tGroups), prefix, in.NextToken, limit, errBadToken(), func(k string, v []byte, take bool) (bool, error) {
		// logGroupNamePattern is a case-sensitive substring search (API reference).
		if pattern != "" && !strings.Contains(k, pattern) || len(idents) > 0 && !idents[k] {
			return false, nil
		}
		g := &groupRec{}
		if err := decode(v, g); err != nil {
			return false, err
		}
		if in.LogGroupClass != nil && g.Class != *in.LogGroupClass {
			return false, nil
		}
		if !take {
			return true, nil
		}
		if pattern != "" {
			// "If you specify logGroupNamePattern in your request, then only arn,
			// creationTime, and logGroupName are included in the response" (API
			// reference); AWS's recorded answer has metricFilterCount too
			// (aws/aws-sdk-go-v2#2102).
			out.LogGroups = append(out.LogGroups, api.LogGroup{LogGroupName: &g.Name, CreationTime: &g.Created,
				Arn: svckit.Ptr(groupARN(c.Region, c.Account, g.Name) + ":*"), MetricFilterCount: &g.Filters})
			return true, nil
		}
		out.LogGroups = append(out.LogGroups, g.out(c.Region, c.Account))
		return true, nil
	})
	return out, err
}

// listLogGroups lists the account's log groups in the Region by name, filtered as the
// API reference says: logGroupNamePattern is up to five regular expressions joined by
// "|" ("^" for a prefix, else a case-sensitive substring, "." any character), the
// class, and tag filters (a key, and one of its values when given; filters ANDed). No
// log group has data sources or field indexes in Palisade, so a filter on either
// matches none; cross-account observability is not served, so only the caller's own
// groups are listed.
func (l *Logs) listLogGroups(c *server.Call, in *api.ListLogGroupsRequest) (*api.ListLogGroupsResponse, error) {
	var re *regexp.Regexp
	if p := svckit.Str(in.LogGroupNamePattern); p != "" {
		var err error
		if re, err = regexp.Compile(p); err != nil {
			return nil, errParam("Invalid logGroupNamePattern")
		}
	}
	limit := defaultGroupLimit
	if in.Limit != nil {
		limit = int(*in.Limit)
	}
	none := len(in.DataSources) > 0 || len(in.FieldIndexNames) > 0
	out := &api.ListLogGroupsResponse{LogGroups: []api.LogGroupSummary{}}
	var err error
	out.NextToken, err = svckit.Page(c.Tx, ns(c.Account, c.Region, tGroups), "", in.NextToken, limit, errBadToken(), func(k string, v []byte, take bool) (bool, error) {
		if none || re != nil && !re.MatchString(k) {
			return false, nil
		}
		g := &groupRec{}
		if err := decode(v, g); err != nil {
			return false, err
		}
		if in.LogGroupClass != nil && g.Class != *in.LogGroupClass || !tagsMatch(g.Tags, in.LogGroupTags) {
			return false, nil
		}
		if take {
			out.LogGroups = append(out.LogGroups, api.LogGroupSummary{LogGroupName: &g.Name,
				LogGroupArn: svckit.Ptr(groupARN(c.Region, c.Account, g.Name)), LogGroupClass: &g.Class})
		}
		return true, nil
	})
	return out, err
}

// tagsMatch reports whether tags pass every filter: the key present, with one of the
// filter's values when it names any.
func tagsMatch(tags map[string]string, filters []api.TagFilter) bool {
	for _, f := range filters {
		v, ok := tags[f.Key]
		if !ok || len(f.Values) > 0 && !slices.Contains(f.Values, v) {
			return false
		}
	}
	return true
}

func (l *Logs) updateGroup(c *server.Call, name string, fn func(g *groupRec) error) error {
	g, err := loadGroup(c.Tx, c.Account, c.Region, name)
	if err != nil {
		return err
	}
	if err := fn(g); err != nil {
		return err
	}
	return putGroup(c.Tx, c.Account, c.Region, g)
}

func (l *Logs) putRetentionPolicy(c *server.Call, in *api.PutRetentionPolicyRequest) (*model.Empty, error) {
	valid := false
	for _, d := range retentionDays {
		valid = valid || d == in.RetentionInDays
	}
	if !valid {
		vals := make([]string, len(retentionDays))
		for i, d := range retentionDays {
			vals[i] = strconv.Itoa(int(d))
		}
		return nil, errParam("1 validation error detected: Value '" + strconv.Itoa(int(in.RetentionInDays)) +
			"' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: [" + strings.Join(vals, ", ") + "]")
	}
	return &model.Empty{}, l.updateGroup(c, in.LogGroupName, func(g *groupRec) error {
		g.Retention = in.RetentionInDays
		return nil
	})
}

func (l *Logs) deleteRetentionPolicy(c *server.Call, in *api.DeleteRetentionPolicyRequest) (*model.Empty, error) {
	return &model.Empty{}, l.updateGroup(c, in.LogGroupName, func(g *groupRec) error {
		g.Retention = 0
		return nil
	})
}

// kmsTarget is the log group AssociateKmsKey/DisassociateKmsKey act on. Query
// results (resourceIdentifier arn:...:query-result:*) are not kept encrypted.
func kmsTarget(c *server.Call, name, resource *string) (string, error) {
	if name != nil && resource != nil {
		return "", errParam("LogGroupName and ResourceIdentifier are mutually exclusive parameters.")
	}
	if name != nil {
		return *name, nil
	}
	if resource == nil {
		return "", errParam("Either LogGroupName or ResourceIdentifier must be specified.")
	}
	return groupName(c, nil, resource)
}

func (l *Logs) associateKmsKey(c *server.Call, in *api.AssociateKmsKeyRequest) (*model.Empty, error) {
	name, err := kmsTarget(c, in.LogGroupName, in.ResourceIdentifier)
	if err != nil {
		return nil, err
	}
	return &model.Empty{}, l.updateGroup(c, name, func(g *groupRec) error {
		if err := l.checkKey(c, in.KmsKeyId, name); err != nil {
			return err
		}
		g.KmsKeyID = in.KmsKeyId
		return nil
	})
}

func (l *Logs) disassociateKmsKey(c *server.Call, in *api.DisassociateKmsKeyRequest) (*model.Empty, error) {
	name, err := kmsTarget(c, in.LogGroupName, in.ResourceIdentifier)
	if err != nil {
		return nil, err
	}
	return &model.Empty{}, l.updateGroup(c, name, func(g *groupRec) error {
		g.KmsKeyID = ""
		return nil
	})
}

func (l *Logs) putDeletionProtection(c *server.Call, in *api.PutLogGroupDeletionProtectionRequest) (*model.Empty, error) {
	name, err := groupName(c, nil, &in.LogGroupIdentifier)
	if err != nil {
		return nil, err
	}
	return &model.Empty{}, l.updateGroup(c, name, func(g *groupRec) error {
		g.Protected = in.DeletionProtectionEnabled
		return nil
	})
}

func addTags(g *groupRec, tags map[string]string) error {
	if g.Tags == nil {
		g.Tags = map[string]string{}
	}
	for k, v := range tags {
		g.Tags[k] = v
	}
	if len(g.Tags) > maxTags {
		return api.NewTooManyTagsException("A resource can have no more than 50 tags.")
	}
	return nil
}

func removeTags(g *groupRec, keys []string) {
	for _, k := range keys {
		delete(g.Tags, k)
	}
}

func (l *Logs) tagLogGroup(c *server.Call, in *api.TagLogGroupRequest) (*model.Empty, error) {
	return &model.Empty{}, l.updateGroup(c, in.LogGroupName, func(g *groupRec) error { return addTags(g, in.Tags) })
}

func (l *Logs) untagLogGroup(c *server.Call, in *api.UntagLogGroupRequest) (*model.Empty, error) {
	return &model.Empty{}, l.updateGroup(c, in.LogGroupName, func(g *groupRec) error { removeTags(g, in.Tags); return nil })
}

func tagsOut(g *groupRec) map[string]string {
	if g.Tags == nil {
		return map[string]string{}
	}
	return g.Tags
}

func (l *Logs) listTagsLogGroup(c *server.Call, in *api.ListTagsLogGroupRequest) (*api.ListTagsLogGroupResponse, error) {
	g, err := loadGroup(c.Tx, c.Account, c.Region, in.LogGroupName)
	if err != nil {
		return nil, err
	}
	return &api.ListTagsLogGroupResponse{Tags: tagsOut(g)}, nil
}

// resourceGroup resolves the resourceArn of the tagging operations; only log groups
// carry tags here.
func resourceGroup(c *server.Call, arn string) (string, error) {
	a, ok := svckit.ParseARN(arn)
	if !ok || a.Service != "logs" {
		return "", errParam("Invalid resource arn: " + arn)
	}
	if !strings.HasPrefix(a.Resource, "log-group:") {
		return "", api.NewResourceNotFoundException("The specified resource does not exist.")
	}
	return groupName(c, nil, &arn)
}

func (l *Logs) tagResource(c *server.Call, in *api.TagResourceRequest) (*model.Empty, error) {
	name, err := resourceGroup(c, in.ResourceArn)
	if err != nil {
		return nil, err
	}
	return &model.Empty{}, l.updateGroup(c, name, func(g *groupRec) error { return addTags(g, in.Tags) })
}

func (l *Logs) untagResource(c *server.Call, in *api.UntagResourceRequest) (*model.Empty, error) {
	name, err := resourceGroup(c, in.ResourceArn)
	if err != nil {
		return nil, err
	}
	return &model.Empty{}, l.updateGroup(c, name, func(g *groupRec) error { removeTags(g, in.TagKeys); return nil })
}

func (l *Logs) listTagsForResource(c *server.Call, in *api.ListTagsForResourceRequest) (*api.ListTagsForResourceResponse, error) {
	name, err := resourceGroup(c, in.ResourceArn)
	if err != nil {
		return nil, err
	}
	g, err := loadGroup(c.Tx, c.Account, c.Region, name)
	if err != nil {
		return nil, err
	}
	return &api.ListTagsForResourceResponse{Tags: tagsOut(g)}, nil
}
