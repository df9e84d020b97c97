package app_test

import (
	"context"
	"encoding/base64"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cw "github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/palisade/palisade/internal/app"
	"github.com/palisade/palisade/internal/app/apptest"
	"github.com/palisade/palisade/internal/auth"
	"github.com/palisade/palisade/internal/authz"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/store"
)

const acct = app.DefaultAccount

func arn(rest string) string { return "arn:aws:iam::" + acct + ":" + rest }

// The variables of IAM's ARN templates for the entities the walk below names: each
// stored with a path, so a check that forgets the stored path shows.
var entityVars = map[string]string{
	"UserNameWithPath": "team/alice", "GroupNameWithPath": "g/devs", "RoleNameWithPath": "svc/r",
	"InstanceProfileNameWithPath": "ip/ip", "PolicyNameWithPath": "pp/pol", "MfaTokenIdWithPath": "m/dev",
	"OidcProviderName": "oidc.example.com/x", "SamlProviderName": "saml", "FederatedUserName": "saml",
	// CloudWatch Logs, CloudWatch, SNS and SQS.
	"LogGroupName": "lg", "LogStreamName": "ls", "AlarmName": "al", "TopicName": "tp", "QueueName": "qu",
	// CloudTrail's operations name the trail by Name, TrailName or ResourceId (an ARN).
	"TrailName": "saml",
	// IAM server certificates: the walk names one "x", which does not exist.
	"CertificateNameWithPath": "x",
	// GenerateOrganizationsAccessReport's access-report/${EntityPath}: the walk's "x".
	"EntityPath": "x",
}

// monitoringSamples are the sample inputs of CloudWatch Logs, CloudWatch, SNS and
// SQS: the resources TestEveryOperationIsAuthorized creates (their Checks hooks load
// topics, subscriptions and queues, as AWS answers NotFound before AccessDenied).
func monitoringSamples(topic, subscription, queueURL, queryID string) map[string]map[string]any {
	return map[string]map[string]any{
		"logs": {"logGroupName": "lg", "logStreamName": "ls", "logGroupIdentifier": "lg", "filterName": "f", "queryId": queryID,
			"resourceArn": "arn:aws:logs:" + apptest.Region + ":" + acct + ":log-group:lg", "kmsKeyId": "arn:aws:kms:" + apptest.Region + ":" + acct + ":key/x"},
		"cloudwatch": {"AlarmName": "al", "AlarmNames": []any{"al"}, "Namespace": "N", "MetricName": "M", "StateValue": "OK",
			"ResourceARN": "arn:aws:cloudwatch:" + apptest.Region + ":" + acct + ":alarm:al"},
		"sns": {"TopicArn": topic, "SubscriptionArn": subscription, "ResourceArn": topic, "Name": "tp", "Protocol": "sqs",
			"Label": "l", "Token": "x", "Message": "m", "AttributeName": "DisplayName"},
		"sqs": {"QueueUrl": queueURL, "QueueName": "qu", "Label": "l", "ReceiptHandle": "x", "MessageBody": "m",
			// Message move tasks name the queue by ARN or inside their task handle.
			"SourceArn":  "arn:aws:sqs:" + apptest.Region + ":" + acct + ":qu",
			"TaskHandle": base64.StdEncoding.EncodeToString([]byte(`{"taskId":"t","sourceArn":"arn:aws:sqs:` + apptest.Region + ":" + acct + `:qu"}`))},
	}
}

// sampleInputs are the values the walk puts in the operations' top-level members;
// other required string members get "x".
func sampleInputs(keyID string) map[string]any {
	return map[string]any{
		"UserName": "alice", "GroupName": "devs", "RoleName": "r", "InstanceProfileName": "ip",
		"PolicyArn": arn("policy/pp/pol"), "PolicyName": "inline", "SerialNumber": arn("mfa/m/dev"),
		"VirtualMFADeviceName": "dev", "OpenIDConnectProviderArn": arn("oidc-provider/oidc.example.com/x"),
		"SAMLProviderArn": arn("saml-provider/saml"), "Name": "saml", "Url": "https://oidc.example.com/x",
		"AccessKeyId": keyID, "Arn": arn("user/team/alice"), "PolicySourceArn": arn("role/svc/r"),
		"AWSServiceName": "config.amazonaws.com", "DeletionTaskId": "task/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig/0f",
		"NewUserName": "alice2", "NewGroupName": "devs2", "PermissionsBoundary": "arn:aws:iam::aws:policy/ReadOnlyAccess",
		"Tags":      []any{map[string]any{"Key": "team", "Value": "blue"}},
		"TrailName": "saml", "ResourceId": "arn:aws:cloudtrail:us-east-1:" + acct + ":trail/saml",
		"ResourceIdList": []any{"arn:aws:cloudtrail:us-east-1:" + acct + ":trail/saml"},
	}
}

