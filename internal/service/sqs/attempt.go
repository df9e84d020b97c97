package sqs

import (
	"github.com/palisade/palisade/internal/store"
)

// A FIFO receive's ReceiveRequestAttemptId (ReceiveMessage's API reference): a retry
// with the same ID within five minutes answers the same messages with the same
// receipt handles, and resets their visibility timeout, as long as none of them was
// modified since (deleted, its visibility changed, or received again).

// attemptRec is what a receive with an attempt ID handed out.
type attemptRec struct {
	At   int64        `json:"at"`
	Msgs []attemptMsg `json:"msgs"`
}

// attemptMsg is one message of a receive attempt as the receive left it.
type attemptMsg struct {
	ID        string `json:"id"`
	Nonce     string `json:"nonce"`
	VisibleAt int64  `json:"visibleAt"`
}

// attemptWindow is how long an attempt ID may be retried, in ms.
const attemptWindow = 5 * 60 * 1000

func attemptKey(queue, id string) string { return queue + "\x00" + id }

// retryAttempt answers the messages a receive with this attempt ID handed out, when
// it is retried within the window and none of them was modified since; ok is false
// otherwise (a new receive is due). at is when the original receive was.
func retryAttempt(tx *store.Tx, r queueRef, id string, now int64) (msgs []*msgRec, at int64, ok bool, err error) {
	var rec attemptRec
	found, err := tx.GetJSON(ns(r.Account, r.Region, tAttempts), attemptKey(r.Name, id), &rec)
	if err != nil || !found || now-rec.At >= attemptWindow || len(rec.Msgs) == 0 {
		return nil, 0, false, err
	}
	for _, am := range rec.Msgs {
		key, found, err := tx.Get(idNS(r), am.ID)
		if err != nil || !found {
			return nil, 0, false, err
		}
		m := &msgRec{}
		found, err = tx.GetJSON(msgNS(r.Account, r.Region, r.Name), string(key), m)
		if err != nil || !found || m.Nonce != am.Nonce || m.VisibleAt != am.VisibleAt {
			return nil, 0, false, err
		}
		msgs = append(msgs, m)
	}
	return msgs, rec.At, true, nil
}

// putAttempt records what a receive with an attempt ID handed out (keeping the
// original receive's time on a retry), and drops up to two expired records of the
// queue so they cannot pile up.
func putAttempt(tx *store.Tx, r queueRef, id string, at int64, msgs []*msgRec, now int64) error {
	rec := attemptRec{At: at}
	for _, m := range msgs {
		rec.Msgs = append(rec.Msgs, attemptMsg{ID: m.ID, Nonce: m.Nonce, VisibleAt: m.VisibleAt})
	}
	if err := tx.PutJSON(ns(r.Account, r.Region, tAttempts), attemptKey(r.Name, id), rec); err != nil {
		return err
	}
	if err := tx.Put(ns(r.Account, r.Region, tAttemptsAt), atKey(r.Name, at, id), nil); err != nil {
		return err
	}
	return expireOld(tx, r, tAttempts, tAttemptsAt, func(id string) string { return attemptKey(r.Name, id) }, attemptWindow, now)
}
