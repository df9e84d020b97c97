package cloudtrail_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/palisade/palisade/internal/app/apptest"
)

const trailARN = "arn:aws:cloudtrail:us-east-1:000000000000:trail/main"

func TestTrailLifecycle(t *testing.T) {
	e := newEnv(t)
	e.bucket("logs-bucket")
	e.bucket("bkt")
	key := e.trailKey()
	out := apptest.Must(e.ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{
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
	apptest.WantErr(t, err, "TrailAlreadyExistsException", 0, "Trail main already exists for customer: 000000000000")

	got := apptest.Must(e.ct.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String("main")})).Trail
	if *got.HomeRegion != "us-east-1" || *got.HasCustomEventSelectors || *got.HasInsightSelectors || *got.TrailARN != trailARN {
		t.Errorf("GetTrail %+v", got)
	}
	byARN := apptest.Must(e.ct.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String(trailARN)})).Trail
	if *byARN.Name != "main" {
		t.Errorf("GetTrail by ARN %+v", byARN)
	}
	st := apptest.Must(e.ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("main")}))
	if *st.IsLogging || st.StartLoggingTime != nil || *st.TimeLoggingStarted != "" {
		t.Errorf("new trail status %+v", st)
	}
	now := e.p.Clock.Now()
	apptest.Must(e.ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("main")}))
	st = apptest.Must(e.ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String(trailARN)}))
	if !*st.IsLogging || st.StartLoggingTime == nil || st.StartLoggingTime.Sub(now).Abs() > 5*time.Second || *st.TimeLoggingStarted == "" {
		t.Errorf("status after StartLogging %+v", st)
	}
	e.p.Clock.Advance(time.Hour)
	apptest.Must(e.ct.StopLogging(ctx, &cloudtrail.StopLoggingInput{Name: aws.String("main")}))
	st = apptest.Must(e.ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("main")}))
	if *st.IsLogging || st.StopLoggingTime == nil || !st.StopLoggingTime.After(*st.StartLoggingTime) {
		t.Errorf("status after StopLogging %+v", st)
	}

	// The topic must exist and let CloudTrail publish for the trail: the default
	// topic policy does not.
	update := func() (*cloudtrail.UpdateTrailOutput, error) {
		return e.ct.UpdateTrail(ctx, &cloudtrail.UpdateTrailInput{Name: aws.String("main"), S3KeyPrefix: aws.String(""), IsMultiRegionTrail: aws.Bool(true), SnsTopicName: aws.String("notify")})
	}
	_, err = update()
	apptest.WantErr(t, err, "InsufficientSnsTopicPolicyException", 400, "SNS Topic does not exist or the topic policy is incorrect!")
	topics := sns.NewFromConfig(e.p.RootConfig())
	topic := apptest.Must(topics.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("notify")})).TopicArn
	_, err = update()
	apptest.WantErr(t, err, "InsufficientSnsTopicPolicyException", 400, "SNS Topic does not exist or the topic policy is incorrect!")
	e.topicPolicy(*topic)
	up := apptest.Must(update())
	if up.S3KeyPrefix != nil || !*up.IsMultiRegionTrail || *up.SnsTopicARN != "arn:aws:sns:us-east-1:000000000000:notify" || *up.S3BucketName != "logs-bucket" {
		t.Errorf("UpdateTrail %+v", up)
	}
	_, err = e.ct.UpdateTrail(ctx, &cloudtrail.UpdateTrailInput{Name: aws.String("main"), IncludeGlobalServiceEvents: aws.Bool(false)})
	apptest.WantErr(t, err, "InvalidParameterCombinationException", 0, "")

	// A multi-region trail shows in other regions as a shadow trail; only its home
	// region changes it.
	west := e.in("us-west-2")
	d := apptest.Must(west.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{}))
	if len(d.TrailList) != 1 || *d.TrailList[0].HomeRegion != "us-east-1" {
		t.Errorf("DescribeTrails in us-west-2: %+v", d.TrailList)
	}
	if d := apptest.Must(west.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{IncludeShadowTrails: aws.Bool(false)})); len(d.TrailList) != 0 {
		t.Errorf("shadow trails without includeShadowTrails: %+v", d.TrailList)
	}
	if l := apptest.Must(west.ListTrails(ctx, &cloudtrail.ListTrailsInput{})); len(l.Trails) != 1 || *l.Trails[0].TrailARN != trailARN {
		t.Errorf("ListTrails in us-west-2: %+v", l.Trails)
	}
	apptest.Must(west.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String(trailARN)}))
	_, err = west.UpdateTrail(ctx, &cloudtrail.UpdateTrailInput{Name: aws.String("main"), S3BucketName: aws.String("bkt")})
	apptest.WantErr(t, err, "TrailNotFoundException", 0, "Unknown trail: arn:aws:cloudtrail:us-west-2:000000000000:trail/main for the user: 000000000000")
	_, err = west.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String(trailARN)})
	apptest.WantErr(t, err, "InvalidHomeRegionException", 0, "")
	_, err = west.DeleteTrail(ctx, &cloudtrail.DeleteTrailInput{Name: aws.String(trailARN)})
	apptest.WantErr(t, err, "InvalidHomeRegionException", 0, "")

	// Tags.
	apptest.Must(e.ct.AddTags(ctx, &cloudtrail.AddTagsInput{ResourceId: aws.String(trailARN), TagsList: []types.Tag{{Key: aws.String("env"), Value: aws.String("prod")}, {Key: aws.String("team"), Value: aws.String("ops")}}}))
	apptest.Must(e.ct.RemoveTags(ctx, &cloudtrail.RemoveTagsInput{ResourceId: aws.String(trailARN), TagsList: []types.Tag{{Key: aws.String("env")}}}))
	tags := apptest.Must(e.ct.ListTags(ctx, &cloudtrail.ListTagsInput{ResourceIdList: []string{trailARN}}))
	if len(tags.ResourceTagList) != 1 || len(tags.ResourceTagList[0].TagsList) != 1 || *tags.ResourceTagList[0].TagsList[0].Value != "ops" {
		t.Errorf("tags %+v", tags.ResourceTagList)
	}
	_, err = e.ct.AddTags(ctx, &cloudtrail.AddTagsInput{ResourceId: aws.String("main"), TagsList: []types.Tag{{Key: aws.String("a")}}})
	apptest.WantErr(t, err, "CloudTrailARNInvalidException", 0, "")
	_, err = e.ct.AddTags(ctx, &cloudtrail.AddTagsInput{ResourceId: aws.String(trailARN), TagsList: []types.Tag{{Key: aws.String("aws:x")}}})
	apptest.WantErr(t, err, "InvalidTagParameterException", 0, "")

	apptest.Must(e.ct.DeleteTrail(ctx, &cloudtrail.DeleteTrailInput{Name: aws.String("main")}))
	_, err = e.ct.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String("main")})
	apptest.WantErr(t, err, "TrailNotFoundException", 0, "Unknown trail: "+trailARN+" for the user: 000000000000")
	_, err = e.ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("main")})
	apptest.WantErr(t, err, "TrailNotFoundException", 0, "")
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
		apptest.WantErr(t, err, "InvalidTrailNameException", 0, msg)
	}
	for i := range 5 {
		apptest.Must(e.ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("t" + string(rune('a'+i)) + "x"), S3BucketName: aws.String("bkt")}))
	}
	_, err := e.ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("sixth"), S3BucketName: aws.String("bkt")})
	apptest.WantErr(t, err, "MaximumNumberOfTrailsExceededException", 0, "User: 000000000000 already has 5 trails in us-east-1.")
	// The quota is per region.
	apptest.Must(e.in("eu-west-1").CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("sixth"), S3BucketName: aws.String("bkt")}))
	if d := apptest.Must(e.ct.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{TrailNameList: []string{"tax", "tbx", "nope"}})); len(d.TrailList) != 2 {
		t.Errorf("DescribeTrails by names: %d trails", len(d.TrailList))
	}
}

