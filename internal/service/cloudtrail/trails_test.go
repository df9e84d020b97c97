package cloudtrail_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

const trailARN = "arn:aws:cloudtrail:us-east-1:000000000000:trail/main"

func TestTrailLifecycle(t *testing.T) {
	e := newEnv(t)
	e.bucket("logs-bucket")
	e.bucket("bkt")
	key := e.trailKey()
	out := must(e.ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{
		Name: aws.String("main"), S3BucketName: aws.String("logs-bucket"), S3KeyPrefix: aws.String("ct"),
		EnableLogFileValidation: aws.Bool(true), KmsKeyId: key.KeyId,
		TagsList: []types.Tag{{Key: aws.String("team"), Value: aws.String("sec")}},
	}))
	if *out.TrailARN != trailARN || *out.Name != "main" || *out.S3BucketName != "logs-bucket" || *out.S3KeyPrefix != "ct" ||
		!*out.IncludeGlobalServiceEvents || *out.IsMultiRegionTrail || !*out.LogFileValidationEnabled || *out.IsOrganizationTrail ||
		*out.KmsKeyId != *key.Arn || out.SnsTopicARN != nil {
		t.Fatalf("CreateTrail %+v", out)
	}
	_, err := e.ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("main"), S3BucketName: aws.String("bkt")})
	wantErr(t, err, "TrailAlreadyExistsException", "Trail main already exists for customer: 000000000000")

	got := must(e.ct.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String("main")})).Trail
	if *got.HomeRegion != "us-east-1" || *got.HasCustomEventSelectors || *got.HasInsightSelectors || *got.TrailARN != trailARN {
		t.Errorf("GetTrail %+v", got)
	}
	byARN := must(e.ct.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String(trailARN)})).Trail
	if *byARN.Name != "main" {
		t.Errorf("GetTrail by ARN %+v", byARN)
	}
	st := must(e.ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("main")}))
	if *st.IsLogging || st.StartLoggingTime != nil || *st.TimeLoggingStarted != "" {
		t.Errorf("new trail status %+v", st)
	}
	now := e.p.Clock.Now()
	must(e.ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("main")}))
	st = must(e.ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String(trailARN)}))
	if !*st.IsLogging || st.StartLoggingTime == nil || st.StartLoggingTime.Sub(now).Abs() > 5*time.Second || *st.TimeLoggingStarted == "" {
		t.Errorf("status after StartLogging %+v", st)
	}
	e.p.Clock.Advance(time.Hour)
	must(e.ct.StopLogging(ctx, &cloudtrail.StopLoggingInput{Name: aws.String("main")}))
	st = must(e.ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("main")}))
	if *st.IsLogging || st.StopLoggingTime == nil || !st.StopLoggingTime.After(*st.StartLoggingTime) {
		t.Errorf("status after StopLogging %+v", st)
	}

	up := must(e.ct.UpdateTrail(ctx, &cloudtrail.UpdateTrailInput{Name: aws.String("main"), S3KeyPrefix: aws.String(""), IsMultiRegionTrail: aws.Bool(true), SnsTopicName: aws.String("notify")}))
	if up.S3KeyPrefix != nil || !*up.IsMultiRegionTrail || *up.SnsTopicARN != "arn:aws:sns:us-east-1:000000000000:notify" || *up.S3BucketName != "logs-bucket" {
		t.Errorf("UpdateTrail %+v", up)
	}
	_, err = e.ct.UpdateTrail(ctx, &cloudtrail.UpdateTrailInput{Name: aws.String("main"), IncludeGlobalServiceEvents: aws.Bool(false)})
	wantErr(t, err, "InvalidParameterCombinationException", "")

	// A multi-region trail shows in other regions as a shadow trail; only its home
	// region changes it.
	west := e.in("us-west-2")
	d := must(west.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{}))
	if len(d.TrailList) != 1 || *d.TrailList[0].HomeRegion != "us-east-1" {
		t.Errorf("DescribeTrails in us-west-2: %+v", d.TrailList)
	}
	if d := must(west.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{IncludeShadowTrails: aws.Bool(false)})); len(d.TrailList) != 0 {
		t.Errorf("shadow trails without includeShadowTrails: %+v", d.TrailList)
	}
	if l := must(west.ListTrails(ctx, &cloudtrail.ListTrailsInput{})); len(l.Trails) != 1 || *l.Trails[0].TrailARN != trailARN {
		t.Errorf("ListTrails in us-west-2: %+v", l.Trails)
	}
	must(west.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String(trailARN)}))
	_, err = west.UpdateTrail(ctx, &cloudtrail.UpdateTrailInput{Name: aws.String("main"), S3BucketName: aws.String("bkt")})
	wantErr(t, err, "TrailNotFoundException", "Unknown trail: arn:aws:cloudtrail:us-west-2:000000000000:trail/main for the user: 000000000000")
	_, err = west.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String(trailARN)})
	wantErr(t, err, "InvalidHomeRegionException", "")
	_, err = west.DeleteTrail(ctx, &cloudtrail.DeleteTrailInput{Name: aws.String(trailARN)})
	wantErr(t, err, "InvalidHomeRegionException", "")

	// Tags.
	must(e.ct.AddTags(ctx, &cloudtrail.AddTagsInput{ResourceId: aws.String(trailARN), TagsList: []types.Tag{{Key: aws.String("env"), Value: aws.String("prod")}, {Key: aws.String("team"), Value: aws.String("ops")}}}))
	must(e.ct.RemoveTags(ctx, &cloudtrail.RemoveTagsInput{ResourceId: aws.String(trailARN), TagsList: []types.Tag{{Key: aws.String("env")}}}))
	tags := must(e.ct.ListTags(ctx, &cloudtrail.ListTagsInput{ResourceIdList: []string{trailARN}}))
	if len(tags.ResourceTagList) != 1 || len(tags.ResourceTagList[0].TagsList) != 1 || *tags.ResourceTagList[0].TagsList[0].Value != "ops" {
		t.Errorf("tags %+v", tags.ResourceTagList)
	}
	_, err = e.ct.AddTags(ctx, &cloudtrail.AddTagsInput{ResourceId: aws.String("main"), TagsList: []types.Tag{{Key: aws.String("a")}}})
	wantErr(t, err, "CloudTrailARNInvalidException", "")
	_, err = e.ct.AddTags(ctx, &cloudtrail.AddTagsInput{ResourceId: aws.String(trailARN), TagsList: []types.Tag{{Key: aws.String("aws:x")}}})
	wantErr(t, err, "InvalidTagParameterException", "")

	must(e.ct.DeleteTrail(ctx, &cloudtrail.DeleteTrailInput{Name: aws.String("main")}))
	_, err = e.ct.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String("main")})
	wantErr(t, err, "TrailNotFoundException", "Unknown trail: "+trailARN+" for the user: 000000000000")
	_, err = e.ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("main")})
	wantErr(t, err, "TrailNotFoundException", "")
}

