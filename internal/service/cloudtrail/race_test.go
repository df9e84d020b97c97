package cloudtrail_test

import (
	"encoding/json"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/palisade/palisade/internal/app/apptest"
	ct "github.com/palisade/palisade/internal/service/cloudtrail"
	"github.com/palisade/palisade/internal/service/cloudtrail/cttest"
)

// LookupEvents pages through the history while calls append to it and the clock moves
// between pages (a second passes, or an admin advances it): every page's NextToken is
// accepted, and no event is returned twice or skipped.
func TestLookupEventsPagesWhileAppendingAndClockMoves(t *testing.T) {
	e := newEnv(t)
	for i := 0; i < 6; i++ {
		apptest.Must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("u" + string(rune('a'+i)))}))
	}
	e.settle()
	for _, in := range []*cloudtrail.LookupEventsInput{
		{MaxResults: aws.Int32(2)},
		// A start earlier than the 90 days kept is the 90 days kept.
		{MaxResults: aws.Int32(2), StartTime: aws.Time(e.p.Clock.Now().Add(-200 * 24 * time.Hour))},
		{MaxResults: aws.Int32(2), LookupAttributes: attr("EventName", "CreateUser").LookupAttributes},
	} {
		seen := map[string]bool{}
		users := 0
		var token *string
		for page := 0; ; page++ {
			in.NextToken = token
			out, err := e.ct.LookupEvents(ctx, in)
			if err != nil {
				t.Fatalf("page %d: %v", page, err)
			}
			for _, ev := range out.Events {
				if seen[*ev.EventId] {
					t.Errorf("event %s (%s) returned twice", *ev.EventId, *ev.EventName)
				}
				seen[*ev.EventId] = true
				if *ev.EventName == "CreateUser" {
					users++
				}
			}
			if out.NextToken == nil {
				break
			}
			token = out.NextToken
			// Between pages: new calls, and the clock moves on.
			apptest.Must(e.iam.ListUsers(ctx, &iam.ListUsersInput{}))
			e.p.Clock.Advance(1500 * time.Millisecond)
		}
		if users != 6 {
			t.Errorf("%v: %d CreateUser events, want 6", in.LookupAttributes, users)
		}
	}
}

// digestsOf decodes the digest files among files.
func digestsOf(t *testing.T, files []ct.File) []ct.Digest {
	t.Helper()
	var out []ct.Digest
	for _, f := range files {
		if f.Kind == "digest" {
			var d ct.Digest
			if err := json.Unmarshal(cttest.Gunzip(t, f.Body), &d); err != nil {
				t.Fatalf("%s: %v", f.Key, err)
			}
			out = append(out, d)
		}
	}
	return out
}

func userNames(t *testing.T, files []ct.File) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, rs := range records(t, files) {
		for _, r := range rs {
			if r["eventName"] == "CreateUser" {
				out[r["requestParameters"].(map[string]any)["userName"].(string)]++
			}
		}
	}
	return out
}

