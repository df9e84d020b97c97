package sts

import (
	"strings"

	api "github.com/palisade/palisade/internal/api/sts"
)

// GetWebIdentityToken's audiences are 1 to 1,000 characters each, but AWS words a
// violation as a constraint on the whole list ("Value '[a, b]' at 'audience' failed to
// satisfy constraint: Member must satisfy constraint: [...]"), where the generic
// validation names the member ('audience.1.member'). The model's member limits are
// dropped here and audienceError answers them as AWS does (recorded, 2026:
// outbound_identity.json, original_audience_empty and original_audience_long). An
// empty list (the query string's "Audience=") is null to AWS
// (original_audience_empty_list), not a list shorter than its minimum.
func init() {
	list := api.Service.Operations["GetWebIdentityToken"].Input.ByName["Audience"].Shape
	list.Min = nil
	list.Member.Shape.Min, list.Member.Shape.Max = nil, nil
	// STS prints a tag list over its 50 items as its Java Tag class prints itself,
	// "[Tag(key=0, value=test), ...]" (recorded, 2026: outbound_identity.json,
	// original_tags_fifty_one). AssumeRole's and GetFederationToken's Tags share the
	// shape; their wording is inferred from it.
	api.Service.Operations["GetWebIdentityToken"].Input.ByName["Tags"].Shape.Member.Shape.JavaRecord = true
}

// audienceError is AWS's validation error for an audience outside 1–1,000
// characters, the list printed as Java prints it.
func audienceError(aud []string) error {
	if len(aud) == 0 {
		return errValidation("1 validation error detected: Value null at 'audience' failed to satisfy constraint: Member must not be null")
	}
	for _, a := range aud {
		if n := len([]rune(a)); n < 1 || n > 1000 {
			return errValidation("1 validation error detected: Value '[" + strings.Join(aud, ", ") +
				"]' at 'audience' failed to satisfy constraint: Member must satisfy constraint: " +
				"[Member must have length less than or equal to 1000, Member must have length greater than or equal to 1]")
		}
	}
	return nil
}
