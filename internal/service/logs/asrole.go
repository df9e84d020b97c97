package logs

import (
	"time"

	"github.com/palisade/palisade/internal/auth"
	"github.com/palisade/palisade/internal/store"
	"github.com/palisade/palisade/internal/svckit"
)

// PutEventsInTx puts events into a stream of p's account in the caller's transaction,
// as p — the session of a role another service assumed, as SNS does to write its
// delivery-status logs — so that the events commit with whatever the caller records
// alongside them. A missing group is created when p may logs:CreateLogGroup (authorized
// on ARN:log-stream:, the resource AWS names when it refuses CreateLogGroup), a
// missing stream when p may logs:CreateLogStream, and the events go in when p may
// logs:PutLogEvents on the stream; a refusal is AccessDeniedException and nothing is
// written. The events are one PutLogEvents batch: the caller keeps to its limits.
func (l *Logs) PutEventsInTx(tx *store.Tx, p auth.Principal, region, group, stream string, events []Event, now time.Time) error {
	account := p.Account
	ok, err := l.GroupExists(tx, account, region, group)
	if err != nil {
		return err
	}
	var g *groupRec
	if ok {
		if g, err = loadGroup(tx, account, region, group); err != nil {
			return err
		}
	} else {
		if err := l.authorize(tx, p, region, "logs:CreateLogGroup", groupARN(region, account, group)+":log-stream:", now); err != nil {
			return err
		}
		g = newGroupRec(group, now)
		if _, err := tx.Insert(ns(account, region, tGroups), g.Name, svckit.MustJSON(g)); err != nil {
			return err
		}
	}
	return l.putBatch(tx, putter{principal: &p}, account, region, g, stream, sortedEvents(events), now)
}