func TestTrailNamesAndQuota(t *testing.T) {
	e := newEnv(t)
	e.bucket("bkt")
	for name, msg := range map[string]string{
		"ab":                     "Trail name too short. Minimum allowed length: 3 characters. Specified name length: 2 characters.",
		strings.Repeat("a", 129): "Trail name too long. Maximum allowed length: 128 characters. Specified name length: 129 characters.",
		"-abc":                   "Trail name must starts with a letter or number.",
		"abc_":                   "Trail name must ends with a letter or number.",
		"ab c":                   "Trail name or ARN can only contain uppercase letters, lowercase letters, numbers, periods (.), hyphens (-), and underscores (_).",
		"a--b":                   "Trail name cannot contain adjacent periods (.), hyphens (-), or underscores (_).",
		"192.168.5.4":            "Trail name cannot be formatted as an IP address.",
	} {
		_, err := e.ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String(name), S3BucketName: aws.String("bkt")})
		wantErr(t, err, "InvalidTrailNameException", msg)
	}
	for i := range 5 {
		must(e.ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("t" + string(rune('a'+i)) + "x"), S3BucketName: aws.String("bkt")}))
	}
	_, err := e.ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("sixth"), S3BucketName: aws.String("bkt")})
	wantErr(t, err, "MaximumNumberOfTrailsExceededException", "User: 000000000000 already has 5 trails in us-east-1.")
	// The quota is per region.
	must(e.in("eu-west-1").CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("sixth"), S3BucketName: aws.String("bkt")}))
	if d := must(e.ct.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{TrailNameList: []string{"tax", "tbx", "nope"}})); len(d.TrailList) != 2 {
		t.Errorf("DescribeTrails by names: %d trails", len(d.TrailList))
	}
}

