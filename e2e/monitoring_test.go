package e2e

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

func decodeJSON(t *testing.T, out string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(out), v); err != nil {
		t.Fatalf("not JSON: %s", out)
	}
}

// CloudWatch Logs through both CLIs: groups, streams, the PutLogEvents rules, the
// filter pattern language, metric filters.
func TestLogsThroughTheCLI(t *testing.T) {
	s := start(t, t.TempDir(), withRootKey()...)
	for _, c := range clis(t) {
		t.Run(c.name, func(t *testing.T) {
			g := "app-" + strings.ReplaceAll(c.name, "/", "-")
			root := func(args ...string) (string, bool) { return c.run(s, rootAK, rootSK, args...) }
			if out, ok := root("logs", "create-log-group", "--log-group-name", g); !ok {
				t.Fatalf("create-log-group: %s", out)
			}
			out, ok := root("logs", "create-log-group", "--log-group-name", g)
			expectError(t, out, ok, "ResourceAlreadyExistsException")
			root("logs", "create-log-stream", "--log-group-name", g, "--log-stream-name", "s")
			now := s.now(t).UnixMilli()
			events := fmt.Sprintf(`[{"timestamp":%d,"message":"{\"errorCode\":\"AccessDenied\",\"n\":5}"},{"timestamp":%d,"message":"{\"errorCode\":\"None\",\"n\":50}"},{"timestamp":%d,"message":"ERROR disk full"}]`, now, now+1, now+2)
			if out, ok := root("logs", "put-log-events", "--log-group-name", g, "--log-stream-name", "s", "--log-events", events); !ok || !strings.Contains(out, "nextSequenceToken") {
				t.Fatalf("put-log-events: %s", out)
			}
			out, ok = root("logs", "put-log-events", "--log-group-name", g, "--log-stream-name", "s", "--log-events",
				fmt.Sprintf(`[{"timestamp":%d,"message":"b"},{"timestamp":%d,"message":"a"}]`, now, now-1))
			expectError(t, out, ok, "InvalidParameterException")
			out, ok = root("logs", "filter-log-events", "--log-group-name", g, "--filter-pattern", `{ ($.errorCode = "AccessDenied*") && ($.n < 10) }`)
			var f struct {
				Events []struct{ Message, LogStreamName string }
			}
			decodeJSON(t, out, &f)
			if !ok || len(f.Events) != 1 || f.Events[0].LogStreamName != "s" {
				t.Fatalf("filter-log-events: %s", out)
			}
			out, _ = root("logs", "filter-log-events", "--log-group-name", g, "--filter-pattern", "?ERROR ?None")
			decodeJSON(t, out, &f)
			if len(f.Events) != 2 {
				t.Fatalf("OR terms: %s", out)
			}
			out, ok = root("logs", "get-log-events", "--log-group-name", g, "--log-stream-name", "s", "--start-from-head")
			if !ok || strings.Count(out, `"ingestionTime"`) != 3 {
				t.Fatalf("get-log-events: %s", out)
			}
			out, ok = root("logs", "test-metric-filter", "--filter-pattern", "[ip, user, ts, request, status=4*, bytes]",
				"--log-event-messages", `1.2.3.4 - [x] "GET /" 404 12`, "ok")
			if !ok || !strings.Contains(out, `"$status": "404"`) || !strings.Contains(out, `"eventNumber": 1`) {
				t.Fatalf("test-metric-filter: %s", out)
			}
			out, ok = root("logs", "put-metric-filter", "--log-group-name", g, "--filter-name", "bad", "--filter-pattern", "{ $.x = ",
				"--metric-transformations", "metricName=M,metricNamespace=N,metricValue=1")
			expectError(t, out, ok, "InvalidParameterException")
			out, ok = root("logs", "describe-log-groups", "--log-group-name-prefix", g)
			if !ok || !strings.Contains(out, `"arn": "arn:aws:logs:us-east-1:000000000000:log-group:`+g+`:*"`) {
				t.Fatalf("describe-log-groups: %s", out)
			}
		})
	}
}

