package iam

import (
	"strings"

	api "github.com/palisade/palisade/internal/api/iam"
	"github.com/palisade/palisade/internal/store"
)

// maxTags is IAM's quota of tags per resource.
const maxTags = 50

// tagged is a stored record that carries tags.
type tagged interface{ tagList() *[]api.Tag }

// mergeTags adds tags to cur as TagUser and its kin do: keys are compared without
// case (IAM refuses case-only duplicates), a tag whose key exists replaces it, and the
// result may hold at most 50 tags. quota names the resource in the LimitExceeded
// message (TagsPerUser, TagsPerRole...).
func mergeTags(cur, add []api.Tag, quota string) ([]api.Tag, error) {
	seen := map[string]bool{}
	for _, t := range add {
		k := strings.ToLower(t.Key)
		if seen[k] {
			// Message as IAM words it for a request repeating a key.
			return nil, invalidInput("Duplicate tag keys found. Please note that Tag keys are case insensitive.")
		}
		seen[k] = true
	}
	out := make([]api.Tag, 0, len(cur)+len(add))
	for _, t := range cur {
		if !seen[strings.ToLower(t.Key)] {
			out = append(out, t)
		}
	}
	out = append(out, add...)
	if len(out) > maxTags {
		// IAM's quota name for tags per resource; the wording follows its other
		// quota messages (Cannot exceed quota for X: N).
		return nil, limitExceeded("Cannot exceed quota for " + quota + ": 50")
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// removeTags drops the tags whose keys are listed (without case); absent keys are
// ignored, as IAM does.
func removeTags(cur []api.Tag, keys []string) []api.Tag {
	drop := map[string]bool{}
	for _, k := range keys {
		drop[strings.ToLower(k)] = true
	}
	var out []api.Tag
	for _, t := range cur {
		if !drop[strings.ToLower(t.Key)] {
			out = append(out, t)
		}
	}
	return out
}

// tagOp loads the record at ns/key, applies fn to its tags and stores it back; notFound
// is the error when there is no record.
func tagOp[T any, P interface {
	*T
	tagged
}](tx *store.Tx, namespace, key string, notFound error, fn func([]api.Tag) ([]api.Tag, error)) error {
	rec, err := load[T](tx, namespace, key)
	if err != nil {
		return err
	}
	if rec == nil {
		return notFound
	}
	tags := P(rec).tagList()
	if *tags, err = fn(*tags); err != nil {
		return err
	}
	return tx.PutJSON(namespace, key, rec)
}

// tagRecord adds tags to the record at ns/key.
func tagRecord[T any, P interface {
	*T
	tagged
}](tx *store.Tx, namespace, key string, notFound error, add []api.Tag, quota string) error {
	return tagOp[T, P](tx, namespace, key, notFound, func(cur []api.Tag) ([]api.Tag, error) {
		return mergeTags(cur, add, quota)
	})
}

// untagRecord removes tags from the record at ns/key.
func untagRecord[T any, P interface {
	*T
	tagged
}](tx *store.Tx, namespace, key string, notFound error, keys []string) error {
	return tagOp[T, P](tx, namespace, key, notFound, func(cur []api.Tag) ([]api.Tag, error) {
		return removeTags(cur, keys), nil
	})
}

// listTags pages the tags of the record at ns/key, in the order they were added.
func listTags[T any, P interface {
	*T
	tagged
}](tx *store.Tx, namespace, key string, notFound error, marker *string, maxItems *int32) ([]api.Tag, *bool, *string, error) {
	p, err := newPager(marker, maxItems)
	if err != nil {
		return nil, nil, nil, err
	}
	rec, err := load[T](tx, namespace, key)
	if err != nil {
		return nil, nil, nil, err
	}
	if rec == nil {
		return nil, nil, nil, notFound
	}
	return slicePage(*P(rec).tagList(), p)
}

// newTags checks the tags given at creation.
func newTags(tags []api.Tag, quota string) ([]api.Tag, error) {
	return mergeTags(nil, tags, quota)
}