// overrides are the operations whose sample input differs (creations name entities
// that do not exist yet, at a path of their own) or whose resources are not the
// reference's templates filled from the input: IAM evaluates them elsewhere.
var overrides = map[string]struct {
	in        map[string]any
	resources []string
}{
	"CreateUser":             {map[string]any{"UserName": "carol", "Path": "/new/"}, []string{arn("user/new/carol")}},
	"CreateGroup":            {map[string]any{"GroupName": "g2", "Path": "/new/"}, []string{arn("group/new/g2")}},
	"CreateRole":             {map[string]any{"RoleName": "r2", "Path": "/new/"}, []string{arn("role/new/r2")}},
	"CreateInstanceProfile":  {map[string]any{"InstanceProfileName": "ip2", "Path": "/new/"}, []string{arn("instance-profile/new/ip2")}},
	"CreatePolicy":           {map[string]any{"PolicyName": "pol2", "Path": "/new/"}, []string{arn("policy/new/pol2")}},
	"CreateVirtualMFADevice": {map[string]any{"VirtualMFADeviceName": "dev2", "Path": "/new/"}, []string{arn("mfa/new/dev2")}},
	// List operations are evaluated on the ARN prefix of the path listed, as IAM's
	// AccessDenied messages show ("on resource: arn:aws:iam::123456789012:user/").
	"ListUsers":             {nil, []string{arn("user/")}},
	"ListGroups":            {nil, []string{arn("group/")}},
	"ListRoles":             {map[string]any{"PathPrefix": "/svc/"}, []string{arn("role/svc/")}},
	"ListInstanceProfiles":  {nil, []string{arn("instance-profile/")}},
	"ListVirtualMFADevices": {nil, []string{arn("mfa/")}},
	// Renames need the action on the old and the new ARN.
	"UpdateUser":  {nil, []string{arn("user/team/alice"), arn("user/team/alice2")}},
	"UpdateGroup": {nil, []string{arn("group/g/devs"), arn("group/g/devs2")}},
	// iam:PassRole on the role is checked too.
	"AddRoleToInstanceProfile":           {nil, []string{arn("instance-profile/ip/ip"), arn("role/svc/r")}},
	"GenerateServiceLastAccessedDetails": {nil, []string{arn("user/team/alice")}},
	// The identity asked about is the resource (user, group or role).
	"ListPoliciesGrantingServiceAccess":  {nil, []string{arn("user/team/alice")}},
	"SimulatePrincipalPolicy":            {nil, []string{arn("role/svc/r")}},
	"GetContextKeysForPrincipalPolicy":   {nil, []string{arn("role/svc/r")}},
	"GetAccessKeyLastUsed":               {nil, []string{arn("user/team/alice")}},
	"CreateServiceLinkedRole":            {nil, []string{arn("role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig")}},
	"GetServiceLinkedRoleDeletionStatus": {nil, []string{arn("role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig")}},
	// No UserName member: the caller's own user.
	"ChangePassword": {nil, []string{arn("user/bob")}},
}

// resourceOverrides are operations of other services checked on another resource than
// the reference's: CloudWatch Logs authorizes DescribeLogGroups on a log group with no
// name (recorded 2026, stackd testdata/aws/cloudtrail/logs_controls.json) and
// CreateLogGroup, DeleteLogGroup, PutRetentionPolicy and DescribeLogStreams on the
// group's ARN:log-stream: (public error messages, e.g. elastic/apm-aws-lambda issue
// 526, anomalyco/sst issue 4256; logs.go's onStreams), SQS ListQueues on the account's
// queue ARN prefix (recorded 2026, stackd testdata/aws/iam/resource_controls.json).
var resourceOverrides = map[string][]string{
	"logs:DescribeLogGroups":  {"arn:aws:logs:" + apptest.Region + ":000000000000:log-group::log-stream:"},
	"logs:CreateLogGroup":     {"arn:aws:logs:" + apptest.Region + ":000000000000:log-group:lg:log-stream:"},
	"logs:DeleteLogGroup":     {"arn:aws:logs:" + apptest.Region + ":000000000000:log-group:lg:log-stream:"},
	"logs:PutRetentionPolicy": {"arn:aws:logs:" + apptest.Region + ":000000000000:log-group:lg:log-stream:"},
	"logs:DescribeLogStreams": {"arn:aws:logs:" + apptest.Region + ":000000000000:log-group:lg:log-stream:"},
	"sqs:ListQueues":          {"arn:aws:sqs:" + apptest.Region + ":000000000000:"},
}

