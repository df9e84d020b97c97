package cloudtrail

import (
	"strings"

	api "github.com/palisade/palisade/internal/api/cloudtrail"
	"github.com/palisade/palisade/internal/server"
)

// maxTags is CloudTrail's limit of tags per resource.
const maxTags = 50

// checkTags applies CloudTrail's tag rules: keys of 1–128 characters, each once
// (AddTags: "Tag key names must be unique"; InvalidTagParameterException covers
// duplicate tags), values of at most 256, no "aws:" prefix. Messages inferred from the
// documented rules.
func checkTags(tags []api.Tag) error {
	if len(tags) > maxTags {
		return api.NewTagsLimitExceededException("The number of tags on the resource exceeds the limit of 50.")
	}
	seen := make(map[string]bool, len(tags))
	for _, t := range tags {
		if seen[t.Key] {
			return api.NewInvalidTagParameterException("Tag key " + t.Key + " is duplicated: tag keys must be unique.")
		}
		seen[t.Key] = true
		if t.Key == "" || len(t.Key) > 128 || strings.HasPrefix(strings.ToLower(t.Key), "aws:") {
			return api.NewInvalidTagParameterException("Tag key " + t.Key + " is invalid: keys are 1 to 128 characters and cannot start with aws:.")
		}
		if len(deref(t.Value)) > 256 {
			return api.NewInvalidTagParameterException("The value of tag " + t.Key + " is longer than 256 characters.")
		}
	}
	return nil
}

// taggedTrail finds the trail a tagging call names by ARN.
func (ct *CloudTrail) taggedTrail(c *server.Call, id string, write bool) (*trail, error) {
	if _, _, _, ok := parseTrailARN(id); !ok {
		if strings.HasPrefix(id, "arn:") {
			return nil, api.NewResourceTypeNotSupportedException("Resource type not supported: " + id)
		}
		return nil, api.NewCloudTrailARNInvalidException("Invalid trail ARN: " + id)
	}
	t, ok, err := getTrail(c.Tx, id)
	if err != nil {
		return nil, err
	}
	if !ok || t.Account != c.Account {
		return nil, api.NewResourceNotFoundException("Resource not found: " + id)
	}
	if write && t.HomeRegion != c.Region {
		return nil, api.NewInvalidHomeRegionException("The trail " + t.ARN + " can only be changed from its home region, " + t.HomeRegion + ".")
	}
	return t, nil
}

func (ct *CloudTrail) addTags(c *server.Call, in *api.AddTagsRequest) (*api.AddTagsResponse, error) {
	t, err := ct.taggedTrail(c, in.ResourceId, true)
	if err != nil {
		return nil, err
	}
	if err := checkTags(in.TagsList); err != nil {
		return nil, err
	}
	merged := append([]api.Tag(nil), t.Tags...)
	for _, nt := range in.TagsList {
		replaced := false
		for i := range merged {
			if merged[i].Key == nt.Key {
				merged[i].Value, replaced = nt.Value, true
			}
		}
		if !replaced {
			merged = append(merged, nt)
		}
	}
	if err := checkTags(merged); err != nil {
		return nil, err
	}
	t.Tags = merged
	return &api.AddTagsResponse{}, putTrail(c.Tx, t)
}

func (ct *CloudTrail) removeTags(c *server.Call, in *api.RemoveTagsRequest) (*api.RemoveTagsResponse, error) {
	t, err := ct.taggedTrail(c, in.ResourceId, true)
	if err != nil {
		return nil, err
	}
	kept := t.Tags[:0:0]
	for _, tag := range t.Tags {
		drop := false
		for _, r := range in.TagsList {
			// A tag to remove given with a value removes the tag only if the value
			// matches.
			if r.Key == tag.Key && (r.Value == nil || deref(r.Value) == deref(tag.Value)) {
				drop = true
			}
		}
		if !drop {
			kept = append(kept, tag)
		}
	}
	t.Tags = kept
	return &api.RemoveTagsResponse{}, putTrail(c.Tx, t)
}

func (ct *CloudTrail) listTags(c *server.Call, in *api.ListTagsRequest) (*api.ListTagsResponse, error) {
	if len(in.ResourceIdList) > 20 {
		return nil, api.NewInvalidParameterException("You can specify up to 20 resource IDs.")
	}
	out := &api.ListTagsResponse{ResourceTagList: []api.ResourceTag{}}
	for _, id := range in.ResourceIdList {
		t, err := ct.taggedTrail(c, id, false)
		if err != nil {
			return nil, err
		}
		tags := t.Tags
		if tags == nil {
			tags = []api.Tag{}
		}
		out.ResourceTagList = append(out.ResourceTagList, api.ResourceTag{ResourceId: ptr(t.ARN), TagsList: tags})
	}
	return out, nil
}
