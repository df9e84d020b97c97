package s3

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	api "github.com/palisade/palisade/internal/api/s3"
	"github.com/palisade/palisade/internal/auth"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/server"
	"github.com/palisade/palisade/internal/store"
)

// S3 Lifecycle (User Guide, "Managing the lifecycle of objects"): a bucket's rules
// expire, transition and clean up its objects on Palisade's clock. This file holds the
// configuration (Put/Get/DeleteBucketLifecycleConfiguration) and the dates a rule gives
// an object; lifecycle_run.go carries the rules out.

// lifecycleConfig is a bucket's lifecycle configuration as stored: the rules as the
// caller gave them (IDs filled in) and the transition minimum object size.
type lifecycleConfig struct {
	Rules   []api.LifecycleRule `json:"rules"`
	MinSize string              `json:"minSize,omitempty"`
}

// itemLifecycle is the configuration item AWS Config names a bucket's lifecycle
// configuration by.
const itemLifecycle = "BucketLifecycleConfiguration"

// minSizeDefault is the x-amz-transition-default-minimum-object-size S3 applies when a
// configuration names none (recorded, 2026: lifecycle_control_replay.json, every
// successful put and read answers all_storage_classes_128K).
const minSizeDefault = "all_storage_classes_128K"

// maxLifecycleRules is S3's limit of rules per configuration (User Guide, "Lifecycle
// configuration elements": up to 1,000 rules).
const maxLifecycleRules = 1000

// nsLifecycle indexes the buckets that have a lifecycle configuration, so that the
// daily run reads only those: name → the last midnight the bucket's rules were run for
// (lcDay; lifecycle_run.go).
var nsLifecycle = store.NS("s3", "", "", "lifecycle")

func init() {
	// S3's IAM actions for the lifecycle calls (Service Authorization Reference):
	// DeleteBucketLifecycle is authorized as s3:PutLifecycleConfiguration.
	actions["GetBucketLifecycleConfiguration"] = "s3:GetLifecycleConfiguration"
	actions["PutBucketLifecycleConfiguration"] = "s3:PutLifecycleConfiguration"
	actions["DeleteBucketLifecycle"] = "s3:PutLifecycleConfiguration"
	// Put needs Content-MD5 or a checksum (API Reference, PutBucketLifecycleConfiguration:
	// "Content-MD5 ... is required"; the model marks it requestChecksumRequired).
	bodyChecksumRequired["PutBucketLifecycleConfiguration"] = true
	// Their access log records (User Guide, "Amazon S3 server access log format":
	// REST.<method>.LIFECYCLE).
	logOperations["GetBucketLifecycleConfiguration"] = "REST.GET.LIFECYCLE"
	logOperations["PutBucketLifecycleConfiguration"] = "REST.PUT.LIFECYCLE"
	logOperations["DeleteBucketLifecycle"] = "REST.DELETE.LIFECYCLE"
	// Transition storage classes are judged by the handler: STANDARD is
	// InvalidArgument naming StorageClass, where the generic validation would answer
	// MalformedXML as S3 does for an unknown class (recorded, 2026:
	// lifecycle_control_replay.json, transition-standard, transition-unknown-class).
	put := api.Service.Operations["PutBucketLifecycleConfiguration"].Input
	// As is x-amz-transition-default-minimum-object-size: any other value, empty
	// included, is InvalidRequest (recorded, 2026: header-invalid, header-empty), where
	// the generic validation would answer InvalidArgument. The member's own copy of
	// the shape is relaxed; GetBucketLifecycleConfiguration's output keeps its enum.
	ms := put.ByName["TransitionDefaultMinimumObjectSize"]
	ms.Shape = copyShape(ms.Shape)
	for _, v := range ms.Shape.Enum {
		minSizes[v] = true
	}
	ms.Shape.Enum = nil
	rule := put.ByName["LifecycleConfiguration"].Shape.ByName["Rules"].Shape.Member.Shape
	for _, list := range []string{"Transitions", "NoncurrentVersionTransitions"} {
		sc := rule.ByName[list].Shape.Member.Shape.ByName["StorageClass"].Shape
		for _, c := range sc.Enum {
			transitionClasses[c] = true
		}
		sc.Enum = nil
	}
	// An empty tag key in a filter is S3's InvalidRequest (recorded, 2026:
	// wire-empty-tag-key), not the generic length error: the filter's tags get a copy
	// of the Tag shape without the key's minimum length (Tag and TagSet are shared with
	// the tagging operations, which keep theirs).
	f := rule.ByName["Filter"].Shape
	tag := relaxedTag(f.ByName["Tag"].Shape)
	f.ByName["Tag"].Shape = tag
	tags := f.ByName["And"].Shape.ByName["Tags"]
	list := copyShape(tags.Shape)
	elem := *list.Member
	elem.Shape = tag
	list.Member = &elem
	tags.Shape = list
}