// kmsOverrides are KMS operations checked on more than the reference's template:
// ReEncrypt is kms:ReEncryptFrom on the source key and kms:ReEncryptTo on the
// destination; an alias operation needs its action on the alias and on the key ("To
// create an alias, you need kms:CreateAlias permission on the alias and on the KMS
// key", KMS Developer Guide, "Controlling access to aliases"); ReplicateKey needs
// kms:CreateKey in the replica's Region as well (API reference, ReplicateKey).
var kmsOverrides = map[string]struct {
	action    string
	resources func(keyID string) []string
}{
	"ReEncrypt":    {"kms:ReEncryptFrom", func(k string) []string { return []string{kmsKeyARN(k), kmsKeyARN(k)} }},
	"CreateAlias":  {"", aliasAndKey},
	"UpdateAlias":  {"", aliasAndKey},
	"DeleteAlias":  {"", aliasAndKey},
	"ReplicateKey": {"", func(k string) []string { return []string{kmsKeyARN(k), "*"} }},
}

func kmsKeyARN(id string) string { return "arn:aws:kms:" + apptest.Region + ":" + acct + ":key/" + id }

func aliasAndKey(id string) []string {
	return []string{"arn:aws:kms:" + apptest.Region + ":" + acct + ":alias/walk", kmsKeyARN(id)}
}

// s3Overrides are S3 operations whose checks are not the reference's first template
// filled from the input, as "action resource":
//   - a copy reads its source and writes its destination: "you must have read access
//     to the source object and write access to the destination bucket" (S3 API
//     Reference, CopyObject and UploadPartCopy, "Permissions");
//   - DeleteObjects authorizes each key on its own in its handler, since "for each key,
//     Amazon S3 performs a delete action and returns the result of that delete, success
//     or failure, in the response" (S3 API Reference, DeleteObjects): a key the caller
//     may not delete is an AccessDenied entry of a 200 response, not a refused call;
//   - GetObjectAttributes needs "the s3:GetObject and s3:GetObjectAttributes
//     permissions" (S3 API Reference, GetObjectAttributes, "Permissions").
var s3Overrides = map[string][]string{
	"GetObjectAttributes": {"s3:GetObjectAttributes arn:aws:s3:::walk-bucket/k", "s3:GetObject arn:aws:s3:::walk-bucket/k"},
	"CopyObject":          {"s3:PutObject arn:aws:s3:::walk-bucket/k", "s3:GetObject arn:aws:s3:::walk-bucket/src"},
	"UploadPartCopy":      {"s3:PutObject arn:aws:s3:::walk-bucket/k", "s3:GetObject arn:aws:s3:::walk-bucket/src"},
	"DeleteObjects":       {},
}

// s3ControlOverrides are S3 Control operations whose resource is the one their
// ResourceArn names, of whichever of the reference's types it is: a bucket here.
var s3ControlOverrides = map[string][]string{
	"TagResource":         {"s3:TagResource arn:aws:s3:::walk-bucket"},
	"UntagResource":       {"s3:UntagResource arn:aws:s3:::walk-bucket"},
	"ListTagsForResource": {"s3:ListTagsForResource arn:aws:s3:::walk-bucket"},
	// Access points by their ARN, from the Name in the path.
	"CreateAccessPoint":          {"s3:CreateAccessPoint arn:aws:s3:us-east-1:000000000000:accesspoint/x"},
	"DeleteAccessPoint":          {"s3:DeleteAccessPoint arn:aws:s3:us-east-1:000000000000:accesspoint/x"},
	"PutAccessPointPolicy":       {"s3:PutAccessPointPolicy arn:aws:s3:us-east-1:000000000000:accesspoint/x"},
	"GetAccessPointPolicy":       {"s3:GetAccessPointPolicy arn:aws:s3:us-east-1:000000000000:accesspoint/x"},
	"DeleteAccessPointPolicy":    {"s3:DeleteAccessPointPolicy arn:aws:s3:us-east-1:000000000000:accesspoint/x"},
	"GetAccessPointPolicyStatus": {"s3:GetAccessPointPolicyStatus arn:aws:s3:us-east-1:000000000000:accesspoint/x"},
}

