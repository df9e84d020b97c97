package logs_test

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/palisade/palisade/internal/app/apptest"
)

func benchMessage(k int) string {
	level, status := "INFO", 200
	if k%1000 == 999 {
		level, status = "ERROR", 500
	}
	return fmt.Sprintf("2026-11-27T10:00:00.%03dZ %s request id=%08d path=/api/v1/items/%d status=%d latency=%dms", k%1000, level, k, k%5000, status, k%97)
}

func benchBatch(base int64, from, n int) []types.InputLogEvent {
	evs := make([]types.InputLogEvent, n)
	for i := range evs {
		evs[i] = types.InputLogEvent{Timestamp: aws.Int64(base + int64(from+i)), Message: aws.String(benchMessage(from + i))}
	}
	return evs
}

// BenchmarkPutLogEvents is one signed PutLogEvents of 8,000 events (about 1 MB)
// through the whole server, committed durably.
func BenchmarkPutLogEvents(b *testing.B) {
	p := apptest.Start(b)
	c := cwl.NewFromConfig(p.RootConfig())
	apptest.Must(c.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String("g")}))
	apptest.Must(c.CreateLogStream(ctx, &cwl.CreateLogStreamInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s")}))
	base := p.Clock.Now().UnixMilli() - 1_000_000
	evs := benchBatch(base, 0, 8000)
	b.SetBytes(8000)
	b.ResetTimer()
	for range b.N {
		apptest.Must(c.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"), LogEvents: evs}))
	}
}

// BenchmarkFilterLogEvents scans 200,000 events for a term one in a thousand holds.
func BenchmarkFilterLogEvents(b *testing.B) {
	p := apptest.Start(b)
	c := cwl.NewFromConfig(p.RootConfig())
	apptest.Must(c.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String("g")}))
	apptest.Must(c.CreateLogStream(ctx, &cwl.CreateLogStreamInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s")}))
	base := p.Clock.Now().UnixMilli() - 1_000_000
	const total = 200_000
	for off := 0; off < total; off += 8000 {
		apptest.Must(c.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"), LogEvents: benchBatch(base, off, 8000)}))
	}
	b.SetBytes(total)
	b.ResetTimer()
	for range b.N {
		out := apptest.Must(c.FilterLogEvents(ctx, &cwl.FilterLogEventsInput{LogGroupName: aws.String("g"), FilterPattern: aws.String("ERROR")}))
		if len(out.Events) != total/1000 {
			b.Fatalf("%d matches", len(out.Events))
		}
	}
}

// BenchmarkFilterLogEventsCold is BenchmarkFilterLogEvents right after a restart:
// nothing cached, every chunk read from disk.
func BenchmarkFilterLogEventsCold(b *testing.B) {
	dir := b.TempDir()
	p := apptest.StartIn(b, dir)
	c := cwl.NewFromConfig(p.RootConfig())
	apptest.Must(c.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String("g")}))
	apptest.Must(c.CreateLogStream(ctx, &cwl.CreateLogStreamInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s")}))
	base := p.Clock.Now().UnixMilli() - 1_000_000
	const total = 200_000
	for off := 0; off < total; off += 8000 {
		apptest.Must(c.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"), LogEvents: benchBatch(base, off, 8000)}))
	}
	p.Stop()
	b.SetBytes(total)
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		p := apptest.StartIn(b, dir)
		c := cwl.NewFromConfig(p.RootConfig())
		// The first call after a start opens connections and loads policies.
		apptest.Must(c.DescribeLogGroups(ctx, &cwl.DescribeLogGroupsInput{}))
		b.StartTimer()
		out := apptest.Must(c.FilterLogEvents(ctx, &cwl.FilterLogEventsInput{LogGroupName: aws.String("g"), FilterPattern: aws.String("ERROR")}))
		if len(out.Events) != total/1000 {
			b.Fatalf("%d matches", len(out.Events))
		}
		b.StopTimer()
		p.Stop()
		b.StartTimer()
	}
}