// copyShape copies a shape's exported fields (its unexported ones are a lazily
// compiled pattern, which the copy compiles again).
func copyShape(s *model.Shape) *model.Shape {
	c := &model.Shape{}
	sv, cv := reflect.ValueOf(s).Elem(), reflect.ValueOf(c).Elem()
	for i := 0; i < sv.NumField(); i++ {
		if sv.Type().Field(i).IsExported() {
			cv.Field(i).Set(sv.Field(i))
		}
	}
	return c
}

// relaxedTag is a copy of the Tag shape whose Key may be empty.
func relaxedTag(t *model.Shape) *model.Shape {
	c := copyShape(t)
	c.ByName = map[string]*model.Member{}
	c.Members = nil
	for _, m := range t.Members {
		m2 := *m
		if m.Name == "Key" {
			ks := copyShape(m.Shape)
			ks.Min = nil
			m2.Shape = ks
		}
		c.Members = append(c.Members, &m2)
		c.ByName[m2.Name] = &m2
	}
	return c
}

// dateElement finds the Date elements of a lifecycle configuration as sent.
var dateElement = regexp.MustCompile(`<Date>\s*([^<]*)</Date>`)

// minSizes are the values x-amz-transition-default-minimum-object-size may take.
var minSizes = map[string]bool{}

// transitionClasses are the storage classes a transition may name (the model's
// TransitionStorageClass).
var transitionClasses = map[string]bool{}

// checkTransitionClass: a class outside the model's list is MalformedXML, except
// STANDARD, which S3 names (recorded, 2026: lifecycle_control_replay.json).
func checkTransitionClass(sc string) error {
	switch {
	case sc == "STANDARD", sc == "REDUCED_REDUNDANCY":
		// (transition-standard, transition-reduced-redundancy; EXPRESS_ONEZONE and
		// unknown classes are MalformedXML: transition-express-onezone.)
		return errInvalidArgument("'StorageClass' must be different for each transition and must not be STANDARD", "StorageClass", sc)
	case !transitionClasses[sc]:
		return errMalformedXML()
	}
	return nil
}

func storageClassNotTransition(sc string) bool { return sc == "STANDARD" || sc == "REDUCED_REDUNDANCY" }

// maxSizeFilter is the largest object size filter S3 takes (recorded, 2026:
// lifecycle_control_replay.json, size-at-upper-bound 1099511627776000 accepted,
// size-over-upper-bound refused).
const maxSizeFilter = 1099511627776000

// minStorageDays is how long a class must hold an object before a further transition
// (User Guide, "Constraints and considerations for transitions": the minimum storage
// durations): S3 refuses a configuration whose next transition comes sooner (recorded,
// 2026: lifecycle_control_replay.json, transition-ia-glacier-short-spacing: Days 59
// after STANDARD_IA at 30; transition-glacier-deep-short-spacing: 89 after GLACIER at 0).
var minStorageDays = map[string]int32{"STANDARD_IA": 30, "ONEZONE_IA": 30, "GLACIER_IR": 90, "GLACIER": 90, "DEEP_ARCHIVE": 180}

