package cloudtrail

import (
	"reflect"

	api "github.com/palisade/palisade/internal/api/cloudtrail"
	"github.com/palisade/palisade/internal/events"
	"github.com/palisade/palisade/internal/store"
)

// scope is what decides which records a trail logs: its regions, global services,
// organization and event selectors. Delivery reads records minutes after their calls,
// so a trail keeps the scopes it had before each change (trail.Earlier) and each record
// is judged by the scope the trail had when the record was committed: changing the
// selectors or the regions does not reach back to the calls of the last delivery
// window.
type scope struct {
	// Until is the last event-log sequence the scope applied to.
	Until                      int64                       `json:"until"`
	IncludeGlobalServiceEvents bool                        `json:"includeGlobalServiceEvents"`
	IsMultiRegion              bool                        `json:"isMultiRegion"`
	IsOrganization             bool                        `json:"isOrganization,omitempty"`
	OrgID                      string                      `json:"orgId,omitempty"`
	EventSelectors             []api.EventSelector         `json:"eventSelectors,omitempty"`
	AdvancedEventSelectors     []api.AdvancedEventSelector `json:"advancedEventSelectors,omitempty"`
	CustomSelectors            bool                        `json:"customSelectors,omitempty"`
}

func (t *trail) scope() scope {
	return scope{IncludeGlobalServiceEvents: t.IncludeGlobalServiceEvents, IsMultiRegion: t.IsMultiRegion,
		IsOrganization: t.IsOrganization, OrgID: t.OrgID, EventSelectors: t.EventSelectors,
		AdvancedEventSelectors: t.AdvancedEventSelectors, CustomSelectors: t.CustomSelectors}
}

// at is the trail as it logged the record of sequence seq: itself, or a copy with the
// scope it had then.
func (t *trail) at(seq int64) *trail {
	for i := range t.Earlier {
		if s := &t.Earlier[i]; seq <= s.Until {
			c := *t
			c.IncludeGlobalServiceEvents, c.IsMultiRegion, c.IsOrganization, c.OrgID = s.IncludeGlobalServiceEvents, s.IsMultiRegion, s.IsOrganization, s.OrgID
			c.EventSelectors, c.AdvancedEventSelectors, c.CustomSelectors = s.EventSelectors, s.AdvancedEventSelectors, s.CustomSelectors
			return &c
		}
	}
	return t
}

// keepScope records, when a change to a trail that has logged altered its scope,
// the scope it had before (prev) as applying to the records committed so far, and
// forgets the scopes of records already delivered.
func keepScope(tx *store.Tx, t *trail, prev scope) error {
	if reflect.DeepEqual(prev, t.scope()) {
		return nil
	}
	l, err := getLogging(tx, t.ARN)
	if err != nil || len(l.Intervals) == 0 {
		return err
	}
	if prev.Until, err = tx.LastEventSeq(); err != nil {
		return err
	}
	delivered, err := events.Cursor(tx, deliveryName)
	if err != nil {
		return err
	}
	kept := t.Earlier[:0]
	for _, s := range t.Earlier {
		if s.Until > delivered {
			kept = append(kept, s)
		}
	}
	if prev.Until > delivered {
		kept = append(kept, prev)
	}
	t.Earlier = kept
	return nil
}
