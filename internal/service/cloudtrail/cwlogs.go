package cloudtrail

import (
	"context"
	"errors"
	"strings"
	"time"

	api "github.com/palisade/palisade/internal/api/cloudtrail"
	"github.com/palisade/palisade/internal/auth"
	"github.com/palisade/palisade/internal/authz"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/policy"
	"github.com/palisade/palisade/internal/store"
)

// CloudWatch Logs delivery: CloudTrail assumes the role a trail names
// (CloudWatchLogsRoleArn) and, as that role's session, creates the stream
// ACCOUNT_CloudTrail_REGION (o-ID_ACCOUNT_CloudTrail_REGION for an organization trail's
// members) in the trail's log group and puts the records into it. The role's trust
// policy must let cloudtrail.amazonaws.com assume it, and its policies must allow
// logs:CreateLogStream and logs:PutLogEvents on the stream, as AWS's documented role
// policy grants them. The check is made at CreateTrail and UpdateTrail and again at
// every delivery, so a role changed later stops delivery (GetTrailStatus shows
// AccessDenied) without anything reaching the log group.

// cwSessionName is the session name of CloudTrail's role sessions for CloudWatch Logs
// (inferred: AWS does not document it).
const cwSessionName = "CloudTrail_CloudWatchLogs_Session"

// logGroup splits a log group ARN (arn:aws:logs:REGION:ACCOUNT:log-group:NAME, with or
// without the trailing :*) into its parts.
func logGroup(arn string) (region, account, name string, ok bool) {
	parts := strings.SplitN(arn, ":", 7)
	if len(parts) != 7 || parts[0] != "arn" || parts[2] != "logs" || parts[5] != "log-group" || len(parts[4]) != 12 || parts[3] == "" {
		return "", "", "", false
	}
	name = strings.TrimSuffix(parts[6], ":*")
	if name == "" || strings.Contains(name, ":") {
		return "", "", "", false
	}
	return parts[3], parts[4], name, true
}

// logStream is the stream a trail's records of an account and region go to.
func logStream(t *trail, account, region string) string {
	if t.IsOrganization && t.OrgID != "" && account != t.Account {
		return t.OrgID + "_" + account + "_CloudTrail_" + region
	}
	return account + "_CloudTrail_" + region
}

// errCWTrust and errCWPermissions are AWS's answers when the role cannot be assumed
// by CloudTrail or may not write to the group (the messages AWS returns, as reported
// in user issues; the second has also been worded "Access denied. Check the
// permissions for your role.").
// errCWTrust is CloudTrail's answer when it cannot assume the role (recorded 2026,
// stackd testdata/aws/cloudtrail/logs_destination.json, update-pair-missing-role: a
// role that does not exist; STS refuses a role that does not trust CloudTrail alike).
func errCWTrust() error {
	return api.NewInvalidCloudWatchLogsRoleArnException("Access denied. Verify in IAM that the role has adequate trust relationships.")
}

func errCWPermissions() error {
	return api.NewInvalidCloudWatchLogsLogGroupArnException("Access denied. Verify in IAM that the role has adequate permissions.")
}

// errCWGroup is AWS's answer for a log group ARN CloudTrail will not deliver to: one
// without the log-stream wildcard (":*", which Terraform's documentation notes CloudTrail
// requires), in another account (CloudTrail's guide: the group must be in the trail's
// account), or naming no log group ("You must use a log group that exists in your
// account", CreateTrail's reference). The message is the one users report for these
// cases; AWS does not document it.
func errCWGroup() error {
	return api.NewInvalidCloudWatchLogsLogGroupArnException("CloudTrail cannot validate the specified log group ARN.")
}

// checkLogGroup: the trail's log group ARN ends with ":*" and names a group of the
// trail's own account and Region. Whether the group exists is found when the role
// tries to create the trail's stream in it (logGroupExists).
func (ct *CloudTrail) checkLogGroup(tx *store.Tx, t *trail) error {
	region, account, _, _ := logGroup(t.CWLogGroupARN)
	if !strings.HasSuffix(t.CWLogGroupARN, ":*") || account != t.Account || ct.deps.LogGroups == nil {
		return errCWGroup()
	}
	if region != t.HomeRegion {
		// Recorded 2026 (logs_destination.json, update-pair-wrong-region).
		return api.NewInvalidCloudWatchLogsLogGroupArnException("You must specify a log group that is in the current region.")
	}
	return nil
}

// logGroupExists answers a group that does not exist as CloudTrail does, once the role
// was assumed: the stream could not be created, so the role's permissions are blamed
// (recorded 2026, logs_destination.json, update-pair-missing-group).
func (ct *CloudTrail) logGroupExists(tx *store.Tx, t *trail) error {
	region, account, name, _ := logGroup(t.CWLogGroupARN)
	ok, err := ct.deps.LogGroups.Exists(tx, account, region, name)
	if err != nil {
		return err
	}
	if !ok {
		return errCWPermissions()
	}
	return nil
}

// cwTarget is what a CloudWatch Logs delivery needs to know: the trail's ARN and
// account, its log group and role, and the stream.
type cwTarget struct {
	trail, account, group, role, stream string
}

