package s3

import (
	"net/http"
	"strconv"
	"strings"

	api "github.com/palisade/palisade/internal/api/s3"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/server"
	"github.com/palisade/palisade/internal/store"
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

// The preflight: an OPTIONS request with Origin and Access-Control-Request-Method,
// answered from the first rule whose origin, method and headers all match, signed
// or not (recorded, 2026: cors_raw_replay.json, first-match-*, fallback-when-*,
// method-*, origin-*, request-*).

// corsVary is the Vary every CORS answer carries.
const corsVary = "Origin, Access-Control-Request-Headers, Access-Control-Request-Method"

// errCORSForbidden is S3's refusal of a preflight no rule allows: Method and
// ResourceType are recorded (options-without-config, method-unsupported-preflight,
// request-method-missing), the message inferred from AWS's documented answer.
func errCORSForbidden(method, resource string) *model.Error {
	return model.NewError(403, "AccessForbidden", "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.").
		With("Method", method).With("ResourceType", resource)
}

// errCORSBadRequest: the code and status are recorded (origin-missing,
// method-lowercase-preflight, request-method-multiple,
// request-headers-malformed-token); the messages are inferred.
func errCORSBadRequest(msg string) *model.Error {
	return model.NewError(400, "BadRequest", "%s", msg)
}

// isToken reports whether s is an HTTP token (RFC 9110).
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c > 0x7e || c <= ' ' || strings.ContainsRune("\"(),/:;<=>?@[\\]{}", c) {
			return false
		}
	}
	return true
}

// requestedHeaders splits Access-Control-Request-Headers as S3 does: on commas,
// trimmed and lower-cased, empty items kept but for trailing ones (recorded:
// request-headers-empty-list-items answers ", x-probe-a" to ", X-Probe-A,,"), and
// none at all for an empty value (request-headers-empty).
func requestedHeaders(v string) ([]string, *model.Error) {
	if strings.TrimSpace(v) == "" {
		return nil, nil
	}
	items := strings.Split(v, ",")
	for len(items) > 0 && strings.TrimSpace(items[len(items)-1]) == "" {
		items = items[:len(items)-1]
	}
	for i, h := range items {
		h = strings.ToLower(strings.TrimSpace(h))
		if h != "" && !isToken(h) {
			return nil, errCORSBadRequest("Invalid Access-Control-Request-Headers: " + v)
		}
		items[i] = h
	}
	return items, nil
}

// wildMatch matches s against a pattern holding at most one "*".
func wildMatch(pattern, s string) bool {
	i := strings.IndexByte(pattern, '*')
	if i < 0 {
		return pattern == s
	}
	pre, suf := pattern[:i], pattern[i+1:]
	return len(s) >= len(pre)+len(suf) && strings.HasPrefix(s, pre) && strings.HasSuffix(s, suf)
}

// corsMatch finds the first rule allowing origin, method and headers, and the
// origin pattern that allowed it.
func corsMatch(rules []api.CORSRule, origin, method string, headers []string) (*api.CORSRule, string) {
	for i := range rules {
		r := &rules[i]
		allowed := ""
		for _, o := range r.AllowedOrigins {
			if wildMatch(o, origin) {
				allowed = o
				break
			}
		}
		if allowed == "" {
			continue
		}
		methodOK := false
		for _, m := range r.AllowedMethods {
			methodOK = methodOK || m == method
		}
		if !methodOK {
			continue
		}
		headersOK := true
		for _, h := range headers {
			ok := false
			for _, a := range r.AllowedHeaders {
				if wildMatch(strings.ToLower(a), h) {
					ok = true
					break
				}
			}
			if !ok {
				headersOK = false
				break
			}
		}
		if headersOK {
			return r, allowed
		}
	}
	return nil, ""
}