// cloudTrailReadOnly lists actions CloudTrail records as readOnly although the Service
// Authorization Reference gives them the Write access level: KMS's cryptographic
// operations change no state, and CloudTrail's KMS log examples show them with
// "readOnly": true (AWS KMS Developer Guide, "Logging AWS KMS API calls with AWS
// CloudTrail": Decrypt, Encrypt, GenerateDataKey, GenerateRandom...).
var cloudTrailReadOnly = map[string]bool{
	"kms:Encrypt": true, "kms:Decrypt": true, "kms:ReEncryptFrom": true, "kms:GenerateDataKey": true,
	"kms:GenerateDataKeyWithoutPlaintext": true, "kms:GenerateDataKeyPair": true,
	"kms:GenerateDataKeyPairWithoutPlaintext": true, "kms:GenerateRandom": true, "kms:Sign": true,
	"kms:Verify": true, "kms:GenerateMac": true, "kms:VerifyMac": true, "kms:DeriveSharedSecret": true,
	// STS changes no state; CloudTrail's STS examples (IAM User Guide, "Example AWS STS
	// API events in CloudTrail log") record its calls with "readOnly": true.
	"sts:AssumeRole": true, "sts:AssumeRoleWithSAML": true, "sts:AssumeRoleWithWebIdentity": true,
	"sts:GetFederationToken": true, "sts:DecodeAuthorizationMessage": true,
	// Inferred: AssumeRoot changes no state either, as the other credential operations;
	// nor does GetWebIdentityToken, which signs a token and stores nothing.
	"sts:AssumeRoot": true, "sts:GetWebIdentityToken": true,
}

// authorizedElsewhere are operations with no checks before their handler, and why.
var authorizedElsewhere = map[string]string{
	"sts:GetCallerIdentity": "allowed to every authenticated caller; no policy can deny it",
	"iam:ChangePassword":    "the caller's own password, allowed by the account password policy",
	// The AssumeRole operations authorize in their handlers, against the role's trust
	// policy, once the caller's proof (MFA code, web identity, SAML assertion) is known.
	"sts:AssumeRole": "trust policy", "sts:AssumeRoleWithWebIdentity": "trust policy",
	"sts:AssumeRoleWithSAML": "trust policy",
	"sts:GetSessionToken":    "no permission needed (STS API Reference, GetSessionToken)",
	// AssumeRoot authorizes in its handler, once TargetPrincipal and TaskPolicyArn are
	// valid, and answers a refusal with AWS's AccessDenied that gives no reason.
	"sts:AssumeRoot": "target's root user, in the handler",
	// GetWebIdentityToken authorizes in its handler, after its own input checks (the
	// signing algorithm, duplicate tags) and its refusal of federated users, on
	// arn:aws:sts::ACCOUNT:self with its condition keys (recorded, 2026:
	// outbound_identity.json).
	"sts:GetWebIdentityToken": "arn:aws:sts::ACCOUNT:self, in the handler",
}

// referenceResources fills the action's ARN templates from entityVars: its required
// resource types, else the first optional one, else "*".
func referenceResources(a *authz.Action) []string {
	svc, _ := authz.LookupService(a.Service)
	fill := func(t string) (string, bool) {
		rt := svc.ResourceTypes[t]
		if rt == nil {
			return "", false
		}
		return authz.FillARN(rt.ARN, func(name string) (string, bool) {
			switch name {
			case "Partition":
				return "aws", true
			case "Account":
				return acct, true
			case "Region":
				if a.Service == "iam" {
					return "", true
				}
				return apptest.Region, true
			}
			v, ok := entityVars[name]
			return v, ok
		})
	}
	var out []string
	for _, r := range a.Resources {
		if r.Required {
			if s, ok := fill(r.Type); ok {
				out = append(out, s)
			}
		}
	}
	if len(out) > 0 {
		return out
	}
	for _, r := range a.Resources {
		if s, ok := fill(r.Type); ok {
			return []string{s}
		}
	}
	return []string{"*"}
}