// checkLogsRole: the trail's role can be assumed by CloudTrail and may create the
// trail's own stream and put events into it. It answers the CreateTrail/UpdateTrail
// errors; nil when the trail names no log group.
func (ct *CloudTrail) checkLogsRole(tx *store.Tx, t *trail, now time.Time) error {
	if t.CWLogGroupARN == "" {
		return nil
	}
	if err := ct.checkLogGroup(tx, t); err != nil {
		return err
	}
	if err := ct.roleMayDeliver(tx, cwTarget{t.ARN, t.Account, t.CWLogGroupARN, t.CWRoleARN, logStream(t, t.Account, t.HomeRegion)}, now); err != nil {
		return err
	}
	return ct.logGroupExists(tx, t)
}

// roleMayDeliver makes the role checks of one delivery: errCWTrust or
// errCWPermissions when the role does not allow it.
func (ct *CloudTrail) roleMayDeliver(tx *store.Tx, d cwTarget, now time.Time) error {
	gRegion, gAccount, group, ok := logGroup(d.group)
	if !ok {
		return api.NewInvalidCloudWatchLogsLogGroupArnException("Invalid CloudWatch Logs log group ARN: " + d.group)
	}
	roleAccount, roleName, ok := roleARN(d.role)
	if !ok {
		return api.NewInvalidCloudWatchLogsRoleArnException("Invalid CloudWatch Logs role ARN: " + d.role)
	}
	if ct.deps.Roles == nil || ct.deps.Authz == nil || roleAccount != d.account {
		return errCWTrust()
	}
	id, trust, found, err := ct.deps.Roles.Role(tx, d.role)
	if err != nil {
		return err
	}
	if !found {
		return errCWTrust()
	}
	tp, err := ct.deps.Authz.Compile(policy.KindTrust, "trust", trust)
	if err != nil {
		return errCWTrust()
	}
	svc := authz.Caller{Principal: auth.Principal{Type: auth.AWSService, ARN: ServicePrincipal, UserID: ServicePrincipal}, Region: gRegion, Now: now}
	cond := map[string][]string{"aws:sourcearn": {d.trail}, "aws:sourceaccount": {d.account}}
	dec, err := ct.deps.Authz.Decide(tx, &svc, &authz.Check{Action: "sts:AssumeRole", Resource: d.role, ResourceAccount: roleAccount,
		ResourcePolicy: tp, ResourceMustAllow: true, Context: cond})
	if err != nil {
		return err
	}
	if !dec.Allowed() {
		return errCWTrust()
	}
	session := auth.Principal{
		Type: auth.AssumedRole, Account: roleAccount, UserName: cwSessionName,
		ARN:     "arn:aws:sts::" + roleAccount + ":assumed-role/" + roleName + "/" + cwSessionName,
		UserID:  id + ":" + cwSessionName,
		Session: &auth.Session{Op: "AssumeRole", Issued: now, Expires: now.Add(time.Hour), IssuerARN: d.role},
	}
	caller := authz.Caller{Principal: session, Region: gRegion, Now: now}
	stream := "arn:aws:logs:" + gRegion + ":" + gAccount + ":log-group:" + group + ":log-stream:" + d.stream
	for _, action := range []string{"logs:CreateLogStream", "logs:PutLogEvents"} {
		dec, err := ct.deps.Authz.Decide(tx, &caller, &authz.Check{Action: action, Resource: stream, ResourceAccount: gAccount})
		if err != nil {
			return err
		}
		if !dec.Allowed() {
			return errCWPermissions()
		}
	}
	return nil
}

// roleARN splits arn:aws:iam::ACCOUNT:role/[PATH/]NAME.
func roleARN(arn string) (account, name string, ok bool) {
	rest, found := strings.CutPrefix(arn, "arn:aws:iam::")
	if !found {
		return "", "", false
	}
	account, res, found := strings.Cut(rest, ":")
	if !found || len(account) != 12 || !strings.HasPrefix(res, "role/") {
		return "", "", false
	}
	name = res[strings.LastIndexByte(res, '/')+1:]
	return account, name, name != ""
}

// deliverLogs puts one outbox item's events into the trail's log group, after checking
// again, as of now, that the role allows it: a refused role is reported as
// AccessDenied and nothing reaches the group.
func (u *uploader) deliverLogs(ctx context.Context, it *outboxItem) error {
	err := u.ct.deps.Store.View(ctx, func(tx *store.Tx) error {
		return u.ct.roleMayDeliver(tx, cwTarget{it.Trail, it.Account, it.LogGroupARN, it.RoleARN, it.LogStream}, u.ct.deps.Clock.Now())
	})
	var me *model.Error
	if errors.As(err, &me) {
		return model.NewError(403, "AccessDenied", "%s", me.Message)
	}
	if err != nil {
		return err
	}
	gRegion, gAccount, group, _ := logGroup(it.LogGroupARN)
	return u.ct.deps.LogGroups.PutEvents(ctx, gAccount, gRegion, group, it.LogStream, it.Events)
}