func errNoSuchLifecycle(bucket string) *model.Error {
	// (recorded, 2026: lifecycle_control_replay.json, get-absent: 404 with BucketName;
	// the message as S3 words it.)
	return model.NewError(404, "NoSuchLifecycleConfiguration", "The lifecycle configuration does not exist").With("BucketName", bucket)
}

func (s *Service) lifecycleHandlers() []server.Handler {
	return []server.Handler{
		server.Write("PutBucketLifecycleConfiguration", s.putLifecycle),
		server.Read("GetBucketLifecycleConfiguration", func(c *server.Call, in *api.GetBucketLifecycleConfigurationRequest) (*api.GetBucketLifecycleConfigurationOutput, error) {
			b, err := loadBucket(c.Tx, in.Bucket)
			if err != nil {
				return nil, err
			}
			if b.Lifecycle == nil {
				return nil, errNoSuchLifecycle(b.Name)
			}
			return &api.GetBucketLifecycleConfigurationOutput{Rules: b.Lifecycle.Rules, TransitionDefaultMinimumObjectSize: ptr(b.Lifecycle.minSize())}, nil
		}),
		server.Write("DeleteBucketLifecycle", func(c *server.Call, in *api.DeleteBucketLifecycleRequest) (*model.Empty, error) {
			b, err := loadBucket(c.Tx, in.Bucket)
			if err != nil {
				return nil, err
			}
			c.Status = http.StatusNoContent
			if b.Lifecycle == nil {
				// Deleting what is not there succeeds, again and again (recorded, 2026:
				// lifecycle_control_replay.json, delete-absent, delete-absent-again).
				return &model.Empty{}, nil
			}
			b.Lifecycle = nil
			if err := saveBucket(c.Tx, b); err != nil {
				return nil, err
			}
			if _, err := c.Tx.Delete(nsLifecycle, b.Name); err != nil {
				return nil, err
			}
			return &model.Empty{}, changed(c, b, itemLifecycle, changeUpdate)
		}),
	}
}

func (s *Service) putLifecycle(c *server.Call, in *api.PutBucketLifecycleConfigurationRequest) (*api.PutBucketLifecycleConfigurationOutput, error) {
	b, err := loadBucket(c.Tx, in.Bucket)
	if err != nil {
		return nil, err
	}
	if err := checkLifecycle(in.LifecycleConfiguration); err != nil {
		return nil, err
	}
	for _, m := range dateElement.FindAllSubmatch(c.Body, -1) {
		if !strings.Contains(string(m[1]), "T") {
			// A date without a time of day (recorded, 2026: wire-date-date-only:
			// MalformedXML), which the model's timestamp reading accepts.
			return nil, errMalformedXML()
		}
	}
	if c.HTTP == nil {
		return nil, errInvalidRequest("The lifecycle configuration is set over HTTP only.")
	}
	if _, sent := c.HTTP.Header[http.CanonicalHeaderKey("x-amz-transition-default-minimum-object-size")]; sent && !minSizes[str(in.TransitionDefaultMinimumObjectSize)] {
		return nil, errInvalidRequest("Invalid value for x-amz-transition-default-minimum-object-size header.")
	}
	cfg := &lifecycleConfig{Rules: in.LifecycleConfiguration.Rules, MinSize: str(in.TransitionDefaultMinimumObjectSize)}
	for i := range cfg.Rules {
		if r := &cfg.Rules[i]; str(r.ID) == "" {
			// S3 names a rule sent without an ID (recorded, 2026:
			// lifecycle_control_replay.json, empty-id: a generated ID, stable across
			// reads); its IDs look like base64 of a UUID.
			r.ID = ptr(base64.StdEncoding.EncodeToString([]byte(auth.NewUUID())))
		}
		// Dates read back in UTC (recorded, 2026: wire-date-offset; transitions'
		// inferred).
		if e := cfg.Rules[i].Expiration; e != nil && e.Date != nil {
			e.Date = ptr(e.Date.UTC())
		}
		for j := range cfg.Rules[i].Transitions {
			if t := &cfg.Rules[i].Transitions[j]; t.Date != nil {
				t.Date = ptr(t.Date.UTC())
			}
		}
	}
	if _, ok, err := c.Tx.Get(nsLifecycle, b.Name); err != nil {
		return nil, err
	} else if !ok || b.Lifecycle == nil {
		// A new configuration is first run at the next midnight (an entry left by a
		// bucket of the same name deleted since is replaced); one that replaces
		// another keeps its place in the days.
		if err := putLCDay(c.Tx, b.Name, c.Now.UTC().Truncate(24*time.Hour)); err != nil {
			return nil, err
		}
	}
	b.Lifecycle = cfg
	if err := saveBucket(c.Tx, b); err != nil {
		return nil, err
	}
	return &api.PutBucketLifecycleConfigurationOutput{TransitionDefaultMinimumObjectSize: ptr(cfg.minSize())}, changed(c, b, itemLifecycle, changeUpdate)
}