func TestEventAndInsightSelectors(t *testing.T) {
	e := newEnv(t)
	e.bucket("bkt")
	apptest.Must(e.ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("main"), S3BucketName: aws.String("bkt")}))
	sel := apptest.Must(e.ct.GetEventSelectors(ctx, &cloudtrail.GetEventSelectorsInput{TrailName: aws.String("main")}))
	if len(sel.EventSelectors) != 1 || sel.EventSelectors[0].ReadWriteType != types.ReadWriteTypeAll || !*sel.EventSelectors[0].IncludeManagementEvents || *sel.TrailARN != trailARN {
		t.Errorf("default selectors %+v", sel.EventSelectors)
	}
	put := apptest.Must(e.ct.PutEventSelectors(ctx, &cloudtrail.PutEventSelectorsInput{TrailName: aws.String("main"), EventSelectors: []types.EventSelector{{
		ReadWriteType: types.ReadWriteTypeWriteOnly, ExcludeManagementEventSources: []string{"kms.amazonaws.com"},
		DataResources: []types.DataResource{{Type: aws.String("AWS::S3::Object"), Values: []string{"arn:aws:s3:::data-bucket/"}}},
	}}}))
	if len(put.EventSelectors) != 1 || !*put.EventSelectors[0].IncludeManagementEvents || put.EventSelectors[0].DataResources[0].Values[0] != "arn:aws:s3:::data-bucket/" {
		t.Errorf("PutEventSelectors %+v", put.EventSelectors)
	}
	if tr := apptest.Must(e.ct.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String("main")})).Trail; !*tr.HasCustomEventSelectors {
		t.Error("HasCustomEventSelectors false after PutEventSelectors")
	}
	adv := []types.AdvancedEventSelector{{Name: aws.String("writes"), FieldSelectors: []types.AdvancedFieldSelector{
		{Field: aws.String("eventCategory"), Equals: []string{"Management"}}, {Field: aws.String("readOnly"), Equals: []string{"false"}}}}}
	apptest.Must(e.ct.PutEventSelectors(ctx, &cloudtrail.PutEventSelectorsInput{TrailName: aws.String("main"), AdvancedEventSelectors: adv}))
	sel = apptest.Must(e.ct.GetEventSelectors(ctx, &cloudtrail.GetEventSelectorsInput{TrailName: aws.String("main")}))
	if len(sel.AdvancedEventSelectors) != 1 || sel.EventSelectors != nil || *sel.AdvancedEventSelectors[0].Name != "writes" {
		t.Errorf("advanced selectors %+v / %+v", sel.AdvancedEventSelectors, sel.EventSelectors)
	}
	_, err := e.ct.PutEventSelectors(ctx, &cloudtrail.PutEventSelectorsInput{TrailName: aws.String("main"), AdvancedEventSelectors: adv,
		EventSelectors: []types.EventSelector{{ReadWriteType: types.ReadWriteTypeAll}}})
	apptest.WantErr(t, err, "InvalidParameterCombinationException", 0, "")
	_, err = e.ct.PutEventSelectors(ctx, &cloudtrail.PutEventSelectorsInput{TrailName: aws.String("main"), AdvancedEventSelectors: []types.AdvancedEventSelector{{
		FieldSelectors: []types.AdvancedFieldSelector{{Field: aws.String("readOnly"), Equals: []string{"false"}}}}}})
	apptest.WantErr(t, err, "InvalidEventSelectorsException", 0, "")
	_, err = e.ct.PutEventSelectors(ctx, &cloudtrail.PutEventSelectorsInput{TrailName: aws.String("main"), EventSelectors: []types.EventSelector{{
		DataResources: []types.DataResource{{Type: aws.String("AWS::EC2::Instance"), Values: []string{"x"}}}}}})
	apptest.WantErr(t, err, "InvalidEventSelectorsException", 0, "")

	_, err = e.ct.GetInsightSelectors(ctx, &cloudtrail.GetInsightSelectorsInput{TrailName: aws.String("main")})
	apptest.WantErr(t, err, "InsightNotEnabledException", 0, "")
	apptest.Must(e.ct.PutInsightSelectors(ctx, &cloudtrail.PutInsightSelectorsInput{TrailName: aws.String("main"), InsightSelectors: []types.InsightSelector{{InsightType: types.InsightTypeApiCallRateInsight}}}))
	ins := apptest.Must(e.ct.GetInsightSelectors(ctx, &cloudtrail.GetInsightSelectorsInput{TrailName: aws.String("main")}))
	if len(ins.InsightSelectors) != 1 || ins.InsightSelectors[0].InsightType != types.InsightTypeApiCallRateInsight {
		t.Errorf("insight selectors %+v", ins.InsightSelectors)
	}
	if tr := apptest.Must(e.ct.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String("main")})).Trail; !*tr.HasInsightSelectors {
		t.Error("HasInsightSelectors false")
	}

	// A trail logging read management events only may have error rate Insights, not
	// call rate Insights (User Guide, "Working with CloudTrail Insights").
	apptest.Must(e.ct.PutEventSelectors(ctx, &cloudtrail.PutEventSelectorsInput{TrailName: aws.String("main"), EventSelectors: []types.EventSelector{{ReadWriteType: types.ReadWriteTypeReadOnly}}}))
	apptest.Must(e.ct.PutInsightSelectors(ctx, &cloudtrail.PutInsightSelectorsInput{TrailName: aws.String("main"), InsightSelectors: []types.InsightSelector{{InsightType: types.InsightTypeApiErrorRateInsight}}}))
	_, err = e.ct.PutInsightSelectors(ctx, &cloudtrail.PutInsightSelectorsInput{TrailName: aws.String("main"), InsightSelectors: []types.InsightSelector{{InsightType: types.InsightTypeApiCallRateInsight}}})
	apptest.WantErr(t, err, "InvalidInsightSelectorsException", 0, "")
	apptest.Must(e.ct.PutEventSelectors(ctx, &cloudtrail.PutEventSelectorsInput{TrailName: aws.String("main"), EventSelectors: []types.EventSelector{{ReadWriteType: types.ReadWriteTypeAll, IncludeManagementEvents: aws.Bool(false),
		DataResources: []types.DataResource{{Type: aws.String("AWS::S3::Object"), Values: []string{"arn:aws:s3:::data-bucket/"}}}}}}))
	_, err = e.ct.PutInsightSelectors(ctx, &cloudtrail.PutInsightSelectorsInput{TrailName: aws.String("main"), InsightSelectors: []types.InsightSelector{{InsightType: types.InsightTypeApiErrorRateInsight}}})
	apptest.WantErr(t, err, "InvalidInsightSelectorsException", 0, "")
}

