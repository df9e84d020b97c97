package cloudtrail_test

import (
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"

	"github.com/palisade/palisade/internal/app/apptest"
)

// DescribeTrails' trailNameList: a name designates only a trail of the current Region
// and account; a trail of another Region is named by its ARN (API reference,
// DescribeTrails, trailNameList).
func TestDescribeTrailsNamesAreRegional(t *testing.T) {
	e := newEnv(t)
	e.bucket("bkt")
	apptest.Must(e.ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("main"), S3BucketName: aws.String("bkt"), IsMultiRegionTrail: aws.Bool(true)}))
	if d := apptest.Must(e.ct.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{TrailNameList: []string{"main"}})); len(d.TrailList) != 1 {
		t.Errorf("by name in its home Region: %+v", d.TrailList)
	}
	west := e.in("us-west-2")
	if d := apptest.Must(west.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{TrailNameList: []string{"main"}})); len(d.TrailList) != 0 {
		t.Errorf("a shadow trail by name: %+v", d.TrailList)
	}
	if d := apptest.Must(west.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{TrailNameList: []string{trailARN}})); len(d.TrailList) != 1 || *d.TrailList[0].TrailARN != trailARN {
		t.Errorf("a shadow trail by ARN: %+v", d.TrailList)
	}
}

// GetTrailStatus of a shadow trail needs its ARN (API reference, GetTrailStatus, Name);
// GetEventSelectors by name in another Region answers TrailNotFoundException with the
// name made an ARN of the caller's Region, as AWS answered in aws/aws-sdk-go-v2#1957.
func TestShadowTrailStatusAndSelectorsByARNOnly(t *testing.T) {
	e := newEnv(t)
	e.bucket("bkt")
	apptest.Must(e.ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("main"), S3BucketName: aws.String("bkt"), IsMultiRegionTrail: aws.Bool(true)}))
	west := e.in("us-west-2")
	const unknown = "Unknown trail: arn:aws:cloudtrail:us-west-2:000000000000:trail/main for the user: 000000000000"
	_, err := west.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("main")})
	apptest.WantErr(t, err, "TrailNotFoundException", 400, unknown)
	_, err = west.GetEventSelectors(ctx, &cloudtrail.GetEventSelectorsInput{TrailName: aws.String("main")})
	apptest.WantErr(t, err, "TrailNotFoundException", 400, unknown)
	apptest.Must(west.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String(trailARN)}))
	if s := apptest.Must(west.GetEventSelectors(ctx, &cloudtrail.GetEventSelectorsInput{TrailName: aws.String(trailARN)})); *s.TrailARN != trailARN {
		t.Errorf("GetEventSelectors by ARN: %+v", s)
	}
}

// Advanced field selectors: readOnly, eventCategory and resources.type take Equals
// only; a trail's eventCategory is Management, Data or NetworkActivity; a data event
// selector names resources.type (API reference, AdvancedFieldSelector).
func TestAdvancedFieldSelectorRules(t *testing.T) {
	e := newEnv(t)
	e.bucket("bkt")
	apptest.Must(e.ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("main"), S3BucketName: aws.String("bkt")}))
	put := func(fs ...types.AdvancedFieldSelector) error {
		_, err := e.ct.PutEventSelectors(ctx, &cloudtrail.PutEventSelectorsInput{TrailName: aws.String("main"),
			AdvancedEventSelectors: []types.AdvancedEventSelector{{FieldSelectors: fs}}})
		return err
	}
	f := func(field string) types.AdvancedFieldSelector {
		return types.AdvancedFieldSelector{Field: aws.String(field)}
	}
	with := func(s types.AdvancedFieldSelector, set func(*types.AdvancedFieldSelector)) types.AdvancedFieldSelector {
		set(&s)
		return s
	}
	mgmt := with(f("eventCategory"), func(s *types.AdvancedFieldSelector) { s.Equals = []string{"Management"} })
	data := with(f("eventCategory"), func(s *types.AdvancedFieldSelector) { s.Equals = []string{"Data"} })
	object := with(f("resources.type"), func(s *types.AdvancedFieldSelector) { s.Equals = []string{"AWS::S3::Object"} })

	for name, err := range map[string]error{
		"eventCategory NotEquals": put(with(f("eventCategory"), func(s *types.AdvancedFieldSelector) { s.NotEquals = []string{"Management"} }), object),
		"readOnly NotEquals":      put(mgmt, with(f("readOnly"), func(s *types.AdvancedFieldSelector) { s.NotEquals = []string{"true"} })),
		"readOnly StartsWith":     put(mgmt, with(f("readOnly"), func(s *types.AdvancedFieldSelector) { s.StartsWith = []string{"t"} })),
		"resources.type EndsWith": put(data, with(f("resources.type"), func(s *types.AdvancedFieldSelector) { s.EndsWith = []string{"::Object"} })),
		"eventCategory Insight":   put(with(f("eventCategory"), func(s *types.AdvancedFieldSelector) { s.Equals = []string{"Insight"} })),
		"Data without resources":  put(data),
	} {
		var iee *types.InvalidEventSelectorsException
		if !errors.As(err, &iee) {
			t.Errorf("%s: %v, want InvalidEventSelectorsException", name, err)
		}
	}
	for name, err := range map[string]error{
		"management":    put(mgmt, with(f("readOnly"), func(s *types.AdvancedFieldSelector) { s.Equals = []string{"true"} })),
		"S3 objects":    put(data, object, with(f("resources.ARN"), func(s *types.AdvancedFieldSelector) { s.StartsWith = []string{"arn:aws:s3:::bkt/"} })),
		"eventName Not": put(data, object, with(f("eventName"), func(s *types.AdvancedFieldSelector) { s.NotEquals = []string{"GetObject"} })),
	} {
		if err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// A tag list naming a key twice is InvalidTagParameterException (API reference,
// AddTags: "Tag key names must be unique"; InvalidTagParameterException "can also
// occur if there are duplicate tags").
func TestDuplicateTagKeys(t *testing.T) {
	e := newEnv(t)
	e.bucket("bkt")
	dup := []types.Tag{{Key: aws.String("env"), Value: aws.String("prod")}, {Key: aws.String("env"), Value: aws.String("dev")}}
	_, err := e.ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("main"), S3BucketName: aws.String("bkt"), TagsList: dup})
	apptest.WantErr(t, err, "InvalidTagParameterException", 400, "")
	apptest.Must(e.ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("main"), S3BucketName: aws.String("bkt"), TagsList: dup[:1]}))
	_, err = e.ct.AddTags(ctx, &cloudtrail.AddTagsInput{ResourceId: aws.String(trailARN), TagsList: dup})
	apptest.WantErr(t, err, "InvalidTagParameterException", 400, "")
	// A key already on the trail takes the new value.
	apptest.Must(e.ct.AddTags(ctx, &cloudtrail.AddTagsInput{ResourceId: aws.String(trailARN), TagsList: dup[1:]}))
	tags := apptest.Must(e.ct.ListTags(ctx, &cloudtrail.ListTagsInput{ResourceIdList: []string{trailARN}})).ResourceTagList[0].TagsList
	if len(tags) != 1 || *tags[0].Value != "dev" {
		t.Errorf("tags %+v", tags)
	}
}