// corsHeaders are the headers a matching rule gives an answer: the origin ("*" for
// a rule allowing any, else the request's own, with credentials), the rule's
// methods, exposed headers and max age, and the headers asked for (recorded:
// first-match-headers-case-list, fallback-when-first-headers-fail).
func corsHeaders(r *api.CORSRule, allowed, origin string, headers []string) http.Header {
	h := http.Header{}
	if allowed == "*" {
		h.Set("Access-Control-Allow-Origin", "*")
	} else {
		h.Set("Access-Control-Allow-Origin", origin)
		h.Set("Access-Control-Allow-Credentials", "true")
	}
	h.Set("Access-Control-Allow-Methods", strings.Join(r.AllowedMethods, ", "))
	if len(headers) > 0 {
		h.Set("Access-Control-Allow-Headers", strings.Join(headers, ", "))
	}
	if len(r.ExposeHeaders) > 0 {
		h.Set("Access-Control-Expose-Headers", strings.Join(r.ExposeHeaders, ", "))
	}
	if r.MaxAgeSeconds != nil {
		h.Set("Access-Control-Max-Age", strconv.Itoa(int(*r.MaxAgeSeconds)))
	}
	h.Set("Vary", corsVary)
	return h
}

// preflight is the server's Service.Preflight hook.
func (s *Service) preflight(r *http.Request, virtualBucket string) (http.Header, *model.Error) {
	origin := r.Header.Get("Origin")
	if origin == "" {
		// (recorded: origin-missing, origin-empty.)
		return nil, errCORSBadRequest("Insufficient information. Origin request header needed.")
	}
	method := r.Header.Get("Access-Control-Request-Method")
	bucket, key := corsTarget(r, virtualBucket)
	resource := "BUCKET"
	if key != "" {
		resource = "OBJECT"
	}
	if method == "" {
		// (recorded: request-method-missing, request-method-empty.)
		return nil, errCORSForbidden("OPTIONS", resource)
	}
	if !isToken(method) || strings.ToUpper(method) != method {
		// (recorded: method-lowercase-preflight, request-method-multiple.)
		return nil, errCORSBadRequest("Invalid Access-Control-Request-Method: " + method)
	}
	headers, err := requestedHeaders(r.Header.Get("Access-Control-Request-Headers"))
	if err != nil {
		return nil, err
	}
	rules, verr := s.corsRules(r, bucket)
	if verr != nil {
		return nil, model.NewError(500, "InternalError", "We encountered an internal error. Please try again.")
	}
	if len(rules) == 0 {
		// No bucket, or no configuration: the bucket refuses (recorded:
		// options-without-config, options-missing-bucket).
		return nil, errCORSForbidden(method, "BUCKET")
	}
	rule, allowed := corsMatch(rules, origin, method, headers)
	if rule == nil {
		return nil, errCORSForbidden(method, resource)
	}
	return corsHeaders(rule, allowed, origin, headers), nil
}

// corsTarget is the bucket and key a request addresses.
func corsTarget(r *http.Request, virtualBucket string) (bucket, key string) {
	bucket, key = virtualBucket, strings.TrimPrefix(r.URL.Path, "/")
	if bucket == "" {
		bucket, key, _ = strings.Cut(key, "/")
	}
	return bucket, key
}

// corsRules are the CORS rules of a bucket (none for a bucket that does not exist).
func (s *Service) corsRules(r *http.Request, bucket string) ([]api.CORSRule, error) {
	var rules []api.CORSRule
	if bucket == "" {
		return nil, nil
	}
	err := s.d.Store.View(r.Context(), func(tx *store.Tx) error {
		b, err := buckets(tx).get(tx, bucket)
		if b != nil {
			rules = b.CORS
		}
		return err
	})
	return rules, err
}

// corsResponse is the server's Service.CORSHeaders hook: an ordinary request with
// an Origin gets the headers of the first rule allowing its origin and method,
// whatever its answer — an anonymous denial, a missing key — and whatever headers it
// sends (recorded, 2026: cors_raw_replay.json, public-get, private-anonymous-denied,
// missing-signed, missing-anonymous, public-head, put-signed-allowed); none without a
// match or an Origin (public-no-origin).
func (s *Service) corsResponse(r *http.Request, virtualBucket string) http.Header {
	bucket, _ := corsTarget(r, virtualBucket)
	rules, err := s.corsRules(r, bucket)
	if err != nil || len(rules) == 0 {
		return nil
	}
	origin := r.Header.Get("Origin")
	rule, allowed := corsMatch(rules, origin, r.Method, nil)
	if rule == nil {
		return nil
	}
	return corsHeaders(rule, allowed, origin, nil)
}