// CloudTrail calls are authorized on the trail's ARN.
func TestTrailAuthorization(t *testing.T) {
	e := newEnv(t)
	e.bucket("bkt")
	apptest.Must(e.ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("main"), S3BucketName: aws.String("bkt")}))
	apptest.Must(e.ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("other"), S3BucketName: aws.String("bkt")}))
	apptest.Must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("auditor")}))
	apptest.Must(e.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("auditor"), PolicyName: aws.String("p"), PolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["cloudtrail:GetTrail","cloudtrail:StopLogging"],"Resource":"` + trailARN + `"}]}`)}))
	k := apptest.Must(e.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("auditor")})).AccessKey
	as := cloudtrail.NewFromConfig(e.p.Config(*k.AccessKeyId, *k.SecretAccessKey, ""))
	apptest.Must(as.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String("main")}))
	apptest.Must(as.StopLogging(ctx, &cloudtrail.StopLoggingInput{Name: aws.String(trailARN)}))
	_, err := as.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String("other")})
	apptest.WantErr(t, err, "AccessDeniedException", 0, "User: arn:aws:iam::000000000000:user/auditor is not authorized to perform: cloudtrail:GetTrail on resource: arn:aws:cloudtrail:us-east-1:000000000000:trail/other because no identity-based policy allows the cloudtrail:GetTrail action")
	_, err = as.DeleteTrail(ctx, &cloudtrail.DeleteTrailInput{Name: aws.String("main")})
	apptest.WantErr(t, err, "AccessDeniedException", 0, "")
}

// Basic selectors take the documented DataResources values only; AWS refuses a
// bucket ARN without the slash before the object prefix and wildcards, with the
// messages users report (hashicorp/terraform-provider-aws#4043, aws/aws-cdk#1841,
// aws-samples/aws-security-reference-architecture-examples#335,
// aws-solutions/aws-crr-monitor#7).
func TestDataResourceValues(t *testing.T) {
	e := newEnv(t)
	e.bucket("bkt")
	apptest.Must(e.ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("main"), S3BucketName: aws.String("bkt")}))
	put := func(typ string, values ...string) error {
		_, err := e.ct.PutEventSelectors(ctx, &cloudtrail.PutEventSelectorsInput{TrailName: aws.String("main"), EventSelectors: []types.EventSelector{{
			DataResources: []types.DataResource{{Type: aws.String(typ), Values: values}}}}})
		return err
	}
	for typ, values := range map[string][]string{
		"AWS::S3::Object":       {"arn:aws:s3", "arn:aws:s3:::", "arn:aws:s3:::data-bucket/", "arn:aws:s3:::data-bucket/images"},
		"AWS::Lambda::Function": {"arn:aws:lambda", "arn:aws:lambda:us-west-2:111111111111:function:helloworld"},
		"AWS::DynamoDB::Table":  {"arn:aws:dynamodb", "arn:aws:dynamodb:us-east-1:111111111111:table/orders"},
	} {
		for _, v := range values {
			if err := put(typ, v); err != nil {
				t.Errorf("%s %s: %v", typ, v, err)
			}
		}
	}
	for _, c := range [][2]string{
		{"AWS::S3::Object", "arn:aws:s3:::data-bucket"},
		{"AWS::S3::Object", "arn:aws:s3:::*"},
		{"AWS::S3::Object", "bucketArn"},
		{"AWS::Lambda::Function", "arn:aws:lambda:*"},
		{"AWS::DynamoDB::Table", "arn:aws:dynamodb:*"},
	} {
		apptest.WantErr(t, put(c[0], c[1]), "InvalidEventSelectorsException", 400, "Value "+c[1]+" for DataResources.Values is invalid.")
	}
	var many []string
	for i := range 251 {
		many = append(many, "arn:aws:s3:::b"+strconv.Itoa(i)+"/")
	}
	apptest.WantErr(t, put("AWS::S3::Object", many...), "InvalidEventSelectorsException", 400, "Specify a valid number of DataResources.Values (0 to 250) for all your selectors")
	_, err := e.ct.PutEventSelectors(ctx, &cloudtrail.PutEventSelectorsInput{TrailName: aws.String("main"), EventSelectors: make([]types.EventSelector, 6)})
	apptest.WantErr(t, err, "InvalidEventSelectorsException", 400, "Specify a valid number of event selectors (1 to 5) for a trail.")
}
