package logs_test

import (
	"errors"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	smithy "github.com/aws/smithy-go"

	"github.com/palisade/palisade/internal/app/apptest"
)

func errCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return err.Error()
}

// Several writers put batches into one stream at once: every event is stored once,
// each batch's events in their order, and a read sees whole batches only.
func TestConcurrentPutLogEventsOneStream(t *testing.T) {
	e := newEnv(t)
	e.group("race")
	e.stream("race", "s")
	const writers, batches, perBatch = 6, 10, 20
	now := e.now()
	var wg sync.WaitGroup
	errs := make(chan error, writers*batches)
	stop := make(chan struct{})
	var rwg sync.WaitGroup
	for range 2 {
		rwg.Add(1)
		go func() {
			defer rwg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				out, err := e.logs.FilterLogEvents(ctx, &cwl.FilterLogEventsInput{LogGroupName: aws.String("race")})
				if err != nil {
					errs <- err
					return
				}
				count := map[string]int{}
				for _, ev := range out.Events {
					var w, b, i int
					fmt.Sscanf(aws.ToString(ev.Message), "%d/%d/%d", &w, &b, &i)
					count[fmt.Sprint(w, "/", b)]++
				}
				for k, n := range count {
					if n != perBatch {
						errs <- fmt.Errorf("a read saw %d events of batch %s", n, k)
						return
					}
				}
			}
		}()
	}
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range batches {
				evs := make([]types.InputLogEvent, perBatch)
				for i := range evs {
					evs[i] = types.InputLogEvent{Timestamp: aws.Int64(now + int64(i)), Message: aws.String(fmt.Sprintf("%d/%d/%d", w, b, i))}
				}
				if _, err := e.logs.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String("race"), LogStreamName: aws.String("s"), LogEvents: evs}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	rwg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	var all []string
	var tok *string
	for {
		out, err := e.logs.GetLogEvents(ctx, &cwl.GetLogEventsInput{LogGroupName: aws.String("race"), LogStreamName: aws.String("s"), StartFromHead: aws.Bool(true), NextToken: tok})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, output(out.Events)...)
		if len(out.Events) == 0 {
			break
		}
		tok = out.NextForwardToken
	}
	if len(all) != writers*batches*perBatch {
		t.Fatalf("stored %d events, want %d", len(all), writers*batches*perBatch)
	}
	seen := map[string]bool{}
	for _, m := range all {
		if seen[m] {
			t.Fatalf("%s stored twice", m)
		}
		seen[m] = true
	}
	// Events of one timestamp are in the order their batches were stored, and each
	// batch's own order holds.
	last := map[string]int{}
	for _, m := range all {
		var w, b, i int
		fmt.Sscanf(m, "%d/%d/%d", &w, &b, &i)
		k := fmt.Sprint(w, "/", b)
		if p, ok := last[k]; ok && i != p+1 {
			t.Fatalf("batch %s out of order", k)
		}
		last[k] = i
	}
}

// DeleteLogStream and DeleteLogGroup racing PutLogEvents, GetLogEvents and
// FilterLogEvents: every call answers success or ResourceNotFoundException, and once
// the delete is acknowledged nothing of the stream is readable.
func TestDeleteRacingPutAndReads(t *testing.T) {
	e := newEnv(t)
	for round := range 4 {
		group := fmt.Sprintf("race-del-%d", round)
		e.group(group)
		e.stream(group, "s")
		now := e.now()
		e.put(group, "s", now, "first")
		var wg sync.WaitGroup
		errs := make(chan error, 200)
		for w := range 6 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 15 {
					var err error
					switch w % 3 {
					case 0:
						_, err = e.logs.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: &group, LogStreamName: aws.String("s"),
							LogEvents: []types.InputLogEvent{{Timestamp: aws.Int64(now + int64(i)), Message: aws.String(fmt.Sprint("m", w, i))}}})
					case 1:
						_, err = e.logs.GetLogEvents(ctx, &cwl.GetLogEventsInput{LogGroupName: &group, LogStreamName: aws.String("s"), StartFromHead: aws.Bool(true)})
					case 2:
						_, err = e.logs.FilterLogEvents(ctx, &cwl.FilterLogEventsInput{LogGroupName: &group, FilterPattern: aws.String("m")})
					}
					if err != nil && errCode(err) != "ResourceNotFoundException" {
						errs <- err
					}
				}
			}()
		}
		var err error
		if round%2 == 0 {
			_, err = e.logs.DeleteLogStream(ctx, &cwl.DeleteLogStreamInput{LogGroupName: &group, LogStreamName: aws.String("s")})
		} else {
			_, err = e.logs.DeleteLogGroup(ctx, &cwl.DeleteLogGroupInput{LogGroupName: &group})
		}
		if err != nil {
			t.Fatal(err)
		}
		if round%2 == 0 {
			out, err := e.logs.FilterLogEvents(ctx, &cwl.FilterLogEventsInput{LogGroupName: &group})
			if err != nil || len(out.Events) != 0 {
				t.Errorf("round %d: after the delete, FilterLogEvents: %v %v", round, err, out)
			}
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("round %d: %v", round, err)
		}
	}
}

