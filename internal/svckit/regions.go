package svckit

// optInRegions are the regions AWS disables until the account opts in (the Account
// API's RegionOptStatus ENABLED or DISABLED, where the others are
// ENABLED_BY_DEFAULT).
var optInRegions = map[string]bool{
	"af-south-1": true, "ap-east-1": true, "ap-east-2": true, "ap-south-2": true, "ap-southeast-3": true,
	"ap-southeast-4": true, "ap-southeast-5": true, "ap-southeast-6": true, "ap-southeast-7": true,
	"ca-west-1": true, "eu-central-2": true, "eu-south-1": true, "eu-south-2": true, "il-central-1": true,
	"me-central-1": true, "me-south-1": true, "mx-central-1": true,
}

// OptInRegion reports whether region is one an account must opt in to.
func OptInRegion(region string) bool { return optInRegions[region] }

// regions are AWS's commercial Regions: the Account API's ListRegions answered
// these 34 in 2026 (recorded: radkawar/stackd testdata/aws/sns/regional_sqs.json,
// account-regions-read-only), the opt-in ones among them.
var regions = map[string]bool{
	"ap-northeast-1": true, "ap-northeast-2": true, "ap-northeast-3": true, "ap-south-1": true, "ap-southeast-1": true,
	"ap-southeast-2": true, "ca-central-1": true, "eu-central-1": true, "eu-north-1": true, "eu-west-1": true,
	"eu-west-2": true, "eu-west-3": true, "sa-east-1": true, "us-east-1": true, "us-east-2": true, "us-west-1": true,
	"us-west-2": true,
}

// KnownRegion reports whether region is one of AWS's commercial Regions.
func KnownRegion(region string) bool { return regions[region] || optInRegions[region] }