func TestEventAndInsightSelectors(t *testing.T) {
	e := newEnv(t)
	e.bucket("bkt")
	must(e.ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("main"), S3BucketName: aws.String("bkt")}))
	sel := must(e.ct.GetEventSelectors(ctx, &cloudtrail.GetEventSelectorsInput{TrailName: aws.String("main")}))
	if len(sel.EventSelectors) != 1 || sel.EventSelectors[0].ReadWriteType != types.ReadWriteTypeAll || !*sel.EventSelectors[0].IncludeManagementEvents || *sel.TrailARN != trailARN {
		t.Errorf("default selectors %+v", sel.EventSelectors)
	}
	put := must(e.ct.PutEventSelectors(ctx, &cloudtrail.PutEventSelectorsInput{TrailName: aws.String("main"), EventSelectors: []types.EventSelector{{
		ReadWriteType: types.ReadWriteTypeWriteOnly, ExcludeManagementEventSources: []string{"kms.amazonaws.com"},
		DataResources: []types.DataResource{{Type: aws.String("AWS::S3::Object"), Values: []string{"arn:aws:s3:::data-bucket/"}}},
	}}}))
	if len(put.EventSelectors) != 1 || !*put.EventSelectors[0].IncludeManagementEvents || put.EventSelectors[0].DataResources[0].Values[0] != "arn:aws:s3:::data-bucket/" {
		t.Errorf("PutEventSelectors %+v", put.EventSelectors)
	}
	if tr := must(e.ct.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String("main")})).Trail; !*tr.HasCustomEventSelectors {
		t.Error("HasCustomEventSelectors false after PutEventSelectors")
	}
	adv := []types.AdvancedEventSelector{{Name: aws.String("writes"), FieldSelectors: []types.AdvancedFieldSelector{
		{Field: aws.String("eventCategory"), Equals: []string{"Management"}}, {Field: aws.String("readOnly"), Equals: []string{"false"}}}}}
	must(e.ct.PutEventSelectors(ctx, &cloudtrail.PutEventSelectorsInput{TrailName: aws.String("main"), AdvancedEventSelectors: adv}))
	sel = must(e.ct.GetEventSelectors(ctx, &cloudtrail.GetEventSelectorsInput{TrailName: aws.String("main")}))
	if len(sel.AdvancedEventSelectors) != 1 || sel.EventSelectors != nil || *sel.AdvancedEventSelectors[0].Name != "writes" {
		t.Errorf("advanced selectors %+v / %+v", sel.AdvancedEventSelectors, sel.EventSelectors)
	}
	_, err := e.ct.PutEventSelectors(ctx, &cloudtrail.PutEventSelectorsInput{TrailName: aws.String("main"), AdvancedEventSelectors: adv,
		EventSelectors: []types.EventSelector{{ReadWriteType: types.ReadWriteTypeAll}}})
	wantErr(t, err, "InvalidParameterCombinationException", "")
	_, err = e.ct.PutEventSelectors(ctx, &cloudtrail.PutEventSelectorsInput{TrailName: aws.String("main"), AdvancedEventSelectors: []types.AdvancedEventSelector{{
		FieldSelectors: []types.AdvancedFieldSelector{{Field: aws.String("readOnly"), Equals: []string{"false"}}}}}})
	wantErr(t, err, "InvalidEventSelectorsException", "")
	_, err = e.ct.PutEventSelectors(ctx, &cloudtrail.PutEventSelectorsInput{TrailName: aws.String("main"), EventSelectors: []types.EventSelector{{
		DataResources: []types.DataResource{{Type: aws.String("AWS::EC2::Instance"), Values: []string{"x"}}}}}})
	wantErr(t, err, "InvalidEventSelectorsException", "")

	_, err = e.ct.GetInsightSelectors(ctx, &cloudtrail.GetInsightSelectorsInput{TrailName: aws.String("main")})
	wantErr(t, err, "InsightNotEnabledException", "")
	must(e.ct.PutInsightSelectors(ctx, &cloudtrail.PutInsightSelectorsInput{TrailName: aws.String("main"), InsightSelectors: []types.InsightSelector{{InsightType: types.InsightTypeApiCallRateInsight}}}))
	ins := must(e.ct.GetInsightSelectors(ctx, &cloudtrail.GetInsightSelectorsInput{TrailName: aws.String("main")}))
	if len(ins.InsightSelectors) != 1 || ins.InsightSelectors[0].InsightType != types.InsightTypeApiCallRateInsight {
		t.Errorf("insight selectors %+v", ins.InsightSelectors)
	}
	if tr := must(e.ct.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String("main")})).Trail; !*tr.HasInsightSelectors {
		t.Error("HasInsightSelectors false")
	}
}

// CloudTrail calls are authorized on the trail's ARN.
func TestTrailAuthorization(t *testing.T) {
	e := newEnv(t)
	e.bucket("bkt")
	must(e.ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("main"), S3BucketName: aws.String("bkt")}))
	must(e.ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("other"), S3BucketName: aws.String("bkt")}))
	must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("auditor")}))
	must(e.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("auditor"), PolicyName: aws.String("p"), PolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["cloudtrail:GetTrail","cloudtrail:StopLogging"],"Resource":"` + trailARN + `"}]}`)}))
	k := must(e.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("auditor")})).AccessKey
	as := cloudtrail.NewFromConfig(e.p.Config(*k.AccessKeyId, *k.SecretAccessKey, ""))
	must(as.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String("main")}))
	must(as.StopLogging(ctx, &cloudtrail.StopLoggingInput{Name: aws.String(trailARN)}))
	_, err := as.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String("other")})
	wantErr(t, err, "AccessDeniedException", "User: arn:aws:iam::000000000000:user/auditor is not authorized to perform: cloudtrail:GetTrail on resource: arn:aws:cloudtrail:us-east-1:000000000000:trail/other because no identity-based policy allows the cloudtrail:GetTrail action")
	_, err = as.DeleteTrail(ctx, &cloudtrail.DeleteTrailInput{Name: aws.String("main")})
	wantErr(t, err, "AccessDeniedException", "")
}
