package cloudtrail

import (
	"reflect"

	api "github.com/palisade/palisade/internal/api/cloudtrail"
	"github.com/palisade/palisade/internal/events"
	"github.com/palisade/palisade/internal/store"
)

// selection is what decides which records a trail logs: its regions, global services,
// organization and event selectors. Delivery reads records minutes after their calls,
// so a trail keeps the selections it had before each change (trail.Earlier) and each
// record is judged by the selection the trail had when the record was committed:
// changing the selectors or the regions does not reach back to the calls of the last
// delivery window.
type selection struct {
	IncludeGlobalServiceEvents bool                        `json:"includeGlobalServiceEvents"`
	IsMultiRegion              bool                        `json:"isMultiRegion"`
	IsOrganization             bool                        `json:"isOrganization,omitempty"`
	OrgID                      string                      `json:"orgId,omitempty"`
	EventSelectors             []api.EventSelector         `json:"eventSelectors,omitempty"`
	AdvancedEventSelectors     []api.AdvancedEventSelector `json:"advancedEventSelectors,omitempty"`
	CustomSelectors            bool                        `json:"customSelectors,omitempty"`
}

// scope is a selection a trail had, and the last event-log sequence it applied to.
type scope struct {
	Until int64 `json:"until"`
	selection
}

// at is the trail as it logged the record of sequence seq: itself, or a copy with the
// selection it had then.
func (t *trail) at(seq int64) *trail {
	for i := range t.Earlier {
		if s := &t.Earlier[i]; seq <= s.Until {
			c := *t
			c.selection = s.selection
			return &c
		}
	}
	return t
}

// keepScope records, when a change to a trail that has logged altered its selection,
// the selection it had before (prev) as applying to the records committed so far, and
// forgets the scopes of records already delivered.
func keepScope(tx *store.Tx, t *trail, prev selection) error {
	if reflect.DeepEqual(prev, t.selection) {
		return nil
	}
	l, err := getLogging(tx, t.ARN)
	if err != nil || len(l.Intervals) == 0 {
		return err
	}
	last, err := tx.LastEventSeq()
	if err != nil {
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
	if last > delivered {
		kept = append(kept, scope{Until: last, selection: prev})
	}
	t.Earlier = kept
	return nil
}
