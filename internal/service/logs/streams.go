package logs

import (
	"sort"
	"strconv"

	api "github.com/palisade/palisade/internal/api/logs"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/server"
	"github.com/palisade/palisade/internal/store"
	"github.com/palisade/palisade/internal/svckit"
)

func (l *Logs) streamHandlers() []server.Handler {
	return []server.Handler{
		server.Write("CreateLogStream", l.createLogStream),
		server.Write("DeleteLogStream", l.deleteLogStream),
		server.Read("DescribeLogStreams", l.describeLogStreams),
	}
}

// createStream adds a stream to a group; ok is false when the name is taken.
func createStream(tx *store.Tx, account, region string, g *groupRec, name string, now int64) (*streamRec, bool, error) {
	g.NextStream++
	s := &streamRec{Name: name, ID: g.NextStream, Created: now}
	ok, err := tx.Insert(ns(account, region, tStreams), streamKey(g.Name, name), svckit.MustJSON(s))
	if err != nil || !ok {
		return nil, false, err
	}
	return s, true, putGroup(tx, account, region, g)
}

func (l *Logs) createLogStream(c *server.Call, in *api.CreateLogStreamRequest) (*model.Empty, error) {
	g, err := loadGroup(c.Tx, c.Account, c.Region, in.LogGroupName)
	if err != nil {
		return nil, err
	}
	_, ok, err := createStream(c.Tx, c.Account, c.Region, g, in.LogStreamName, ms(c.Now))
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, api.NewResourceAlreadyExistsException("The specified log stream already exists")
	}
	return &model.Empty{}, nil
}

func (l *Logs) deleteLogStream(c *server.Call, in *api.DeleteLogStreamRequest) (*model.Empty, error) {
	g, err := loadGroup(c.Tx, c.Account, c.Region, in.LogGroupName)
	if err != nil {
		return nil, err
	}
	s, err := loadStream(c.Tx, c.Account, c.Region, in.LogGroupName, in.LogStreamName)
	if err != nil {
		return nil, err
	}
	prefix := streamKey(g.Name, s.Name) + sep
	if _, err := svckit.DeletePrefix(c.Tx, ns(c.Account, c.Region, tChunks), prefix); err != nil {
		return nil, err
	}
	if _, err := c.Tx.DeleteBlobs(ns(c.Account, c.Region, tData), prefix); err != nil {
		return nil, err
	}
	if _, err := c.Tx.Delete(ns(c.Account, c.Region, tStreams), streamKey(g.Name, s.Name)); err != nil {
		return nil, err
	}
	if l.files != nil {
		if err := l.files.removeStream(c.Tx, g.Gen, s.ID); err != nil {
			return nil, err
		}
	}
	g.Stored -= s.Stored
	return &model.Empty{}, putGroup(c.Tx, c.Account, c.Region, g)
}

func (s *streamRec) out(region, account, group string) api.LogStream {
	out := api.LogStream{
		LogStreamName: &s.Name, CreationTime: &s.Created, Arn: svckit.Ptr(streamARN(region, account, group, s.Name)),
		// AWS stopped reporting per-stream storedBytes (always 0) in 2019.
		StoredBytes: svckit.Ptr(int64(0)),
	}
	if s.Chunks > 0 {
		out.FirstEventTimestamp, out.LastEventTimestamp, out.LastIngestionTime = &s.First, &s.Last, &s.LastIngest
		out.UploadSequenceToken = svckit.Ptr(sequenceToken(s))
	}
	return out
}

// sequenceToken is the token PutLogEvents hands back; AWS ignores tokens now, and so
// does Palisade, but clients still read them.
func sequenceToken(s *streamRec) string {
	t := strconv.FormatInt(s.ID*1_000_000_000+s.Chunks, 10)
	for len(t) < 56 {
		t = "4" + t
	}
	return t
}

func (l *Logs) describeLogStreams(c *server.Call, in *api.DescribeLogStreamsRequest) (*api.DescribeLogStreamsResponse, error) {
	g, err := groupOf(c, in.LogGroupName, in.LogGroupIdentifier)
	if err != nil {
		return nil, err
	}
	name := g.Name
	byTime := svckit.Str(in.OrderBy) == "LastEventTime"
	prefix := svckit.Str(in.LogStreamNamePrefix)
	if byTime && prefix != "" {
		return nil, errParam("Cannot order by LastEventTime with a logStreamNamePrefix.")
	}
	limit := 50
	if in.Limit != nil {
		limit = int(*in.Limit)
	}
	offset := 0
	if in.NextToken != nil {
		pos, ok := svckit.ParseToken(c.Tx, *in.NextToken)
		n, err := strconv.Atoi(pos)
		if !ok || err != nil || n < 0 {
			return nil, errBadToken()
		}
		offset = n
	}
	var all []*streamRec
	err = svckit.ScanPrefix(c.Tx, ns(c.Account, c.Region, tStreams), name+sep+prefix, "", func(_ string, v []byte) (bool, error) {
		s := &streamRec{}
		if err := decode(v, s); err != nil {
			return false, err
		}
		all = append(all, s)
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	if byTime {
		sort.SliceStable(all, func(i, j int) bool { return all[i].Last < all[j].Last })
	}
	if in.Descending != nil && *in.Descending {
		for i, j := 0, len(all)-1; i < j; i, j = i+1, j-1 {
			all[i], all[j] = all[j], all[i]
		}
	}
	out := &api.DescribeLogStreamsResponse{LogStreams: []api.LogStream{}}
	for i := offset; i < len(all) && len(out.LogStreams) < limit; i++ {
		out.LogStreams = append(out.LogStreams, all[i].out(c.Region, c.Account, name))
	}
	if offset+limit < len(all) {
		out.NextToken = svckit.Ptr(svckit.Token(c.Tx, strconv.Itoa(offset+limit)))
	}
	return out, nil
}
