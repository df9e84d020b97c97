package wire_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/guardduty"
	gdtypes "github.com/aws/aws-sdk-go-v2/service/guardduty/types"
	"github.com/aws/aws-sdk-go-v2/service/inspector2"
	insptypes "github.com/aws/aws-sdk-go-v2/service/inspector2/types"

	gdapi "github.com/palisade/palisade/internal/api/guardduty"
	inspapi "github.com/palisade/palisade/internal/api/inspector2"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/wire/wiretest"
)

const (
	detectorID  = "12abc34d567e8fa901bc2d34e56789f0"
	detectorArn = "arn:aws:guardduty:us-east-1:000000000000:detector/" + detectorID
)

func guardDutyServer(t *testing.T) string {
	updated := time.Date(2025, 6, 7, 8, 9, 10, 500_000_000, time.UTC)
	srv := wiretest.Server(t, gdapi.Service, map[string]wiretest.Handler{
		"CreateDetector": func(in map[string]any) (map[string]any, *model.Error) {
			var req gdapi.CreateDetectorRequest
			mustUnmarshal(t, in, &req)
			if !req.Enable || req.ClientToken == nil || *req.ClientToken == "" || *req.FindingPublishingFrequency != "SIX_HOURS" ||
				!req.DataSources.S3Logs.Enable || req.Tags["env"] != "test" || len(req.Features) != 1 || *req.Features[0].Name != "S3_DATA_EVENTS" {
				t.Errorf("CreateDetector decoded %+v", req)
			}
			return model.Marshal(&gdapi.CreateDetectorResponse{DetectorId: aws.String(detectorID)}), nil
		},
		"GetDetector": func(in map[string]any) (map[string]any, *model.Error) {
			var req gdapi.GetDetectorRequest
			mustUnmarshal(t, in, &req)
			if req.DetectorId != detectorID {
				return nil, gdapi.NewBadRequestException("The request is rejected because the input detectorId is not owned by the current account.").With("Type", "InvalidInputException")
			}
			return model.Marshal(&gdapi.GetDetectorResponse{
				CreatedAt: aws.String("2025-01-02T03:04:05.678Z"), FindingPublishingFrequency: aws.String("SIX_HOURS"),
				ServiceRole: "arn:aws:iam::000000000000:role/aws-service-role/guardduty.amazonaws.com/AWSServiceRoleForAmazonGuardDuty",
				Status:      "ENABLED", Tags: map[string]string{"env": "test"},
				DataSources: &gdapi.DataSourceConfigurationsResult{CloudTrail: &gdapi.CloudTrailConfigurationResult{Status: "ENABLED"}, S3Logs: &gdapi.S3LogsConfigurationResult{Status: "DISABLED"}},
				Features:    []gdapi.DetectorFeatureConfigurationResult{{Name: aws.String("S3_DATA_EVENTS"), Status: aws.String("ENABLED"), UpdatedAt: &updated}},
			}), nil
		},
		"ListDetectors": func(in map[string]any) (map[string]any, *model.Error) {
			var req gdapi.ListDetectorsRequest
			mustUnmarshal(t, in, &req)
			if *req.MaxResults != 1 || *req.NextToken != "tok en/+=" {
				t.Errorf("ListDetectors decoded %+v", req)
			}
			return model.Marshal(&gdapi.ListDetectorsResponse{DetectorIds: []string{detectorID}, NextToken: aws.String("next")}), nil
		},
		"TagResource": func(in map[string]any) (map[string]any, *model.Error) {
			var req gdapi.TagResourceRequest
			mustUnmarshal(t, in, &req)
			if req.ResourceArn != detectorArn || len(req.Tags) != 2 || req.Tags["a/b"] != "c d" {
				t.Errorf("TagResource decoded %+v", req)
			}
			return map[string]any{}, nil
		},
		"UntagResource": func(in map[string]any) (map[string]any, *model.Error) {
			var req gdapi.UntagResourceRequest
			mustUnmarshal(t, in, &req)
			if req.ResourceArn != detectorArn || strings.Join(req.TagKeys, "|") != "a/b|e&f=g" {
				t.Errorf("UntagResource decoded %+v", req)
			}
			return map[string]any{}, nil
		},
		"UpdateDetector": func(in map[string]any) (map[string]any, *model.Error) {
			var req gdapi.UpdateDetectorRequest
			mustUnmarshal(t, in, &req)
			if req.DetectorId != detectorID || *req.Enable || *req.FindingPublishingFrequency != "FIFTEEN_MINUTES" {
				t.Errorf("UpdateDetector decoded %+v", req)
			}
			return map[string]any{}, nil
		},
	})
	return srv.URL
}

