package cloudtrail

import (
	"context"
	"encoding/json"
	"strings"
	"sync/atomic"

	"github.com/palisade/palisade/internal/server"
	"github.com/palisade/palisade/internal/store"
)

// CloudTrail records a data event (S3's object operations) only for a trail whose
// event selectors pick data events: event history keeps management events alone, and
// a trail logs what happens after it starts logging, never what came before. So while
// no trail that is logging may select a data event, the server need not record one
// at all — no record to commit, and a GetObject needs no write transaction.
//
// dataWatch caches that answer for the whole store (every account and region: an
// organization trail or a multi-region trail covers more than its own). Every
// CloudTrail write that can change it (trails, selectors, logging) forgets the answer
// when it commits, and the next call asks the store again. state packs a generation
// (bits 2 and up) with the answer (0 unknown, 1 no, 2 yes), so an answer computed
// from a snapshot older than the last change is never kept.
type dataWatch struct {
	state atomic.Uint64
}

const (
	dataUnknown = 0
	dataNo      = 1
	dataYes     = 2
)

// changed forgets the answer; it runs after a commit that may change it.
func (w *dataWatch) changed() {
	for {
		s := w.state.Load()
		if w.state.CompareAndSwap(s, (s>>2+1)<<2) {
			return
		}
	}
}

// wanted returns the cached answer, or computes it (and keeps it unless a change
// committed meanwhile). When compute fails, data events are recorded.
func (w *dataWatch) wanted(compute func() (bool, error)) bool {
	s := w.state.Load()
	switch s & 3 {
	case dataNo:
		return false
	case dataYes:
		return true
	}
	want, err := compute()
	if err != nil {
		return true
	}
	v := uint64(dataNo)
	if want {
		v = dataYes
	}
	w.state.CompareAndSwap(s, s|v)
	return want
}

// watched runs a CloudTrail write that may change which trails log data events, and
// forgets the cached answer once it commits.
func watched[I, O any](ct *CloudTrail, fn func(*server.Call, *I) (*O, error)) func(*server.Call, *I) (*O, error) {
	return func(c *server.Call, in *I) (*O, error) {
		c.Tx.AfterCommit(ct.data.changed)
		return fn(c, in)
	}
}

// DataEventsWanted reports whether a trail that is logging may select a data event;
// when it returns false no trail would log one committed now, and the server records
// none. It is cheap once the answer is known (an atomic load).
func (ct *CloudTrail) DataEventsWanted() bool {
	return ct.data.wanted(func() (bool, error) {
		want := false
		err := ct.deps.Store.View(context.Background(), func(tx *store.Tx) error {
			var open []string
			var derr error
			err := tx.Scan(loggingNS, "", 0, func(k string, v []byte) bool {
				if strings.Contains(k, "#") { // a deleted trail: its intervals are closed
					return true
				}
				var l logging
				if derr = json.Unmarshal(v, &l); derr != nil {
					return false
				}
				for _, iv := range l.Intervals {
					if iv.Until == 0 {
						open = append(open, k)
						break
					}
				}
				return true
			})
			if err != nil {
				return err
			}
			if derr != nil {
				return derr
			}
			for _, arn := range open {
				t, ok, err := getTrail(tx, arn)
				if err != nil {
					return err
				}
				if ok && t.mayLogData() {
					want = true
					return nil
				}
			}
			return nil
		})
		return want, err
	})
}

// mayLogData reports whether some data event could match the trail's selectors: a
// basic selector with data resources, or an advanced selector whose eventCategory
// field admits "Data".
func (t *trail) mayLogData() bool {
	if len(t.AdvancedEventSelectors) > 0 {
		for i := range t.AdvancedEventSelectors {
			s := &t.AdvancedEventSelectors[i]
			admits := true
			for j := range s.FieldSelectors {
				if fs := &s.FieldSelectors[j]; fs.Field == "eventCategory" && !fieldMatch(fs, []string{"Data"}) {
					admits = false
				}
			}
			if admits {
				return true
			}
		}
		return false
	}
	if !t.CustomSelectors {
		return false // the default selector logs management events only
	}
	for _, s := range t.EventSelectors {
		if len(s.DataResources) > 0 {
			return true
		}
	}
	return false
}