// CloudWatch through both CLIs, whichever protocol each speaks (CLI v1 with botocore
// 1.43 and Debian's CLI v2.9 choose differently): metrics, alarms, history, errors.
func TestCloudWatchThroughTheCLI(t *testing.T) {
	s := start(t, t.TempDir(), withRootKey()...)
	for _, c := range clis(t) {
		t.Run(c.name, func(t *testing.T) {
			ns := "NS" + strconv.Itoa(len(c.name))
			root := func(args ...string) (string, bool) { return c.run(s, rootAK, rootSK, args...) }
			if out, ok := root("cloudwatch", "put-metric-data", "--namespace", ns, "--metric-name", "Errors", "--value", "3", "--unit", "Count"); !ok {
				t.Fatalf("put-metric-data: %s", out)
			}
			end := time.UnixMilli(s.now(t).UnixMilli()).Add(time.Minute).UTC().Format(time.RFC3339)
			begin := time.UnixMilli(s.now(t).UnixMilli()).Add(-10 * time.Minute).UTC().Format(time.RFC3339)
			out, ok := root("cloudwatch", "get-metric-statistics", "--namespace", ns, "--metric-name", "Errors", "--start-time", begin,
				"--end-time", end, "--period", "60", "--statistics", "Sum")
			// CLI v1 (JSON 1.0) prints the number as the wire has it, v2 as a float.
			if !ok || !strings.Contains(out, `"Sum": 3`) || !strings.Contains(out, `"Unit": "Count"`) {
				t.Fatalf("get-metric-statistics: %s", out)
			}
			out, ok = root("cloudwatch", "list-metrics", "--namespace", ns)
			if !ok || !strings.Contains(out, `"MetricName": "Errors"`) {
				t.Fatalf("list-metrics: %s", out)
			}
			// The alarm watches a metric without data, so that its own evaluations leave
			// it in INSUFFICIENT_DATA whenever they run: on Errors, one that ran after
			// the minute of the datapoint ended would put it in ALARM before
			// set-alarm-state does.
			alarm := "errors-" + ns
			if out, ok := root("cloudwatch", "put-metric-alarm", "--alarm-name", alarm, "--namespace", ns, "--metric-name", "Quiet",
				"--statistic", "Sum", "--period", "60", "--evaluation-periods", "1", "--threshold", "1", "--comparison-operator", "GreaterThanOrEqualToThreshold"); !ok {
				t.Fatalf("put-metric-alarm: %s", out)
			}
			out, ok = root("cloudwatch", "put-metric-alarm", "--alarm-name", "x", "--namespace", ns, "--metric-name", "Errors",
				"--statistic", "Sum", "--period", "45", "--evaluation-periods", "1", "--threshold", "1", "--comparison-operator", "GreaterThanThreshold")
			expectError(t, out, ok, "InvalidParameterValue")
			if out, ok := root("cloudwatch", "set-alarm-state", "--alarm-name", alarm, "--state-value", "ALARM", "--state-reason", "drill"); !ok {
				t.Fatalf("set-alarm-state: %s", out)
			}
			out, ok = root("cloudwatch", "describe-alarms", "--alarm-names", alarm)
			if !ok || !strings.Contains(out, `"StateValue": "ALARM"`) || !strings.Contains(out, `"StateReason": "drill"`) {
				t.Fatalf("describe-alarms: %s", out)
			}
			out, ok = root("cloudwatch", "describe-alarm-history", "--alarm-name", alarm)
			if !ok || !strings.Contains(out, "Alarm updated from INSUFFICIENT_DATA to ALARM") {
				t.Fatalf("describe-alarm-history: %s", out)
			}
			// A composite alarm over it is evaluated at once (its reason says it was
			// created, as AWS's does), and keeps it from deletion.
			composite := "page-" + ns
			if out, ok := root("cloudwatch", "put-composite-alarm", "--alarm-name", composite, "--alarm-rule", `ALARM("`+alarm+`") AND NOT FALSE`); !ok {
				t.Fatalf("put-composite-alarm: %s", out)
			}
			out, ok = root("cloudwatch", "describe-alarms", "--alarm-types", "CompositeAlarm", "--alarm-names", composite)
			if !ok || !strings.Contains(out, `"StateValue": "ALARM"`) || !strings.Contains(out, `"AlarmRule": "ALARM(\"`+alarm+`\") AND NOT FALSE"`) ||
				!strings.Contains(out, "alarm:"+composite+" was created and its alarm rule evaluates to ALARM") {
				t.Fatalf("describe-alarms (composite): %s", out)
			}
			out, ok = root("cloudwatch", "delete-alarms", "--alarm-names", alarm)
			expectError(t, out, ok, "ValidationError")
			if !strings.Contains(out, "Cannot delete "+alarm+" as there are composite alarm(s) depending on it.") {
				t.Fatalf("delete-alarms: %s", out)
			}
			out, ok = root("cloudwatch", "put-composite-alarm", "--alarm-name", "bad", "--alarm-rule", "ALARM(nope)")
			expectError(t, out, ok, "ValidationError")
			out, ok = root("cloudwatch", "set-alarm-state", "--alarm-name", "missing", "--state-value", "OK", "--state-reason", "x")
			expectError(t, out, ok, "ResourceNotFound")
		})
	}
}