func (l *lifecycleConfig) minSize() string {
	if l.MinSize == "" {
		return minSizeDefault
	}
	return l.MinSize
}

// checkLifecycle refuses a configuration as S3 does: the shape first (MalformedXML for
// a rule with neither or both of Prefix and Filter, a Filter naming more than one
// condition outside And, an And of fewer than two, an Expiration with not exactly one of
// Days, Date and ExpiredObjectDeleteMarker), then the values. Codes, argument names
// and values are recorded (2026: lifecycle_control_replay.json); the messages are
// inferred.
func checkLifecycle(cfg *api.BucketLifecycleConfiguration) error {
	if cfg == nil || len(cfg.Rules) == 0 || len(cfg.Rules) > maxLifecycleRules {
		// empty-rules; over-1000-rules (exactly-1000-rules is accepted).
		return errMalformedXML()
	}
	legacy, filtered := 0, 0
	for i := range cfg.Rules {
		r := &cfg.Rules[i]
		if (r.Filter == nil) == (r.Prefix == nil) {
			// omitted-filter, prefix-plus-filter.
			return errMalformedXML()
		}
		if r.Prefix != nil {
			legacy++
		} else {
			filtered++
			if err := checkFilterShape(r.Filter); err != nil {
				return err
			}
		}
		if e := r.Expiration; e != nil && count(e.Days != nil, e.Date != nil, e.ExpiredObjectDeleteMarker != nil) != 1 {
			// expiration-empty, expiration-date-plus-days, expired-marker-plus-days.
			return errMalformedXML()
		}
		for _, t := range r.Transitions {
			if count(t.Days != nil, t.Date != nil) != 1 || t.StorageClass == nil || !transitionClasses[*t.StorageClass] && !storageClassNotTransition(*t.StorageClass) {
				return errMalformedXML()
			}
		}
		for _, t := range r.NoncurrentVersionTransitions {
			if t.NoncurrentDays == nil || t.StorageClass == nil || !transitionClasses[*t.StorageClass] && !storageClassNotTransition(*t.StorageClass) {
				return errMalformedXML()
			}
		}
		if n := r.NoncurrentVersionExpiration; n != nil && n.NoncurrentDays == nil {
			return errMalformedXML()
		}
		if a := r.AbortIncompleteMultipartUpload; a != nil && a.DaysAfterInitiation == nil {
			return errMalformedXML()
		}
	}
	if legacy > 0 && filtered > 0 {
		// ordered-generated-ids: a rule with the legacy Prefix beside rules with a Filter.
		return errInvalidRequest("The configuration may not mix rules with a Prefix and rules with a Filter")
	}
	ids := map[string]bool{}
	for i := range cfg.Rules {
		r := &cfg.Rules[i]
		id := str(r.ID)
		if len(id) > 255 {
			// id-over-255.
			return errInvalidArgument("ID length should not exceed allowed limit of 255", "ID", id)
		}
		if id != "" {
			if ids[id] {
				return errInvalidArgument("Rule ID must be unique. Found same ID for more than one rule", "ID", id)
			}
			ids[id] = true
		}
		if err := checkRule(r); err != nil {
			return err
		}
	}
	return nil
}

