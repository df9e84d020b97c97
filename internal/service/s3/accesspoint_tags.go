package s3

import (
	"slices"
	"strings"

	ctl "github.com/palisade/palisade/internal/api/s3control"
	"github.com/palisade/palisade/internal/authz"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/policy"
	"github.com/palisade/palisade/internal/server"
)

// Access point tags through S3 Control's TagResource, UntagResource and
// ListTagsForResource on arn:aws:s3:REGION:ACCOUNT:accesspoint/NAME, as AWS was
// recorded answering them (2026: access_point_control_replay.json,
// tags-and-alias-lifetime): merged as a bucket's, an unknown key's removal no error,
// a duplicate or aws: key InvalidTag, no tags or no keys InvalidRequest, a missing
// access point NoSuchAccessPoint; a recreated access point starts without tags.

// tagAP returns the access point a tag operation's ResourceArn names; ok is false
// when it names none (a bucket, or another type).
func tagAP(c *server.Call, id, arn string) (a *apRec, ok bool, err error) {
	t, perr := parseTagARN(arn)
	if perr != nil || !t.other || !strings.Contains(arn, ":accesspoint/") {
		return nil, false, nil
	}
	if !isAccountID(id) {
		return nil, true, errAccessDenied().With("AccountId", id)
	}
	a, _, err = apByARN(c.Tx, arn)
	if err != nil {
		return nil, true, err
	}
	if a == nil || a.Account != id || a.Region != c.Region {
		return nil, true, errNoSuchAccessPoint()
	}
	if id != c.Principal.Account {
		return nil, true, errAccessDenied()
	}
	return a, true, nil
}

// apTagChecks authorizes a tag operation on an access point: its action on the
// access point's ARN under its policy, with the request's tags or keys.
func (s *Service) apTagChecks(c *server.Call, op string, in map[string]any, a *apRec) ([]authz.Check, error) {
	ctx := s.requestKeys(c, nil)
	ctx["s3:resourceaccount"] = []string{a.Account}
	addTagCallKeys(ctx, op, in)
	chk := authz.Check{Action: "s3:" + op, Resource: a.arn(), ResourceAccount: a.Account, Context: ctx}
	if a.Policy != "" {
		p, err := s.d.Authz.Compile(policy.KindResource, "access-point-policy/"+a.arn(), a.Policy)
		if err != nil {
			return nil, err
		}
		chk.ResourcePolicy = p
	}
	return []authz.Check{chk}, nil
}

// checkAPTags holds tags to S3 Control's rules, as for a bucket's.
func checkAPTags(tags []ctl.Tag) error {
	seen := map[string]bool{}
	for _, t := range tags {
		switch {
		case !validTagKey(t.Key) || utf16Len(t.Value) > 256 || !tagChars(t.Value):
			return errTagInvalid(msgTagInvalid)
		case strings.HasPrefix(strings.ToLower(t.Key), "aws:"):
			return errTagInvalid(msgTagReserved)
		case seen[t.Key]:
			return errTagInvalid(msgTagDuplicate)
		}
		seen[t.Key] = true
	}
	if len(tags) > 50 {
		return model.NewError(400, "TooManyTags", "The number of tags exceeds the limit of 50 tags. Remove some tags and try again.")
	}
	return nil
}

func (s *Service) tagAccessPoint(c *server.Call, a *apRec, tags []ctl.Tag) (*ctl.TagResourceResult, error) {
	if len(tags) == 0 {
		// recorded, 2026: access_point_control_replay.json, tags-empty-add.
		return nil, errInvalidRequest(msgTagRequired)
	}
	if err := checkAPTags(tags); err != nil {
		return nil, err
	}
	merged := slices.Clone(a.Tags)
	for _, t := range tags {
		if i := slices.IndexFunc(merged, func(x ctl.Tag) bool { return x.Key == t.Key }); i >= 0 {
			merged[i].Value = t.Value
		} else {
			merged = append(merged, t)
		}
	}
	if err := checkAPTags(merged); err != nil {
		return nil, err
	}
	a.Tags = merged
	return &ctl.TagResourceResult{}, putJSON(c.Tx, nsAP(a.Account, a.Region), a.Name, a)
}

func (s *Service) untagAccessPoint(c *server.Call, a *apRec, keys []string) (*ctl.UntagResourceResult, error) {
	if len(keys) == 0 {
		// recorded, 2026: access_point_control_replay.json, tags-empty-untag.
		return nil, errInvalidRequest(msgTagKeyRequired)
	}
	seen := map[string]bool{}
	for _, k := range keys {
		if !validTagKey(k) {
			return nil, errTagInvalid(msgTagInvalid)
		}
		if seen[k] {
			// An access point answers InvalidTag where a bucket answers 500
			// (recorded, 2026: abac_tag_transitions_replay.json, per control_tags.go).
			return nil, errTagInvalid(msgTagDuplicate)
		}
		seen[k] = true
	}
	a.Tags = slices.DeleteFunc(slices.Clone(a.Tags), func(t ctl.Tag) bool { return seen[t.Key] })
	return &ctl.UntagResourceResult{}, putJSON(c.Tx, nsAP(a.Account, a.Region), a.Name, a)
}

func listAccessPointTags(a *apRec) *ctl.ListTagsForResourceResult {
	out := &ctl.ListTagsForResourceResult{Tags: []ctl.Tag{}}
	out.Tags = append(out.Tags, a.Tags...)
	return out
}
