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