func count(bs ...bool) int {
	n := 0
	for _, b := range bs {
		if b {
			n++
		}
	}
	return n
}

// checkFilterShape: outside And a Filter names at most one condition
// (filter-multiple-conditions-without-and); an And joins at least two (and-empty,
// and-single-prefix).
func checkFilterShape(f *api.LifecycleRuleFilter) error {
	if count(f.Prefix != nil, f.Tag != nil, f.ObjectSizeGreaterThan != nil, f.ObjectSizeLessThan != nil, f.And != nil) > 1 {
		return errMalformedXML()
	}
	if a := f.And; a != nil && count(a.Prefix != nil, a.ObjectSizeGreaterThan != nil, a.ObjectSizeLessThan != nil)+len(a.Tags) < 2 {
		return errMalformedXML()
	}
	return nil
}

func checkRule(r *api.LifecycleRule) error {
	if r.Expiration == nil && len(r.Transitions) == 0 && r.NoncurrentVersionExpiration == nil &&
		len(r.NoncurrentVersionTransitions) == 0 && r.AbortIncompleteMultipartUpload == nil {
		// no-action, disabled-no-action.
		return errInvalidRequest("At least one action needs to be specified in a rule")
	}
	f := ruleFilter(r)
	if f.gt != nil && (*f.gt < 0 || *f.gt > maxSizeFilter) || f.lt != nil && (*f.lt <= 0 || *f.lt > maxSizeFilter) {
		// size-less-zero, size-negative.
		return errInvalidRequest("The object size filter must be a positive number")
	}
	if f.gt != nil && f.lt != nil && *f.gt >= *f.lt {
		// size-range-equal, size-range-reversed.
		return errInvalidRequest("ObjectSizeGreaterThan must be less than ObjectSizeLessThan")
	}
	keys := map[string]bool{}
	for _, t := range f.tags {
		if t.Key == "" {
			// wire-empty-tag-key.
			return errInvalidRequest("A Tag's Key must not be empty.")
		}
		if keys[t.Key] {
			// and-duplicate-tag-key.
			return errInvalidRequest("Duplicate Tag Keys are not allowed.")
		}
		keys[t.Key] = true
	}
	if e := r.Expiration; e != nil {
		if e.Days != nil && *e.Days <= 0 {
			// expiration-zero-days, expiration-negative-days.
			return errInvalidArgument("'Days' for Expiration action must be a positive integer", "Days", strconv.Itoa(int(*e.Days)))
		}
		if e.Date != nil && !midnight(*e.Date) {
			// expiration-date-nonmidnight: the date as S3's Java service prints it.
			return errInvalidArgument("'Date' must be at midnight GMT", "Date", javaDate(*e.Date))
		}
		if e.ExpiredObjectDeleteMarker != nil && len(f.tags) > 0 {
			// expired-marker-tag, expired-marker-and-tag, expired-marker-false-tag.
			return errInvalidRequest("ExpiredObjectDeleteMarker cannot be specified with Tags.")
		}
		if e.ExpiredObjectDeleteMarker != nil && (f.gt != nil || f.lt != nil) {
			// expired-marker-size.
			return errInvalidRequest("ExpiredObjectDeleteMarker cannot be specified with an object size filter.")
		}
	}
	if a := r.AbortIncompleteMultipartUpload; a != nil {
		if *a.DaysAfterInitiation <= 0 {
			// abort-zero, abort-negative.
			return errInvalidArgument("'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive integer",
				"DaysAfterInitiation", strconv.Itoa(int(*a.DaysAfterInitiation)))
		}
		if len(f.tags) > 0 {
			// abort-tag.
			return errInvalidRequest("AbortIncompleteMultipartUpload cannot be specified with Tags.")
		}
		if f.gt != nil || f.lt != nil {
			// abort-size.
			return errInvalidRequest("AbortIncompleteMultipartUpload cannot be specified with an object size filter.")
		}
	}
	if n := r.NoncurrentVersionExpiration; n != nil {
		if *n.NoncurrentDays <= 0 {
			return errInvalidArgument("'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer",
				"NoncurrentDays", strconv.Itoa(int(*n.NoncurrentDays)))
		}
		if v := n.NewerNoncurrentVersions; v != nil && *v <= 0 {
			// noncurrent-newer-zero; 100 and 101 are accepted (noncurrent-newer-at100,
			// noncurrent-newer-over100).
			return errInvalidArgument("'NewerNoncurrentVersions' must be a positive integer", "NewerNoncurrentVersions", strconv.Itoa(int(*v)))
		}
		if n.NewerNoncurrentVersions != nil && r.Prefix != nil {
			// noncurrent-newer-legacy-prefix.
			return errInvalidRequest("NewerNoncurrentVersions cannot be specified in a rule with a Prefix; use a Filter")
		}
	}
	var withDays []*api.Transition
	classes := map[string]bool{}
	for i := range r.Transitions {
		t := &r.Transitions[i]
		if err := checkTransitionClass(*t.StorageClass); err != nil {
			return err
		}
		if classes[*t.StorageClass] {
			// transition-duplicate-class.
			return errInvalidRequest("'StorageClass' must be different for 'Transition' actions in same 'Rule'")
		}
		classes[*t.StorageClass] = true
		if t.Days != nil && *t.Days < 0 {
			return errInvalidArgument("'Days' for Transition action must be a positive integer", "Days", strconv.Itoa(int(*t.Days)))
		}
		if t.Date != nil && !midnight(*t.Date) {
			return errInvalidArgument("'Date' must be at midnight GMT", "Date", javaDate(*t.Date))
		}
		if t.Days != nil {
			withDays = append(withDays, t)
		}
	}
	if len(withDays) > 0 && len(withDays) < len(r.Transitions) {
		// transition-mixed-date-days.
		return errInvalidRequest("Found mixed 'Date' and 'Days' based Transition actions in lifecycle rule")
	}
	// Transitions may come in any order (recorded: a configuration listing
	// DEEP_ARCHIVE at 90 before GLACIER at 0 reads back so); by their days, each goes
	// to a colder class (transition-colder-to-warmer) no sooner than the previous
	// class's minimum storage days. Days under 30 for STANDARD_IA and ONEZONE_IA are
	// accepted (transition-ia-before30, transition-onezone-before30).
	sort.SliceStable(withDays, func(i, j int) bool { return *withDays[i].Days < *withDays[j].Days })
	for i := 1; i < len(withDays); i++ {
		prev, t := withDays[i-1], withDays[i]
		if classRank[*t.StorageClass] <= classRank[*prev.StorageClass] {
			return errInvalidArgument(fmt.Sprintf("'StorageClass' of the Transition action at 'Days' %d must be colder than '%s'", *t.Days, *prev.StorageClass),
				"Days", strconv.Itoa(int(*t.Days)))
		}
		if *t.Days < *prev.Days+minStorageDays[*prev.StorageClass] {
			return errInvalidArgument(fmt.Sprintf("'Days' in the Transition action for StorageClass '%s' must be %d days more than 'Days' in the Transition action for StorageClass '%s'",
				*t.StorageClass, minStorageDays[*prev.StorageClass], *prev.StorageClass), "Days", strconv.Itoa(int(*t.Days)))
		}
	}
	if e := r.Expiration; e != nil && (e.Days != nil && len(withDays) < len(r.Transitions) || e.Date != nil && len(withDays) > 0) {
		// expiration-date-transition-days.
		return errInvalidRequest("Found mixed 'Date' and 'Days' based Expiration and Transition actions in lifecycle rule")
	}
	if e := r.Expiration; e != nil && e.Days != nil {
		for _, t := range withDays {
			if *e.Days <= *t.Days {
				// expiration-before-transition, expiration-same-day-transition.
				return errInvalidArgument("'Days' in the Expiration action must be greater than 'Days' in the Transition action",
					"Days", strconv.Itoa(int(*e.Days)))
			}
		}
	}
	for _, t := range r.NoncurrentVersionTransitions {
		if err := checkTransitionClass(*t.StorageClass); err != nil {
			return err
		}
		if *t.NoncurrentDays < 0 {
			return errInvalidArgument("'NoncurrentDays' for NoncurrentVersionTransition action must be a positive integer", "NoncurrentDays", strconv.Itoa(int(*t.NoncurrentDays)))
		}
		if v := t.NewerNoncurrentVersions; v != nil && *v <= 0 {
			return errInvalidArgument("'NewerNoncurrentVersions' must be a positive integer", "NewerNoncurrentVersions", strconv.Itoa(int(*v)))
		}
		if t.NewerNoncurrentVersions != nil && r.Prefix != nil {
			return errInvalidRequest("NewerNoncurrentVersions cannot be specified in a rule with a Prefix; use a Filter")
		}
	}
	// Noncurrent transitions follow the same order and spacing
	// (noncurrent-transition-spacing-short: GLACIER 2 days after STANDARD_IA at 1), and
	// come before the noncurrent expiration (noncurrent-expiration-before-transition).
	nts := make([]*api.NoncurrentVersionTransition, 0, len(r.NoncurrentVersionTransitions))
	for i := range r.NoncurrentVersionTransitions {
		nts = append(nts, &r.NoncurrentVersionTransitions[i])
	}
	sort.SliceStable(nts, func(i, j int) bool { return *nts[i].NoncurrentDays < *nts[j].NoncurrentDays })
	for i := 1; i < len(nts); i++ {
		prev, t := nts[i-1], nts[i]
		if classRank[*t.StorageClass] <= classRank[*prev.StorageClass] || *t.NoncurrentDays < *prev.NoncurrentDays+minStorageDays[*prev.StorageClass] {
			return errInvalidArgument(fmt.Sprintf("'NoncurrentDays' in the NoncurrentVersionTransition action for StorageClass '%s' must be %d days more than 'NoncurrentDays' in the NoncurrentVersionTransition action for StorageClass '%s'",
				*t.StorageClass, minStorageDays[*prev.StorageClass], *prev.StorageClass), "NoncurrentDays", strconv.Itoa(int(*t.NoncurrentDays)))
		}
	}
	if n := r.NoncurrentVersionExpiration; n != nil {
		for _, t := range nts {
			if *n.NoncurrentDays <= *t.NoncurrentDays {
				return errInvalidArgument("'NoncurrentDays' in the NoncurrentVersionExpiration action must be greater than 'NoncurrentDays' in the NoncurrentVersionTransition action",
					"NoncurrentDays", strconv.Itoa(int(*n.NoncurrentDays)))
			}
		}
	}
	return nil
}