// A trail deleted and created again under the same name before the deleted one's last
// events were delivered: those events go to the deleted trail's bucket, under its
// settings, and its digest chain ends there with a final digest; the new trail starts
// a chain of its own in its bucket, logs only what it was asked to, and its status is
// its own.
func TestTrailRecreatedBeforeDelivery(t *testing.T) {
	for _, restart := range []bool{false, true} {
		t.Run(map[bool]string{false: "logging", true: "stopped"}[restart], func(t *testing.T) {
			e := newEnv(t)
			e.bucket("old-bkt")
			e.bucket("new-bkt")
			apptest.Must(e.ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("main"), S3BucketName: aws.String("old-bkt"), EnableLogFileValidation: aws.Bool(true)}))
			apptest.Must(e.ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("main")}))
			e.advance(70 * time.Minute) // a first hourly digest in the old chain
			apptest.Must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("old")}))
			// The old bucket refuses for a while: its last files wait in the outbox.
			apptest.Must(e.s3.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String("old-bkt")}))
			apptest.Must(e.ct.DeleteTrail(ctx, &cloudtrail.DeleteTrailInput{Name: aws.String("main")}))
			apptest.Must(e.ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("main"), S3BucketName: aws.String("new-bkt"), EnableLogFileValidation: aws.Bool(true)}))
			if !restart {
				apptest.Must(e.ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("main")}))
			}
			apptest.Must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("new")}))
			e.advance(10 * time.Minute)
			st := apptest.Must(e.ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("main")}))
			if st.LatestDeliveryError != nil || st.LatestDigestDeliveryError != nil {
				t.Errorf("the new trail reports the deleted one's errors: %v %v", aws.ToString(st.LatestDeliveryError), aws.ToString(st.LatestDigestDeliveryError))
			}
			e.trailPolicy("old-bkt")
			e.advance(2 * time.Hour)

			oldFiles := cttest.Files(t, e.p.RootConfig(), "old-bkt")
			newFiles := cttest.Files(t, e.p.RootConfig(), "new-bkt")
			if n := userNames(t, oldFiles); n["old"] != 1 || n["new"] != 0 {
				t.Errorf("old bucket holds %v", n)
			}
			want := map[string]int{}
			if !restart {
				want["new"] = 1
			}
			if n := userNames(t, newFiles); n["old"] != want["old"] || n["new"] != want["new"] {
				t.Errorf("new bucket holds %v, want %v", n, want)
			}
			if c := countName(records(t, newFiles), "DeleteTrail"); c != 0 {
				t.Errorf("the deleted trail's DeleteTrail record went to the new trail's bucket")
			}
			// The old chain: starting digest, hourly digest, then the final one listing
			// the last files.
			old := digestsOf(t, oldFiles)
			if len(old) != 3 || aws.ToString(old[1].PreviousDigestS3Object) != old[0].DigestS3Object ||
				aws.ToString(old[2].PreviousDigestS3Object) != old[1].DigestS3Object || len(old[2].LogFiles) == 0 {
				t.Errorf("old chain: %d digests %+v", len(old), old)
			}
			for _, d := range digestsOf(t, newFiles) {
				if d.PreviousDigestS3Bucket != nil && *d.PreviousDigestS3Bucket != "new-bkt" {
					t.Errorf("a new-trail digest chains to %s/%s", *d.PreviousDigestS3Bucket, *d.PreviousDigestS3Object)
				}
			}
			if nd := digestsOf(t, newFiles); !restart && (len(nd) == 0 || nd[0].PreviousDigestS3Object != nil) {
				t.Errorf("new chain does not start afresh: %d digests", len(nd))
			} else if restart && len(nd) != 0 {
				t.Errorf("a trail that never logged has %d digests", len(nd))
			}
		})
	}
}