// SNS through both CLIs (query protocol): topics, subscriptions, publish, errors.
func TestSNSThroughTheCLI(t *testing.T) {
	s := start(t, t.TempDir(), withRootKey()...)
	for _, c := range clis(t) {
		t.Run(c.name, func(t *testing.T) {
			root := func(args ...string) (string, bool) { return c.run(s, rootAK, rootSK, args...) }
			name := "t" + strconv.Itoa(len(c.name))
			out, ok := root("sns", "create-topic", "--name", name, "--attributes", "DisplayName=Ops")
			topic := jsonField(t, out, "TopicArn")
			if !ok || topic != "arn:aws:sns:us-east-1:000000000000:"+name {
				t.Fatalf("create-topic: %s", out)
			}
			out, ok = root("sns", "get-topic-attributes", "--topic-arn", topic)
			if !ok || !strings.Contains(out, `"DisplayName": "Ops"`) || !strings.Contains(out, `AWS:SourceOwner`) {
				t.Fatalf("get-topic-attributes: %s", out)
			}
			out, ok = root("sns", "subscribe", "--topic-arn", topic, "--protocol", "email", "--notification-endpoint", "ops@example.com")
			if !ok || jsonField(t, out, "SubscriptionArn") != "pending confirmation" {
				t.Fatalf("subscribe: %s", out)
			}
			out, ok = root("sns", "publish", "--topic-arn", topic, "--message", "hello", "--message-attributes", `{"k":{"DataType":"String","StringValue":"v"}}`)
			if !ok || jsonField(t, out, "MessageId") == "" {
				t.Fatalf("publish: %s", out)
			}
			out, ok = root("sns", "publish", "--topic-arn", topic+"-missing", "--message", "x")
			expectError(t, out, ok, "NotFound")
			out, ok = root("sns", "subscribe", "--topic-arn", topic, "--protocol", "smoke-signal", "--notification-endpoint", "x")
			expectError(t, out, ok, "InvalidParameter")
			out, ok = root("sns", "list-subscriptions-by-topic", "--topic-arn", topic)
			if !ok || !strings.Contains(out, `"SubscriptionArn": "PendingConfirmation"`) {
				t.Fatalf("list-subscriptions-by-topic: %s", out)
			}
		})
	}
}

// SQS through both CLIs: v1 (botocore 1.43) speaks SQS's JSON protocol, Debian's v2.9
// its query protocol (flattened Attribute.N.Name, XML answers), as AWS still serves both.
func TestSQSThroughTheCLI(t *testing.T) {
	s := start(t, t.TempDir(), withRootKey()...)
	for _, c := range clis(t) {
		t.Run(c.name, func(t *testing.T) { sqsThroughTheCLI(t, s, c) })
	}
}