// The stream's events in timestamp order, as FilterLogEvents pages them.
func allFiltered(t *testing.T, e *env, group string) []string {
	var out []string
	var tok *string
	for {
		page, err := e.logs.FilterLogEvents(ctx, &cwl.FilterLogEventsInput{LogGroupName: &group, NextToken: tok})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, filtered(page.Events)...)
		if page.NextToken == nil {
			break
		}
		tok = page.NextToken
	}
	sort.Strings(out)
	return out
}

// A group deleted and created again under the same name while writers and readers
// keep going: no call fails other than with ResourceNotFoundException, and the new
// group never shows an event put before its creation.
func TestRecreatedGroupRacingPutsAndReads(t *testing.T) {
	e := newEnv(t)
	e.group("again")
	e.stream("again", "s")
	now := e.now()
	var wg sync.WaitGroup
	errs := make(chan error, 500)
	stop := make(chan struct{})
	var gen sync.Mutex
	generation := 0
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				var err error
				if w < 2 {
					gen.Lock()
					g := generation
					gen.Unlock()
					_, err = e.logs.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String("again"), LogStreamName: aws.String("s"),
						LogEvents: []types.InputLogEvent{{Timestamp: aws.Int64(now + int64(i)), Message: aws.String(fmt.Sprintf("gen%d", g))}}})
				} else if w == 2 {
					_, err = e.logs.GetLogEvents(ctx, &cwl.GetLogEventsInput{LogGroupName: aws.String("again"), LogStreamName: aws.String("s"), StartFromHead: aws.Bool(true)})
				} else {
					_, err = e.logs.FilterLogEvents(ctx, &cwl.FilterLogEventsInput{LogGroupName: aws.String("again")})
				}
				if err != nil && errCode(err) != "ResourceNotFoundException" {
					errs <- err
					return
				}
			}
		}()
	}
	for g := 1; g <= 4; g++ {
		if _, err := e.logs.DeleteLogGroup(ctx, &cwl.DeleteLogGroupInput{LogGroupName: aws.String("again")}); err != nil {
			t.Fatal(err)
		}
		gen.Lock()
		generation = g
		gen.Unlock()
		e.group("again")
		e.stream("again", "s")
		out, err := e.logs.FilterLogEvents(ctx, &cwl.FilterLogEventsInput{LogGroupName: aws.String("again")})
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range out.Events {
			var eg int
			fmt.Sscanf(aws.ToString(ev.Message), "gen%d", &eg)
			if eg < g-1 {
				t.Errorf("generation %d shows %s", g, aws.ToString(ev.Message))
			}
		}
	}
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// A group's KMS key associated and disassociated while writers put and readers read,
// with the clock moving past the data keys' reuse: every call succeeds and every
// event put is read back once.
func TestKmsKeyChangesRacingPutsAndReads(t *testing.T) {
	e := newEnv(t)
	key := e.logsKey(true)
	apptest.Must(e.logs.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String("kms"), KmsKeyId: aws.String(key)}))
	e.stream("kms", "s")
	var wg sync.WaitGroup
	errs := make(chan error, 500)
	const writers, puts = 3, 12
	stop := make(chan struct{})
	var rwg sync.WaitGroup
	for r := range 2 {
		rwg.Add(1)
		go func() {
			defer rwg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				var err error
				if r == 0 {
					_, err = e.logs.FilterLogEvents(ctx, &cwl.FilterLogEventsInput{LogGroupName: aws.String("kms")})
				} else {
					_, err = e.logs.GetLogEvents(ctx, &cwl.GetLogEventsInput{LogGroupName: aws.String("kms"), LogStreamName: aws.String("s")})
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range puts {
				_, err := e.logs.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String("kms"), LogStreamName: aws.String("s"),
					LogEvents: []types.InputLogEvent{{Timestamp: aws.Int64(e.now()), Message: aws.String(fmt.Sprintf("w%d-%d", w, i))}}})
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := range 6 {
			var err error
			if i%2 == 0 {
				_, err = e.logs.DisassociateKmsKey(ctx, &cwl.DisassociateKmsKeyInput{LogGroupName: aws.String("kms")})
			} else {
				_, err = e.logs.AssociateKmsKey(ctx, &cwl.AssociateKmsKeyInput{LogGroupName: aws.String("kms"), KmsKeyId: aws.String(key)})
			}
			if err != nil {
				errs <- err
				return
			}
			e.p.AdvanceClock(3 * time.Minute)
		}
	}()
	wg.Wait()
	close(stop)
	rwg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	got := allFiltered(t, e, "kms")
	if len(got) != writers*puts {
		t.Errorf("read back %d events, want %d", len(got), writers*puts)
	}
}
