package logs_test

import (
	"compress/gzip"
	"io"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/palisade/palisade/internal/app/apptest"
	"github.com/palisade/palisade/internal/service/logs"
)

// exportPolicy is the bucket policy "Set permissions on an Amazon S3 bucket" gives
// (CloudWatch Logs User Guide, exporting to Amazon S3): logs.REGION.amazonaws.com may
// read the bucket's ACL and put objects with bucket-owner-full-control, on behalf of
// the account's log groups only.
func exportPolicy(bucket, sourceAccount string, put bool) string {
	cond := `"StringEquals":{"aws:SourceAccount":"` + sourceAccount + `"},"ArnLike":{"aws:SourceArn":"arn:aws:logs:us-east-1:` + sourceAccount + `:log-group:*"}`
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"logs.us-east-1.amazonaws.com"},"Action":"s3:GetBucketAcl",
		"Resource":"arn:aws:s3:::` + bucket + `","Condition":{` + cond + `}}`
	if put {
		doc += `,{"Effect":"Allow","Principal":{"Service":"logs.us-east-1.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::` + bucket + `/*",
			"Condition":{"StringEquals":{"s3:x-amz-acl":"bucket-owner-full-control","aws:SourceAccount":"` + sourceAccount + `"},"ArnLike":{"aws:SourceArn":"arn:aws:logs:us-east-1:` + sourceAccount + `:log-group:*"}}}`
	}
	return doc + `]}`
}

func (e *env) s3() *s3.Client {
	return s3.NewFromConfig(e.p.RootConfig(), func(o *s3.Options) { o.UsePathStyle = true })
}

// bucket creates a bucket with policy (none when "").
func (e *env) bucket(name, policy string) {
	e.Helper()
	c := e.s3()
	apptest.Must(c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)}))
	if policy != "" {
		apptest.Must(c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(name), Policy: aws.String(policy)}))
	}
}

func (e *env) object(bucket, key string) string {
	e.Helper()
	out, err := e.s3().GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		e.Fatalf("get %s: %v", key, err)
	}
	defer out.Body.Close()
	b := apptest.Must(io.ReadAll(out.Body))
	return string(b)
}

func gunzip(t *testing.T, s string) string {
	t.Helper()
	r, err := gzip.NewReader(strings.NewReader(s))
	if err != nil {
		t.Fatalf("not gzip: %v", err)
	}
	return string(apptest.Must(io.ReadAll(r)))
}

func (e *env) keys(bucket string) []string {
	e.Helper()
	out := apptest.Must(e.s3().ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket)}))
	var keys []string
	for _, o := range out.Contents {
		keys = append(keys, aws.ToString(o.Key))
	}
	sort.Strings(keys)
	return keys
}

// waitExport polls DescribeExportTasks until the task leaves PENDING and RUNNING.
func (e *env) waitExport(id string) types.ExportTask {
	e.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		out := apptest.Must(e.logs.DescribeExportTasks(ctx, &cwl.DescribeExportTasksInput{TaskId: aws.String(id)}))
		if len(out.ExportTasks) != 1 {
			e.Fatalf("DescribeExportTasks(%s): %d tasks", id, len(out.ExportTasks))
		}
		x := out.ExportTasks[0]
		switch x.Status.Code {
		case types.ExportTaskStatusCodePending, types.ExportTaskStatusCodeRunning, types.ExportTaskStatusCodePendingCancel:
		default:
			return x
		}
		if time.Now().After(deadline) {
			e.Fatalf("task %s still %s", id, x.Status.Code)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (e *env) export(in *cwl.CreateExportTaskInput) string {
	e.Helper()
	out, err := e.logs.CreateExportTask(ctx, in)
	if err != nil {
		e.Fatalf("CreateExportTask: %v", err)
	}
	return aws.ToString(out.TaskId)
}

// An export writes AWS's permission check object under the prefix, then one gzip file
// per stream with events in [from, to], each line "<ISO time> <message>", at
// <prefix>/<taskId>/<stream>/000000.gz; DescribeExportTasks shows the task as AWS
// does, and a stream prefix narrows the streams.
func TestExportToS3(t *testing.T) {
	e := newEnv(t)
	e.bucket("exports", exportPolicy("exports", account, true))
	e.group("/aws/cloudtrail")
	e.stream("/aws/cloudtrail", "000000000000_CloudTrail_us-east-1")
	e.stream("/aws/cloudtrail", "app/web")
	e.stream("/aws/cloudtrail", "empty")
	base := e.now()
	e.put("/aws/cloudtrail", "000000000000_CloudTrail_us-east-1", base, `{"eventName":"ConsoleLogin"}`, `{"eventName":"DeleteTrail"}`, "late")
	e.put("/aws/cloudtrail", "app/web", base+1, "GET /", "GET /login")

	id := e.export(&cwl.CreateExportTaskInput{LogGroupName: aws.String("/aws/cloudtrail"), From: aws.Int64(base), To: aws.Int64(base + 1),
		Destination: aws.String("exports"), TaskName: aws.String("investigation")})
	if len(id) != 36 {
		t.Fatalf("task ID %q is not a UUID", id)
	}
	x := e.waitExport(id)
	if x.Status.Code != types.ExportTaskStatusCodeCompleted || aws.ToString(x.Status.Message) != "Completed successfully" ||
		aws.ToString(x.TaskName) != "investigation" || aws.ToString(x.LogGroupName) != "/aws/cloudtrail" || aws.ToString(x.Destination) != "exports" ||
		aws.ToString(x.DestinationPrefix) != "exportedlogs" || aws.ToInt64(x.From) != base || aws.ToInt64(x.To) != base+1 ||
		x.ExecutionInfo == nil || x.ExecutionInfo.CreationTime == nil || aws.ToInt64(x.ExecutionInfo.CompletionTime) < aws.ToInt64(x.ExecutionInfo.CreationTime) {
		t.Fatalf("task %+v status %+v info %+v", x, x.Status, x.ExecutionInfo)
	}
	want := []string{
		"exportedlogs/" + id + "/000000000000_CloudTrail_us-east-1/000000.gz",
		"exportedlogs/" + id + "/app/web/000000.gz",
		"exportedlogs/aws-logs-write-test",
	}
	sorted := append([]string(nil), want...)
	sort.Strings(sorted)
	if got := e.keys("exports"); strings.Join(got, ",") != strings.Join(sorted, ",") {
		t.Fatalf("keys %q, want %q", got, want)
	}
	if got := e.object("exports", "exportedlogs/aws-logs-write-test"); got != "Permission Check Successful" {
		t.Fatalf("write test object %q", got)
	}
	stamp := func(ts int64) string { return time.UnixMilli(ts).UTC().Format("2006-01-02T15:04:05.000Z") }
	ct := gunzip(t, e.object("exports", want[0]))
	if wantCT := stamp(base) + ` {"eventName":"ConsoleLogin"}` + "\n" + stamp(base+1) + ` {"eventName":"DeleteTrail"}` + "\n"; ct != wantCT {
		t.Fatalf("exported file:\n%q\nwant\n%q", ct, wantCT)
	}
	if web := gunzip(t, e.object("exports", want[1])); web != stamp(base+1)+" GET /\n" {
		t.Fatalf("app/web file %q", web)
	}

	// A stream prefix and a destination prefix of one's own.
	id2 := e.export(&cwl.CreateExportTaskInput{LogGroupName: aws.String("/aws/cloudtrail"), LogStreamNamePrefix: aws.String("app/"), From: aws.Int64(0),
		To: aws.Int64(e.now()), Destination: aws.String("exports"), DestinationPrefix: aws.String("case-42")})
	e.waitExport(id2)
	var mine []string
	for _, k := range e.keys("exports") {
		if strings.HasPrefix(k, "case-42/") {
			mine = append(mine, k)
		}
	}
	if len(mine) != 2 || !contains(mine, "case-42/"+id2+"/app/web/000000.gz") || !contains(mine, "case-42/aws-logs-write-test") {
		t.Fatalf("keys %q", mine)
	}
	if web := gunzip(t, e.object("exports", "case-42/"+id2+"/app/web/000000.gz")); web != stamp(base+1)+" GET /\n"+stamp(base+2)+" GET /login\n" {
		t.Fatalf("app/web file %q", web)
	}

	// Listing: newest first, by status, in pages.
	all := apptest.Must(e.logs.DescribeExportTasks(ctx, &cwl.DescribeExportTasksInput{}))
	if len(all.ExportTasks) != 2 || aws.ToString(all.ExportTasks[0].TaskId) != id2 {
		t.Fatalf("tasks %+v", all.ExportTasks)
	}
	page := apptest.Must(e.logs.DescribeExportTasks(ctx, &cwl.DescribeExportTasksInput{Limit: aws.Int32(1)}))
	if len(page.ExportTasks) != 1 || page.NextToken == nil {
		t.Fatalf("page %+v", page)
	}
	page = apptest.Must(e.logs.DescribeExportTasks(ctx, &cwl.DescribeExportTasksInput{Limit: aws.Int32(1), NextToken: page.NextToken}))
	if len(page.ExportTasks) != 1 || aws.ToString(page.ExportTasks[0].TaskId) != id || page.NextToken != nil {
		t.Fatalf("second page %+v", page)
	}
	if n := len(apptest.Must(e.logs.DescribeExportTasks(ctx, &cwl.DescribeExportTasksInput{StatusCode: types.ExportTaskStatusCodeFailed})).ExportTasks); n != 0 {
		t.Fatalf("%d failed tasks", n)
	}
	if n := len(apptest.Must(e.logs.DescribeExportTasks(ctx, &cwl.DescribeExportTasksInput{TaskId: aws.String("00000000-0000-0000-0000-000000000000")})).ExportTasks); n != 0 {
		t.Fatalf("%d tasks for an unknown ID", n)
	}

	// CloudTrail records the task's creation as a management write event.
	lookup := apptest.Must(cloudtrail.NewFromConfig(e.p.RootConfig()).LookupEvents(ctx, &cloudtrail.LookupEventsInput{
		LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: "EventName", AttributeValue: aws.String("CreateExportTask")}}}))
	if len(lookup.Events) != 2 || !strings.Contains(aws.ToString(lookup.Events[0].CloudTrailEvent), `"readOnly":false`) {
		t.Fatalf("CloudTrail events %+v", lookup.Events)
	}
}

// CreateExportTask answers as AWS does when the group, the range or the bucket is
// wrong, and when CloudWatch Logs may not use the bucket: the documented policy must
// admit logs.REGION.amazonaws.com for the account.
func TestExportTaskErrors(t *testing.T) {
	e := newEnv(t)
	e.group("g")
	e.bucket("open", exportPolicy("open", account, true))
	e.bucket("nopolicy", "")
	e.bucket("aclonly", exportPolicy("aclonly", account, false))
	e.bucket("otheraccount", exportPolicy("otheraccount", "111111111111", true))
	now := e.now()
	create := func(group, bucket string, from, to int64) error {
		_, err := e.logs.CreateExportTask(ctx, &cwl.CreateExportTaskInput{LogGroupName: aws.String(group), From: aws.Int64(from), To: aws.Int64(to), Destination: aws.String(bucket)})
		return err
	}
	wantError(t, create("missing", "open", 0, now), "ResourceNotFoundException", 400, "The specified log group does not exist.")
	wantError(t, create("g", "open", now, now-1), "InvalidParameterException", 400,
		"Specified time range of '"+itoa(now)+"' and '"+itoa(now-1)+"' is not valid. Please make sure the values are non-negative and the start time is before the end time.")
	wantError(t, create("g", "open", 0, now-hour), "InvalidParameterException", 400,
		"The specified time range is not valid: 'to' is earlier than the creation time of the log group.")
	wantError(t, create("g", "no-such-bucket", 0, now), "InvalidParameterException", 400, "The given bucket does not exist. Please make sure the bucket is valid.")
	acl := "GetBucketAcl call on the given bucket failed. Please check if CloudWatch Logs has been granted permission to perform this operation."
	wantError(t, create("g", "nopolicy", 0, now), "InvalidParameterException", 400, acl)
	wantError(t, create("g", "otheraccount", 0, now), "InvalidParameterException", 400, acl)
	wantError(t, create("g", "aclonly", 0, now), "InvalidParameterException", 400,
		"PutObject call on the given bucket failed. Please check if CloudWatch Logs has been granted permission to perform this operation.")
	if got := len(apptest.Must(e.logs.DescribeExportTasks(ctx, &cwl.DescribeExportTasksInput{})).ExportTasks); got != 0 {
		t.Fatalf("%d tasks after refusals", got)
	}
	_, err := e.logs.CancelExportTask(ctx, &cwl.CancelExportTaskInput{TaskId: aws.String("nope")})
	wantError(t, err, "ResourceNotFoundException", 400, "The specified export task does not exist.")

	// One active task per account: a second waits for the first to finish.
	release := logs.HoldExports("start")
	defer release()
	id := e.export(&cwl.CreateExportTaskInput{LogGroupName: aws.String("g"), From: aws.Int64(0), To: aws.Int64(now), Destination: aws.String("open")})
	wantError(t, create("g", "open", 0, now), "LimitExceededException", 400, "Resource limit exceeded.")
	pending := apptest.Must(e.logs.DescribeExportTasks(ctx, &cwl.DescribeExportTasksInput{StatusCode: types.ExportTaskStatusCodePending}))
	if len(pending.ExportTasks) != 1 || pending.ExportTasks[0].ExecutionInfo.CompletionTime != nil {
		t.Fatalf("pending %+v", pending.ExportTasks)
	}
	// Cancelled before it starts, it writes nothing and frees the account's slot.
	apptest.Must(e.logs.CancelExportTask(ctx, &cwl.CancelExportTaskInput{TaskId: aws.String(id)}))
	x := e.waitExport(id)
	if x.Status.Code != types.ExportTaskStatusCodeCancelled || aws.ToString(x.Status.Message) != "Cancelled by user" || x.ExecutionInfo.CompletionTime == nil {
		t.Fatalf("cancelled task %+v", x.Status)
	}
	_, err = e.logs.CancelExportTask(ctx, &cwl.CancelExportTaskInput{TaskId: aws.String(id)})
	wantError(t, err, "InvalidOperationException", 400, "The specified export task has already finished.")
	release()
	id = e.export(&cwl.CreateExportTaskInput{LogGroupName: aws.String("g"), From: aws.Int64(0), To: aws.Int64(now), Destination: aws.String("open")})
	if x := e.waitExport(id); x.Status.Code != types.ExportTaskStatusCodeCompleted {
		t.Fatalf("task %+v", x.Status)
	}
	if keys := e.keys("open"); len(keys) != 1 || keys[0] != "exportedlogs/aws-logs-write-test" {
		t.Fatalf("keys %q: a group without events exports no file", keys)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// A task cancelled while it runs stops before its next stream and ends CANCELLED.
func TestExportCancelWhileRunning(t *testing.T) {
	e := newEnv(t)
	e.bucket("export-b", exportPolicy("export-b", account, true))
	e.group("g")
	e.stream("g", "a")
	e.stream("g", "b")
	e.put("g", "a", e.now()-1000, "one")
	e.put("g", "b", e.now()-1000, "two")
	release := logs.HoldExports("stream")
	defer release()
	id := e.export(&cwl.CreateExportTaskInput{LogGroupName: aws.String("g"), From: aws.Int64(0), To: aws.Int64(e.now()), Destination: aws.String("export-b")})
	for {
		out := apptest.Must(e.logs.DescribeExportTasks(ctx, &cwl.DescribeExportTasksInput{TaskId: aws.String(id)}))
		if out.ExportTasks[0].Status.Code == types.ExportTaskStatusCodeRunning {
			if aws.ToString(out.ExportTasks[0].Status.Message) != "Started successfully" {
				t.Fatalf("running %+v", out.ExportTasks[0].Status)
			}
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	apptest.Must(e.logs.CancelExportTask(ctx, &cwl.CancelExportTaskInput{TaskId: aws.String(id)}))
	release()
	if x := e.waitExport(id); x.Status.Code != types.ExportTaskStatusCodeCancelled {
		t.Fatalf("task %+v", x.Status)
	}
	if keys := e.keys("export-b"); len(keys) != 1 || keys[0] != "exportedlogs/aws-logs-write-test" {
		t.Fatalf("keys %q", keys)
	}
}

// A task a stop interrupted runs again when Palisade starts: task state is in the
// store.
func TestExportResumesAfterRestart(t *testing.T) {
	dir := t.TempDir()
	p := apptest.StartIn(t, dir)
	e := &env{T: t, p: p, logs: cwl.NewFromConfig(p.RootConfig())}
	e.bucket("export-b", exportPolicy("export-b", account, true))
	e.group("g")
	e.stream("g", "s")
	e.put("g", "s", e.now()-1000, "kept")
	release := logs.HoldExports("stream")
	id := e.export(&cwl.CreateExportTaskInput{LogGroupName: aws.String("g"), From: aws.Int64(0), To: aws.Int64(e.now()), Destination: aws.String("export-b")})
	for apptest.Must(e.logs.DescribeExportTasks(ctx, &cwl.DescribeExportTasksInput{TaskId: aws.String(id)})).ExportTasks[0].Status.Code != types.ExportTaskStatusCodeRunning {
		time.Sleep(5 * time.Millisecond)
	}
	p.Stop()
	release()
	p = apptest.StartIn(t, dir)
	e = &env{T: t, p: p, logs: cwl.NewFromConfig(p.RootConfig())}
	if x := e.waitExport(id); x.Status.Code != types.ExportTaskStatusCodeCompleted {
		t.Fatalf("task %+v", x.Status)
	}
	if got := gunzip(t, e.object("export-b", "exportedlogs/"+id+"/s/000000.gz")); !strings.HasSuffix(got, " kept\n") {
		t.Fatalf("file %q", got)
	}
}

// Events under the group's KMS key are decrypted for the export through KMS as
// CloudWatch Logs; when the key no longer lets it, the task fails.
func TestExportEncryptedGroup(t *testing.T) {
	e := newEnv(t)
	e.bucket("export-b", exportPolicy("export-b", account, true))
	key := e.logsKey(true)
	apptest.Must(e.logs.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String("enc"), KmsKeyId: aws.String(key)}))
	e.stream("enc", "s")
	e.put("enc", "s", e.now()-1000, "secret one", "secret two")
	id := e.export(&cwl.CreateExportTaskInput{LogGroupName: aws.String("enc"), From: aws.Int64(0), To: aws.Int64(e.now()), Destination: aws.String("export-b")})
	if x := e.waitExport(id); x.Status.Code != types.ExportTaskStatusCodeCompleted {
		t.Fatalf("task %+v", x.Status)
	}
	if got := gunzip(t, e.object("export-b", "exportedlogs/"+id+"/s/000000.gz")); strings.Count(got, "secret") != 2 {
		t.Fatalf("file %q", got)
	}
	apptest.Must(kms.NewFromConfig(e.p.RootConfig()).DisableKey(ctx, &kms.DisableKeyInput{KeyId: aws.String(key)}))
	e.p.AdvanceClock(6 * time.Minute) // past the data key's reuse
	id = e.export(&cwl.CreateExportTaskInput{LogGroupName: aws.String("enc"), From: aws.Int64(0), To: aws.Int64(e.now()), Destination: aws.String("export-b")})
	x := e.waitExport(id)
	if x.Status.Code != types.ExportTaskStatusCodeFailed ||
		aws.ToString(x.Status.Message) != "The specified KMS key does not exist or is not allowed to be used with Arn 'arn:aws:logs:us-east-1:000000000000:log-group:enc'" {
		t.Fatalf("task %+v", x.Status)
	}
}

// CreateExportTask is authorized on the log group; DescribeExportTasks and
// CancelExportTask on "*" (Service Authorization Reference).
func TestExportAuthorization(t *testing.T) {
	e := newEnv(t)
	e.bucket("export-b", exportPolicy("export-b", account, true))
	e.group("allowed")
	e.group("other")
	iamc := iam.NewFromConfig(e.p.RootConfig())
	apptest.Must(iamc.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("investigator")}))
	k := apptest.Must(iamc.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("investigator")})).AccessKey
	apptest.Must(iamc.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("investigator"), PolicyName: aws.String("export"), PolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"logs:CreateExportTask","Resource":"arn:aws:logs:us-east-1:000000000000:log-group:allowed"}]}`)}))
	u := cwl.NewFromConfig(e.p.Config(*k.AccessKeyId, *k.SecretAccessKey, ""))
	in := func(g string) *cwl.CreateExportTaskInput {
		return &cwl.CreateExportTaskInput{LogGroupName: aws.String(g), From: aws.Int64(0), To: aws.Int64(e.now()), Destination: aws.String("export-b")}
	}
	_, err := u.CreateExportTask(ctx, in("other"))
	wantError(t, err, "AccessDeniedException", 400, "User: arn:aws:iam::000000000000:user/investigator is not authorized to perform: logs:CreateExportTask on resource: arn:aws:logs:us-east-1:000000000000:log-group:other because no identity-based policy allows the logs:CreateExportTask action")
	// The caller must be able to write to the bucket itself (API reference).
	_, err = u.CreateExportTask(ctx, in("allowed"))
	wantError(t, err, "InvalidParameterException", 400, "Please ensure that the CreateExportTask caller has been granted s3:PutObject access to the bucket.")
	apptest.Must(iamc.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("investigator"), PolicyName: aws.String("bucket"), PolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::export-b/*"}]}`)}))
	id := aws.ToString(apptest.Must(u.CreateExportTask(ctx, in("allowed"))).TaskId)
	_, err = u.DescribeExportTasks(ctx, &cwl.DescribeExportTasksInput{})
	wantError(t, err, "AccessDeniedException", 400, "User: arn:aws:iam::000000000000:user/investigator is not authorized to perform: logs:DescribeExportTasks on resource: * because no identity-based policy allows the logs:DescribeExportTasks action")
	e.waitExport(id)
}

// A bucket of another account takes the export when its policy admits CloudWatch Logs
// for the exporting account and the caller itself may put objects (the User Guide's
// cross-account policy).
func TestExportCrossAccount(t *testing.T) {
	e := newEnv(t)
	e.group("g")
	e.stream("g", "s")
	e.put("g", "s", e.now(), "to another account")
	other := s3.NewFromConfig(e.p.AccountConfig("111111111111"), func(o *s3.Options) { o.UsePathStyle = true })
	apptest.Must(other.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("central-archive")}))
	apptest.Must(other.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("central-archive"), Policy: aws.String(exportPolicy("central-archive", account, true))}))
	in := &cwl.CreateExportTaskInput{LogGroupName: aws.String("g"), From: aws.Int64(0), To: aws.Int64(e.now() + 1), Destination: aws.String("central-archive")}
	_, err := e.logs.CreateExportTask(ctx, in)
	wantError(t, err, "InvalidParameterException", 400, "Please ensure that the CreateExportTask caller has been granted s3:PutObject access to the bucket.")
	doc := strings.TrimSuffix(exportPolicy("central-archive", account, true), "]}") +
		`,{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::central-archive/*"}]}`
	apptest.Must(other.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("central-archive"), Policy: aws.String(doc)}))
	id := e.export(in)
	if x := e.waitExport(id); x.Status.Code != types.ExportTaskStatusCodeCompleted {
		t.Fatalf("task %+v", x.Status)
	}
	obj := apptest.Must(other.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("central-archive"), Key: aws.String("exportedlogs/" + id + "/s/000000.gz")}))
	defer obj.Body.Close()
	if got := gunzip(t, string(apptest.Must(io.ReadAll(obj.Body)))); !strings.HasSuffix(got, " to another account\n") {
		t.Fatalf("file %q", got)
	}
}

// A bucket encrypted by default under a KMS key takes the export only when the key
// lets CloudWatch Logs generate data keys (the User Guide's key policy for exports):
// S3 asks KMS as logs.REGION.amazonaws.com, as for any service write. Otherwise the
// permission check object cannot be written and CreateExportTask fails.
func TestExportToKMSBucket(t *testing.T) {
	e := newEnv(t)
	e.group("g")
	e.stream("g", "s")
	e.put("g", "s", e.now(), "sealed in S3")
	sse := func(bucket, key string) {
		e.bucket(bucket, exportPolicy(bucket, account, true))
		apptest.Must(e.s3().PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: aws.String(bucket), ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{
			Rules: []s3types.ServerSideEncryptionRule{{ApplyServerSideEncryptionByDefault: &s3types.ServerSideEncryptionByDefault{
				SSEAlgorithm: s3types.ServerSideEncryptionAwsKms, KMSMasterKeyID: aws.String(key)}}}}}))
	}
	root := `{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":"kms:*","Resource":"*"}`
	closed := apptest.Must(kms.NewFromConfig(e.p.RootConfig()).CreateKey(ctx, &kms.CreateKeyInput{Policy: aws.String(`{"Version":"2012-10-17","Statement":[` + root + `]}`)}))
	sse("export-closed", aws.ToString(closed.KeyMetadata.Arn))
	in := func(bucket string) *cwl.CreateExportTaskInput {
		return &cwl.CreateExportTaskInput{LogGroupName: aws.String("g"), From: aws.Int64(0), To: aws.Int64(e.now() + 1), Destination: aws.String(bucket)}
	}
	_, err := e.logs.CreateExportTask(ctx, in("export-closed"))
	wantError(t, err, "InvalidParameterException", 400, "PutObject call on the given bucket failed. Please check if CloudWatch Logs has been granted permission to perform this operation.")
	if n := len(apptest.Must(e.logs.DescribeExportTasks(ctx, &cwl.DescribeExportTasksInput{})).ExportTasks); n != 0 {
		t.Fatalf("%d tasks", n)
	}
	open := apptest.Must(kms.NewFromConfig(e.p.RootConfig()).CreateKey(ctx, &kms.CreateKeyInput{Policy: aws.String(`{"Version":"2012-10-17","Statement":[` + root +
		`,{"Effect":"Allow","Principal":{"Service":"logs.us-east-1.amazonaws.com"},"Action":["kms:GenerateDataKey","kms:Decrypt"],"Resource":"*",
		"Condition":{"StringEquals":{"aws:SourceAccount":"000000000000"},"ArnLike":{"aws:SourceArn":"arn:aws:logs:us-east-1:000000000000:log-group:*"}}}]}`)}))
	sse("export-open", aws.ToString(open.KeyMetadata.Arn))
	id := e.export(in("export-open"))
	if x := e.waitExport(id); x.Status.Code != types.ExportTaskStatusCodeCompleted {
		t.Fatalf("task %+v", x.Status)
	}
	head := apptest.Must(e.s3().HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("export-open"), Key: aws.String("exportedlogs/" + id + "/s/000000.gz")}))
	if head.ServerSideEncryption != s3types.ServerSideEncryptionAwsKms || aws.ToString(head.SSEKMSKeyId) != aws.ToString(open.KeyMetadata.Arn) {
		t.Fatalf("object encryption %s %s", head.ServerSideEncryption, aws.ToString(head.SSEKMSKeyId))
	}
	if got := gunzip(t, e.object("export-open", "exportedlogs/"+id+"/s/000000.gz")); !strings.HasSuffix(got, " sealed in S3\n") {
		t.Fatalf("file %q", got)
	}
}

// A stream larger than a file continues in 000001.gz and on, each file a whole gzip.
func TestExportSplitsLargeStreams(t *testing.T) {
	defer logs.SetExportFileBytes(40)()
	e := newEnv(t)
	e.bucket("export-split", exportPolicy("export-split", account, true))
	e.group("g")
	e.stream("g", "s")
	now := e.now()
	e.put("g", "s", now, "first batch of events, long enough")
	e.put("g", "s", now+1, "second batch of events, long enough")
	e.put("g", "s", now+2, "third")
	id := e.export(&cwl.CreateExportTaskInput{LogGroupName: aws.String("g"), From: aws.Int64(0), To: aws.Int64(now + 2), Destination: aws.String("export-split")})
	if x := e.waitExport(id); x.Status.Code != types.ExportTaskStatusCodeCompleted {
		t.Fatalf("task %+v", x.Status)
	}
	for i, msg := range []string{"first batch of events, long enough", "second batch of events, long enough", "third"} {
		got := gunzip(t, e.object("export-split", "exportedlogs/"+id+"/s/00000"+strconv.Itoa(i)+".gz"))
		if !strings.HasSuffix(got, " "+msg+"\n") || strings.Count(got, "\n") != 1 {
			t.Fatalf("file %d: %q", i, got)
		}
	}
	if keys := e.keys("export-split"); len(keys) != 4 {
		t.Fatalf("keys %q", keys)
	}
}

// S3 decides each write again: a bucket policy withdrawn after CreateExportTask makes
// the task fail, with the answer CloudWatch Logs got.
func TestExportFailsWhenBucketClosesLater(t *testing.T) {
	e := newEnv(t)
	e.bucket("export-later", exportPolicy("export-later", account, true))
	e.group("g")
	e.stream("g", "s")
	e.put("g", "s", e.now(), "never written")
	release := logs.HoldExports("start")
	defer release()
	id := e.export(&cwl.CreateExportTaskInput{LogGroupName: aws.String("g"), From: aws.Int64(0), To: aws.Int64(e.now() + 1), Destination: aws.String("export-later")})
	apptest.Must(e.s3().DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String("export-later")}))
	release()
	x := e.waitExport(id)
	if x.Status.Code != types.ExportTaskStatusCodeFailed || x.ExecutionInfo.CompletionTime == nil ||
		aws.ToString(x.Status.Message) != "PutObject call on the given bucket failed. Please check if CloudWatch Logs has been granted permission to perform this operation." {
		t.Fatalf("task %+v", x.Status)
	}
	if keys := e.keys("export-later"); len(keys) != 1 {
		t.Fatalf("keys %q", keys)
	}
	// The account's slot is free again.
	e.bucket("export-again", exportPolicy("export-again", account, true))
	e.export(&cwl.CreateExportTaskInput{LogGroupName: aws.String("g"), From: aws.Int64(0), To: aws.Int64(e.now() + 1), Destination: aws.String("export-again")})
}