func sqsThroughTheCLI(t *testing.T, s *server, c cli) {
	root := func(args ...string) (string, bool) { return c.run(s, rootAK, rootSK, args...) }
	name := "jobs-" + strings.NewReplacer("/", "-", ".", "-").Replace(c.name)
	out, ok := root("sqs", "create-queue", "--queue-name", name, "--attributes", "VisibilityTimeout=30")
	q := jsonField(t, out, "QueueUrl")
	if !ok || q != s.URL+"/000000000000/"+name {
		t.Fatalf("create-queue: %s", out)
	}
	if out, ok := root("sqs", "send-message", "--queue-url", q, "--message-body", "work", "--message-attributes", `{"k":{"DataType":"String","StringValue":"v"}}`); !ok {
		t.Fatalf("send-message: %s", out)
	}
	if out, ok := root("sqs", "send-message-batch", "--queue-url", q, "--entries", "Id=a,MessageBody=one", "Id=b,MessageBody=two"); !ok || strings.Count(out, `"MessageId"`) != 2 {
		t.Fatalf("send-message-batch: %s", out)
	}
	out, ok = root("sqs", "receive-message", "--queue-url", q, "--message-attribute-names", "All", "--attribute-names", "All", "--max-number-of-messages", "10")
	var r struct {
		Messages []struct {
			Body, ReceiptHandle string
			Attributes          map[string]string
			MessageAttributes   map[string]struct{ StringValue string }
		}
	}
	decodeJSON(t, out, &r)
	if !ok || len(r.Messages) != 3 || r.Messages[0].Body != "work" || r.Messages[0].Attributes["ApproximateReceiveCount"] != "1" ||
		r.Messages[0].MessageAttributes["k"].StringValue != "v" {
		t.Fatalf("receive-message: %s", out)
	}
	for _, m := range r.Messages {
		if out, ok := root("sqs", "delete-message", "--queue-url", q, "--receipt-handle", m.ReceiptHandle); !ok {
			t.Fatalf("delete-message: %s", out)
		}
	}
	out, ok = root("sqs", "get-queue-attributes", "--queue-url", q, "--attribute-names", "All")
	if !ok || !strings.Contains(out, `"ApproximateNumberOfMessages": "0"`) || !strings.Contains(out, `"QueueArn": "arn:aws:sqs:us-east-1:000000000000:`+name+`"`) {
		t.Fatalf("get-queue-attributes: %s", out)
	}
	out, ok = root("sqs", "get-queue-url", "--queue-name", "missing")
	expectError(t, out, ok, "AWS.SimpleQueueService.NonExistentQueue")
	out, ok = root("sqs", "create-queue", "--queue-name", name, "--attributes", "VisibilityTimeout=31")
	expectError(t, out, ok, "QueueAlreadyExists")
	if !c.v1 {
		return // Debian's aws CLI 2.9 predates message move tasks
	}
	// DLQ redrive: only a dead-letter queue can be a source.
	dlq := jsonField(t, c.must(t, s, "sqs", "create-queue", "--queue-name", name+"-dlq"), "QueueUrl")
	dlqARN := "arn:aws:sqs:us-east-1:000000000000:" + name + "-dlq"
	redrive, _ := json.Marshal(map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"` + dlqARN + `","maxReceiveCount":"1"}`})
	c.must(t, s, "sqs", "set-queue-attributes", "--queue-url", q, "--attributes", string(redrive))
	c.must(t, s, "sqs", "send-message", "--queue-url", dlq, "--message-body", "stuck")
	out, ok = root("sqs", "start-message-move-task", "--source-arn", "arn:aws:sqs:us-east-1:000000000000:"+name)
	expectError(t, out, ok, "InvalidParameterValue")
	out, ok = root("sqs", "start-message-move-task", "--source-arn", dlqARN, "--destination-arn", "arn:aws:sqs:us-east-1:000000000000:"+name,
		"--max-number-of-messages-per-second", "10")
	if !ok || jsonField(t, out, "TaskHandle") == "" {
		t.Fatalf("start-message-move-task: %s", out)
	}
	out, ok = root("sqs", "list-message-move-tasks", "--source-arn", dlqARN)
	if !ok || !strings.Contains(out, `"SourceArn": "`+dlqARN+`"`) || !strings.Contains(out, `"ApproximateNumberOfMessagesToMove": 1`) {
		t.Fatalf("list-message-move-tasks: %s", out)
	}
	out, ok = root("sqs", "cancel-message-move-task", "--task-handle", "bad")
	expectError(t, out, ok, "InvalidParameterValue")
}

// newCLIUser creates an IAM user with a key through the CLI.
func newCLIUser(t *testing.T, c cli, s *server, name string) (string, string) {
	t.Helper()
	c.run(s, rootAK, rootSK, "iam", "create-user", "--user-name", name)
	out, ok := c.run(s, rootAK, rootSK, "iam", "create-access-key", "--user-name", name)
	var k struct {
		AccessKey struct{ AccessKeyId, SecretAccessKey string }
	}
	if !ok || json.Unmarshal([]byte(out), &k) != nil {
		t.Fatalf("create-access-key: %s", out)
	}
	return k.AccessKey.AccessKeyId, k.AccessKey.SecretAccessKey
}

// setUpChain builds the CIS "unauthorized API calls" monitoring with the CLI: a
// metric filter on the trail's log group, an alarm on its metric, an SNS topic, and
// an SQS queue subscribed to it with a policy that lets SNS send.
func setUpChain(t *testing.T, c cli, s *server) (queueURL string) {
	t.Helper()
	root := func(args ...string) string { t.Helper(); return c.must(t, s, args...) }
	root("logs", "create-log-group", "--log-group-name", "ct")
	root("logs", "put-metric-filter", "--log-group-name", "ct", "--filter-name", "unauth", "--filter-pattern",
		`{($.errorCode="*UnauthorizedOperation") || ($.errorCode="AccessDenied*")}`,
		"--metric-transformations", "metricName=UnauthorizedAPICalls,metricNamespace=CIS,metricValue=1")
	topic := jsonField(t, root("sns", "create-topic", "--name", "alarms"), "TopicArn")
	q := jsonField(t, root("sqs", "create-queue", "--queue-name", "alerts"), "QueueUrl")
	qarn := "arn:aws:sqs:us-east-1:000000000000:alerts"
	policy, _ := json.Marshal(map[string]string{"Policy": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},"Action":"sqs:SendMessage","Resource":"` + qarn + `"}]}`})
	root("sqs", "set-queue-attributes", "--queue-url", q, "--attributes", string(policy))
	root("sns", "subscribe", "--topic-arn", topic, "--protocol", "sqs", "--notification-endpoint", qarn)
	root("cloudwatch", "put-metric-alarm", "--alarm-name", "unauth", "--namespace", "CIS", "--metric-name", "UnauthorizedAPICalls",
		"--statistic", "Sum", "--period", "300", "--evaluation-periods", "1", "--threshold", "1",
		"--comparison-operator", "GreaterThanOrEqualToThreshold", "--alarm-actions", topic)
	return q
}