// Every operation of every service is authorized as the Service Authorization
// Reference describes it: an action of the catalog, on the resources its ARN
// templates name (IAM: with the entities' stored paths), with IAM's condition keys,
// and recorded by CloudTrail as readOnly exactly when the action's access level is
// List or Read.
func TestEveryOperationIsAuthorized(t *testing.T) {
	p := apptest.Start(t)
	ctx := context.Background()
	c := iam.NewFromConfig(p.RootConfig())
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	boundary := "arn:aws:iam::aws:policy/PowerUserAccess"
	tags := []types.Tag{{Key: aws.String("team"), Value: aws.String("red")}}
	must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice"), Path: aws.String("/team/"), PermissionsBoundary: aws.String(boundary), Tags: tags}))
	must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("bob")}))
	must(c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("devs"), Path: aws.String("/g/")}))
	must(c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r"), Path: aws.String("/svc/"), Tags: tags,
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)}))
	must(c.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("ip"), Path: aws.String("/ip/"), Tags: tags}))
	must(c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("pol"), Path: aws.String("/pp/"), Tags: tags,
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`)}))
	key, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("alice")})
	must(key, err)
	// A KMS key, alias, ciphertext and grant for KMS's operations.
	k := kms.NewFromConfig(p.RootConfig())
	kmsKey, err := k.CreateKey(ctx, &kms.CreateKeyInput{})
	must(kmsKey, err)
	keyID := *kmsKey.KeyMetadata.KeyId
	entityVars["KeyId"] = keyID
	must(k.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/walk"), TargetKeyId: aws.String(keyID)}))
	enc, err := k.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(keyID), Plaintext: []byte("x")})
	must(enc, err)
	grant, err := k.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: aws.String(keyID), GranteePrincipal: aws.String(arn("user/team/alice")),
		Operations: []kmstypes.GrantOperation{kmstypes.GrantOperationDecrypt}})
	must(grant, err)
	kmsSample := map[string]any{"KeyId": keyID, "TargetKeyId": keyID, "AliasName": "alias/walk", "CiphertextBlob": enc.CiphertextBlob,
		"GrantId": *grant.GrantId, "GrantToken": *grant.GrantToken, "DestinationKeyId": keyID, "Message": []byte("m"), "Signature": []byte("s"),
		"Mac": []byte("m"), "MacAlgorithm": "HMAC_SHA_256", "SigningAlgorithm": "RSASSA_PSS_SHA_256", "KeyAgreementAlgorithm": "ECDH",
		"PublicKey": []byte("p"), "Policy": "{}", "PolicyName": "default"}
	topic, err := sns.NewFromConfig(p.RootConfig()).CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("tp")})
	must(topic, err)
	queue, err := sqs.NewFromConfig(p.RootConfig()).CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("qu")})
	must(queue, err)
	sub, err := sns.NewFromConfig(p.RootConfig()).Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"),
		Endpoint: aws.String("arn:aws:sqs:" + apptest.Region + ":" + acct + ":qu")})
	must(sub, err)
	must(cwl.NewFromConfig(p.RootConfig()).CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String("lg")}))
	// GetQueryResults is checked on the log groups of the query it names.
	query, err := cwl.NewFromConfig(p.RootConfig()).StartQuery(ctx, &cwl.StartQueryInput{LogGroupName: aws.String("lg"),
		QueryString: aws.String("fields @message"), StartTime: aws.Int64(0), EndTime: aws.Int64(1)})
	must(query, err)
	must(cw.NewFromConfig(p.RootConfig()).PutMetricAlarm(ctx, &cw.PutMetricAlarmInput{AlarmName: aws.String("al"), Namespace: aws.String("N"),
		MetricName: aws.String("M"), Statistic: "Sum", Period: aws.Int32(60), EvaluationPeriods: aws.Int32(1), Threshold: aws.Float64(1),
		ComparisonOperator: "GreaterThanThreshold"}))
	samples := monitoringSamples(*topic.TopicArn, *sub.SubscriptionArn, *queue.QueueUrl, *query.QueryId)
	// A bucket and an object for S3's operations; S3 Control names the caller's account.
	s := s3.NewFromConfig(p.RootConfig(), func(o *s3.Options) { o.UsePathStyle = true })
	must(s.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("walk-bucket")}))
	for _, key := range []string{"k", "src"} {
		must(s.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("walk-bucket"), Key: aws.String(key), Body: strings.NewReader("x")}))
	}
	entityVars["BucketName"], entityVars["ObjectName"] = "walk-bucket", "k"
	s3Sample := map[string]any{"Bucket": "walk-bucket", "Key": "k", "AccountId": acct, "CopySource": "walk-bucket/src", "ResourceArn": "arn:aws:s3:::walk-bucket"}
	bob := auth.Principal{Type: auth.IAMUser, Account: acct, ARN: arn("user/bob"), UserID: "AIDABOB", UserName: "bob"}

	for _, svc := range p.App.Services() {
		for _, h := range svc.Handlers {
			op := svc.Model.Operations[h.Op]
			t.Run(svc.Model.Name+"/"+h.Op, func(t *testing.T) {
				in := map[string]any{}
				if op.Input != nil {
					sample := sampleInputs(*key.AccessKey.AccessKeyId)
					switch svc.Model.Name {
					case "kms":
						sample = kmsSample
					case "s3", "s3control":
						sample = s3Sample
					}
					if s, ok := samples[svc.Model.Name]; ok {
						sample = s
					}
					for _, m := range op.Input.Members {
						if v, ok := sample[m.Name]; ok {
							in[m.Name] = v
						} else if m.Shape.Type == model.String && m.Required {
							in[m.Name] = "x"
						}
					}
				}
				o, overridden := overrides[h.Op]
				if svc.Model.Name != "iam" {
					overridden = false
				}
				for k, v := range o.in {
					if overridden {
						in[k] = v
					}
				}
				chks, err := p.App.Server.OperationChecks(ctx, bob, apptest.Region, svc.Model.Name, h.Op, in)
				if err != nil {
					t.Fatal(err)
				}
				// The action's prefix is the model's name (CloudWatch signs as
				// "monitoring" but its actions are "cloudwatch:…").
				actionName := svc.Model.Name + ":" + h.Op
				if svc.Actions[h.Op] != "" {
					actionName = svc.Actions[h.Op]
				}
				ko, kmsOverridden := kmsOverrides[h.Op]
				kmsOverridden = kmsOverridden && svc.Model.Name == "kms"
				if kmsOverridden && ko.action != "" {
					actionName = ko.action
				}
				info, ok := authz.LookupAction(actionName)
				if !ok {
					t.Fatalf("%s is not in the Service Authorization Reference", actionName)
				}
				if info.Access.ReadOnly() != h.RecordsReadOnly() && !cloudTrailReadOnly[actionName] {
					t.Errorf("CloudTrail readOnly=%v, but the action's access level is %s", h.RecordsReadOnly(), info.Access)
				}
				if chks == nil {
					if _, ok := authorizedElsewhere[svc.Model.SigningName+":"+h.Op]; !ok {
						t.Fatalf("no checks")
					}
					return
				}
				var got []string
				for _, ch := range chks {
					if _, ok := authz.LookupAction(ch.Action); !ok {
						t.Errorf("check on %s: action %s not in the reference", ch.Resource, ch.Action)
					}
					got = append(got, ch.Resource)
				}
				if svc.Model.SigningName == "s3" {
					checkS3(t, svc.Model.Name, h.Op, actionName, chks)
					return
				}
				want := referenceResources(info)
				if overridden {
					want = o.resources
				}
				if kmsOverridden {
					want = ko.resources(entityVars["KeyId"])
				}
				if r, ok := resourceOverrides[svc.Model.Name+":"+h.Op]; ok {
					want = r
				}
				if tag := svc.TagOnCreate[h.Op]; len(tag) > 0 && in["Tags"] != nil {
					// Tags on a create need the tagging action too, on the created
					// resource, with only the request's tags as context.
					last := chks[len(chks)-1]
					if last.Action != tag[0] || len(last.Context) == 0 {
						t.Fatalf("tagged create: last check %s %v, want %s with the request's tags", last.Action, last.Context, tag[0])
					}
					for k := range last.Context {
						if !strings.HasPrefix(k, "aws:requesttag/") && k != "aws:tagkeys" {
							t.Errorf("tagged create: %s carries %s", tag[0], k)
						}
					}
					want = append(want, want[0])
				}
				if strings.Join(got, " ") != strings.Join(want, " ") {
					t.Fatalf("resources\n got %q\nwant %q", got, want)
				}
				if svc.Model.Name == "iam" {
					checkIAMKeys(t, info, in, chks, boundary)
				}
			})
		}
	}
}

// checkS3 asserts an S3 or S3 Control operation's checks: its action on the
// reference's template filled from the sample (s3Overrides aside), with the bucket
// owner as the resource's account and in s3:ResourceAccount for bucket and object
// checks.
func checkS3(t *testing.T, svc, op, action string, chks []authz.Check) {
	t.Helper()
	info, _ := authz.LookupAction(action)
	var want []string
	for _, r := range referenceResources(info) {
		want = append(want, action+" "+r)
	}
	if o, ok := s3Overrides[op]; ok && svc == "s3" {
		want = o
	}
	if o, ok := s3ControlOverrides[op]; ok && svc == "s3control" {
		want = o
	}
	var got []string
	for _, ch := range chks {
		got = append(got, ch.Action+" "+ch.Resource)
		a, _ := authz.LookupAction(ch.Action)
		if a != nil && slices.Contains(a.ConditionKeys, "s3:ResourceAccount") && !eq(ch.Context["s3:resourceaccount"], acct) {
			t.Errorf("%s %s: s3:ResourceAccount %v", ch.Action, ch.Resource, ch.Context["s3:resourceaccount"])
		}
		if strings.HasPrefix(ch.Resource, "arn:aws:s3:::") && op != "CreateBucket" && ch.ResourceAccount != acct {
			t.Errorf("%s: resource account %q, want the bucket owner", ch.Resource, ch.ResourceAccount)
		}
	}
	if strings.Join(got, ", ") != strings.Join(want, ", ") {
		t.Fatalf("checks\n got %q\nwant %q", got, want)
	}
}

// checkIAMKeys asserts IAM's condition keys on an operation's checks.
func checkIAMKeys(t *testing.T, info *authz.Action, in map[string]any, chks []authz.Check, boundary string) {
	t.Helper()
	lists := func(key string) bool {
		for _, k := range info.ConditionKeys {
			if strings.EqualFold(k, key) {
				return true
			}
		}
		return false
	}
	for _, ch := range chks {
		if ch.Action != info.FullName() {
			continue
		}
		if lists("iam:PolicyARN") && in["PolicyArn"] != nil && !eq(ch.Context["iam:policyarn"], in["PolicyArn"].(string)) {
			t.Errorf("%s: iam:PolicyARN %v", ch.Resource, ch.Context["iam:policyarn"])
		}
		onAlice := ch.Resource == arn("user/team/alice")
		if b, ok := in["PermissionsBoundary"].(string); ok {
			boundary = b // the boundary the request sets
		}
		if lists("iam:PermissionsBoundary") && (onAlice || in["PermissionsBoundary"] != nil) && !eq(ch.Context["iam:permissionsboundary"], boundary) {
			t.Errorf("%s: iam:PermissionsBoundary %v, want the user's boundary", ch.Resource, ch.Context["iam:permissionsboundary"])
		}
		tagged := onAlice || ch.Resource == arn("role/svc/r") || ch.Resource == arn("instance-profile/ip/ip") || ch.Resource == arn("policy/pp/pol")
		if tagged && !eq(ch.Context["aws:resourcetag/team"], "red") {
			t.Errorf("%s: aws:ResourceTag/team %v", ch.Resource, ch.Context["aws:resourcetag/team"])
		}
		if (onAlice || ch.Resource == arn("role/svc/r")) && !eq(ch.Context["iam:resourcetag/team"], "red") {
			t.Errorf("%s: iam:ResourceTag/team %v", ch.Resource, ch.Context["iam:resourcetag/team"])
		}
		if in["Tags"] != nil && (!eq(ch.Context["aws:requesttag/team"], "blue") || !eq(ch.Context["aws:tagkeys"], "team")) {
			t.Errorf("%s: request tags %v", ch.Resource, ch.Context)
		}
	}
}

func eq(vals []string, want string) bool { return len(vals) == 1 && vals[0] == want }

// IAM names resources in its AccessDenied messages its own way: "user alice" for an
// existing user, "policy ARN" for a managed policy, "policy path /" for ListPolicies,
// and the ARN for what a Create makes.
func TestIAMMessageResources(t *testing.T) {
	p := apptest.Start(t)
	ctx := context.Background()
	bob := auth.Principal{Type: auth.IAMUser, Account: acct, ARN: arn("user/bob"), UserID: "AIDABOB", UserName: "bob"}
	for _, c := range []struct {
		op   string
		in   map[string]any
		want string
	}{
		{"GetUser", map[string]any{"UserName": "alice"}, "user alice"},
		{"GetUser", nil, "user bob"},
		{"CreateAccessKey", map[string]any{"UserName": "alice"}, "user alice"},
		{"CreateUser", map[string]any{"UserName": "carol"}, ""},
		{"GetRole", map[string]any{"RoleName": "r"}, "role r"},
		{"CreateRole", map[string]any{"RoleName": "r"}, ""},
		{"PutRolePermissionsBoundary", map[string]any{"RoleName": "r", "PermissionsBoundary": "arn:aws:iam::aws:policy/ReadOnlyAccess"}, ""},
		{"AddUserToGroup", map[string]any{"GroupName": "g", "UserName": "alice"}, "group g"},
		{"GetInstanceProfile", map[string]any{"InstanceProfileName": "ip"}, "instance profile ip"},
		{"GetPolicy", map[string]any{"PolicyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}, "policy arn:aws:iam::aws:policy/ReadOnlyAccess"},
		{"CreatePolicy", map[string]any{"PolicyName": "p"}, "policy p"},
		{"ListPolicies", nil, "policy path /"},
		{"ListUsers", nil, ""},
	} {
		chks, err := p.App.Server.OperationChecks(ctx, bob, apptest.Region, "iam", c.op, c.in)
		if err != nil {
			t.Fatal(err)
		}
		if chks[0].MessageResource != c.want {
			t.Errorf("%s %v: message resource %q, want %q", c.op, c.in, chks[0].MessageResource, c.want)
		}
	}
}

// BenchmarkAuthorizationStep measures what authorization adds to a call, without the
// HTTP, signature and durable-commit noise of the full stack: the checks of a signed
// iam:GetUser by a user with ten managed policies (IAM resolves the user's ARN, tags
// and boundary in a read snapshot) and the decision; "snapshot" is the read snapshot
// and first read the handler makes anyway when authorization is bypassed.
func BenchmarkAuthorizationStep(b *testing.B) {
	p := apptest.Start(b)
	ctx := context.Background()
	c := iam.NewFromConfig(p.RootConfig())
	u, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("bench"), Path: aws.String("/load/")})
	if err != nil {
		b.Fatal(err)
	}
	for _, name := range []string{"ReadOnlyAccess", "SecurityAudit", "job-function/ViewOnlyAccess", "IAMReadOnlyAccess", "AmazonS3ReadOnlyAccess",
		"AmazonS3FullAccess", "CloudWatchLogsFullAccess", "AWSCloudTrail_FullAccess", "AmazonGuardDutyFullAccess", "AmazonMacieFullAccess"} {
		if _, err := c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("bench"), PolicyArn: aws.String("arn:aws:iam::aws:policy/" + name)}); err != nil {
			b.Fatal(err)
		}
	}
	caller := &authz.Caller{Principal: auth.Principal{Type: auth.IAMUser, Account: acct, ARN: *u.User.Arn, UserID: *u.User.UserId, UserName: "bench"},
		SourceIP: "127.0.0.1", Region: apptest.Region}
	in := map[string]any{"UserName": "bench"}
	checks := func() []authz.Check {
		chks, err := p.App.Server.OperationChecks(ctx, caller.Principal, apptest.Region, "iam", "GetUser", in)
		if err != nil {
			b.Fatal(err)
		}
		return chks
	}
	// The principal's compiled policies are read once and cached until IAM changes,
	// so a warm decision needs no transaction of its own.
	err = p.Store.View(ctx, func(tx *store.Tx) error {
		_, err := p.App.Authz.Decide(tx, caller, &checks()[0])
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	step := func() {
		chks := checks()
		caller.Now = p.Clock.Now()
		d, err := p.App.Authz.Decide(nil, caller, &chks[0])
		if err != nil || !d.Allowed() {
			b.Fatal(err, d.Message())
		}
	}
	b.Run("checks+decision", func(b *testing.B) {
		for b.Loop() {
			step()
		}
	})
	b.Run("snapshot", func(b *testing.B) {
		for b.Loop() {
			err := p.Store.View(ctx, func(tx *store.Tx) error {
				_, _, err := tx.Get(store.NS("iam", acct, "", "users"), "bench")
				return err
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
}

// The authorizer remembers a principal's decisions, keyed by what they depend on:
// the same check with other values of the keys the policies use (time, source
// address) is decided anew, and a change to IAM forgets them.
func TestDecisionMemo(t *testing.T) {
	p := apptest.Start(t)
	ctx := context.Background()
	c := iam.NewFromConfig(p.RootConfig())
	u, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("m")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("m"), PolicyName: aws.String("p"), PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*","Condition":{"DateLessThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"},"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	before, after := time.Date(2029, 12, 31, 23, 59, 59, 0, time.UTC), time.Date(2030, 1, 1, 0, 0, 1, 0, time.UTC)
	principal := auth.Principal{Type: auth.IAMUser, Account: acct, ARN: *u.User.Arn, UserID: *u.User.UserId, UserName: "m"}
	decide := func(now time.Time, ip string) bool {
		t.Helper()
		var d *authz.Decision
		err := p.Store.View(ctx, func(tx *store.Tx) (err error) {
			d, err = p.App.Authz.Decide(tx, &authz.Caller{Principal: principal, Now: now, SourceIP: ip}, &authz.Check{Action: "iam:ListUsers", Resource: arn("user/")})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return d.Allowed()
	}
	for _, c := range []struct {
		now  time.Time
		ip   string
		want bool
	}{{before, "10.1.2.3", true}, {before, "10.1.2.3", true}, {before, "192.168.0.1", false}, {after, "10.1.2.3", false}, {before, "10.9.9.9", true}} {
		if got := decide(c.now, c.ip); got != c.want {
			t.Fatalf("at %s from %s: allowed=%v, want %v", c.now, c.ip, got, c.want)
		}
	}
	if _, err := c.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String("m"), PolicyName: aws.String("p")}); err != nil {
		t.Fatal(err)
	}
	if decide(before, "10.1.2.3") {
		t.Fatal("a remembered decision outlived the policy")
	}
}
