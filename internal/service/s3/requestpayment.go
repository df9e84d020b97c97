package s3

import (
	"net/http"
	"strings"

	api "github.com/palisade/palisade/internal/api/s3"
	"github.com/palisade/palisade/internal/auth"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/server"
)

// Requester Pays: a bucket whose requests another account pays for. Palisade bills
// nothing; what it keeps is who may call: the bucket owner's account as before, any
// other account only when it says it pays (x-amz-request-payer: requester, exactly),
// and no anonymous caller at all, whatever the bucket policy grants (recorded, 2026:
// requester_data_replay.json, owner-account-exemption-foreign-exact-payer-and-public-transitions).

const payerRequester, payerOwner = "Requester", "BucketOwner"

// checkRequestPayer refuses a call to a Requester Pays bucket by a caller that does
// not pay; callers of the bucket owner's account need not say anything.
func checkRequestPayer(c *server.Call, b *bucketRec) error {
	if !b.RequesterPays || c.Listing() || (c.Principal.Type != auth.Anonymous && c.Principal.Account == b.Owner) {
		return nil
	}
	if c.Principal.Type == auth.Anonymous || c.HTTP == nil || requestPayer(c) != "requester" {
		if c.Principal.Type != auth.Anonymous {
			// The bucket owner's trail gets the refusal too (recorded, 2026:
			// requester_audit_replay.json, Requester foreign /?requestPayment None).
			c.RecordFor(b.Owner)
		}
		return errAccessDenied()
	}
	return nil
}

// requestPayer is what the request says of its payer: the x-amz-request-payer header,
// or the query parameter a presigned URL carries it in (recorded, 2026:
// requester_presigned_replay.json, foreign presigned correct and invalid).
func requestPayer(c *server.Call) string {
	if v := c.HTTP.Header.Get("X-Amz-Request-Payer"); v != "" {
		return v
	}
	for k, vs := range c.HTTP.URL.Query() {
		if strings.EqualFold(k, "x-amz-request-payer") && len(vs) > 0 {
			return vs[0]
		}
	}
	return ""
}

// charged is the x-amz-request-charged a call to b answers: "requester" when another
// account paid for it.
func charged(c *server.Call, b *bucketRec) *string {
	if b.RequesterPays && c.Principal.Type != auth.Anonymous && c.Principal.Account != b.Owner {
		return ptr("requester")
	}
	return nil
}

// markCharged makes a call another account pays for answer x-amz-request-charged
// whatever it answers once past the payer check: bucket configuration reads and
// writes, HeadBucket, and the errors that follow, as well as the object calls whose
// outputs carry it (recorded, 2026: requester_management_raw_replay.json,
// foreign-management-admission-and-state-transition).
func markCharged(c *server.Call, b *bucketRec) {
	if v := charged(c, b); v != nil && !c.Listing() {
		if c.Header == nil {
			c.Header = http.Header{}
		}
		c.Header["x-amz-request-charged"] = []string{*v}
	}
}

func (s *Service) requestPaymentHandlers() []server.Handler {
	return []server.Handler{
		server.Read("GetBucketRequestPayment", func(c *server.Call, in *api.GetBucketRequestPaymentRequest) (*api.GetBucketRequestPaymentOutput, error) {
			b, err := loadBucket(c.Tx, in.Bucket)
			if err != nil {
				return nil, err
			}
			payer := payerOwner
			if b.RequesterPays {
				payer = payerRequester
			}
			return &api.GetBucketRequestPaymentOutput{Payer: ptr(payer)}, nil
		}),
		server.Write("PutBucketRequestPayment", func(c *server.Call, in *api.PutBucketRequestPaymentRequest) (*model.Empty, error) {
			b, err := loadBucket(c.Tx, in.Bucket)
			if err != nil {
				return nil, err
			}
			cfg := in.RequestPaymentConfiguration
			if cfg == nil || cfg.Payer != payerRequester && cfg.Payer != payerOwner {
				// A payer other than the two, none or an empty one (recorded, 2026:
				// requester_admission_replay.json, payment invalid/missing/empty payer).
				return nil, errMalformedXML()
			}
			b.RequesterPays = cfg.Payer == payerRequester
			if err := saveBucket(c.Tx, b); err != nil {
				return nil, err
			}
			return &model.Empty{}, nil
		}),
	}
}