func midnight(t time.Time) bool { return t.UTC().Equal(t.UTC().Truncate(24 * time.Hour)) }

// filterSpec is what a rule selects, whichever way it was written (legacy Prefix,
// Filter, Filter.And).
type filterSpec struct {
	prefix string
	tags   []api.Tag
	gt, lt *int64
}

func ruleFilter(r *api.LifecycleRule) filterSpec {
	if r.Prefix != nil {
		return filterSpec{prefix: *r.Prefix}
	}
	f := r.Filter
	if f == nil {
		return filterSpec{}
	}
	if a := f.And; a != nil {
		return filterSpec{prefix: str(a.Prefix), tags: a.Tags, gt: a.ObjectSizeGreaterThan, lt: a.ObjectSizeLessThan}
	}
	fs := filterSpec{prefix: str(f.Prefix), gt: f.ObjectSizeGreaterThan, lt: f.ObjectSizeLessThan}
	if f.Tag != nil {
		fs.tags = []api.Tag{*f.Tag}
	}
	return fs
}

// matches reports whether the filter selects an object version (User Guide,
// "Lifecycle configuration elements": prefix, every tag, size strictly between).
func (f filterSpec) matches(o *objRec) bool {
	if !strings.HasPrefix(o.Key, f.prefix) {
		return false
	}
	if o.DeleteMarker {
		// A delete marker has no tags and no size: only a rule without tags
		// selects it (rules that remove markers cannot name tags; inferred).
		return len(f.tags) == 0
	}
	if f.gt != nil && o.Size <= *f.gt || f.lt != nil && o.Size >= *f.lt {
		return false
	}
	for _, t := range f.tags {
		found := false
		for _, ot := range o.Tags {
			if ot.Key == t.Key && ot.Value == t.Value {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// nextMidnight is the first UTC midnight strictly after t: S3 runs lifecycle once a
// day at midnight UTC, and an object created at any time of a day is first considered
// at the next (recorded, 2026: lifecycle_header_authority_replay.json, "Days uses
// last-modified date plus Days then next UTC midnight").
func nextMidnight(t time.Time) time.Time { return t.UTC().Truncate(24 * time.Hour).Add(24 * time.Hour) }

// afterDays is the midnight at which something dated t becomes due n days on.
func afterDays(t time.Time, n int32) time.Time { return nextMidnight(t.AddDate(0, 0, int(n))) }

// expiry is when rule r expires the current version o (zero: never): Days after its
// creation rounded up to midnight, or the rule's Date.
func expiry(r *api.LifecycleRule, o *objRec) time.Time {
	e := r.Expiration
	switch {
	case e == nil:
	case e.Days != nil:
		return afterDays(o.LastModified, *e.Days)
	case e.Date != nil:
		return e.Date.UTC()
	}
	return time.Time{}
}

// expiration is the x-amz-expiration a read or write of the current version o in b
// answers: the earliest expiry of the enabled rules that select it, and the rule's ID
// (recorded, 2026: lifecycle_header_authority_replay.json: the minimum deadline wins;
// among equal deadlines the later rule was seen).
func expiration(b *bucketRec, o *objRec) *string {
	if b == nil || b.Lifecycle == nil || o == nil || o.DeleteMarker {
		return nil
	}
	var at time.Time
	var id string
	for i := range b.Lifecycle.Rules {
		r := &b.Lifecycle.Rules[i]
		if r.Status != "Enabled" || !ruleFilter(r).matches(o) {
			continue
		}
		if t := expiry(r, o); !t.IsZero() && (at.IsZero() || !t.After(at)) {
			at, id = t, str(r.ID)
		}
	}
	if at.IsZero() {
		return nil
	}
	return ptr(`expiry-date="` + at.Format(http.TimeFormat) + `", rule-id="` + escapeRuleID(id) + `"`)
}

// escapeRuleID writes a rule ID as S3 does in x-amz-expiration: quotes, percent signs
// and bytes outside ASCII percent-encoded in lower case, the rest as it is (recorded,
// 2026: lifecycle_header_authority_replay.json, `a b"&,/%é` → `a b%22&,/%25%c3%a9`).
func escapeRuleID(id string) string {
	var sb strings.Builder
	for i := 0; i < len(id); i++ {
		c := id[i]
		if c == '"' || c == '%' || c >= 0x80 || c < 0x20 {
			fmt.Fprintf(&sb, "%%%02x", c)
			continue
		}
		sb.WriteByte(c)
	}
	return sb.String()
}

// LifecycleRule is one lifecycle rule as resource-change events carry it.
type LifecycleRule struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	Prefix string `json:"prefix"`
}

// rules renders a lifecycle configuration for events (nil: none).
func (l *lifecycleConfig) rules() []LifecycleRule {
	if l == nil {
		return nil
	}
	out := make([]LifecycleRule, 0, len(l.Rules))
	for i := range l.Rules {
		r := &l.Rules[i]
		out = append(out, LifecycleRule{ID: str(r.ID), Status: r.Status, Prefix: ruleFilter(r).prefix})
	}
	return out
}
