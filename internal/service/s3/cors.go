package s3

import (
	"strings"

	api "github.com/palisade/palisade/internal/api/s3"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/server"
)

// CORS: the bucket's cross-origin rules, kept as they were sent — order, duplicate
// rules and values, empty strings and absent fields all come back from
// GetBucketCors as put (recorded, 2026: cors_replay.json,
// ordered-retained-config, admission-origin-empty, admission-duplicate-values).

// corsMethods are the only methods a rule may allow, exactly as spelled (recorded,
// 2026: cors_replay.json, admission-method-options, -lowercase, -empty).
var corsMethods = map[string]bool{"GET": true, "PUT": true, "POST": true, "DELETE": true, "HEAD": true}

// maxCORSRules is S3's limit on a configuration's rules (recorded, 2026:
// cors_raw_replay.json, admission-rules-100 accepted, admission-rules-101 refused).
const maxCORSRules = 100

// maxCORSDocument is the largest CORS configuration S3 takes, in bytes (recorded,
// 2026: cors_raw_replay.json, admission-xml-65536 accepted, admission-xml-65537
// refused).
const maxCORSDocument = 64 << 10

// errCORSTooBig is S3's answer to a larger one: the code and detail are recorded
// (admission-xml-65537), the message inferred.
func errCORSTooBig() *model.Error {
	return model.NewError(400, "MaxMessageLengthExceeded", "Your request was too big.").With("MaxMessageLengthBytes", "65536")
}

// checkCORS applies S3's admission rules to a CORS configuration.
func checkCORS(cfg *api.CORSConfiguration) error {
	if cfg == nil || len(cfg.CORSRules) == 0 {
		return errMalformedXML()
	}
	if len(cfg.CORSRules) > maxCORSRules {
		// InvalidRequest is recorded (cors_raw_replay.json, admission-rules-101);
		// the message is not, and is inferred.
		return errInvalidRequest("The number of CORS rules should not exceed allowed limit of 100 rules.")
	}
	for _, r := range cfg.CORSRules {
		// A rule without an AllowedMethod or AllowedOrigin is not schema-valid
		// (recorded, 2026: cors_raw_replay.json, admission-method-missing,
		// admission-origin-missing).
		if len(r.AllowedMethods) == 0 || len(r.AllowedOrigins) == 0 {
			return errMalformedXML()
		}
		for _, m := range r.AllowedMethods {
			if !corsMethods[m] {
				// (recorded, 2026: cors_audit_replay.json, admission-method-options.)
				return errInvalidRequest("Found unsupported HTTP method in CORS config. Unsupported method is " + m)
			}
		}
		for _, o := range r.AllowedOrigins {
			if strings.Count(o, "*") > 1 {
				// InvalidRequest is recorded (cors_raw_replay.json,
				// admission-origin-two-wildcards); the message is inferred.
				return errInvalidRequest(`AllowedOrigin "` + o + `" can not have more than one wildcard.`)
			}
		}
		for _, h := range r.AllowedHeaders {
			if strings.Count(h, "*") > 1 {
				// (inferred, as for AllowedOrigin.)
				return errInvalidRequest(`AllowedHeader "` + h + `" can not have more than one wildcard.`)
			}
		}
		for _, h := range r.ExposeHeaders {
			if strings.Contains(h, "*") {
				// (recorded, 2026: cors_audit_replay.json, admission-expose-wildcard.)
				return errInvalidRequest(`ExposeHeader "` + h + `" contains wildcard. We currently do not support wildcard for ExposeHeader.`)
			}
		}
	}
	return nil
}

func errNoSuchCORS(bucket string) *model.Error {
	return model.NewError(404, "NoSuchCORSConfiguration", "The CORS configuration does not exist").With("BucketName", bucket)
}

func (s *Service) corsHandlers() []server.Handler {
	return []server.Handler{
		server.Write("PutBucketCors", func(c *server.Call, in *api.PutBucketCorsRequest) (*model.Empty, error) {
			b, err := loadBucket(c.Tx, in.Bucket)
			if err != nil {
				return nil, err
			}
			if err := checkCORS(in.CORSConfiguration); err != nil {
				return nil, err
			}
			b.CORS = in.CORSConfiguration.CORSRules
			if err := saveBucket(c.Tx, b); err != nil {
				return nil, err
			}
			return &model.Empty{}, changed(c, b, itemCORS, changeUpdate)
		}),
		server.Read("GetBucketCors", func(c *server.Call, in *api.GetBucketCorsRequest) (*api.GetBucketCorsOutput, error) {
			b, err := loadBucket(c.Tx, in.Bucket)
			if err != nil {
				return nil, err
			}
			if len(b.CORS) == 0 {
				// (recorded, 2026: cors_raw_replay.json, missing-config: 404 with
				// BucketName.)
				return nil, errNoSuchCORS(b.Name)
			}
			return &api.GetBucketCorsOutput{CORSRules: b.CORS}, nil
		}),
		server.Write("DeleteBucketCors", func(c *server.Call, in *api.DeleteBucketCorsRequest) (*model.Empty, error) {
			b, err := loadBucket(c.Tx, in.Bucket)
			if err != nil {
				return nil, err
			}
			c.Status = 204
			if len(b.CORS) == 0 {
				// Deleting no configuration succeeds (recorded, 2026:
				// cors_replay.json, delete-missing-config); nothing changed.
				return &model.Empty{}, nil
			}
			b.CORS = nil
			if err := saveBucket(c.Tx, b); err != nil {
				return nil, err
			}
			return &model.Empty{}, changed(c, b, itemCORS, changeUpdate)
		}),
	}
}
