package logs_test

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/palisade/palisade/internal/app/apptest"
	"github.com/palisade/palisade/internal/service/logs"
)

// dataDirHolds reports whether any file under dir contains s.
func dataDirHolds(t *testing.T, dir, s string) bool {
	t.Helper()
	found := false
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		b, err := os.ReadFile(p)
		if err == nil && bytes.Contains(b, []byte(s)) {
			found = true
		}
		return nil
	})
	return found
}

// A group with a KMS key keeps its events under that key: nothing of them is on disk
// in the clear, they read back (also after a restart, when only KMS can open the data
// keys), and once the key is disabled CloudWatch Logs can neither store nor return
// them — within the five minutes a data key is reused — until it is enabled again.
// Disassociating the key stops encrypting new events; old ones still need the key.
func TestLogDataUnderGroupKey(t *testing.T) {
	dir := t.TempDir()
	p := apptest.StartIn(t, dir)
	e := &env{T: t, p: p, logs: cwl.NewFromConfig(p.RootConfig())}
	key := e.logsKey(true)
	apptest.Must(e.logs.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String("enc"), KmsKeyId: aws.String(key)}))
	e.group("plain")
	e.stream("enc", "s")
	e.stream("plain", "s")
	put := func(group, marker string, n int) error {
		now := e.now()
		evs := make([]types.InputLogEvent, n)
		for i := range evs {
			evs[i] = types.InputLogEvent{Timestamp: aws.Int64(now - int64(n-i)), Message: aws.String(fmt.Sprintf("%s-%03d secret payload", marker, i))}
		}
		_, err := e.logs.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String("s"), LogEvents: evs})
		return err
	}
	count := func(group, pattern string) (int, error) {
		out, err := e.logs.FilterLogEvents(ctx, &cwl.FilterLogEventsInput{LogGroupName: aws.String(group), FilterPattern: aws.String(pattern)})
		if err != nil {
			return 0, err
		}
		return len(out.Events), nil
	}
	// The first batch asks KMS for a data key in its transaction; the second reuses it.
	apptest.Must(0, put("enc", "ALPHAMARK", 100))
	apptest.Must(0, put("enc", "BRAVOMARK", 100))
	apptest.Must(0, put("plain", "CHARLIEMARK", 100))
	// The pattern does not spell the marker out: CloudTrail records FilterLogEvents'
	// filterPattern, and the record is on disk in the clear, as AWS's is.
	if n := apptest.Must(count("enc", "%ALPHAMAR[K]%")); n != 100 {
		t.Fatalf("%d ALPHAMARK events, want 100", n)
	}
	p.Stop()
	if dataDirHolds(t, dir, "ALPHAMARK") || dataDirHolds(t, dir, "BRAVOMARK") {
		t.Fatal("events of the encrypted group are on disk in the clear")
	}
	if !dataDirHolds(t, dir, "CHARLIEMARK") {
		t.Fatal("the plaintext group's events are not where the test looks: it proves nothing")
	}

	p = apptest.StartIn(t, dir)
	e = &env{T: t, p: p, logs: cwl.NewFromConfig(p.RootConfig())}
	if n := apptest.Must(count("enc", "secret")); n != 200 {
		t.Fatalf("%d events after the restart, want 200", n)
	}
	got := apptest.Must(e.logs.GetLogEvents(ctx, &cwl.GetLogEventsInput{LogGroupName: aws.String("enc"), LogStreamName: aws.String("s"), StartFromHead: aws.Bool(true)}))
	if len(got.Events) != 200 || aws.ToString(got.Events[0].Message) != "ALPHAMARK-000 secret payload" {
		t.Fatalf("GetLogEvents: %d events", len(got.Events))
	}

	km := kms.NewFromConfig(p.RootConfig())
	apptest.Must(km.DisableKey(ctx, &kms.DisableKeyInput{KeyId: aws.String(key)}))
	p.AdvanceClock(6 * time.Minute)
	denied := "The specified KMS key does not exist or is not allowed to be used with Arn 'arn:aws:logs:us-east-1:" + account + ":log-group:enc'"
	wantError(t, put("enc", "DELTAMARK", 10), "AccessDeniedException", 400, denied)
	_, err := count("enc", "secret")
	wantError(t, err, "AccessDeniedException", 400, denied)
	_, err = e.logs.GetLogEvents(ctx, &cwl.GetLogEventsInput{LogGroupName: aws.String("enc"), LogStreamName: aws.String("s")})
	wantError(t, err, "AccessDeniedException", 400, denied)
	if n := apptest.Must(count("plain", "secret")); n != 100 {
		t.Fatalf("the plaintext group: %d events, want 100", n)
	}

	apptest.Must(km.EnableKey(ctx, &kms.EnableKeyInput{KeyId: aws.String(key)}))
	apptest.Must(0, put("enc", "ECHOMARK", 10))
	if n := apptest.Must(count("enc", "secret")); n != 210 {
		t.Fatalf("%d events with the key enabled again, want 210", n)
	}

	apptest.Must(e.logs.DisassociateKmsKey(ctx, &cwl.DisassociateKmsKeyInput{LogGroupName: aws.String("enc")}))
	e.stream("enc", "after")
	e.put("enc", "after", e.now()-10, "FOXTROTMARK secret payload")
	apptest.Must(km.DisableKey(ctx, &kms.DisableKeyInput{KeyId: aws.String(key)}))
	p.AdvanceClock(6 * time.Minute)
	// Events ingested after the key left are readable; those from before are not.
	out := apptest.Must(e.logs.FilterLogEvents(ctx, &cwl.FilterLogEventsInput{LogGroupName: aws.String("enc"), LogStreamNames: []string{"after"}}))
	if len(out.Events) != 1 || aws.ToString(out.Events[0].Message) != "FOXTROTMARK secret payload" {
		t.Fatalf("events ingested after DisassociateKmsKey: %v", out.Events)
	}
	_, err = count("enc", "secret")
	wantError(t, err, "AccessDeniedException", 400, denied)
}

// Events another service delivers (CloudTrail into its trail's group) are stored under
// the group's key too, with a data key KMS gives CloudWatch Logs in that delivery's
// transaction.
func TestDeliveredEventsUnderGroupKey(t *testing.T) {
	dir := t.TempDir()
	p := apptest.StartIn(t, dir)
	e := &env{T: t, p: p, logs: cwl.NewFromConfig(p.RootConfig())}
	key := e.logsKey(true)
	apptest.Must(e.logs.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String("trail"), KmsKeyId: aws.String(key)}))
	now := e.now()
	var evs []logs.Event
	for i := range 20 {
		evs = append(evs, logs.Event{Timestamp: now - int64(20-i), Message: fmt.Sprintf("GOLFMARK record %d", i)})
	}
	if err := p.App.Logs.PutEventsAsService(ctx, account, "us-east-1", "trail", "delivery", evs); err != nil {
		t.Fatal(err)
	}
	out := apptest.Must(e.logs.FilterLogEvents(ctx, &cwl.FilterLogEventsInput{LogGroupName: aws.String("trail"), FilterPattern: aws.String("%GOLFMAR[K]%")}))
	if len(out.Events) != 20 {
		t.Fatalf("%d delivered events read back, want 20", len(out.Events))
	}
	p.Stop()
	if dataDirHolds(t, dir, "GOLFMARK") {
		t.Fatal("delivered events are on disk in the clear")
	}
}