// awaitAlarm advances the clock past CloudTrail's delivery interval, then a minute at
// a time until the alarm is in ALARM, and reads the alarm message from the queue.
func awaitAlarm(t *testing.T, c cli, s *server, q string) {
	t.Helper()
	state := ""
	// CloudTrail delivers every five minutes of the clock; alarms evaluate each minute.
	s.advance(t, 240)
	for range 10 {
		s.advance(t, 60)
		out, _ := c.run(s, rootAK, rootSK, "cloudwatch", "describe-alarms", "--alarm-names", "unauth")
		var d struct{ MetricAlarms []struct{ StateValue string } }
		decodeJSON(t, out, &d)
		if state = d.MetricAlarms[0].StateValue; state == "ALARM" {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if state != "ALARM" {
		t.Fatalf("alarm state %s after the denied call", state)
	}
	out, ok := c.run(s, rootAK, rootSK, "sqs", "receive-message", "--queue-url", q, "--wait-time-seconds", "5")
	var r struct{ Messages []struct{ Body string } }
	decodeJSON(t, out, &r)
	if !ok || len(r.Messages) != 1 {
		t.Fatalf("receive-message: %s", out)
	}
	var env struct{ Type, Subject, Message string }
	decodeJSON(t, r.Messages[0].Body, &env)
	var m struct{ AlarmName, NewStateValue, OldStateValue, NewStateReason string }
	decodeJSON(t, env.Message, &m)
	if env.Type != "Notification" || env.Subject != `ALARM: "unauth" in US East (N. Virginia)` || m.AlarmName != "unauth" || m.NewStateValue != "ALARM" ||
		!strings.HasPrefix(m.NewStateReason, "Threshold Crossed: 1 datapoint [1.0 (") {
		t.Fatalf("alarm message: %s", r.Messages[0].Body)
	}
}

// The CIS "unauthorized API calls" chain with the real aws CLI: a trail delivers to a
// log group (--cloud-watch-logs-log-group-arn, with a role CloudTrail may assume); a
// test user's call is denied; CloudTrail delivers its record to the log group; the
// metric filter counts it; the alarm goes to ALARM as the clock is advanced; the
// queue receives AWS's alarm message.
func TestUnauthorizedAPICallsChain(t *testing.T) {
	s := start(t, t.TempDir(), withRootKey()...)
	c := clis(t)[0]
	q := setUpChain(t, c, s)
	root := func(args ...string) string { t.Helper(); return c.must(t, s, args...) }
	role := root("iam", "create-role", "--role-name", "ct2cw", "--assume-role-policy-document",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)
	var r struct{ Role struct{ Arn string } }
	decodeJSON(t, role, &r)
	root("iam", "put-role-policy", "--role-name", "ct2cw", "--policy-name", "logs", "--policy-document",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:CreateLogStream","logs:PutLogEvents"],"Resource":"*"}]}`)
	root("s3api", "create-bucket", "--bucket", "trail")
	root("s3api", "put-bucket-policy", "--bucket", "trail", "--policy",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":["s3:GetBucketAcl","s3:PutObject"],"Resource":["arn:aws:s3:::trail","arn:aws:s3:::trail/*"]}]}`)
	root("cloudtrail", "create-trail", "--name", "main-trail", "--s3-bucket-name", "trail",
		"--cloud-watch-logs-log-group-arn", "arn:aws:logs:us-east-1:000000000000:log-group:ct:*", "--cloud-watch-logs-role-arn", r.Role.Arn)
	root("cloudtrail", "start-logging", "--name", "main-trail")
	ak, sk := newCLIUser(t, c, s, "intruder")
	out, ok := c.run(s, ak, sk, "iam", "list-users")
	expectError(t, out, ok, "AccessDenied")
	awaitAlarm(t, c, s, q)
}

// An HTTP subscriber on loopback, written as users write one (Python, with the
// cryptography package), confirms its subscription and checks the signature of every
// message against the certificate Palisade serves, for both signature versions.
func TestHTTPSubscriberVerifiesSignatures(t *testing.T) {
	if exec.Command("python3", "-c", "import cryptography, boto3").Run() != nil {
		t.Fatal("python3 with cryptography and boto3 is needed (pip install cryptography boto3)")
	}
	s := start(t, t.TempDir(), withRootKey()...)
	addr := freeAddr(t)
	port := addr[strings.LastIndexByte(addr, ':')+1:]
	cmd := exec.Command("python3", "testdata/sns_subscriber.py", port, s.URL)
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID="+rootAK, "AWS_SECRET_ACCESS_KEY="+rootSK, "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	lines := make(chan map[string]any, 10)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			var m map[string]any
			if json.Unmarshal(sc.Bytes(), &m) == nil {
				lines <- m
			}
		}
		close(lines)
	}()
	next := func() map[string]any {
		t.Helper()
		select {
		case m, ok := <-lines:
			if !ok {
				t.Fatal("the subscriber exited")
			}
			return m
		case <-time.After(15 * time.Second):
			t.Fatal("no message at the subscriber")
		}
		return nil
	}
	if m := next(); m["type"] != "listening" {
		t.Fatalf("subscriber: %v", m)
	}
	c := clis(t)[0]
	root := func(args ...string) string { t.Helper(); return c.must(t, s, args...) }
	topic := jsonField(t, root("sns", "create-topic", "--name", "hooks"), "TopicArn")
	root("sns", "subscribe", "--topic-arn", topic, "--protocol", "http", "--notification-endpoint", "http://"+addr+"/sns")
	conf := next()
	if conf["type"] != "SubscriptionConfirmation" || conf["verified"] != true || !strings.HasPrefix(fmt.Sprint(conf["confirmed"]), topic+":") {
		t.Fatalf("confirmation at the subscriber: %v", conf)
	}
	root("sns", "publish", "--topic-arn", topic, "--message", "signed with SHA1", "--subject", "v1")
	if m := next(); m["type"] != "Notification" || m["verified"] != true || m["message"] != "signed with SHA1" || m["header"] != "Notification" {
		t.Fatalf("SignatureVersion 1 notification: %v", m)
	}
	root("sns", "set-topic-attributes", "--topic-arn", topic, "--attribute-name", "SignatureVersion", "--attribute-value", "2")
	root("sns", "publish", "--topic-arn", topic, "--message", "signed with SHA256")
	if m := next(); m["verified"] != true || m["message"] != "signed with SHA256" {
		t.Fatalf("SignatureVersion 2 notification: %v", m)
	}
}