// Calls race StartLogging and StopLogging while deliveries run on a moving clock: a
// call acknowledged after StartLogging was and before StopLogging was sent is
// delivered, one made wholly while the trail was stopped is not, none is delivered
// twice, and the digest chains (several, one per restart) validate.
func TestLoggingTogglesRaceCallsAndDelivery(t *testing.T) {
	e := newEnv(t)
	e.bucket("bkt")
	apptest.Must(e.ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("main"), S3BucketName: aws.String("bkt"), EnableLogFileValidation: aws.Bool(true)}))
	type span struct{ from, to time.Time } // real time, the trail logging (or not) throughout
	var (
		mu         sync.Mutex
		on, off    []span
		done       = make(chan struct{})
		wg         sync.WaitGroup
		made       sync.Map // user → [2]time.Time{sent, acknowledged}
		togglerErr error
	)
	wg.Add(1)
	go func() { // toggles logging and moves the clock
		defer wg.Done()
		for i := 0; i < 6; i++ {
			if _, err := e.ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("main")}); err != nil {
				togglerErr = err
				break
			}
			b := time.Now()
			time.Sleep(15 * time.Millisecond)
			e.p.Clock.Advance(3 * time.Minute)
			time.Sleep(15 * time.Millisecond)
			c := time.Now()
			if _, err := e.ct.StopLogging(ctx, &cloudtrail.StopLoggingInput{Name: aws.String("main")}); err != nil {
				togglerErr = err
				break
			}
			d := time.Now()
			mu.Lock()
			on = append(on, span{b, c})
			mu.Unlock()
			time.Sleep(15 * time.Millisecond)
			e.p.Clock.Advance(4 * time.Minute)
			time.Sleep(15 * time.Millisecond)
			mu.Lock()
			off = append(off, span{d, time.Now()})
			mu.Unlock()
		}
		close(done)
	}()
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-done:
					return
				default:
				}
				name := fmt.Sprintf("w%d-%d", w, i)
				sent := time.Now()
				if _, err := e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)}); err != nil {
					t.Error(err)
					return
				}
				made.Store(name, [2]time.Time{sent, time.Now()})
			}
		}()
	}
	wg.Wait()
	if togglerErr != nil {
		t.Fatal(togglerErr)
	}
	e.advance(2 * time.Hour)
	files := e.files()
	got := userNames(t, files)
	within := func(spans []span, at [2]time.Time) bool {
		for _, s := range spans {
			if !at[0].Before(s.from) && !at[1].After(s.to) {
				return true
			}
		}
		return false
	}
	logged, unlogged := 0, 0
	made.Range(func(k, v any) bool {
		name, at := k.(string), v.([2]time.Time)
		switch n := got[name]; {
		case n > 1:
			t.Errorf("%s delivered %d times", name, n)
		case within(on, at) && n != 1:
			t.Errorf("%s, made while logging, delivered %d times", name, n)
		case within(off, at) && n != 0:
			t.Errorf("%s, made while stopped, delivered", name)
		}
		if within(on, at) {
			logged++
		} else if within(off, at) {
			unlogged++
		}
		return true
	})
	if logged == 0 || unlogged == 0 {
		t.Logf("only %d calls made while logging, %d while stopped", logged, unlogged)
	}
	keys := apptest.Must(e.ct.ListPublicKeys(ctx, &cloudtrail.ListPublicKeysInput{StartTime: aws.Time(e.p.Clock.Now().Add(-24 * time.Hour)), EndTime: aws.Time(e.p.Clock.Now().Add(time.Hour))}))
	dir := t.TempDir()
	cttest.WriteDir(t, dir, files)
	rep := apptest.Must(ct.Validate(os.DirFS(dir), apptest.Must(ct.ParsePublicKeys(publicKeysJSON(keys)))))
	if !rep.OK() {
		t.Errorf("files invalid: %+v", rep.Results)
	}
	if inv, total := rep.Invalid("log"); inv != 0 || total != len(records(t, files)) {
		t.Errorf("%d of %d log files invalid; %d delivered", inv, total, len(records(t, files)))
	}
}

// A trail is deleted and created again under its name, over and over, into buckets in
// turn, while the clock moves and deliveries run: every call made while an
// incarnation logged is delivered once, into that incarnation's bucket.
func TestTrailRecreatedRacingDelivery(t *testing.T) {
	e := newEnv(t)
	buckets := []string{"bkt-a", "bkt-b", "bkt-c"}
	for _, b := range buckets {
		e.bucket(b)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // the clock moves under everything
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			case <-time.After(3 * time.Millisecond):
				e.p.Clock.Advance(2 * time.Minute)
			}
		}
	}()
	want := map[string]string{} // user → bucket
	for i := 0; i < 9; i++ {
		b := buckets[i%len(buckets)]
		apptest.Must(e.ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("main"), S3BucketName: aws.String(b), EnableLogFileValidation: aws.Bool(i%2 == 0)}))
		apptest.Must(e.ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("main")}))
		for j := 0; j < 3; j++ {
			u := fmt.Sprintf("u%d-%d", i, j)
			apptest.Must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(u)}))
			want[u] = b
		}
		apptest.Must(e.ct.DeleteTrail(ctx, &cloudtrail.DeleteTrailInput{Name: aws.String("main")}))
	}
	close(stop)
	wg.Wait()
	e.advance(2 * time.Hour)
	for _, b := range buckets {
		got := userNames(t, cttest.Files(t, e.p.RootConfig(), b))
		for u, wb := range want {
			if n := got[u]; wb == b && n != 1 || wb != b && n != 0 {
				t.Errorf("%s (logged into %s) is %d times in %s", u, wb, n, b)
			}
		}
	}
	// Nothing of the deleted trails is left to deliver.
	if pending := apptest.Must(e.p.CloudTrail.PendingFiles(ctx)); len(pending) != 0 {
		t.Errorf("%d files still pending", len(pending))
	}
}