func TestRestJSONRoundTripGuardDuty(t *testing.T) {
	c := guardduty.NewFromConfig(sdkConfig(guardDutyServer(t)))
	ctx := context.Background()

	cd, err := c.CreateDetector(ctx, &guardduty.CreateDetectorInput{
		Enable: aws.Bool(true), FindingPublishingFrequency: gdtypes.FindingPublishingFrequencySixHours,
		//lint:ignore SA1019 DataSources is deprecated but still sent by older clients; it covers nested body structures.
		DataSources: &gdtypes.DataSourceConfigurations{S3Logs: &gdtypes.S3LogsConfiguration{Enable: aws.Bool(true)}},
		Tags:        map[string]string{"env": "test"},
		Features:    []gdtypes.DetectorFeatureConfiguration{{Name: gdtypes.DetectorFeatureS3DataEvents, Status: gdtypes.FeatureStatusEnabled}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if *cd.DetectorId != detectorID {
		t.Fatalf("CreateDetector got %+v", cd)
	}

	gd, err := c.GetDetector(ctx, &guardduty.GetDetectorInput{DetectorId: aws.String(detectorID)})
	if err != nil {
		t.Fatal(err)
	}
	if *gd.CreatedAt != "2025-01-02T03:04:05.678Z" || gd.FindingPublishingFrequency != gdtypes.FindingPublishingFrequencySixHours ||
		!strings.HasSuffix(*gd.ServiceRole, "AWSServiceRoleForAmazonGuardDuty") || gd.Status != gdtypes.DetectorStatusEnabled || gd.Tags["env"] != "test" ||
		len(gd.Features) != 1 || !gd.Features[0].UpdatedAt.Equal(time.Date(2025, 6, 7, 8, 9, 10, 500_000_000, time.UTC)) {
		t.Fatalf("GetDetector got %+v", gd)
	}
	//lint:ignore SA1019 DataSources is deprecated but still returned by GuardDuty; it covers nested body structures.
	ds := gd.DataSources
	if ds.CloudTrail.Status != gdtypes.DataSourceStatusEnabled || ds.S3Logs.Status != gdtypes.DataSourceStatusDisabled {
		t.Fatalf("GetDetector data sources %+v", ds)
	}

	ld, err := c.ListDetectors(ctx, &guardduty.ListDetectorsInput{MaxResults: aws.Int32(1), NextToken: aws.String("tok en/+=")})
	if err != nil {
		t.Fatal(err)
	}
	if len(ld.DetectorIds) != 1 || ld.DetectorIds[0] != detectorID || *ld.NextToken != "next" {
		t.Fatalf("ListDetectors got %+v", ld)
	}

	if _, err := c.UpdateDetector(ctx, &guardduty.UpdateDetectorInput{
		DetectorId: aws.String(detectorID), Enable: aws.Bool(false), FindingPublishingFrequency: gdtypes.FindingPublishingFrequencyFifteenMinutes,
	}); err != nil {
		t.Fatal(err)
	}

	// An ARN label with ':' and '/', a repeated query list and a 204 response.
	if _, err := c.TagResource(ctx, &guardduty.TagResourceInput{ResourceArn: aws.String(detectorArn), Tags: map[string]string{"a/b": "c d", "x": "y"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UntagResource(ctx, &guardduty.UntagResourceInput{ResourceArn: aws.String(detectorArn), TagKeys: []string{"a/b", "e&f=g"}}); err != nil {
		t.Fatal(err)
	}

	// BadRequestException: the SDK takes the code from X-Amzn-ErrorType; the body's
	// __type is GuardDuty's error kind, not the exception name.
	_, err = c.GetDetector(ctx, &guardduty.GetDetectorInput{DetectorId: aws.String("0000")})
	var bre *gdtypes.BadRequestException
	if !errors.As(err, &bre) || bre.ErrorCode() != "BadRequestException" ||
		bre.ErrorMessage() != "The request is rejected because the input detectorId is not owned by the current account." {
		t.Fatalf("want BadRequestException, got %v", err)
	}
}

func TestRestJSONWireGuardDuty(t *testing.T) {
	url := guardDutyServer(t)
	get := func(path string) rawResponse {
		req, _ := http.NewRequest(http.MethodGet, url+path, nil)
		return do(t, req)
	}

	r := get("/detector/" + detectorID)
	if r.Status != 200 || r.Header.Get("Content-Type") != "application/json" || r.Header.Get("X-Amzn-Requestid") == "" ||
		r.Body != `{"createdAt":"2025-01-02T03:04:05.678Z","findingPublishingFrequency":"SIX_HOURS","serviceRole":"arn:aws:iam::000000000000:role/aws-service-role/guardduty.amazonaws.com/AWSServiceRoleForAmazonGuardDuty","status":"ENABLED","dataSources":{"cloudTrail":{"status":"ENABLED"},"s3Logs":{"status":"DISABLED"}},"tags":{"env":"test"},"features":[{"name":"S3_DATA_EVENTS","status":"ENABLED","updatedAt":1749283750.5}]}` {
		t.Fatalf("got %d %v %s", r.Status, r.Header, r.Body)
	}

	// The error as GuardDuty sends it: the exception in the header, the kind in __type.
	r = get("/detector/0000")
	if r.Status != 400 || r.Header.Get("X-Amzn-Errortype") != "BadRequestException" || r.Header.Get("Content-Type") != "application/json" ||
		r.Body != `{"message":"The request is rejected because the input detectorId is not owned by the current account.","__type":"InvalidInputException"}` {
		t.Fatalf("got %d %v %s", r.Status, r.Header, r.Body)
	}

	req, _ := http.NewRequest(http.MethodDelete, url+"/tags/"+strings.ReplaceAll(detectorArn, "/", "%2F")+"?tagKeys=a%2Fb&tagKeys=e%26f%3Dg", nil)
	if r := do(t, req); r.Status != 204 || r.Body != "" || r.Header.Get("X-Amzn-Requestid") == "" {
		t.Fatalf("UntagResource got %d %s", r.Status, r.Body)
	}

	// Routes no operation has: API Gateway's 403.
	for _, tc := range []struct{ method, path string }{{"GET", "/nope"}, {"DELETE", "/detector"}, {"GET", "/detector/" + detectorID + "/extra/x"}} {
		req, _ := http.NewRequest(tc.method, url+tc.path, nil)
		r := do(t, req)
		if r.Status != 403 || r.Header.Get("X-Amzn-Errortype") != "MissingAuthenticationTokenException" || r.Body != `{"message":"Missing Authentication Token"}` {
			t.Errorf("%s %s: got %d %v %s", tc.method, tc.path, r.Status, r.Header, r.Body)
		}
	}

	// A query value that is not an integer and a body that is not JSON are GuardDuty's
	// BadRequestException with the InvalidInputException kind.
	r = get("/detector?maxResults=ten")
	if r.Status != 400 || r.Header.Get("X-Amzn-Errortype") != "BadRequestException" ||
		r.Body != `{"message":"1 validation error detected: Value 'ten' at 'maxResults' failed to satisfy constraint: Member must be an integer","__type":"InvalidInputException"}` {
		t.Fatalf("got %d %v %s", r.Status, r.Header, r.Body)
	}
	r = post(t, url+"/detector", map[string]string{"Content-Type": "application/json"}, []byte(`{"enable":`))
	if r.Status != 400 || r.Header.Get("X-Amzn-Errortype") != "BadRequestException" ||
		r.Body != `{"message":"The request is rejected because the JSON could not be processed.","__type":"InvalidInputException"}` {
		t.Fatalf("got %d %v %s", r.Status, r.Header, r.Body)
	}
	r = post(t, url+"/detector", map[string]string{"Content-Type": "application/json"}, []byte(`{"enable":"yes"}`))
	if r.Status != 400 || !strings.Contains(r.Body, `"__type":"InvalidInputException"`) {
		t.Fatalf("got %d %v %s", r.Status, r.Header, r.Body)
	}
}

// TestRestJSONInspector2Throttling covers an exception member bound to a header: the
// SDK reads Retry-After into RetryAfterSeconds.
func TestRestJSONInspector2Throttling(t *testing.T) {
	srv := wiretest.Server(t, inspapi.Service, map[string]wiretest.Handler{
		"ListCoverage": func(in map[string]any) (map[string]any, *model.Error) {
			var req inspapi.ListCoverageRequest
			mustUnmarshal(t, in, &req)
			if *req.MaxResults != 7 || len(req.FilterCriteria.AccountId) != 1 || req.FilterCriteria.AccountId[0].Value != "000000000000" {
				t.Errorf("ListCoverage decoded %+v", req)
			}
			return nil, inspapi.NewThrottlingException("Rate exceeded").With("retryAfterSeconds", int64(7))
		},
	})
	c := inspector2.NewFromConfig(sdkConfig(srv.URL))
	_, err := c.ListCoverage(context.Background(), &inspector2.ListCoverageInput{
		MaxResults:     aws.Int32(7),
		FilterCriteria: &insptypes.CoverageFilterCriteria{AccountId: []insptypes.CoverageStringFilter{{Comparison: insptypes.CoverageStringComparisonEquals, Value: aws.String("000000000000")}}},
	})
	var te *insptypes.ThrottlingException
	if !errors.As(err, &te) || te.ErrorMessage() != "Rate exceeded" || te.RetryAfterSeconds == nil || *te.RetryAfterSeconds != 7 {
		t.Fatalf("want ThrottlingException with Retry-After 7, got %v", err)
	}
	r := post(t, srv.URL+"/coverage/list", map[string]string{"Content-Type": "application/json"}, []byte(`{"maxResults":7,"filterCriteria":{"accountId":[{"comparison":"EQUALS","value":"000000000000"}]}}`))
	if r.Status != 429 || r.Header.Get("Retry-After") != "7" || r.Header.Get("X-Amzn-Errortype") != "ThrottlingException" || r.Body != `{"message":"Rate exceeded"}` {
		t.Fatalf("got %d %v %s", r.Status, r.Header, r.Body)
	}
}
