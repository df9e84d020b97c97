package e2e

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/palisade/palisade/internal/app/apptest"
	ct "github.com/palisade/palisade/internal/service/cloudtrail"
	"github.com/palisade/palisade/internal/service/cloudtrail/cttest"
)

// Delivery survives kill -9: while 16 clients create users and the clock moves five
// minutes at a time (so log files are being delivered under load), Palisade is killed;
// after a restart and one more delivery, every creation a client saw succeed is in the
// delivered log files exactly once, no record is in two files, and the digests still
// validate. The files are read back from the bucket through S3: those composed
// before the kill but not yet written are written at the restart.
func TestDeliveryExactlyOnceAcrossKillNine(t *testing.T) {
	dir := t.TempDir()
	s := start(t, dir, withRootKey()...)
	cfg := s.rootConfig()
	ctx := context.Background()
	trails := cloudtrail.NewFromConfig(cfg)
	cttest.Bucket(t, cfg, "crash-bucket")
	if _, err := trails.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("crash"), S3BucketName: aws.String("crash-bucket"), EnableLogFileValidation: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	if _, err := trails.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("crash")}); err != nil {
		t.Fatal(err)
	}
	client := iam.NewFromConfig(cfg)
	acked := createUsersUntilKilled(t, s, client, "c", 2*time.Second, func(ctx context.Context) {
		for ctx.Err() == nil {
			time.Sleep(150 * time.Millisecond)
			// A delivery every tick, under load; the advance fails once the server is
			// killed, which is expected.
			req, _ := http.NewRequest(http.MethodPost, s.URL+"/_palisade/clock", strings.NewReader(`{"advance_seconds":300}`))
			req.Header.Set("Authorization", "Bearer "+adminToken)
			if resp, err := http.DefaultClient.Do(req); err == nil {
				resp.Body.Close()
			}
		}
	})

	// Restart (in process, on the same data directory) and deliver the rest.
	p := apptest.StartIn(t, dir)
	p.Clock.Advance(2 * time.Hour)
	cttest.Settle(t, p)
	files := cttest.Files(t, p.RootConfig(), "crash-bucket")
	created := map[string]int{}
	eventIDs := map[string]bool{}
	logs := 0
	for _, f := range files {
		if f.Kind != "log" {
			continue
		}
		logs++
		var doc struct{ Records []map[string]any }
		if err := json.Unmarshal(cttest.Gunzip(t, f.Body), &doc); err != nil {
			t.Fatalf("%s: %v", f.Key, err)
		}
		for _, r := range doc.Records {
			id := r["eventID"].(string)
			if eventIDs[id] {
				t.Fatalf("record %s delivered twice", id)
			}
			eventIDs[id] = true
			if r["eventName"] == "CreateUser" && r["errorCode"] == nil {
				created[r["requestParameters"].(map[string]any)["userName"].(string)]++
			}
		}
	}
	for _, name := range acked {
		if created[name] != 1 {
			t.Fatalf("acknowledged CreateUser %s is in the delivered logs %d times", name, created[name])
		}
	}
	t.Logf("%d creations acknowledged before kill -9, %d records in %d log files", len(acked), len(eventIDs), logs)

	// The digests still validate.
	out := t.TempDir()
	cttest.WriteDir(t, out, files)
	keys, err := cloudtrail.NewFromConfig(p.RootConfig()).ListPublicKeys(ctx, &cloudtrail.ListPublicKeysInput{
		StartTime: aws.Time(p.Clock.Now().Add(-24 * time.Hour)), EndTime: aws.Time(p.Clock.Now())})
	if err != nil {
		t.Fatal(err)
	}
	var doc struct{ PublicKeyList []map[string]string }
	for _, k := range keys.PublicKeyList {
		doc.PublicKeyList = append(doc.PublicKeyList, map[string]string{"Value": base64.StdEncoding.EncodeToString(k.Value), "Fingerprint": *k.Fingerprint})
	}
	b, _ := json.Marshal(doc)
	pub, err := ct.ParsePublicKeys(b)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := ct.Validate(os.DirFS(out), pub)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		t.Fatalf("digests after the crash: %+v", rep.Results)
	}
	if _, total := rep.Invalid("digest"); total == 0 {
		t.Fatal("no digest after two hours")
	}
}
